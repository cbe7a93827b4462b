import { codeOf, decodeMail, eventually, outboxFiles } from '../sms-email/support.js';
import { addMember, adminLogin, bearer, BOOTSTRAP_ENV, login, type Login } from '../support/identity.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { enrolTotp, verifyTotp } from '../policy/helpers.js';
import { SoftAuthenticator } from '../webauthn/soft-authenticator.js';

/**
 * The attacker's toolbox: victims with each possession factor (TOTP, SMS, passkey) and the
 * password-only sessions an attacker who stole the password gets. Everything goes over HTTP.
 */
export const ORIGIN = 'https://app.petanque.test';
export const SECURITY_ENV = {
  ...BOOTSTRAP_ENV,
  WEBAUTHN_RP_ID: 'petanque.test',
  WEBAUTHN_ORIGINS: ORIGIN,
};

export type Auth = { Authorization: string };
export interface Victim {
  email: string;
  password: string;
  user_id: string;
  /** The victim's own, MFA-fresh session. */
  own: Auth;
  totpSecret?: string;
  phone?: string;
  authenticator?: SoftAuthenticator;
  credentialId?: string;
}

export { enrolTotp, verifyTotp };

export const startSecurityApp = () => startTestApp({ env: SECURITY_ENV });

let seq = 0;
let phoneSeq = 0;

/** A new member of the admin's tenant, logged in with the password only. */
export async function member(t: TestApp, roles: string[] = ['member'], tenant?: { auth: Auth; tenant_id: string }) {
  const admin = tenant ?? (await adminLogin(t));
  const email = `victim${++seq}@club.test`;
  const m = await addMember(t, admin, { email, roles });
  const l = await login(t, email, m.password, { tenantId: admin.tenant_id });
  return { email, password: m.password, user_id: m.user_id, login: l };
}

const smsTo = (t: TestApp, e164: string) => outboxFiles(t, '.sms').filter((x) => x.text.includes(`To: ${e164}\n`));
/** Names of the SMS files already sent to a number (outbox names are not in sending order). */
export const smsSeen = (t: TestApp, e164: string) => new Set(smsTo(t, e164).map((f) => f.name));
/** The code of the SMS to `e164` that is not among `seen`. */
export async function smsCode(t: TestApp, e164: string, seen: Set<string>): Promise<string> {
  const f = await eventually(t, () => smsTo(t, e164).find((x) => !seen.has(x.name)));
  return codeOf(f.text.split('\n\n').slice(1).join('\n'));
}

export const newPhone = () => {
  const n = String(++phoneSeq).padStart(4, '0');
  return { phone: `+46 70 3 00 ${n}`, e164: `+4670300${n}` };
};

/** Starts an SMS enrolment to a fresh number; returns the raw response and the code that was sent. */
export async function startSms(t: TestApp, auth: Auth) {
  const p = newPhone();
  t.clock.advance(31_000); // the minimum gap between two sends
  const before = smsSeen(t, p.e164);
  const res = await t.http.post('/auth/mfa/sms/enroll').set(auth).send({ phone: p.phone });
  return { res, ...p, code: res.status === 200 ? () => smsCode(t, p.e164, before) : null };
}

/** Requests and verifies an SMS login/step-up code; returns the upgraded Authorization header. */
export async function verifySms(t: TestApp, auth: Auth, e164: string): Promise<Auth> {
  t.clock.advance(31_000);
  const before = smsSeen(t, e164);
  const c = await t.http.post('/auth/mfa/sms/challenge').set(auth).send({});
  if (c.status !== 200) throw new Error(`sms challenge: ${c.status} ${JSON.stringify(c.body)}`);
  const code = await smsCode(t, e164, before);
  const v = await t.http.post('/auth/mfa/sms/verify').set(auth).send({ challenge_id: c.body.challenge_id, code });
  if (v.status !== 200) throw new Error(`sms verify: ${v.status} ${JSON.stringify(v.body)}`);
  return bearer(v.body.access_token);
}

