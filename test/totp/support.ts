import { bearer } from '../support/identity.js';
import jsQRModule from 'jsqr';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { totpAt } from '../../src/mfa/totp/totp.core.js';
import type { TestApp } from '../support/test-app.js';

// jsqr is CommonJS with an ES-style default in its typings: take whichever the loader gives.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;

/**
 * Decodes the QR code in an SVG as qrcode renders it (one stroked <path> of horizontal runs:
 * "M x y.5 h n m dx dy h n ..."). The modules are rasterised into RGBA pixels and read by jsQR,
 * so the test checks what the server actually drew.
 */
export function decodeQrSvg(svg: string, scale = 6): string | null {
  const size = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)?.[1]);
  const d = /<path[^>]*stroke="[^"]+"[^>]*\sd="([^"]+)"/.exec(svg)?.[1] ?? /<path[^>]*\sd="([^"]+)"[^>]*stroke=/.exec(svg)?.[1];
  if (!size || !d) return null;
  const dark = new Uint8Array(size * size);
  let x = 0;
  let y = 0;
  for (const [, cmd, args] of d.matchAll(/([MmHh])([^MmHh]*)/g)) {
    const n = args!
      .trim()
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    if (cmd === 'M') [x, y] = [n[0]!, n[1]!];
    else if (cmd === 'm') [x, y] = [x + n[0]!, y + n[1]!];
    else {
      const to = cmd === 'h' ? x + n[0]! : n[0]!;
      for (let c = Math.min(x, to); c < Math.max(x, to); c++) dark[Math.floor(y) * size + c] = 1;
      x = to;
    }
  }
  const px = size * scale;
  const rgba = new Uint8ClampedArray(px * px * 4).fill(255);
  for (let r = 0; r < px; r++)
    for (let c = 0; c < px; c++)
      if (dark[Math.floor(r / scale) * size + Math.floor(c / scale)]) rgba.fill(0, (r * px + c) * 4, (r * px + c) * 4 + 3);
  return jsQR(rgba, px, px)?.data ?? null;
}

/** The code an authenticator app would show `steps` time steps from the test clock's now. */
export const codeAt = (t: TestApp, secret: string, steps = 0) => totpAt(secret, t.clock.now().getTime() + steps * 30_000);

/** Moves the clock to 10 s into a fresh time step, far enough from the previous one. */
export function nextStepStart(t: TestApp, minSeconds = 90): void {
  const target = t.clock.now().getTime() + minSeconds * 1000;
  t.clock.set(target - (target % 30_000) + 10_000);
}

/** Every byte of every file under DATA_DIR except the key files (stores, WAL, outbox). */
export function dataFiles(dir: string): Array<{ path: string; bytes: Buffer }> {
  const out: Array<{ path: string; bytes: Buffer }> = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'keys') out.push(...dataFiles(p));
    } else out.push({ path: p, bytes: readFileSync(p) });
  }
  return out;
}

export function mails(t: TestApp): string[] {
  const dir = join(t.dataDir, 'outbox');
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => readFileSync(join(dir, f), 'utf8'));
  } catch {
    return [];
  }
}

export const mailsOfType = (t: TestApp, type: string, to?: string) =>
  mails(t).filter((m) => m.includes(`X-Security-Event: ${type}`) && (!to || m.toLowerCase().includes(to.toLowerCase())));

/** Verifies a code with the endpoint (TOTP verify by default) and returns the upgraded Authorization header; fails on anything but 200. */
export async function upgradeWith(t: TestApp, auth: { Authorization: string }, code: string, path = '/auth/mfa/totp/verify') {
  const res = await t.http.post(path).set(auth).send({ code }).expect(200);
  return bearer(res.body.access_token);
}
