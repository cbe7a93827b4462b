import type { EventStore, StoredEvent } from '../../eventstore/event-store.port.js';
import { openFor, phoneAad } from '../../mfa/otp-challenge/otp-code.js';
import type { Sealed } from '../../shared/crypto.js';
import type { Secrets } from '../../shared/secrets.js';
import { rulesByEvent } from '../personal-data-registry.js';
import { ERASED } from '../personal-data-rule.js';
import { isSealed, sealedSubject, type PersonalDataVault } from '../vault.js';

/** What erasure looks for in copies of the log (read models, snapshots, outbox): one person's values. */
export interface PersonalValues {
  /** Exact values (strings, and JSON of object values such as a sealed phone). */
  exact: Set<string>;
  /** Values distinctive enough to find inside longer text (e-mail addresses, phone numbers). */
  distinctive: Set<string>;
}

const PAGE = 2000;
const looksDistinctive = (v: string) => v.includes('@') || /^\+\d{7,15}$/.test(v.replace(/\s/g, ''));

/**
 * Reads the whole log once (erasure is rare; a rebuild costs the same) and collects every value
 * of the person's declared fields: the sealed ones opened with the key that is about to be
 * destroyed, the plaintext ones of events written before sealing existed, the ip/user agent of
 * their requests, and the phone number inside a server-sealed phone.
 */
export async function collectPersonalValues(
  raw: EventStore,
  vault: PersonalDataVault,
  secrets: Secrets,
  userId: string,
): Promise<PersonalValues> {
  const rules = rulesByEvent();
  const out: PersonalValues = { exact: new Set(), distinctive: new Set() };
  await vault.prepare([userId], false);
  const add = (v: unknown) => {
    if (v === null || v === undefined || v === ERASED) return;
    if (typeof v === 'string') {
      if (v.length < 2) return;
      out.exact.add(v);
      if (looksDistinctive(v)) out.distinctive.add(v.toLowerCase());
      return;
    }
    if (typeof v === 'object') {
      out.exact.add(JSON.stringify(v));
      const sealed = v as Partial<Sealed>;
      if (sealed.iv && sealed.ct && sealed.tag) {
        try {
          add(openFor<string>(secrets, phoneAad(userId), sealed as Sealed));
        } catch {
          // not a phone of this person
        }
      }
    }
  };
  const mine = (v: unknown) => isSealed(v) && sealedSubject(v) === userId;
  const visit = (e: StoredEvent) => {
    const rule = rules.get(e.type);
    const owner = rule ? rule.subject(e.data) : undefined;
    for (const [k, v] of Object.entries(e.data)) {
      if (mine(v)) add(vault.openValue(v));
      else if (owner === userId && rule!.fields.includes(k)) add(v);
    }
    const plainRequester = e.metadata.actor_id === userId || (!e.metadata.actor_id && (owner ?? e.data.user_id) === userId);
    for (const f of ['ip', 'user_agent'] as const) {
      const v = e.metadata[f];
      if (mine(v)) add(vault.openValue(v));
      else if (plainRequester && typeof v === 'string' && !isSealed(v)) add(v);
    }
  };
  for (let from = 0; ;) {
    const page = await raw.readAll({ from, limit: PAGE });
    for (const e of page) visit(e);
    if (page.length < PAGE) break;
    from = page[page.length - 1]!.position;
  }
  return out;
}
