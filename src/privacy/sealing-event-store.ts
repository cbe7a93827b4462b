import { ConcurrencyError } from '../eventstore/event-store.port.js';
import type {
  AppendResult,
  EventMetadata,
  EventStore,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  StoredEvent,
  StreamAppend,
  SubscribeOptions,
  Subscription,
} from '../eventstore/event-store.port.js';
import { hmacHex } from '../shared/crypto.js';
import { currentContext, type RequestContext } from '../shared/request-context.js';
import { rulesByEvent } from './personal-data-registry.js';
import type { PersonalDataRule } from './personal-data-rule.js';
import { PersonalDataVault, isSealed, isSubject, sealedSubject } from './vault.js';

/**
 * Stream names made of a plain SHA-256 of an e-mail address (reservation streams, the login
 * counter), which a dictionary of addresses reverses. New ones are stored under an HMAC of the
 * name with the server secret; one written before keeps its name (see the README migration note).
 */
const ADDRESS_STREAM = /^(email|bruteforce-login)-[0-9a-f]{64}$/;
const KEYED_NAMES_KEPT = 50_000;

/** The keyed name a new address stream is stored under (`email-k1-<hmac>`, `bruteforce-login-k1-<hmac>`). */
export const keyedStreamName = (key: Buffer, stream: string): string =>
  `${stream.slice(0, stream.lastIndexOf('-'))}-k1-${hmacHex(key, stream)}`;

/** Metadata fields that are personal data of whoever made the request. */
const PERSONAL_METADATA = ['ip', 'user_agent'] as const;
export const PERSONAL_DATA_ERASED = 'PersonalDataErased';
/** The erasure of a subject that is not an account (a corporate event's outside contact): `data.subject`. */
export const SUBJECT_ERASED = 'PersonalDataSubjectErased';
const KEYED = 'hk1.';
/** What an erasure event erased, if it is one. */
const erasedBy = (e: StoredEvent): unknown =>
  e.type === PERSONAL_DATA_ERASED ? e.data.user_id : e.type === SUBJECT_ERASED ? e.data.subject : undefined;

/**
 * The event store as the rest of the app sees it: personal fields are sealed with their
 * person's data key on the way in (so the log, its hash chain and every copy of it hold only
 * ciphertext) and opened on the way out (aggregates, projections, reactors, the CLI). One place
 * instead of every handler. `raw` is the store underneath, for the audit (hashes are over the
 * sealed form, so `audit:verify` holds before and after an erasure).
 */
export class SealingEventStore implements EventStore {
  readonly kind: string;
  /** Present exactly when the store underneath has it (projection lag on KurrentDB). */
  readonly countEvents?: EventStore['countEvents'];
  /** Present exactly when the store underneath has it (an atomic multi-stream append). */
  readonly appendMany?: EventStore['appendMany'];
  private readonly rules: Map<string, PersonalDataRule>;
  /** Logical address-stream name -> the name it is stored under (streams never move, so this never goes stale). */
  private readonly physical = new Map<string, string>();

  constructor(
    readonly raw: EventStore,
    readonly vault: PersonalDataVault,
    rules?: readonly PersonalDataRule[],
    private readonly streamKey?: Buffer,
  ) {
    this.kind = raw.kind;
    if (raw.countEvents) this.countEvents = raw.countEvents.bind(raw);
    if (raw.appendMany) this.appendMany = (appends) => this.appendManySealed(appends);
    this.rules = rulesByEvent(rules);
  }

  /** The name a stream is stored under: an address stream gets a keyed name unless it already exists under its old one. */
  async storedName(stream: string): Promise<string> {
    if (!this.streamKey || !ADDRESS_STREAM.test(stream)) return stream;
    const known = this.physical.get(stream);
    if (known) return known;
    const name = (await this.raw.streamVersion(stream)) >= 0 ? stream : keyedStreamName(this.streamKey, stream);
    this.physical.set(stream, name);
    if (this.physical.size > KEYED_NAMES_KEPT) this.physical.delete(this.physical.keys().next().value!);
    return name;
  }

  async append(stream: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    const [sealed, name] = await Promise.all([this.seal(events), this.storedName(stream)]);
    return this.unsealed(stream, events, await this.raw.append(name, sealed, expected));
  }

  /** Sealed and named as append does, each entry; a conflict names the stream as the caller does. */
  private async appendManySealed(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const sealed = await Promise.all(
      appends.map(async (a) => {
        const [events, stream] = await Promise.all([this.seal(a.events), this.storedName(a.stream)]);
        return { stream, events, expected: a.expected };
      }),
    );
    let results: AppendResult[];
    try {
      results = await this.raw.appendMany!(sealed);
    } catch (err) {
      const at = err instanceof ConcurrencyError ? sealed.findIndex((a) => a.stream === err.stream) : -1;
      if (at >= 0 && err instanceof ConcurrencyError) throw new ConcurrencyError(appends[at]!.stream, err.expected, err.actual);
      throw err;
    }
    return results.map((r, i) => this.unsealed(appends[i]!.stream, appends[i]!.events, r));
  }

  /** In-process publishers get what the handler wrote, with the stored envelope. */
  private unsealed(stream: string, events: NewEvent[], result: AppendResult): AppendResult {
    return {
      ...result,
      events: result.events.map((e, i) => ({
        ...e,
        stream,
        data: events[i]!.data,
        metadata: { ...e.metadata, ...pick(events[i]!.metadata) },
      })),
    };
  }

