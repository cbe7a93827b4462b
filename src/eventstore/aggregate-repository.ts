import { Inject, Injectable, Optional } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import {
  ConcurrencyError,
  EVENT_STORE,
  readStreamPages,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type StoredEvent,
} from './event-store.port.js';
import { currentContext } from '../shared/request-context.js';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { SnapshotStore } from './snapshots.js';

/** A domain event as deciders see it: `{ type, data }`, discriminated by type. */
export interface DomainEvent<T extends string = string, D = object> {
  type: T;
  data: D;
}

/** The pure half of an aggregate: how state is rebuilt from its own events. */
export interface Evolver<S, E extends DomainEvent = DomainEvent> {
  initialState: () => S;
  evolve: (state: S, event: E) => S;
  /**
   * Opt-in snapshots (the state must be plain JSON). Bump `schema` whenever the state's shape
   * or the meaning of evolve changes: snapshots of another schema are ignored and rebuilt.
   */
  snapshot?: { schema: number };
}

export interface Loaded<S> {
  state: S;
  version: number;
}

/** What load knows beyond the state: where a snapshot of it may be taken. */
interface LoadedAt<S> extends Loaded<S> {
  eventId: string | null;
  persisted: number;
}

export interface ExecuteOptions {
  /** Re-load and re-decide on a version conflict (only for commands safe to re-decide). Default true. */
  retryOnConflict?: boolean;
  maxAttempts?: number;
  metadata?: EventMetadata;
}

export type ExecuteResult<S> = AppendResult & { state: S; appended: boolean };
type StateOf<C> = C extends Command<infer S, infer _E> ? S : never;

/** One decision on one stream, for {@link AggregateRepository.executeAll}. */
export interface Command<S, E extends DomainEvent = DomainEvent> {
  stream: string;
  evolver: Evolver<S, E>;
  decide: (state: S, version: number) => E[] | Promise<E[]>;
  options?: ExecuteOptions;
  /**
   * The stream is new (named by a fresh random id, e.g. a session): decided on the initial state
   * without reading anything, appended with `no_stream`: a stream that does exist is refused
   * (ConcurrencyError, never re-decided on its state).
   */
  fresh?: boolean;
  /**
   * The result of this process's previous command on the same stream (e.g. an attempt's claim):
   * decided on its state without reading the stream again. A stream that changed since is refused
   * by the expected version, then re-loaded and re-decided.
   */
  after?: ExecuteResult<S>;
}

/** One stream of an executeAtomic set while it is decided. */
interface AtomicStream {
  stream: string;
  evolver: AnyCommand['evolver'];
  fresh: boolean;
  /* eslint-disable-next-line @typescript-eslint/no-explicit-any -- the state of whichever aggregate the stream holds */
  state: any;
  version: number;
  persisted: number;
  events: NewEvent[];
}

/** A command of any event type, for lists of commands on different aggregates. */
/* eslint-disable @typescript-eslint/no-explicit-any -- evolve takes S and E contravariantly: no narrower type admits them all */
export type AnyCommand<S = any> = Command<S, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Events per read when a stream is replayed: the most a load holds at once (~1 MB parsed). */
export const REPLAY_PAGE = 1000;
/** Optional provider overriding {@link REPLAY_PAGE} (tests use small pages to cross page boundaries). */
export const REPLAY_PAGE_SIZE = Symbol('REPLAY_PAGE_SIZE');

/** Wraps a stored event so Nest EventBus subscribers can receive it after persistence. */
export class EventAppended {
  constructor(readonly event: StoredEvent) {}
}

/**
 * Load (from a verified snapshot plus the events after it, or by full replay), decide, append
 * with the expected version, and only then publish. The request context (actor, tenant, ip,
 * user agent, correlation id) is written into every event's metadata.
 */
