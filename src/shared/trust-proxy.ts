import { isIP } from 'node:net';

/**
 * TRUST_PROXY, with Express `trust proxy` semantics, parsed and validated once at start-up.
 * Off by default: the client address is the TCP peer and X-Forwarded-For is ignored, so a
 * client cannot choose the address the login throttle and the audit see. A hop count
 * (`1` = one proxy in front) or a list of trusted proxy addresses / CIDRs / Express names
 * (`loopback`, `linklocal`, `uniquelocal`) makes Express take the address the last trusted
 * proxy saw. `true` (trust every hop, i.e. the client's own left-most X-Forwarded-For) is
 * refused on purpose.
 */
export type TrustProxy = false | number | string[];

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function validEntry(entry: string): boolean {
  if (NAMES.has(entry)) return true;
  const [addr, prefix, ...rest] = entry.split('/');
  if (rest.length || !addr) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export function parseTrustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '' || v === 'false' || v === 'off' || v === '0') return false;
  if (v === 'true') {
    problems.push('TRUST_PROXY=true would trust any X-Forwarded-For a client sends; give a hop count or the proxy addresses/CIDRs');
    return false;
  }
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    if (n > 10) problems.push(`TRUST_PROXY hop count must be from 0 to 10 (got "${raw}")`);
    return n;
  }
  const entries = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !validEntry(e));
  if (bad.length || entries.length === 0)
    problems.push(
      `TRUST_PROXY must be off, a hop count, or a comma-separated list of IP addresses, CIDRs, loopback, linklocal, uniquelocal (bad: "${bad.join(', ') || raw}")`,
    );
  return entries;
}
