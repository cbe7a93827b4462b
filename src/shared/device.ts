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

const MEMO_SIZE = 10_000;

/** A bounded least-recently-used memo: a hit moves its key to the end, the oldest goes first. */
function memoised<V>(compute: (key: string) => V): (key: string) => V {
  const memo = new Map<string, V>();
  return (key) => {
    let v = memo.get(key);
    if (v !== undefined) memo.delete(key);
    else {
      v = compute(key);
      if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!);
    }
    memo.set(key, v);
    return v;
  };
}

const parsed = memoised((userAgent): Readonly<DeviceInfo> => {
  const r = new UAParser(userAgent).getResult();
  return Object.freeze({ browser: r.browser.name ?? null, os: r.os.name ?? null, type: r.device.type ?? 'desktop' });
});

/**
 * Browser and OS families from a User-Agent (versions left out: a browser update is not a new
 * device). Memoised (bounded LRU): parsing costs more than the rest of a session start, and clients
 * send the same few strings again and again. A copy each time: callers put it into events and documents.
 */
export function parseDevice(userAgent: string | null | undefined): DeviceInfo {
  if (!userAgent) return { browser: null, os: null, type: 'unknown' };
  return { ...parsed(userAgent) };
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

const located = memoised(lookup);

/**
 * Country and city from the offline GeoLite data shipped in fast-geoip; null for private or
 * unknown addresses. Answers are memoised (bounded LRU): projections look the same addresses up
 * again and again, inside their transactions. The answer is shared by every caller, hence frozen.
 */
export function locate(ip: string | null | undefined): Promise<Readonly<Location> | null> {
  return ip ? located(ip) : Promise.resolve(null);
}

async function lookup(ip: string): Promise<Readonly<Location> | null> {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 0 || isPrivate(ip)) return null;
  geo ??= import('fast-geoip').then((m) => (m.default as unknown as { lookup: GeoLookup }).lookup.bind(m.default));
  try {
    const r = await (await geo)(v4);
    return r?.country ? Object.freeze({ country: r.country, city: r.city || null }) : null;
  } catch {
    return null;
  }
}
