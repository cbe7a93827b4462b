import type { TestApp } from '../support/test-app.js';
import { bearer, login, type Login } from '../support/identity.js';
import { totpAt } from '../support/totp.js';

export { totpAt };
export { bearer };

/**
 * Enrols TOTP for a session (enroll + confirm), then verifies the next code: confirming binds the
 * factor but never upgrades the session. Returns the secret and the MFA-fresh auth header.
 */
export async function enrolTotp(t: TestApp, auth: { Authorization: string }): Promise<{ secret: string; auth: { Authorization: string } }> {
  const e = await t.http.post('/auth/mfa/totp/enroll').set(auth).send({});
  if (e.status !== 200) throw new Error(`totp enroll: ${e.status} ${JSON.stringify(e.body)}`);
  const c = await t.http
    .post('/auth/mfa/totp/confirm')
    .set(auth)
    .send({ code: totpAt(e.body.secret, t.clock.now()) });
  if (c.status !== 200) throw new Error(`totp confirm: ${c.status} ${JSON.stringify(c.body)}`);
  return { secret: e.body.secret, auth: await verifyTotp(t, auth, e.body.secret) };
}

/**
 * Verifies TOTP for a session. Moves the clock one time step first: a TOTP code is accepted
 * once per step (replay protection), and tests verify more than once.
 */
export async function verifyTotp(t: TestApp, auth: { Authorization: string }, secret: string): Promise<{ Authorization: string }> {
  t.clock.advance(30_000);
  const v = await t.http
    .post('/auth/mfa/totp/verify')
    .set(auth)
    .send({ code: totpAt(secret, t.clock.now()) });
  if (v.status !== 200) throw new Error(`totp verify: ${v.status} ${JSON.stringify(v.body)}`);
  return bearer(v.body.access_token);
}

export function setPolicy(t: TestApp, auth: { Authorization: string }, policy: Record<string, unknown>) {
  return t.http
    .put('/auth/mfa/policy')
    .set(auth)
    .send({ required_roles: ['treasurer'], allowed_methods: ['totp'], grace_period_days: 14, fresh_window_seconds: 300, ...policy });
}

export async function enforcement(t: TestApp, auth: { Authorization: string }) {
  const r = await t.http.get('/auth/mfa/enforcement').set(auth);
  if (r.status !== 200) throw new Error(`enforcement: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A fresh login (access tokens live 15 min; tests move the clock by days). */
export const relogin = (t: TestApp, email: string, password: string, opts: Parameters<typeof login>[3] = {}): Promise<Login> =>
  login(t, email, password, opts);

export const DAY = 86_400_000;
