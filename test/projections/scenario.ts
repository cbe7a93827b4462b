import { outboxFiles, codeOf, eventually } from '../sms-email/support.js';
import { enrolTotp, setPolicy, verifyTotp, DAY } from '../policy/helpers.js';
import { ADMIN, addMember, bearer, BOOTSTRAP_ENV, login, UA } from '../support/identity.js';
import type { ReadStore } from '../../src/readstore/read-store.port.js';
import type { TestApp } from '../support/test-app.js';
import { SoftAuthenticator } from '../webauthn/soft-authenticator.js';
import { runChainScenario } from './chain-scenario.js';

export const ORIGIN = 'https://app.petanque.test';
/** Env for a scenario app: the bootstrap tenant and a WebAuthn relying party the soft authenticator can use. */
export const SCENARIO_ENV = {
  ...BOOTSTRAP_ENV,
  WEBAUTHN_RP_ID: 'petanque.test',
  WEBAUTHN_RP_NAME: 'Petanque Life',
  WEBAUTHN_ORIGINS: ORIGIN,
  SMS_MIN_INTERVAL_SECONDS: '0',
};

const ok = <R extends { status: number; body: unknown }>(res: R, what: string): R => {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
};

/**
 * A realistic stretch of the product's life, over HTTP: logins (failed ones too), refreshes and
 * a refresh-token reuse, a policy and its change, TOTP with recovery codes, SMS enrolment and a
 * challenge, a passkey and a passwordless login, a trusted device and a login with it, role
 * changes, revocations of one session, of all others and by logout, across several simulated days.
 */
/** Every document of the given collections (by id) and, optionally, every checkpoint. */
export async function dumpReadModel(store: ReadStore, collections: string[], withCheckpoints = false): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = withCheckpoints ? { checkpoints: await store.listCheckpoints() } : {};
  for (const name of collections) {
    const docs: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: unknown[]; next_cursor: string | null } = await store
        .collection(name)
        .find({ sort: [['id', 'asc']], limit: 500, cursor });
      docs.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    out[name] = docs;
  }
  return out;
}

