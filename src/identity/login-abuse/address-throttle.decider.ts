import type { DomainEvent } from '../../eventstore/aggregate-repository.js';

/**
 * Failed logins per client address across accounts (password spraying, issue 10 item 5).
 * The per-account counter cannot see one client trying one password on many addresses, so
 * every failed login also counts against its client address in a fixed window. One stream
 * per (address, window): older windows are never read again, and a window holds at most
 * `max` failures because refused attempts are not evaluated and not recorded, so the cost
 * of this check does not grow with history.
 */
export type AddressThrottleEvent =
  | DomainEvent<'LoginFailedFromAddress', { address_key: string; window_start: string; failures: number; account_key: string }>
  | DomainEvent<
      'PasswordSprayingSuspected',
      {
        address_key: string;
        /** The client address (IPv6 as its /64), for the operators who act on the alarm. */
        address: string;
        window_start: string;
        window_seconds: number;
        failures: number;
        distinct_accounts: number;
      }
    >;

export interface AddressThrottleState {
  failures: number;
  /** Distinct account keys that failed from this address in the window (at most `max`). */
  accounts: string[];
  alarmed: boolean;
}

export const addressThrottleEvolver = {
  initialState: (): AddressThrottleState => ({ failures: 0, accounts: [], alarmed: false }),
  evolve(s: AddressThrottleState, e: AddressThrottleEvent): AddressThrottleState {
    switch (e.type) {
      case 'LoginFailedFromAddress':
        return {
          ...s,
          failures: e.data.failures,
          accounts: s.accounts.includes(e.data.account_key) ? s.accounts : [...s.accounts, e.data.account_key],
        };
      case 'PasswordSprayingSuspected':
        return { ...s, alarmed: true };
      default: {
        const never: never = e;
        return never;
      }
    }
  },
};

export interface AddressWindow {
  address_key: string;
  address: string;
  /** Epoch ms of the window start. */
  start: number;
  seconds: number;
}

export const windowOf = (now: number, seconds: number): number => Math.floor(now / (seconds * 1000)) * seconds * 1000;
export const addressStream = (addressKey: string, windowStart: number) => `loginaddr-${addressKey}-${windowStart}`;

/** Seconds until the window ends when `inFlight + failures` already reach the limit; null when an attempt may run. */
export function addressRefusal(s: AddressThrottleState, inFlight: number, max: number, w: AddressWindow, now: number): number | null {
  if (s.failures + inFlight < max) return null;
  return Math.max(1, Math.ceil((w.start + w.seconds * 1000 - now) / 1000));
}

/** A failed login from this address; the failure that reaches the limit raises the spraying alarm when it spans accounts. */
export function decideAddressFailure(
  s: AddressThrottleState,
  w: AddressWindow,
  accountKey: string,
  limits: { max: number; sprayMinAccounts: number },
): AddressThrottleEvent[] {
  const failures = s.failures + 1;
  const window_start = new Date(w.start).toISOString();
  const events: AddressThrottleEvent[] = [
    { type: 'LoginFailedFromAddress', data: { address_key: w.address_key, window_start, failures, account_key: accountKey } },
  ];
  const accounts = new Set([...s.accounts, accountKey]).size;
  if (!s.alarmed && failures >= limits.max && accounts >= limits.sprayMinAccounts) {
    events.push({
      type: 'PasswordSprayingSuspected',
      data: {
        address_key: w.address_key,
        address: w.address,
        window_start,
        window_seconds: w.seconds,
        failures,
        distinct_accounts: accounts,
      },
    });
  }
  return events;
}

/** The throttle key of a client address: IPv4 as is (mapped IPv6 unwrapped), IPv6 by its /64 (one subscriber's prefix). */
export function throttleAddress(ip: string | null | undefined): string {
  if (!ip) return 'unknown';
  const v = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  if (!v.includes(':')) return v;
  const [head, tail = ''] = v.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = v.includes('::') ? [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g || '0', 16) || 0).toString(16))
    .join(':')}::/64`;
}
