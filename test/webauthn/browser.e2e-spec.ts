import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium, warnIfNoChromium } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { checkScreen, ensureWebBuilt, openPage, signInThroughScreen } from '../support/web-app.js';

/**
 * The /account/passkeys screen of the web app in Debian's Chromium (headless) with a CDP virtual
 * authenticator (CTAP2, internal, resident keys, user verification): register a passkey, step up
 * with it, sign in passwordless. Helmet's CSP stays on; the app must work under it.
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

/** Waits until a status element of the screen has settled; fails with its text on error. */
async function settled(page: Page, id: string): Promise<string> {
  await page.waitForFunction((el) => ['ok', 'error'].includes(document.getElementById(el)?.dataset.status ?? ''), id, { timeout: 20_000 });
  const status = await page.getAttribute(`#${id}`, 'data-status');
  const text = (await page.textContent(`#${id}`)) ?? '';
  if (status !== 'ok') throw new Error(`#${id} failed: ${text}`);
  return text;
}

(haveChromium ? describe : describe.skip)('passkeys page in a real browser (Chromium + virtual authenticator)', () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  const member = { email: 'boulist@club.test', password: 'a long enough password 123' };

  beforeAll(async () => {
    ensureWebBuilt();
    const port = await freePort();
    origin = `http://localhost:${port}`;
    t = await startTestApp({
      port,
      env: { ...BOOTSTRAP_ENV, WEBAUTHN_RP_ID: 'localhost', WEBAUTHN_RP_NAME: 'Petanque Life', WEBAUTHN_ORIGINS: origin },
    });
    await addMember(t, await adminLogin(t), member);
    browser = await launchChromium();
  }, 120_000); // the first browser suite may build web/dist
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('registers a passkey, steps up with it and signs in passwordless', async () => {
    const { context, page, problems } = await openPage(browser);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });

    const res = await page.goto(`${origin}/account/passkeys`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);

    await signInThroughScreen(page, member.email, member.password);
    await page.waitForSelector('#register');
    expect(await checkScreen(page, 'account-passkeys')).toEqual([]);

    await page.fill('#passkey-name', 'Chromium virtual key');
    await page.click('#register');
    expect(await settled(page, 'register-result')).toBe('Passkey “Chromium virtual key” registered.');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    await page.waitForSelector('#credentials li');
    expect(await page.textContent('#credentials')).toMatch(/Chromium virtual key/);

    await page.click('#stepup');
    expect(await settled(page, 'stepup-result')).toBe('Verified with a passkey.');
    const api0 = await login(t, member.email, member.password);
    const afterStepUp = await t.http.get('/auth/sessions').set(api0.auth).expect(200);
    expect(afterStepUp.body.items.filter((x: { mfa_satisfied: boolean }) => x.mfa_satisfied)).toHaveLength(1); // the page's session

    // sign out, then passwordless from the login screen
    await page.click('#sign-out');
    await page.click('#passwordless');
    await page.waitForSelector('nav.sidebar');
    await page.waitForSelector('#credentials li');

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
    expect(sessions.body.items).toHaveLength(3); // passkey login and the two API logins (the page's password session was signed out)
    await t.settle();
    const events = await t.http.get('/auth/security-events').set(api.auth).expect(200);
    const logins = events.body.items.filter((e: { type: string }) => e.type === 'new_login');
    expect(logins.map((e: { details: { method: string } }) => e.details.method)).toContain('passkey');

    // removing a factor needs a fresh second factor: past the 5-minute window the step-up dialog
    // offers the passkey, and the removal is sent again after it
    t.clock.advance(301_000);
    await page.getByRole('button', { name: 'Remove Chromium virtual key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.waitFor();
    expect(await checkScreen(page, 'step-up-dialog-passkey')).toEqual([]);
    await dialog.getByRole('button', { name: 'Use my passkey' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('No passkeys yet.').waitFor();
    expect((await t.http.get('/auth/mfa/webauthn/credentials').set((await login(t, member.email, member.password)).auth).expect(200)).body.items).toEqual([]);

    expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
    await context.close();
  }, 90_000);
});