export async function runScenario(t: TestApp): Promise<void> {
  const admin = await login(t, ADMIN.email, ADMIN.password);
  const tenant_id = (await t.http.get('/me').set(admin.auth)).body.tenant.id as string;
  const owner = { auth: admin.auth, tenant_id };
  ok(
    await setPolicy(t, admin.auth, { required_roles: ['treasurer'], allowed_methods: ['totp', 'sms', 'webauthn'], grace_period_days: 14 }),
    'policy',
  );
  const kim = await addMember(t, owner, { email: 'kim@club.test', roles: ['treasurer'], display_name: 'Kim' });
  const sam = await addMember(t, owner, { email: 'sam@club.test', roles: ['member'], display_name: 'Sam', language: 'sv' });
  const pia = await addMember(t, owner, { email: 'pia@club.test', roles: ['member'], display_name: 'Pia' });
  const leo = await addMember(t, owner, { email: 'leo@club.test', roles: ['member'], display_name: 'Leo' });

  // logins, a wrong password, refreshes and a reused refresh token
  await t.http.post('/auth/login').send({ email: 'kim@club.test', password: 'not kims password' });
  await t.http.post('/auth/login').send({ email: 'nobody@club.test', password: 'whatever it is' });
  t.clock.advance(31_000);
  const leoLogin = await login(t, 'leo@club.test', leo.password, { ua: UA.safariIphone });
  const r1 = ok(await t.http.post('/auth/refresh').send({ refresh_token: leoLogin.refresh_token }), 'refresh');
  t.clock.advance(60_000);
  ok(await t.http.post('/auth/refresh').send({ refresh_token: r1.body.refresh_token }), 'refresh 2');
  await t.http.post('/auth/refresh').send({ refresh_token: leoLogin.refresh_token }); // reuse: the family is revoked

  // TOTP, recovery codes, a trusted device and a login with it
  t.clock.advance(DAY);
  const kimLogin = await login(t, 'kim@club.test', kim.password, { ua: UA.chromeMac });
  const { secret } = await enrolTotp(t, kimLogin.auth);
  const fresh = await verifyTotp(t, kimLogin.auth, secret);
  const codes = ok(await t.http.post('/auth/mfa/recovery-codes/generate').set(fresh).send({}), 'recovery codes').body.codes as string[];
  const kimPhone = await login(t, 'kim@club.test', kim.password, { ua: UA.safariIphone });
  ok(await t.http.post('/auth/mfa/recovery-codes/verify').set(kimPhone.auth).send({ code: codes[0] }), 'recovery code');
  const device = ok(
    await t.http.post('/auth/mfa/trusted-devices').set(fresh).set('User-Agent', UA.chromeMac).send({ name: 'Laptop' }),
    'device',
  );
  const kimAgain = await login(t, 'kim@club.test', kim.password, { ua: UA.chromeMac, deviceToken: device.body.device_token });
  ok(await t.http.delete(`/auth/sessions/${kimLogin.session_id}`).set(kimAgain.auth), 'revoke one session');

  // SMS: enrol and confirm, then a challenge and its verify
  t.clock.advance(DAY);
  const samLogin = await login(t, 'sam@club.test', sam.password, { ua: UA.firefoxWindows });
  ok(await t.http.post('/auth/mfa/sms/enroll').set(samLogin.auth).send({ phone: '+46 70-173 92 58' }), 'sms enroll');
  const first = await eventually(t, () => outboxFiles(t, '.sms')[0]);
  ok(
    await t.http
      .post('/auth/mfa/sms/enroll/confirm')
      .set(samLogin.auth)
      .send({ code: codeOf(first.text) }),
    'sms confirm',
  );
  t.clock.advance(31_000);
  const samAgain = await login(t, 'sam@club.test', sam.password, { ua: UA.safariIphone });
  const ch = ok(await t.http.post('/auth/mfa/sms/challenge').set(samAgain.auth).send({}), 'sms challenge');
  const second = await eventually(t, () => outboxFiles(t, '.sms').find((f) => f.name !== first.name));
  ok(
    await t.http
      .post('/auth/mfa/sms/verify')
      .set(samAgain.auth)
      .send({ challenge_id: ch.body.challenge_id, code: codeOf(second.text) }),
    'sms verify',
  );
  ok(await t.http.post('/auth/sessions/revoke-all').set(samAgain.auth).send({}), 'revoke all others');

  // a passkey and a passwordless login with it
  t.clock.advance(DAY);
  const piaLogin = await login(t, 'pia@club.test', pia.password);
  const key = new SoftAuthenticator(ORIGIN);
  const o = ok(await t.http.post('/auth/mfa/webauthn/register/options').set(piaLogin.auth), 'passkey options');
  ok(
    await t.http
      .post('/auth/mfa/webauthn/register/verify')
      .set(piaLogin.auth)
      .send({ response: key.create(o.body), name: 'Phone' }),
    'passkey',
  );
  const po = ok(await t.http.post('/auth/passkey/login/options'), 'passwordless options');
  ok(
    await t.http.post('/auth/passkey/login/verify').send({ attempt_id: po.body.attempt_id, response: key.get(po.body.options) }),
    'passwordless',
  );

  // roles and policy change, a logout, and time passing
  t.clock.advance(3 * DAY);
  const admin2 = await login(t, ADMIN.email, ADMIN.password);
  await t.http
    .patch(`/tenants/${tenant_id}/members/${leo.user_id}`)
    .set(admin2.auth)
    .send({ roles: ['treasurer'] });
  await setPolicy(t, admin2.auth, { required_roles: ['treasurer', 'coach'], allowed_methods: ['totp', 'webauthn'], grace_period_days: 7 });
  const kimLast = await login(t, 'kim@club.test', kim.password, { ua: UA.chromeMac, deviceToken: device.body.device_token });
  ok(await t.http.post('/auth/logout').set(bearer(kimLast.access_token)), 'logout');
  await t.settle();
  await runChainScenario(t); // last: it moves the clock into the next quarter
}
