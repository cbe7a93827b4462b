import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '..', '..');
/** Screenshots of the browser tests (gitignored). */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'screens');

/** Builds web/dist when it is missing or older than web/src (same rule and lock as `npm start`). */
export function ensureWebBuilt(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts/ensure-build.mjs'), '--web'], { cwd: ROOT, stdio: 'pipe' });
}

/** A fresh context (English texts unless `locale` says otherwise, desktop size) and page that records CSP violations and page errors. */
export async function openPage(browser: Browser, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()) && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  return { context, page, problems };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * axe-core injected into the page (through the DevTools protocol, so the page's CSP stays on):
 * the serious and critical WCAG 2.x A/AA violations, as `rule: help (targets)` lines.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
}

/** Screenshots at desktop (1280×800) and phone (390×844) widths into test-artifacts/screens/. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const before = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: join(ARTIFACTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(ARTIFACTS, `${name}-phone.png`), fullPage: true });
  if (before) await page.setViewportSize(before);
}

/** The screen's accessibility scan and its screenshots, in one call per screen. */
export async function checkScreen(page: Page, name: string): Promise<string[]> {
  const v = await axeViolations(page);
  await screenshots(page, name);
  return v;
}

/** Signs in through the app's login screen (shown in place at any signed-in address). */
export async function signInThroughScreen(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForSelector('nav.sidebar');
}

/**
 * Keyboard only: presses Tab (at most `max` times) until `selector`'s element has the focus,
 * proving it is reachable without a mouse. Fails when it never gets there.
 */
export async function tabTo(page: Page, selector: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement !== null && document.activeElement === document.querySelector(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} was not reached with ${max} presses of Tab`);
}