@Injectable()
export class AggregateRepository {
  private readonly snapshots: SnapshotStore;
  /** Where the persisted snapshot of a result's stream stood, for a command decided `after` it. */
  private readonly persistedOf = new WeakMap<object, number>();
  private readonly pageSize: number;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() private readonly bus?: EventBus,
    @Optional() @Inject(READ_STORE) reads?: ReadStore,
    @Optional() @Inject(REPLAY_PAGE_SIZE) pageSize?: number,
  ) {
    this.snapshots = new SnapshotStore(reads ?? null);
    this.pageSize = pageSize ?? REPLAY_PAGE;
  }

  /** Drops the in-memory snapshots (they hold opened personal data; see src/privacy erasure). */
  forgetSnapshots(): void {
    this.snapshots.forgetAll();
  }

  async load<S, E extends DomainEvent>(stream: string, evolver: Evolver<S, E>): Promise<Loaded<S>> {
    const { state, version } = await this.loadAt(stream, evolver);
    return { state, version };
  }

  private async loadAt<S, E extends DomainEvent>(stream: string, evolver: Evolver<S, E>): Promise<LoadedAt<S>> {
    const schema = evolver.snapshot?.schema;
    if (schema === undefined) return { ...(await this.replay(stream, evolver.initialState(), evolver))!, persisted: -1 };
    const snap = await this.snapshots.read(stream, schema);
    const base = snap ? parseState<S>(snap.state) : undefined;
    if (snap && base !== undefined) {
      const loaded = await this.replay(stream, base, evolver, { version: snap.version, eventId: snap.event_id });
      if (loaded) {
        if (loaded.version > snap.version) await this.remember(stream, schema, loaded, snap.persisted);
        return { ...loaded, persisted: snap.persisted };
      }
    }
    if (snap) this.snapshots.forget(stream);
    // a first load (or one past a bad snapshot) ends with a snapshot, so the next one reads only the tail
    const loaded = (await this.replay(stream, evolver.initialState(), evolver))!;
    if (loaded.eventId) await this.remember(stream, schema, loaded, -1);
    return { ...loaded, persisted: -1 };
  }

  /**
   * Folds the stream into `state`, a page of `pageSize` events at a time, so a load holds one page
   * however long the stream is. With `at` (a snapshot's event), reading starts AT that event: it
   * proves the stream still holds that event at that version, and null means it does not.
   */
  private async replay<S, E extends DomainEvent>(
    stream: string,
    state: S,
    evolver: Evolver<S, E>,
    at?: { version: number; eventId: string },
  ): Promise<(Loaded<S> & { eventId: string | null }) | null> {
    let version = at?.version ?? -1;
    let eventId = at?.eventId ?? null;
    let first = at !== undefined;
    for await (const page of readStreamPages(this.store, stream, at?.version ?? 0, this.pageSize)) {
      for (const e of page) {
        if (first) {
          if (e.version !== version || e.id !== eventId) return null;
          first = false;
          continue;
        }
        state = evolver.evolve(state, { type: e.type, data: e.data } as E);
        version = e.version;
        eventId = e.id;
      }
    }
    return first ? null : { state, version, eventId };
  }

  private remember<S>(stream: string, schema: number, at: Loaded<S> & { eventId: string | null }, persisted: number) {
    if (!at.eventId) return Promise.resolve();
    return this.snapshots.remember(
      stream,
      { schema, version: at.version, event_id: at.eventId, state: JSON.stringify(at.state) },
      persisted,
    );
  }

  async execute<S, E extends DomainEvent>(
    stream: string,
    evolver: Evolver<S, E>,
    decide: (state: S, version: number) => E[] | Promise<E[]>,
    options: ExecuteOptions = {},
  ): Promise<ExecuteResult<S>> {
    const attempts = options.retryOnConflict === false ? 1 : (options.maxAttempts ?? 5);
    for (let attempt = 1; ; attempt++) {
      const { state, version, persisted } = await this.loadAt(stream, evolver);
      const decided = await decide(state, version);
      if (decided.length === 0) {
        return { version, position: 0, events: [], state, appended: false };
      }
      try {
        const result = await this.store.append(
          stream,
          decided.map((e) => this.toNew(e, options.metadata)),
          version === -1 ? 'no_stream' : version,
        );
        return await this.applied(stream, evolver, state, decided, result, persisted);
      } catch (err) {
        if (err instanceof ConcurrencyError && attempt < attempts) continue;
        throw err;
      }
    }
  }

  /**
   * Executes independent commands on different streams with their appends issued in one
   * synchronous run, so a store that group-commits (SQLite) writes them in ONE commit. Each keeps
   * its own expected version and succeeds or fails alone: this is not an atomic multi-stream
   * append, so use it only where any subset of the commands being durable is safe. A command
   * that loses a version race is re-loaded and re-decided on its own (as `execute` would); one
   * whose decide throws appends nothing. Every command settles before the first error is thrown.
   */
  async executeAll<C extends readonly AnyCommand[]>(commands: C): Promise<{ [K in keyof C]: ExecuteResult<StateOf<C[K]>> }> {
    const decided = await Promise.all(commands.map((c) => settle(this.loadAndDecide(c))));
    // every append is asked for before the first await: one synchronous run, one group commit
    const done = decided.map((d, i) => {
      const c = commands[i]!;
      if ('err' in d) return d;
      if (d.ok.events.length === 0) return { ok: { version: d.ok.version, position: 0, events: [], state: d.ok.state, appended: false } };
      return settle(this.appendDecided(c, d.ok)).then((o) => {
        const attempts = c.fresh || c.options?.retryOnConflict === false ? 1 : (c.options?.maxAttempts ?? 5);
        if (!('err' in o) || !(o.err instanceof ConcurrencyError) || attempts < 2) return o;
        return settle(this.execute(c.stream, c.evolver, c.decide, { ...c.options, maxAttempts: attempts - 1 }));
      });
    });
    const settled = await Promise.all(done);
    const failed = settled.find((o) => 'err' in o);
    if (failed && 'err' in failed) throw failed.err;
    return settled.map((o) => ('ok' in o ? o.ok : null)) as { [K in keyof C]: ExecuteResult<StateOf<C[K]>> };
  }

  /** Whether the store writes a set of appends all or nothing, so {@link executeAtomic} can be used. */
  get atomic(): boolean {
    return typeof this.store.appendMany === 'function';
  }

  /**
   * Decides commands on several streams and appends all their events in ONE atomic appendMany:
   * all or nothing, one commit. Every stream is loaded first (a stream named by several commands
   * once); then the commands decide in array order, each on its stream's state after the events
   * the earlier commands decided (so a decide may read what an earlier decide computed, and a
   * refusal decided first stops everything after it). Each stream is appended with the version
   * it was loaded at, and a stream read but not written is still checked at that version. On a
   * ConcurrencyError ALL streams are re-loaded and ALL commands re-decided (bounded): no outcome
   * is committed on a state that another writer changed. A decide that throws writes nothing.
   * Snapshots are remembered and events published only after the commit. Each command's result
   * is its stream's result (state after every command of the set). Needs `atomic`.
   */
  async executeAtomic<C extends readonly AnyCommand[]>(
    commands: C,
    options: { maxAttempts?: number } = {},
  ): Promise<{ [K in keyof C]: ExecuteResult<StateOf<C[K]>> }> {
    if (!this.store.appendMany) throw new Error(`the ${this.store.kind} event store has no atomic appendMany`);
    const attempts = options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const streams = await this.loadAll(commands);
      for (const c of commands) {
        const s = streams.get(c.stream)!;
        const events = await c.decide(s.state, s.version + s.events.length);
        for (const e of events) {
          s.state = c.evolver.evolve(s.state, e);
          s.events.push(this.toNew(e, c.options?.metadata));
        }
      }
      const entries = [...streams.values()].filter((s) => s.events.length > 0 || !s.fresh);
      let written: AppendResult[];
      try {
        written = await this.store.appendMany(
          entries.map((s) => ({ stream: s.stream, events: s.events, expected: s.version === -1 ? 'no_stream' : s.version })),
        );
      } catch (err) {
        if (err instanceof ConcurrencyError && attempt < attempts && !streams.get(err.stream)?.fresh) continue;
        throw err;
      }
      return (await this.appliedAll(entries, written, commands)) as { [K in keyof C]: ExecuteResult<StateOf<C[K]>> };
    }
  }

  private async loadAll(commands: readonly AnyCommand[]): Promise<Map<string, AtomicStream>> {
    const streams = new Map<string, AtomicStream>();
    for (const c of commands) {
      const known = streams.get(c.stream);
      if (known) known.fresh ||= !!c.fresh;
      else streams.set(c.stream, { stream: c.stream, evolver: c.evolver, fresh: !!c.fresh, state: null, version: -1, persisted: -1, events: [] });
    }
    await Promise.all(
      [...streams.values()].map(async (s) => {
        if (s.fresh) s.state = s.evolver.initialState();
        else Object.assign(s, await this.loadAt(s.stream, s.evolver));
      }),
    );
    return streams;
  }

  /** After the atomic commit: snapshots, then publication in commit order, then each command's result. */
  private async appliedAll(entries: AtomicStream[], written: AppendResult[], commands: readonly AnyCommand[]) {
    const byStream = new Map<string, ExecuteResult<unknown>>();
    await Promise.all(
      entries.map(async (s, i) => {
        const r = written[i]!;
        const last = r.events.at(-1);
        if (s.evolver.snapshot && last) {
          await this.remember(s.stream, s.evolver.snapshot.schema, { state: s.state, version: last.version, eventId: last.id }, s.persisted);
        }
        const result = last ? { ...r, state: s.state, appended: true } : { version: s.version, position: 0, events: [], state: s.state, appended: false };
        this.persistedOf.set(result, s.persisted);
        byStream.set(s.stream, result);
      }),
    );
    this.publish(written.flatMap((r) => r.events));
    return commands.map((c) => byStream.get(c.stream) ?? { version: -1, position: 0, events: [], state: null, appended: false });
  }

  private async loadAndDecide<S, E extends DomainEvent>(c: Command<S, E>): Promise<LoadedAt<S> & { events: E[] }> {
    const last = c.after?.appended ? c.after.events.at(-1) : undefined;
    const loaded: LoadedAt<S> = c.fresh
      ? { state: c.evolver.initialState(), version: -1, eventId: null, persisted: -1 }
      : last
        ? { state: c.after!.state, version: last.version, eventId: last.id, persisted: this.persistedOf.get(c.after!) ?? -1 }
        : await this.loadAt(c.stream, c.evolver);
    return { ...loaded, events: await c.decide(loaded.state, loaded.version) };
  }

  private async appendDecided<S, E extends DomainEvent>(c: Command<S, E>, d: LoadedAt<S> & { events: E[] }): Promise<ExecuteResult<S>> {
    const result = await this.store.append(
      c.stream,
      d.events.map((e) => this.toNew(e, c.options?.metadata)),
      d.version === -1 ? 'no_stream' : d.version,
    );
    return this.applied(c.stream, c.evolver, d.state, d.events, result, d.persisted);
  }

  /** After a successful append: the new state, its snapshot, and only then the publication. */
  private async applied<S, E extends DomainEvent>(
    stream: string,
    evolver: Evolver<S, E>,
    state: S,
    decided: E[],
    result: AppendResult,
    persisted: number,
  ): Promise<ExecuteResult<S>> {
    const newState = decided.reduce((s, e) => evolver.evolve(s, e), state);
    const last = result.events[result.events.length - 1];
    if (evolver.snapshot && last) {
      await this.remember(stream, evolver.snapshot.schema, { state: newState, version: last.version, eventId: last.id }, persisted);
    }
    this.publish(result.events);
    const executed = { ...result, state: newState, appended: true };
    this.persistedOf.set(executed, persisted);
    return executed;
  }

  /** Appends events without a decider (e.g. reservation streams); still publishes after persistence. */
  async append(stream: string, events: DomainEvent[], expected: Parameters<EventStore['append']>[2], metadata?: EventMetadata) {
    const result = await this.store.append(
      stream,
      events.map((e) => this.toNew(e, metadata)),
      expected,
    );
    this.publish(result.events);
    return result;
  }

  private toNew(e: DomainEvent, extra?: EventMetadata): NewEvent {
    const ctx = currentContext();
    const metadata: EventMetadata = {
      correlation_id: ctx?.correlation_id ?? null,
      actor_id: ctx?.actor_id ?? null,
      tenant_id: ctx?.tenant_id ?? null,
      ip: ctx?.ip ?? null,
      user_agent: ctx?.user_agent ?? null,
      ...extra,
    };
    return { type: e.type, data: e.data as Record<string, unknown>, metadata };
  }

  private publish(events: StoredEvent[]): void {
    if (!this.bus) return;
    for (const e of events) this.bus.publish(new EventAppended(e));
  }
}

/** A snapshot's state, or undefined when it is not a JSON object (corrupt: replay instead). */
function parseState<S>(text: string): S | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as S) : undefined;
  } catch {
    return undefined;
  }
}

const settle = <T>(p: Promise<T>): Promise<{ ok: T } | { err: unknown }> =>
  p.then(
    (ok) => ({ ok }),
    (err: unknown) => ({ err }),
  );