/** The code of the newest e-mail OTP for a challenge. */
export async function emailCode(t: TestApp, challengeId: string): Promise<string> {
  const f = await eventually(t, () => outboxFiles(t, '.eml').find((x) => x.text.includes(challengeId)));
  return /: (\d{6})\b/.exec(decodeMail(f.text))?.[1] ?? '';
}

/** Registers a passkey for a session (options + verify) and returns the authenticator and credential id. */
export async function registerPasskey(t: TestApp, auth: Auth) {
  const a = new SoftAuthenticator(ORIGIN);
  const o = await t.http.post('/auth/mfa/webauthn/register/options').set(auth).send({});
  if (o.status !== 200) throw new Error(`register options: ${o.status} ${JSON.stringify(o.body)}`);
  const response = a.create(o.body);
  const v = await t.http.post('/auth/mfa/webauthn/register/verify').set(auth).send({ response });
  if (v.status !== 201) throw new Error(`register verify: ${v.status} ${JSON.stringify(v.body)}`);
  return { authenticator: a, credentialId: response.id as string };
}

/** A passkey step-up for a session; returns the upgraded Authorization header. */
export async function verifyPasskey(t: TestApp, auth: Auth, a: SoftAuthenticator): Promise<Auth> {
  const o = await t.http.post('/auth/mfa/webauthn/authenticate/options').set(auth).send({});
  if (o.status !== 200) throw new Error(`authenticate options: ${o.status} ${JSON.stringify(o.body)}`);
  const v = await t.http
    .post('/auth/mfa/webauthn/authenticate/verify')
    .set(auth)
    .send({ response: a.get(o.body) });
  if (v.status !== 200) throw new Error(`authenticate verify: ${v.status} ${JSON.stringify(v.body)}`);
  return bearer(v.body.access_token);
}

export type FactorKind = 'totp' | 'sms' | 'passkey';

/** A member who has one possession factor of `kind`, with their own fresh session. */
export async function victimWith(t: TestApp, kind: FactorKind, roles: string[] = ['member'], tenant?: { auth: Auth; tenant_id: string }) {
  const m = await member(t, roles, tenant);
  const v: Victim = { email: m.email, password: m.password, user_id: m.user_id, own: m.login.auth };
  if (kind === 'totp') {
    const e = await enrolTotp(t, m.login.auth);
    v.totpSecret = e.secret;
    v.own = e.auth;
  } else if (kind === 'sms') {
    const s = await startSms(t, m.login.auth);
    if (!s.code) throw new Error(`sms enroll: ${s.res.status} ${JSON.stringify(s.res.body)}`);
    const c = await t.http
      .post('/auth/mfa/sms/enroll/confirm')
      .set(m.login.auth)
      .send({ code: await s.code() });
    if (c.status !== 200) throw new Error(`sms confirm: ${c.status} ${JSON.stringify(c.body)}`);
    v.phone = s.e164;
    v.own = await verifySms(t, m.login.auth, s.e164);
  } else {
    const p = await registerPasskey(t, m.login.auth);
    v.authenticator = p.authenticator;
    v.credentialId = p.credentialId;
    v.own = await verifyPasskey(t, m.login.auth, p.authenticator);
  }
  return v;
}

/** What an attacker with the stolen password gets: a fresh login, no second factor. */
export async function passwordOnly(t: TestApp, v: { email: string; password: string }, tenantId?: string): Promise<Login> {
  return login(t, v.email, v.password, { ua: 'curl/8.5.0', ...(tenantId ? { tenantId } : {}) });
}

/**
 * A tenant created over HTTP by a platform operator (POST /sys/tenants). An existing person named
 * as its admin becomes an admin of both tenants, keeping their password.
 */
export async function createTenant(t: TestApp, operator: Auth, name: string, admin: { email: string; password: string }) {
  const res = await t.http
    .post('/sys/tenants')
    .set(operator)
    .send({ name, tenant_type: 'CLUB', country: 'SE', admin: { email: admin.email, display_name: name, password: admin.password } });
  if (res.status !== 201) throw new Error(`create tenant: ${res.status} ${JSON.stringify(res.body)}`);
  return { tenant_id: res.body.tenant_id as string, user_id: res.body.user_id as string };
}
