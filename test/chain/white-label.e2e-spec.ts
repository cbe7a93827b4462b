import { addMember, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant, rootOperator, type Auth, type Tenant } from '../tier/support.js';
import { createChain, createVenue, expectField, PASSWORD } from './support.js';

describe('venue chains: white label and public branding (F02.09.05, e2e)', () => {
  let t: TestApp;
  let A: Tenant & { chain_code: string }, B: Tenant, C: Tenant, D: Tenant, V: Tenant, club: Tenant;
  let chainStaff: Auth;
  const body = (over: Record<string, unknown> = {}) => ({
    app_name: 'Boule Bar',
    colors: { primary: '#0B5FFF', secondary: '#fff', accent: '#ff8800' },
    logo_url: 'https://cdn.boulebar.example/logo.svg',
    icon_url: 'https://cdn.boulebar.example/icon.png',
    custom_domain: 'App.BouleBar.example',
    hide_petanque_life_branding: true,
    ...over,
  });
  const put = (x: Tenant, b: object = body()) => t.http.put(`/chain/${x.tenant_id}/white-label`).set(x.admin).send(b);
  const branding = (domain: string) => t.http.get(`/public/branding?domain=${encodeURIComponent(domain)}`);

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    const op = await rootOperator(t);
    A = await createChain(t, op.auth, 'WLA');
    B = await createChain(t, op.auth, 'WLB');
    C = await createChain(t, op.auth, 'WLC');
    D = await createChain(t, op.auth, 'WLD');
    V = await createVenue(t, op.auth, 'V');
    club = await createTenant(t, op.auth, 'CLUB', 'club');
    await addMember(t, { auth: A.admin, tenant_id: A.tenant_id }, { email: 'staff@wla.test', roles: ['staff'], password: PASSWORD });
    chainStaff = (await login(t, 'staff@wla.test', PASSWORD)).auth;
  });
  afterAll(() => t.close());

  it('a chain admin sets the branding; the chain reads it back; the public lookup by domain answers it', async () => {
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/white-label`).set(A.admin), 404, 'white_label_not_configured');
    const expected = {
      chain_id: A.tenant_id,
      chain_code: 'WLA',
      app_name: 'Boule Bar',
      colors: { primary: '#0b5fff', secondary: '#fff', accent: '#ff8800' },
      logo_url: 'https://cdn.boulebar.example/logo.svg',
      icon_url: 'https://cdn.boulebar.example/icon.png',
      custom_domain: 'app.boulebar.example',
      hide_petanque_life_branding: true,
    };
    expect((await put(A).expect(200)).body).toMatchObject(expected);
    expect((await t.http.get(`/chain/${A.tenant_id}/white-label`).set(A.admin).expect(200)).body).toMatchObject(expected);
    expect((await t.http.get(`/chain/${A.tenant_id}/white-label`).set(chainStaff).expect(200)).body).toMatchObject(expected);
    const pub = await branding('APP.boulebar.example').expect(200);
    expect(pub.body).toMatchObject(expected);
    expect(pub.headers['cache-control']).toBe('public, max-age=300');
    expectProblem(await branding('nobody.example'), 404, 'branding_not_found');
  });

  it('the public answer carries an ETag: If-None-Match answers 304 until the branding changes', async () => {
    await put(A).expect(200);
    const first = await branding('app.boulebar.example').expect(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await branding('app.boulebar.example').set('If-None-Match', etag);
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');
    expect((await branding('app.boulebar.example').set('If-None-Match', '"other"')).status).toBe(200);
    await put(A, body({ app_name: 'Boule Bar Nordic' })).expect(200);
    const changed = await branding('app.boulebar.example').set('If-None-Match', etag).expect(200);
    expect(changed.body.app_name).toBe('Boule Bar Nordic');
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('a custom domain is unique across chains (409); a domain a chain moved away from is free again', async () => {
    await put(A, body({ custom_domain: 'one.boule.example' })).expect(200);
    expectProblem(await put(B, body({ custom_domain: 'ONE.boule.example' })), 409, 'custom_domain_taken');
    expect((await branding('one.boule.example').expect(200)).body.chain_id).toBe(A.tenant_id);
    // the old domain of A is free: its lookup is gone and B can take it
    expectProblem(await branding('app.boulebar.example'), 404, 'branding_not_found');
    await put(B, body({ custom_domain: 'app.boulebar.example', app_name: 'B bar' })).expect(200);
    expect((await branding('app.boulebar.example').expect(200)).body).toMatchObject({ chain_id: B.tenant_id, app_name: 'B bar' });
    // A keeps its own domain on a second PUT; no domain at all is allowed
    await put(A, body({ custom_domain: 'one.boule.example', app_name: 'A again' })).expect(200);
    await put(A, body({ custom_domain: null })).expect(200);
    expectProblem(await branding('one.boule.example'), 404, 'branding_not_found');
    await put(B, body({ custom_domain: 'one.boule.example' })).expect(200);
  });

  // On the embedded SQLite stores one process runs a request to its append without yielding, so the
  // requests meet only on PostgreSQL (TEST_APP_DATABASE_URL=postgres://…): there a check of the read
  // model instead of the reservation stream let all four claims win (seen failing: 200, 200, 200, 200).
  it('chains claiming one domain at the same moment: exactly one wins, every time', async () => {
    const chains = [A, B, C, D];
    for (let round = 0; round < 5; round++) {
      const domain = `race-${round}.boule.example`;
      const answers = await Promise.all(chains.map((x) => put(x, body({ custom_domain: domain, app_name: `race ${round}` }))));
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
      for (const r of answers.filter((a) => a.status === 409)) expectProblem(r, 409, 'custom_domain_taken');
      const winner = chains[answers.findIndex((r) => r.status === 200)]!;
      expect((await branding(domain).expect(200)).body.chain_id).toBe(winner.tenant_id);
    }
  });

  it('who may set and read: chain admins set, chain staff read; another chain gets 403; a CLUB or a venue is not eligible', async () => {
    expectProblem(await put({ ...A, admin: chainStaff }), 403, 'tenant_admin_required');
    expectProblem(await t.http.put(`/chain/${A.tenant_id}/white-label`).set(B.admin).send(body()), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/white-label`).set(B.admin), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/white-label`).set(V.admin), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.put(`/chain/${club.tenant_id}/white-label`).set(club.admin).send(body()), 403, 'tenant_type_not_eligible');
    expectProblem(await t.http.put(`/chain/${A.tenant_id}/white-label`).send(body()), 401);
  });

  it('bad input: 400 naming the field', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['app_name', { app_name: '' }],
      ['app_name', { app_name: 'x'.repeat(61) }],
      ['colors', { colors: 'red' }],
      ['colors.primary', { colors: { primary: 'blue', secondary: '#fff', accent: '#000' } }],
      ['colors.secondary', { colors: { primary: '#000', secondary: '#ggg', accent: '#000' } }],
      ['colors.accent', { colors: { primary: '#000', secondary: '#fff', accent: '#12345' } }],
      ['logo_url', { logo_url: 'http://cdn.example.com/logo.svg' }],
      ['logo_url', { logo_url: 'javascript:alert(1)' }],
      ['icon_url', { icon_url: 'ftp://cdn.example.com/icon.png' }],
      ['custom_domain', { custom_domain: 'https://boule.example' }],
      ['custom_domain', { custom_domain: 'boule.example:8443' }],
      ['custom_domain', { custom_domain: '10.0.0.1' }],
      ['custom_domain', { custom_domain: 'localhost' }],
      ['custom_domain', { custom_domain: '-bad-.example' }],
      ['custom_domain', { custom_domain: `${'a'.repeat(64)}.example` }],
      ['hide_petanque_life_branding', { hide_petanque_life_branding: 'yes' }],
    ];
    for (const [field, over] of cases) expectField(await put(A, body(over)), field);
    const missing = body() as Record<string, unknown>;
    delete missing.logo_url;
    expectField(await put(A, missing), 'logo_url');
    expectField(await branding('not a host'), 'domain');
    expectField(await t.http.get('/public/branding'), 'domain');
  });
});
