import type { Browser } from 'playwright-core';
import { haveChromium, launchChromium, warnIfNoChromium } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ADMIN, adminLogin, BOOTSTRAP_ENV } from '../support/identity.js';
import { tabTo } from '../support/keyboard.js';
import { totpAt } from '../support/totp.js';
import { checkScreen, ensureWebBuilt, openPage, signInThroughScreen } from '../support/web-app.js';
import { createTenant } from '../tier/support.js';

/**
 * F02.10.08 in Debian's Chromium against the real server: an operator finds a tenant, grants an
 * add-on (the form refusing a malformed one at the field first), revokes it and changes the
 * tenant's type, which the API lets through only after a fresh second factor (the step-up dialog).
 * Everything after the sign-in is done with the keyboard alone.
 */
warnIfNoChromium('operator tier workspace test');

(haveChromium ? describe : describe.skip)('operator tier workspace in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    ensureWebBuilt();
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('grants and revokes an add-on and changes the tenant type after a step-up, by keyboard, under the CSP', async () => {
    const root = await adminLogin(t);
    // the operator has an authenticator app (the step-up will ask for it)
    const secret = (await t.http.post('/auth/mfa/totp/enroll').set(root.auth).expect(200)).body.secret as string;
    await t.http.post('/auth/mfa/totp/confirm').set(root.auth).send({ code: totpAt(secret, t.clock.now()) }).expect(200);
    const alpha = await createTenant(t, root.auth, 'CLUB', 'Boule Club Alpha');
    const beta = await createTenant(t, root.auth, 'CLUB', 'Boule Club Beta');
    const tierOf = async (id: string) => (await t.http.get(`/sys/tenants/${id}/tier`).set(root.auth).expect(200)).body;

    const { context, page, problems } = await openPage(browser);
    await page.goto(`${t.url}/sys/tenants`);
    await signInThroughScreen(page, ADMIN.email, ADMIN.password);
    await page.waitForSelector(`#tenants tr[data-tenant-id="${beta.tenant_id}"]`);
    expect(await checkScreen(page, 'sys-tenants')).toEqual([]);

    // find the tenant and open its workspace with the keyboard
    await tabTo(page, '#tenant-search');
    await page.keyboard.type('Boule Club Alpha');
    await page.waitForFunction(() => document.querySelectorAll('#tenants tbody tr').length === 1);
    await tabTo(page, `#tenants tr[data-tenant-id="${alpha.tenant_id}"] a`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#tier-summary');
    expect(new URL(page.url()).pathname).toBe(`/sys/tenants/${alpha.tenant_id}/tier`);
    expect(await page.textContent('#tenant-type-chip')).toBe('CLUB');
    expect(await page.textContent('#included-domains')).toBe('F02');
    expect(await page.textContent('#excluded-subsystems')).toMatch(/F02\.08.*F02\.09/);
    await page.waitForSelector('#addons-none');
    expect(await checkScreen(page, 'sys-tenant-tier')).toEqual([]);

    // a malformed grant is refused at the fields, nothing is sent
    await tabTo(page, '#grant-subsystem');
    await page.keyboard.type('F2.9');
    await tabTo(page, '#grant-reason');
    await page.keyboard.type('no');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#grant-subsystem[aria-invalid="true"]');
    expect(await page.getAttribute('#grant-reason', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#grant-form')).toMatch(/Enter a subsystem id like F02\.09.*The reason must be 3 to 500 characters\./s);
    expect((await tierOf(alpha.tenant_id)).addon_history).toEqual([]);

    // fixed, granted
    await tabTo(page, '#grant-subsystem');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('F02.09');
    await tabTo(page, '#grant-billing');
    await page.keyboard.type('INV-2026-0042');
    await tabTo(page, '#grant-reason');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('pilot for the spring season');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#addons tr[data-subsystem="F02.09"]');
    expect(await page.getAttribute('#grant-status', 'data-status')).toBe('ok');
    const granted = await tierOf(alpha.tenant_id);
    expect(granted.addons).toMatchObject([{ subsystem_id: 'F02.09', billing_reference: 'INV-2026-0042', reason: 'pilot for the spring season', expires_at: null }]);
    expect(granted.allowed_subsystems).toContain('F02.09');
    expect((await tierOf(beta.tenant_id)).addons).toEqual([]); // the other tenant is untouched
    expect(await checkScreen(page, 'sys-tenant-tier-addon')).toEqual([]);

    // revoked
    await tabTo(page, '#addons tr[data-subsystem="F02.09"] button.revoke');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#addons-none');
    const revoked = await tierOf(alpha.tenant_id);
    expect(revoked.addons).toEqual([]);
    expect(revoked.addon_history).toMatchObject([{ subsystem_id: 'F02.09', status: 'revoked' }]);
    expect(revoked.allowed_subsystems).not.toContain('F02.09');

    // type change: the API asks for a fresh second factor, the step-up dialog gets it, the change goes through
    await tabTo(page, 'button.chip[data-type="CHAIN"]');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('button.chip[data-type="CHAIN"]', 'aria-pressed')).toBe('true');
    await tabTo(page, '#type-reason');
    await page.keyboard.type('the club bought a second venue');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="step-up-dialog"]');
    expect((await tierOf(alpha.tenant_id)).tenant_type).toBe('CLUB'); // refused until the step-up
    expect(await checkScreen(page, 'sys-tenant-tier-step-up')).toEqual([]);
    t.clock.advance(30_000); // the next TOTP time step (a code is accepted once)
    await tabTo(page, '#step-up-code');
    await page.keyboard.type(totpAt(secret, t.clock.now()));
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('type-status')?.dataset.status === 'ok');
    expect(await page.textContent('#type-status')).toBe('Tenant type changed from CLUB to CHAIN.');
    await page.waitForFunction(() => document.getElementById('tenant-type-chip')?.textContent === 'CHAIN');
    expect((await tierOf(alpha.tenant_id)).tenant_type).toBe('CHAIN');
    expect((await tierOf(beta.tenant_id)).tenant_type).toBe('CLUB');
    const audit = (await t.http.get(`/sys/audit?tenant_id=${alpha.tenant_id}`).set(root.auth).expect(200)).body.items.map((x: { type: string }) => x.type);
    expect(audit).toEqual(expect.arrayContaining(['addon_granted', 'addon_revoked', 'tenant_type_changed']));
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
