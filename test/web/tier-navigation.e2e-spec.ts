import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium, warnIfNoChromium } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { adminLogin, BOOTSTRAP_ENV } from '../support/identity.js';
import { createChain, PASSWORD } from '../chain/support.js';
import { createTenant } from '../support/tenants.js';
import { checkScreen, ensureWebBuilt, openPage, signInThroughScreen } from '../support/web-app.js';

/**
 * Tier-aware navigation (F02.10.07) in the browser: a CLUB's sidebar and command palette have no
 * venue-chain section (F02.09), and a chain screen opened anyway gets 403 tenant_type_not_eligible,
 * which opens the TenantTierUpgradeModal through the app-wide error channel. A CHAIN tenant sees
 * and uses the same section.
 */
warnIfNoChromium('tier navigation browser test');

(haveChromium ? describe : describe.skip)('tier-aware navigation and the upgrade modal', () => {
  let t: TestApp;
  let browser: Browser;
  const password = 'a long enough password 123';
  let chain: Awaited<ReturnType<typeof createChain>>;
  beforeAll(async () => {
    ensureWebBuilt();
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    await createTenant(t, { name: 'Boule Club Lund', type: 'CLUB', adminEmail: 'admin@club.test', adminPassword: password });
    chain = await createChain(t, (await adminLogin(t)).auth, 'KEDJAN');
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const sidebarSections = (page: Page) => page.locator('nav.sidebar section').evaluateAll((els) => els.map((e) => e.getAttribute('data-section')));

  it('a CLUB sees no chain section, finds none in the palette, and gets the upgrade modal when it opens one', async () => {
    const { context, page, problems } = await openPage(browser);
    await page.goto(`${t.url}/account`);
    await signInThroughScreen(page, 'admin@club.test', password);
    await page.waitForSelector('nav.sidebar a[href="/account/mfa"]'); // the tier has loaded (F02.07 is allowed)
    expect(await sidebarSections(page)).toEqual(['account']);
    expect(await page.locator('nav.sidebar').textContent()).not.toMatch(/chain/i);

    await page.keyboard.press('Control+k');
    const palette = page.getByRole('dialog', { name: 'Go to' });
    await palette.waitFor();
    expect(await palette.getByRole('option').allTextContents()).not.toContainEqual(expect.stringMatching(/chain/i));
    await page.keyboard.type('chain');
    expect(await palette.textContent()).toContain('No screen matches.');
    expect(await checkScreen(page, 'command-palette-club')).toEqual([]);
    await page.keyboard.press('Escape');
    await palette.waitFor({ state: 'detached' });

    // forced: the chain screen's call answers 403 tenant_type_not_eligible → the modal
    await page.goto(`${t.url}/admin/chain/venues`);
    const modal = page.getByTestId('tenant-tier-upgrade-modal');
    await modal.waitFor();
    expect(await modal.getAttribute('role')).toBe('dialog');
    expect(await page.getByTestId('upgrade-subsystem').textContent()).toBe('F02.09');
    expect(await page.getByTestId('upgrade-tenant-type').textContent()).toBe('CLUB');
    expect(await modal.textContent()).toMatch(/Venue chains/);
    expect(await page.getByTestId('upgrade-contact').textContent()).toMatch(/administrator.*support/);
    expect(await checkScreen(page, 'tenant-tier-upgrade-modal')).toEqual([]);
    await page.keyboard.press('Escape');
    await modal.waitFor({ state: 'detached' });
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it('a CHAIN sees the chain section and opens its screen without the modal', async () => {
    const { context, page, problems } = await openPage(browser);
    await page.goto(`${t.url}/account`);
    await signInThroughScreen(page, chain.email, PASSWORD);
    await page.waitForSelector('nav.sidebar section[data-section="chain"]');
    expect(await sidebarSections(page)).toEqual(['account', 'chain']); // F02.08 stays excluded for a chain
    await page.click('nav.sidebar a[href="/admin/chain/venues"]');
    await page.waitForURL(/\/admin\/chain\/venues$/);
    await page.getByTestId('chain-venues-empty').waitFor(); // GET /chain/{id}/venues answered 200
    expect(await page.getByTestId('tenant-tier-upgrade-modal').count()).toBe(0);
    expect(await checkScreen(page, 'admin-chain-venues')).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
