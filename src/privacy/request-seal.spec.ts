import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../eventstore/sqlite-event-store.js';
import { requestContext, type RequestContext } from '../shared/request-context.js';
import { SqliteKeyStore } from './key-store.js';
import { ERASED, personal } from './personal-data-rule.js';
import { SealingEventStore } from './sealing-event-store.js';
import { PersonalDataVault } from './vault.js';
import { closeSealFiles, openSealFiles } from '../../test/support/seal-files.js';

const ANNA = 'a0000000-0000-4000-8000-00000000000a';
const BO = 'b0000000-0000-4000-8000-00000000000b';
const IP = '203.0.113.7';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0';
const RULES = [personal('SessionStarted', (d) => d.user_id, ['ip', 'device']), personal('DeviceNamed', (d) => d.user_id, ['name'])];

/** An event of the kind every request appends: the actor's ip and user agent in the metadata. */
const attempt = (user: string, n: number) => ({
  type: 'AttemptSucceeded',
  data: { user_id: user, n },
  metadata: { actor_id: user, correlation_id: 'c-1', ip: IP, user_agent: UA },
});
const started = (user: string, ip: string) => ({
  type: 'SessionStarted',
  data: { user_id: user, session_id: 's-1', ip, device: { browser: 'Firefox' } },
  metadata: { actor_id: null, correlation_id: 'c-1', ip: IP, user_agent: UA },
});

/**
 * A request's own ip and user agent are sealed once per person and request (issue 12: every event
 * of a request carried its own seal of the same values): the same ciphertext in each of that
 * request's events, a fresh one in every other request and for every other person, and nothing of
 * it outlives an erasure.
 */
