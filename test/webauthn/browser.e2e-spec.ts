import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium, warnIfNoChromium } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, BOOTSTRAP_ENV, login } from '../support/identity.js';

/**
 * The /account/passkeys page in Debian's Chromium (headless) with a CDP virtual authenticator
 * (CTAP2, internal, resident keys, user verification): register a passkey, step up with it,
 * sign in passwordless. Helmet's CSP stays on; the page must work under it.
 */
warnIfNoChromium('webauthn browser test');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Waits until a result element has settled and returns its parsed content (fails on error). */
async function result(page: Page, id: string): Promise<Record<string, unknown>> {
  await page.waitForFunction((el) => ['ok', 'error'].includes(document.getElementById(el)?.dataset.status ?? ''), id, { timeout: 20_000 });
  const status = await page.getAttribute(`#${id}`, 'data-status');
  const text = (await page.textContent(`#${id}`)) ?? '';
  if (status !== 'ok') throw new Error(`#${id} failed: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

(haveChromium ? describe : describe.skip)('passkeys page in a real browser (Chromium + virtual authenticator)', () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  const member = { email: 'boulist@club.test', password: 'a long enough password 123' };

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    t = await startTestApp({
      port,
      env: { ...BOOTSTRAP_ENV, WEBAUTHN_RP_ID: 'localhost', WEBAUTHN_RP_NAME: 'Petanque Life', WEBAUTHN_ORIGINS: origin },
    });
    await addMember(t, await adminLogin(t), member);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('registers a passkey, steps up with it and signs in passwordless', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });

    const res = await page.goto(`${origin}/account/passkeys`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);

    await page.fill('#email', member.email);
    await page.fill('#password', member.password);
    await page.click('#login');
    expect(await result(page, 'login-status')).toMatchObject({ email: member.email, amr: ['pwd'] });

    await page.fill('#passkey-name', 'Chromium virtual key');
    await page.click('#register');
    expect(await result(page, 'register-result')).toEqual({ enrolled: true, name: 'Chromium virtual key' });
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);

    await page.click('#stepup');
    const up = await result(page, 'stepup-result');
    expect(up.amr).toEqual(expect.arrayContaining(['pwd', 'hwk', 'user', 'mfa']));

    await page.click('#passwordless');
    const pl = await result(page, 'passwordless-result');
    expect(pl.email).toBe(member.email);
    expect(pl.amr).toEqual(expect.arrayContaining(['hwk', 'user', 'mfa']));
    expect(pl.amr).not.toContain('pwd');

    // the server agrees: one passkey, used twice; the passkey sign-in is a new_login like a password login
    const api = await login(t, member.email, member.password);
    const list = await t.http.get('/auth/mfa/webauthn/credentials').set(api.auth).expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      id: credentials[0]!.credentialId.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'),
      name: 'Chromium virtual key',
    });
    expect(list.body.items[0].last_used_at).not.toBeNull();
    const sessions = await t.http.get('/auth/sessions').set(api.auth).expect(200);
    expect(sessions.body.items).toHaveLength(3); // page password login, passkey login, this API login
    await t.settle();
    const events = await t.http.get('/auth/security-events').set(api.auth).expect(200);
    const logins = events.body.items.filter((e: { type: string }) => e.type === 'new_login');
    expect(logins.map((e: { details: { method: string } }) => e.details.method)).toContain('passkey');
    expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
    await context.close();
  }, 90_000);
});
