import { CounterTestModule, countersProjection } from './counter.fixture.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';

describe('spine over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ extraModules: [CounterTestModule], extraProjections: [countersProjection] });
  });
  afterAll(() => t.close());

  it('answers a command only once its read model is readable (read-your-writes)', async () => {
    const res = await t.http.post('/test/counters/a/increment').send({ by: 5 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: 'a', total: 5, increments: 1 });
  });

  it('retries safe commands on conflict: 20 parallel increments all land', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => t.http.post('/test/counters/par/increment').send({ by: 1 })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const res = await t.http.get('/test/counters/par');
    expect(res.body.total).toBe(20);
  });

  it('turns a stale expected version into 409 concurrency_conflict', async () => {
    await t.http.post('/test/counters/c/increment').send({ by: 1 }).expect(201);
    const res = await t.http.post('/test/counters/c/increment').send({ by: 1, expected_version: 7 });
    expectProblem(res, 409, 'concurrency_conflict');
    expect((await t.http.get('/test/counters/c')).body.total).toBe(1);
  });

  it('answers domain errors as problem+json', async () => {
    await t.http.post('/test/counters/d/increment').send({ by: 100 }).expect(201);
    for (let i = 0; i < 9; i++) await t.http.post('/test/counters/d/increment').send({ by: 100 }).expect(201);
    expectProblem(await t.http.post('/test/counters/d/increment').send({ by: 1 }), 400, 'counter_limit');
  });

  it.each([
    ['malformed JSON', '{"by": 1,', 'malformed_json'],
    ['unknown field', JSON.stringify({ by: 1, evil: true }), 'validation_failed'],
    ['wrong type', JSON.stringify({ by: 'one' }), 'validation_failed'],
    ['out of range', JSON.stringify({ by: 1000 }), 'validation_failed'],
    ['array body', JSON.stringify([1, 2]), 'validation_failed'],
  ])('rejects %s with 400 problem+json and writes nothing', async (_name, body, code) => {
    const res = await t.http.post('/test/counters/bad/increment').set('content-type', 'application/json').send(body);
    expectProblem(res, 400, code);
    expectProblem(await t.http.get('/test/counters/bad'), 404, 'counter_not_found');
  });

  it('answers an unknown route with 404 problem+json', async () => {
    expectProblem(await t.http.get('/nope'), 404, 'not_found');
  });

  it('reports health with store reachability and projection lag', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', event_store: { kind: 'sqlite', reachable: true }, read_store: { reachable: true } });
    expect(res.body.projections).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'test_counters', lag: 0 })]));
  });

  it('serves OpenAPI at /docs-json', async () => {
    const res = await t.http.get('/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toContain('/test/counters/{id}/increment');
  });

  it('sets security headers (helmet) and a correlation id is accepted', async () => {
    const res = await t.http.get('/health').set('x-correlation-id', 'abc-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
