import type { Browser } from 'playwright-core';
import { haveChromium, launchChromium, warnIfNoChromium } from '../support/browser.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, BOOTSTRAP_ENV, login, UA } from '../support/identity.js';
import { readOutbox } from '../support/outbox.js';
import { checkScreen, ensureWebBuilt, openPage, signInThroughScreen } from '../support/web-app.js';

/**
 * The "wasn't you?" link of a security e-mail leads to /account/sessions (a screen of the web app,
 * web/src/features/sessions), where the owner signs in, sees the other device and signs it out —
 * in Debian's Chromium, under helmet's CSP.
 */
warnIfNoChromium('sessions page test');

(haveChromium ? describe : describe.skip)('sessions page in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    ensureWebBuilt();
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, TRUST_PROXY: 'loopback' } }); // the tests play clients behind a local proxy
    browser = await launchChromium();
  }, 120_000); // the first browser suite may build web/dist
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('follows the e-mail link, lists the sessions, signs the stolen phone out, then every other session', async () => {
    const m = await addMember(t, await adminLogin(t), { email: 'owner@club.test' });
    await login(t, 'owner@club.test', m.password, { ua: UA.firefoxWindows });
    const phone = await login(t, 'owner@club.test', m.password, { ua: UA.safariIphone, ip: '81.170.128.1' });
    await t.settle();
    const mail = readOutbox(t.dataDir).find((x) => x.securityEvent === 'new_login' && x.to.includes('owner@club.test'));
    const link = /(http\S+\/account\/sessions)/.exec(mail!.raw.replace(/=\r?\n/g, ''))![1]!;
    expect(new URL(link).pathname).toBe('/account/sessions');

    const { context, page, problems } = await openPage(browser);
    const res = await page.goto(`${t.url}/account/sessions`);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await signInThroughScreen(page, 'owner@club.test', m.password);
    expect(new URL(page.url()).pathname).toBe('/account/sessions'); // the link's screen, after signing in
    await page.waitForFunction(() => document.getElementById('status')?.dataset.status === 'ok');
    expect(await page.locator('#sessions tr').count()).toBe(3);
    const phoneRow = page.locator(`#sessions tr[data-session-id="${phone.session_id}"]`);
    expect(await phoneRow.textContent()).toMatch(/Mobile Safari on iOS.*SE/);
    expect(await page.textContent('#events')).toMatch(/new login/);

    await page.waitForSelector('#events li');
    expect(await checkScreen(page, 'account-sessions')).toEqual([]);

    // a reload keeps the session: the refresh token is an httpOnly cookie scripts cannot read
    const refreshCookie = (await context.cookies()).find((c) => c.name === '__Secure-pl_refresh');
    expect(refreshCookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/auth/refresh' });
    expect(await page.evaluate(() => document.cookie)).not.toMatch(/pl_refresh/);
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toMatch(/eyJ|\./);
    await page.reload();
    await page.waitForFunction(() => document.getElementById('status')?.dataset.status === 'ok');
    expect(await page.locator('#sessions tr').count()).toBe(3); // same session, no new login

    await phoneRow.locator('button.revoke').click();
    await page.waitForFunction((id) => !document.querySelector(`#sessions tr[data-session-id="${id}"]`), phone.session_id);
    expectProblem(await t.http.get('/me').set(phone.auth), 401, 'session_revoked');

    await page.click('#revoke-all');
    await page.waitForFunction(() => document.getElementById('revoke-all-result')?.dataset.status === 'ok');
    await page.waitForFunction(() => document.querySelectorAll('#sessions tr').length === 1);
    expect(await page.textContent('#revoke-all-result')).toBe('Signed out 1 session(s).');
    expect(await page.getAttribute('#sessions tr', 'data-current')).toBe('true');
    expect(problems).toEqual([]);
    await context.close();
  });
});