  async readStream(stream: string, fromVersion?: number, limit?: number): Promise<StoredEvent[]> {
    const name = await this.storedName(stream);
    const events = await this.open(await this.raw.readStream(name, fromVersion, limit));
    return name === stream ? events : events.map((e) => ({ ...e, stream }));
  }

  async streamVersion(stream: string): Promise<number> {
    return this.raw.streamVersion(await this.storedName(stream));
  }

  readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    return this.raw.readAll(options).then((e) => this.open(e));
  }

  headPosition(): Promise<number> {
    return this.raw.headPosition();
  }

  subscribe(options: SubscribeOptions): Subscription {
    const { onEvent, onBatch } = options;
    return this.raw.subscribe({
      ...options,
      onEvent: onEvent ? async (e) => onEvent((await this.open([e]))[0]!) : undefined,
      onBatch: onBatch ? async (events, after) => onBatch(await this.open(events), after) : undefined,
    });
  }

  close(): Promise<void> {
    return Promise.all([this.raw.close(), this.vault.keys.close()]).then(() => undefined);
  }

  /** Whose personal data an event carries (payload by its declaration; metadata: the actor, else that person). */
  private subjects(e: { type: string; data: Record<string, unknown>; metadata?: EventMetadata }) {
    const rule = this.rules.get(e.type);
    const subject = rule ? rule.subject(e.data) : undefined;
    const owner = isSubject(subject) ? subject : null;
    const actor = isSubject(e.metadata?.actor_id) ? e.metadata!.actor_id : null;
    const fallback = isSubject(e.data.user_id) ? e.data.user_id : null;
    return { rule, owner, requester: actor ?? owner ?? fallback };
  }

  /**
   * One field's value sealed for a person. A field `ip` or `user_agent` (metadata, or a payload
   * field of that name) holding the request's own address or user agent is sealed once per request
   * and person (PersonalDataVault.sealRequestValue); every other value afresh.
   */
  private sealFor(subject: string, field: string, value: unknown, request: RequestContext | undefined): unknown {
    const own =
      request &&
      typeof value === 'string' &&
      ((field === 'ip' && value === request.ip) || (field === 'user_agent' && value === request.user_agent));
    return own ? this.vault.sealRequestValue(request, subject, value) : this.vault.sealValue(subject, value);
  }

  async seal(events: NewEvent[]): Promise<NewEvent[]> {
    const request = currentContext();
    const plans = events.map((e) => ({ e, ...this.subjects(e) }));
    await this.vault.prepare(plans.flatMap((p) => [p.rule ? p.owner : null, p.e.metadata ? p.requester : null]).filter(isSubject), true);
    return plans.map(({ e, rule, owner, requester }) => {
      let data = e.data;
      if (rule && owner) {
        data = { ...e.data };
        for (const f of rule.fields) if (f in data) data[f] = this.sealFor(owner, f, data[f], request);
      }
      const keyed = rule?.keyed && this.streamKey ? rule.keyed(e.data) : [];
      for (const f of keyed) {
        const v = data[f];
        if (typeof v !== 'string' || v.startsWith(KEYED)) continue;
        if (data === e.data) data = { ...e.data };
        data[f] = `${KEYED}${hmacHex(this.streamKey!, `field:${v}`)}`;
      }
      let metadata = e.metadata;
      if (metadata && requester) {
        metadata = { ...metadata };
        for (const f of PERSONAL_METADATA)
          if (metadata[f] != null) metadata[f] = this.sealFor(requester, f, metadata[f], request) as string;
      }
      return { ...e, data, metadata };
    });
  }

  async open(events: StoredEvent[]): Promise<StoredEvent[]> {
    const subjects = new Set<string>();
    for (const e of events) {
      const erased = erasedBy(e);
      if (typeof erased === 'string') this.vault.forget(erased);
      for (const v of Object.values(e.data)) if (isSealed(v)) addSubject(subjects, v);
      for (const f of PERSONAL_METADATA) if (isSealed(e.metadata[f])) addSubject(subjects, e.metadata[f] as string);
    }
    if (subjects.size === 0) return events;
    await this.vault.prepare(subjects, false);
    return events.map((e) => {
      let data = e.data;
      for (const [k, v] of Object.entries(e.data)) {
        if (!isSealed(v)) continue;
        if (data === e.data) data = { ...e.data };
        data[k] = this.vault.openValue(v);
      }
      let metadata = e.metadata;
      for (const f of PERSONAL_METADATA) {
        if (!isSealed(metadata[f])) continue;
        if (metadata === e.metadata) metadata = { ...e.metadata };
        metadata[f] = this.vault.openValue(metadata[f]) as string;
      }
      return data === e.data && metadata === e.metadata ? e : { ...e, data, metadata };
    });
  }
}

function addSubject(into: Set<string>, sealed: string): void {
  const s = sealedSubject(sealed);
  if (s) into.add(s);
}

const pick = (m: EventMetadata | undefined): EventMetadata => {
  const out: EventMetadata = {};
  for (const f of PERSONAL_METADATA) if (m && m[f] !== undefined) out[f] = m[f];
  return out;
};

/** The store underneath the sealing layer (the audit reads the sealed form). */
export const rawEventStore = (store: EventStore): EventStore => (store instanceof SealingEventStore ? store.raw : store);
