/**
 * `npm run bench -- append` (c): a TOTP step-up verify's four appends through the sealing store
 * (AttemptClaimed, TotpCodeAccepted, AttemptSucceeded, SessionMfaSatisfied, each with the actor's
 * ip and user agent in its metadata), CPU µs per append, A/B in one process, interleaved rounds:
 * inside a request context (the request's ip and user agent sealed once per person and request,
 * PersonalDataVault.sealRequestValue) against the same appends outside one (every field sealed
 * afresh, as reactors and the CLI do, and as every request did before). Each side has its own
 * event and key files.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore } from '../src/eventstore/sqlite-event-store.js';
import { SqliteKeyStore } from '../src/privacy/key-store.js';
import { SealingEventStore } from '../src/privacy/sealing-event-store.js';
import { PersonalDataVault } from '../src/privacy/vault.js';
import { requestContext, type RequestContext } from '../src/shared/request-context.js';

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const USERS = Array.from({ length: 200 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';

async function verify(store: SealingEventStore, i: number): Promise<void> {
  const user = USERS[i % USERS.length]!;
  const metadata = { correlation_id: randomUUID(), actor_id: user, tenant_id: 't-bench', ip: `203.0.113.${i % 250}`, user_agent: UA };
  const attempt = { key: user, scope: 'mfa', attempt: i };
  await store.append(`bruteforce-mfa-${user}`, [{ type: 'AttemptClaimed', data: attempt, metadata }], 'any');
  await store.append(`mfa-${user}`, [{ type: 'TotpCodeAccepted', data: { user_id: user, step: 59_000_000 + i }, metadata }], 'any');
  await store.append(`bruteforce-mfa-${user}`, [{ type: 'AttemptSucceeded', data: attempt, metadata }], 'any');
  const session = `s-${i % 977}`;
  const satisfied = { session_id: session, user_id: user, amr: ['pwd', 'otp', 'mfa'], mfa_at: new Date().toISOString() };
  await store.append(`session-${session}`, [{ type: 'SessionMfaSatisfied', data: satisfied, metadata }], 'any');
}

export async function sealedAppends(dir: string, rounds: number, ops = 1000): Promise<string[]> {
  const sides = ['one seal per request', 'one seal per event'].map((name, k) => ({
    name,
    inRequest: k === 0,
    store: new SealingEventStore(
      new SqliteEventStore(join(dir, `sealed-${k}.sqlite`)),
      new PersonalDataVault(new SqliteKeyStore(join(dir, `sealed-keys-${k}.sqlite`)), randomBytes(32)),
    ),
    n: 0,
    cpu: 0,
    appends: 0,
  }));
  const run = (s: (typeof sides)[number]) => {
    const i = s.n++;
    if (!s.inRequest) return verify(s.store, i);
    const ctx: RequestContext = { correlation_id: randomUUID(), ip: `203.0.113.${i % 250}`, user_agent: UA };
    return requestContext.run(ctx, () => verify(s.store, i));
  };
  for (const s of sides) for (let i = 0; i < USERS.length; i++) await run(s); // every person's key made and cached
  for (let r = 0; r < rounds; r++) {
    for (const s of r % 2 ? [...sides].reverse() : sides) {
      const t0 = cpuMicros();
      for (let i = 0; i < ops; i++) await run(s);
      s.cpu += cpuMicros() - t0;
      s.appends += 4 * ops;
    }
  }
  const out = [
    `(c) a TOTP verify's 4 appends through the sealing store, ${rounds} interleaved rounds of ${ops} verifies (CPU µs per append)`,
  ];
  for (const s of sides) {
    out.push(`    ${s.name.padEnd(22)} ${(s.cpu / s.appends).toFixed(1)}`);
    await s.store.close();
  }
  return out;
}
