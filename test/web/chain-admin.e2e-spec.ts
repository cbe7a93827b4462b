import type { Browser } from 'playwright-core';
import { haveChromium, launchChromium, warnIfNoChromium } from '../support/browser.js';
import { tabTo } from '../support/keyboard.js';
import type { TestApp } from '../support/test-app.js';
import { checkScreen, ensureWebBuilt, openPage, signInThroughScreen } from '../support/web-app.js';
import { award, createPassport, person, world, type World } from '../passport/support.js';
import { PASSWORD } from '../tier/support.js';

/**
 * F02.09.11 and F02.09.05 in Debian's Chromium against the real server: the chain admin (in the
 * chain's white label) finds a passport by id, overrides its tier behind the confirmation, bans
 * it, and sees the leaderboard without it; a new score shows after exactly one 60-second refresh
 * (the page's clock is Playwright's, moved by hand: no waiting on real time). Keyboard only after
 * the sign-in; axe on every screen and dialog; screenshots at desktop and phone widths.
 */
warnIfNoChromium('chain admin test');

const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"><circle cx="14" cy="14" r="12" fill="#ff8800"/></svg>';

(haveChromium ? describe : describe.skip)('chain admin in a real browser', () => {
  let w: World;
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    ensureWebBuilt();
    w = await world('BOULE', 'OTHER');
    t = w.t;
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('finds a passport, overrides its tier, bans it, and the leaderboard follows within one refresh', async () => {
    const { A, B, V1, V3, staff1 } = w;
    await t.http
      .put(`/chain/${A.tenant_id}/white-label`)
      .set(A.admin)
      .send({
        app_name: 'Boule Bar',
        colors: { primary: '#0b3d91', secondary: '#ffffff', accent: '#ff8800' },
        logo_url: 'https://cdn.boulebar.example/logo.svg',
        icon_url: null,
        custom_domain: null,
        hide_petanque_life_branding: true,
      })
      .expect(200);
    const players = [];
    for (const [name, points] of [
      ['Ada Boule', 300],
      ['Bo Bergström', 200],
      ['Cy Carreau', 100],
      ['Di Tireur', 50],
    ] as const) {
      const p = await person(t, V1, `${name.split(' ')[0]!.toLowerCase()}@boule.test`, ['member'], name);
      const id = await createPassport(t, p, A.tenant_id, name);
      await award(t, staff1.auth, id, V1.tenant_id, points).expect(201);
      players.push({ name, id });
    }
    const [ada, bo, cy, di] = players as [(typeof players)[0], (typeof players)[0], (typeof players)[0], (typeof players)[0]];
    // another chain's player with a similar name: never found from chain A
    const other = await person(t, V3, 'ada@other.test', ['member'], 'Ada Other');
    await createPassport(t, other, B.tenant_id, 'Ada Other');
    await t.settle();

    const { context, page, problems } = await openPage(browser);
    await context.route('https://cdn.boulebar.example/**', (r) => r.fulfill({ contentType: 'image/svg+xml', body: LOGO }));
    await page.clock.install(); // timers run as usual until the test moves the clock
    await page.goto(`${t.url}/admin/chain/passports`);
    await signInThroughScreen(page, A.email, PASSWORD);

    // the chain's white label: its name and logo, colours as custom properties, no Petanque Life
    await page.waitForSelector(`.brand[data-branded="${A.tenant_id}"]`);
    expect(await page.textContent('.topbar .brand')).toBe('Boule Bar');
    expect(await page.title()).toBe('Boule Bar');
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('.topbar')!).backgroundColor)).toBe('rgb(11, 61, 145)');
    expect(await page.evaluate(() => (document.querySelector('.brand-logo') as HTMLImageElement).naturalWidth)).toBe(28); // https: images pass the CSP

    // search by id, keyboard only
    await tabTo(page, '#passport-search');
    await page.keyboard.type(ada.id.toLowerCase());
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#passport-results[data-query="${ada.id.toLowerCase()}"]`); // the answer to this search, not the first list
    expect(await page.$$eval('#passport-results button', (b) => b.map((x) => x.getAttribute('data-passport-id')))).toEqual([ada.id]);
    // and by name: chain A's Ada only
    await tabTo(page, '#passport-search');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('ada');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#passport-results[data-query="ada"]');
    expect(await page.$$eval('#passport-results button', (b) => b.map((x) => x.getAttribute('data-passport-id')))).toEqual([ada.id]); // not chain B's Ada
    await tabTo(page, `#passport-results button[data-passport-id="${ada.id}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#passport-panel #visit-timeline li');
    expect(await page.textContent('#panel-title')).toBe('Ada Boule');
    expect(await page.getAttribute('#passport-panel .badges [data-tier]', 'data-tier')).toBe('REGULAR');
    expect(await page.getAttribute('#passport-panel .badges [data-status-badge]', 'data-status-badge')).toBe('ACTIVE');
    expect(await page.textContent('#passport-panel [data-stat="points"]')).toBe('300');
    expect(await checkScreen(page, 'admin-chain-passport')).toEqual([]);

    // tier override, behind the confirmation dialog
    await tabTo(page, '#override-tier');
    await page.keyboard.press('ArrowDown'); // REGULAR
    await page.keyboard.press('ArrowDown'); // GOLD
    expect(await page.inputValue('#override-tier')).toBe('GOLD');
    await tabTo(page, '#override-reason');
    await page.keyboard.type('league winner 2025');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="override-confirm"]');
    expect(await checkScreen(page, 'admin-chain-passport-confirm')).toEqual([]);
    expect((await t.http.get(`/chain/passports/${ada.id}`).set(A.admin).expect(200)).body.tier).toBe('REGULAR'); // not before confirming
    await tabTo(page, '#override-confirm-button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#passport-panel .badges [data-tier="GOLD"]');
    expect((await t.http.get(`/chain/passports/${ada.id}`).set(A.admin).expect(200)).body).toMatchObject({
      tier: 'GOLD',
      tier_override: { tier: 'GOLD', reason: 'league winner 2025' },
    });

    // ban with a reason
    await tabTo(page, '#ban-reason');
    await page.keyboard.type('shared the QR code');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#passport-panel .badges [data-status-badge="BANNED"]');
    expect((await t.http.get(`/chain/passports/${ada.id}`).set(A.admin).expect(200)).body).toMatchObject({ status: 'BANNED', ban_reason: 'shared the QR code' });

    // the leaderboard: the banned passport is gone, medals for the top three
    await tabTo(page, 'nav.sidebar a[href="/admin/chain/leaderboard"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#leaderboard tbody tr').length === 3);
    const rows = () =>
      page.$$eval('#leaderboard tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-passport-id'), tr.querySelector('.rank')!.getAttribute('data-medal')]));
    expect(await rows()).toEqual([
      [bo.id, 'gold'],
      [cy.id, 'silver'],
      [di.id, 'bronze'],
    ]);
    expect(await checkScreen(page, 'admin-chain-leaderboard')).toEqual([]);
    // period tabs by arrow keys
    await tabTo(page, '[role="tab"][aria-selected="true"]');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#leaderboard[data-period="year"]');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#leaderboard[data-period="month"]');

    // Di scores at the venue: nothing changes until the 60 s refresh, then Di leads
    await award(t, staff1.auth, di.id, V1.tenant_id, 500).expect(201);
    await t.settle();
    expect((await rows())[0]![0]).toBe(bo.id);
    await page.clock.fastForward(60_000);
    await page.waitForFunction((id) => document.querySelector('#leaderboard tbody tr')?.getAttribute('data-passport-id') === id, di.id);
    expect(await rows()).toEqual([
      [di.id, 'gold'],
      [bo.id, 'silver'],
      [cy.id, 'bronze'],
    ]);
    expect(problems).toEqual([]);
    await context.close();
  }, 150_000);
});
