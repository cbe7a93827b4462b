import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CommandBus } from '@nestjs/cqrs';
import { BootstrapTenant } from '../../src/identity/tenants/tenant.handlers.js';
import { readOutbox } from '../support/outbox.js';
import { eventually } from '../sms-email/support.js';
import type { TestApp } from '../support/test-app.js';
import { bearer, login, type Login } from '../support/identity.js';
import { codeAt, nextStepStart } from '../totp/support.js';
import type { SoftAuthenticator } from '../webauthn/soft-authenticator.js';

/** Undoes quoted-printable soft breaks and escapes, as a mail client would before showing a link. */
const unQuote = (raw: string) =>
  raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

/** Reset-link mails to one address, oldest first. */
export const resetMails = (t: TestApp, to: string) =>
  readOutbox(t.dataDir).filter((m) => /X-Password-Reset:/i.test(m.raw) && m.to.includes(to));

/** Asks for a reset link and returns the token of the newest mail to that address. */
export async function forgot(t: TestApp, email: string): Promise<string> {
  const before = resetMails(t, email).length;
  await t.http.post('/auth/password/forgot').send({ email }).expect(202);
  const mail = await eventually(t, () => resetMails(t, email)[before]);
  const token = /#token=([0-9a-f-]{36}\.[A-Za-z0-9_-]{43})/.exec(unQuote(mail.raw))?.[1];
  if (!token) throw new Error('no token in the reset mail');
  return token;
}

/** A second tenant with its own admin (the bootstrap command, as an operator would run it). */
export async function secondTenant(t: TestApp, email: string, password: string): Promise<Login & { tenant_id: string }> {
  const r = await t.app.get(CommandBus).execute(new BootstrapTenant('Göteborgs Boulesällskap', 'CLUB', email, password));
  await t.settle();
  return { ...(await login(t, email, password)), tenant_id: r.tenant_id };
}

/** Registers a passkey of a software authenticator for the signed-in user. */
export async function registerPasskey(t: TestApp, auth: { Authorization: string }, key: SoftAuthenticator): Promise<void> {
  const o = await t.http.post('/auth/mfa/webauthn/register/options').set(auth).expect(200);
  await t.http
    .post('/auth/mfa/webauthn/register/verify')
    .set(auth)
    .send({ response: key.create(o.body) })
    .expect(201);
}

/** 100 wrong passwords spread over many client addresses (TRUST_PROXY must be set): the password is locked. */
export async function lockPassword(t: TestApp, email: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await t.http
      .post('/auth/login')
      .set('X-Forwarded-For', `198.18.${Math.floor(i / 10)}.${i % 10}`)
      .send({ email, password: 'wrong-guess' });
    if (res.status !== 401) throw new Error(`guess ${i}: ${res.status}`);
    t.clock.advance(31_000);
  }
}

/** Enrols TOTP for the session and verifies a code: returns the seed and a fresh (step-up) Authorization header. */
export async function withTotp(t: TestApp, u: { auth: { Authorization: string } }) {
  const e = await t.http.post('/auth/mfa/totp/enroll').set(u.auth).send({}).expect(200);
  await t.http
    .post('/auth/mfa/totp/confirm')
    .set(u.auth)
    .send({ code: codeAt(t, e.body.secret) })
    .expect(200);
  nextStepStart(t);
  const v = await t.http
    .post('/auth/mfa/totp/verify')
    .set(u.auth)
    .send({ code: codeAt(t, e.body.secret) })
    .expect(200);
  return { secret: e.body.secret as string, fresh: bearer(v.body.access_token) };
}

/** A fresh step-up for a session of a user who already has TOTP. */
export async function stepUp(t: TestApp, auth: { Authorization: string }, secret: string) {
  nextStepStart(t);
  const v = await t.http
    .post('/auth/mfa/totp/verify')
    .set(auth)
    .send({ code: codeAt(t, secret) })
    .expect(200);
  return bearer(v.body.access_token);
}

/** Every file under `dir` (SQLite files and their -wal/-shm, keys, outbox, queue) that contains `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) hits.push(...filesContaining(file, needle));
    else if (readFileSync(file).includes(Buffer.from(needle))) hits.push(file);
  }
  return hits;
}
