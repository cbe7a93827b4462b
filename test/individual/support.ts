import { bearer } from '../support/identity.js';
import { readOutbox } from '../support/outbox.js';
import type { TestApp } from '../support/test-app.js';

export interface Player {
  user_id: string;
  tenant_id: string;
  auth: { Authorization: string };
  email: string;
}

let n = 0;
/** Signs a new individual player up over HTTP (signup, the e-mailed code, verify). */
export async function signUp(t: TestApp, name = `player${++n}`): Promise<Player> {
  const email = `${name}-${n}@players.test`;
  await t.http
    .post('/public/signup/individual')
    .send({ email, password: 'boule in the park 2026', display_name: name, country: 'SE', language: 'en' })
    .expect(202);
  await t.settle();
  const mail = readOutbox(t.dataDir)
    .filter((m) => m.to === email && /X-Signup: code/.test(m.raw))
    .at(-1)!;
  const code = /: (\d{6})\r?$/m.exec(mail.raw)![1]!;
  const res = await t.http.post('/public/signup/individual/verify').send({ email, code }).expect(201);
  return { user_id: res.body.user_id, tenant_id: res.body.tenant_id, auth: bearer(res.body.access_token), email };
}
