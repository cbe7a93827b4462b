import { existsSync } from 'node:fs';
import pw from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Debian's Chromium; browser tests skip, saying so, only when it is not installed. */
export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

export function warnIfNoChromium(suite: string): void {
  if (!haveChromium) console.warn(`[${suite}] SKIPPED: ${CHROMIUM} does not exist (apt-get install -y chromium)`);
}

/** Headless, with the flags this closed network needs (no background fetches that fail); Playwright gives each launch a fresh temporary profile (user data dir). */
export function launchChromium(): Promise<Browser> {
  return pw.chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
