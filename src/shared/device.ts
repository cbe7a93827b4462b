import { isIP } from 'node:net';
import { UAParser } from 'ua-parser-js';

export interface DeviceInfo {
  browser: string | null;
  os: string | null;
  type: string;
}
export interface Location {
  country: string;
  city: string | null;
}

const devices = new Map<string, DeviceInfo>();

/**
 * Browser and OS families from a User-Agent (versions left out: a browser update is not a new
 * device). Memoised (bounded): parsing costs more than the rest of a session start, and clients
 * send the same few strings again and again.
 */
export function parseDevice(userAgent: string | null | undefined): DeviceInfo {
  if (!userAgent) return { browser: null, os: null, type: 'unknown' };
  let d = devices.get(userAgent);
  if (!d) {
    const r = new UAParser(userAgent).getResult();
    d = { browser: r.browser.name ?? null, os: r.os.name ?? null, type: r.device.type ?? 'desktop' };
    if (devices.size >= 10_000) devices.delete(devices.keys().next().value!);
    devices.set(userAgent, d);
  }
  return { ...d };
}

/** Stable key of a device/browser family for "seen before on this account". */
export const deviceKey = (d: DeviceInfo): string => `${d.browser ?? '?'}|${d.os ?? '?'}|${d.type}`;

function isPrivate(ip: string): boolean {
  const v = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v) === 4) {
    const [a = 0, b = 0] = v.split('.').map(Number);
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127) ||
      a >= 224
    );
  }
  const l = v.toLowerCase();
  return l === '::1' || l === '::' || l.startsWith('fc') || l.startsWith('fd') || l.startsWith('fe80');
}

type GeoLookup = (ip: string) => Promise<{ country: string; city: string } | null>;
let geo: Promise<GeoLookup> | null = null;

const memo = new Map<string, Promise<Location | null>>();

/**
 * Country and city from the offline GeoLite data shipped in fast-geoip; null for private or
 * unknown addresses. Answers are memoised (bounded): projections look the same addresses up
 * again and again, inside their transactions.
 */
export function locate(ip: string | null | undefined): Promise<Location | null> {
  if (!ip) return Promise.resolve(null);
  let hit = memo.get(ip);
  if (!hit) {
    if (memo.size >= 10_000) memo.delete(memo.keys().next().value!);
    hit = lookup(ip);
    memo.set(ip, hit);
  }
  return hit;
}

async function lookup(ip: string): Promise<Location | null> {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 0 || isPrivate(ip)) return null;
  geo ??= import('fast-geoip').then((m) => (m.default as unknown as { lookup: GeoLookup }).lookup.bind(m.default));
  try {
    const r = await (await geo)(v4);
    return r?.country ? { country: r.country, city: r.city || null } : null;
  } catch {
    return null;
  }
}