describe('SealingEventStore: one seal of the request ip and user agent per person and request', () => {
  let dir: string;
  let raw: SqliteEventStore;
  let keys: SqliteKeyStore;
  let serverKey: Buffer;
  let store: SealingEventStore;
  const request = (): RequestContext => ({ correlation_id: 'c-1', ip: IP, user_agent: UA });
  const inRequest = <T>(ctx: RequestContext, fn: () => Promise<T>) => requestContext.run(ctx, fn);
  const rows = () => raw.rawRows(0, 1000).map((r) => ({ stream: r.stream, data: JSON.parse(r.data), metadata: JSON.parse(r.metadata) }));
  beforeEach(() => {
    ({ dir, raw, keys, serverKey } = openSealFiles('plq-reqseal-'));
    store = new SealingEventStore(raw, new PersonalDataVault(keys, serverKey), RULES);
  });
  afterEach(() => closeSealFiles({ raw, keys, dir }));

  it("one ciphertext per value in all of a request's events for one person; fresh per request and per person", async () => {
    const first = request();
    await inRequest(first, async () => {
      await store.append(`bf-${ANNA}`, [attempt(ANNA, 1)], 'any');
      await store.append(`mfa-${ANNA}`, [attempt(ANNA, 2), attempt(ANNA, 3)], 'any');
      await store.append(`session-${ANNA}`, [started(ANNA, IP)], 'any');
      await store.append(`bf-${BO}`, [attempt(BO, 1)], 'any');
    });
    // a second request from the same address and browser, even under the same correlation id
    await inRequest(request(), () => store.append(`bf-${ANNA}`, [attempt(ANNA, 4)], 'any'));
    const all = rows();
    const anna = all.filter((r) => r.stream !== `bf-${BO}`).slice(0, 4);
    const ips = new Set(anna.map((r) => r.metadata.ip));
    const uas = new Set(anna.map((r) => r.metadata.user_agent));
    expect(ips.size).toBe(1);
    expect(uas.size).toBe(1);
    const [ip] = ips;
    expect(String(ip)).toMatch(new RegExp(`^pd1\\.${ANNA}\\.`));
    expect(anna[3]!.data.ip).toBe(ip); // SessionStarted's own ip field is that same value of the request
    expect(anna[3]!.data.device).not.toBe(ip);
    const bo = all.find((r) => r.stream === `bf-${BO}`)!;
    expect(String(bo.metadata.ip)).toMatch(new RegExp(`^pd1\\.${BO}\\.`));
    const later = all[all.length - 1]!;
    expect(later.metadata.ip).not.toBe(ip);
    expect(later.metadata.user_agent).not.toBe([...uas][0]);
    expect(JSON.stringify(all)).not.toContain(IP);

    // every copy opens, here and in a process that sealed none of them
    const elsewhere = new SealingEventStore(raw, new PersonalDataVault(keys, serverKey), RULES);
    for (const s of [store, elsewhere]) {
      const opened = await s.readAll();
      expect(opened.map((e) => [e.metadata.ip, e.metadata.user_agent])).toEqual(opened.map(() => [IP, UA]));
      expect(opened.find((e) => e.type === 'SessionStarted')!.data).toMatchObject({ ip: IP, device: { browser: 'Firefox' } });
    }
  });

  it("a value that is not the request's own ip or user agent is sealed afresh each time", async () => {
    await inRequest(request(), async () => {
      await store.append(`session-${ANNA}`, [started(ANNA, '198.51.100.9')], 'any');
      await store.append(`session-${ANNA}`, [started(ANNA, '198.51.100.9')], 'any');
    });
    // a payload field of another name holding the request's own user agent is not its ip or user agent field
    await inRequest(request(), () =>
      store.append(
        `device-${ANNA}`,
        [{ type: 'DeviceNamed', data: { user_id: ANNA, name: UA }, metadata: { actor_id: ANNA, ip: IP, user_agent: UA } }],
        'any',
      ),
    );
    const [a, b, named] = rows();
    expect(a!.data.ip).not.toBe(b!.data.ip);
    expect(a!.data.ip).not.toBe(a!.metadata.ip);
    expect(named!.data.name).not.toBe(named!.metadata.user_agent);
    expect(String(named!.data.name)).toMatch(new RegExp(`^pd1\\.${ANNA}\\.`));
    // and outside any request (reactors, the CLI) nothing is shared either
    await store.append(`bf-${ANNA}`, [attempt(ANNA, 1)], 'any');
    await store.append(`bf-${ANNA}`, [attempt(ANNA, 2)], 'any');
    const [c, d] = rows().slice(3);
    expect(c!.metadata.ip).not.toBe(d!.metadata.ip);
  });

  it('an erasure in the middle of a request: the next event of it is "[erased]", and no copy opens anywhere', async () => {
    const ctx = request();
    await inRequest(ctx, async () => {
      await store.append(`bf-${ANNA}`, [attempt(ANNA, 1)], 'any');
      await store.append(`bf-${BO}`, [attempt(BO, 1)], 'any');
      await store.append(`mfa-${ANNA}`, [attempt(ANNA, 2)], 'any');
      await store.vault.erase(ANNA);
      await store.append(`mfa-${ANNA}`, [attempt(ANNA, 3)], 'any');
      await store.append(`bf-${BO}`, [attempt(BO, 2)], 'any');
    });
    const all = rows();
    const anna = all.filter((r) => r.data.user_id === ANNA);
    expect(anna[0]!.metadata.ip).toBe(anna[1]!.metadata.ip); // the shared seal, made before the erasure
    expect(anna[2]!.metadata).toMatchObject({ ip: ERASED, user_agent: ERASED }); // not that seal again
    const bo = all.filter((r) => r.data.user_id === BO);
    expect(bo[0]!.metadata.ip).toBe(bo[1]!.metadata.ip); // Bo's request seal is untouched by Anna's erasure

    // crypto-shredding: the key is gone, so every copy of the shared ciphertext is unreadable,
    // in this process and in one that never held the key
    const elsewhere = new SealingEventStore(raw, new PersonalDataVault(keys, serverKey), RULES);
    for (const s of [store, elsewhere]) {
      const opened = await s.readAll();
      for (const e of opened.filter((x) => x.data.user_id === ANNA)) expect(e.metadata).toMatchObject({ ip: ERASED, user_agent: ERASED });
      for (const e of opened.filter((x) => x.data.user_id === BO)) expect(e.metadata).toMatchObject({ ip: IP, user_agent: UA });
    }
    await raw.close();
    await keys.close();
    // no plaintext in the files either (Bo's values are sealed too)
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).includes(IP)).toBe(false);
    raw = new SqliteEventStore(join(dir, 'events.sqlite'));
    keys = new SqliteKeyStore(join(dir, 'keys.sqlite'));
  });
});
