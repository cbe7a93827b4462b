import { Inject, Injectable, Optional } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import {
  ConcurrencyError,
  EVENT_STORE,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type StoredEvent,
} from './event-store.port.js';
import { currentContext } from '../shared/request-context.js';

/** A domain event as deciders see it: `{ type, data }`, discriminated by type. */
export interface DomainEvent<T extends string = string, D = object> {
  type: T;
  data: D;
}

/** The pure half of an aggregate: how state is rebuilt from its own events. */
export interface Evolver<S, E extends DomainEvent = DomainEvent> {
  initialState: () => S;
  evolve: (state: S, event: E) => S;
}

export interface Loaded<S> {
  state: S;
  version: number;
}

export interface ExecuteOptions {
  /** Re-load and re-decide on a version conflict (only for commands safe to re-decide). Default true. */
  retryOnConflict?: boolean;
  maxAttempts?: number;
  metadata?: EventMetadata;
}

export type ExecuteResult<S> = AppendResult & { state: S; appended: boolean };

/** Wraps a stored event so Nest EventBus subscribers can receive it after persistence. */
export class EventAppended {
  constructor(readonly event: StoredEvent) {}
}

/**
 * Load by replay, decide, append with the expected version, and only then publish. The
 * request context (actor, tenant, ip, user agent, correlation id) is written into every
 * event's metadata.
 */
@Injectable()
export class AggregateRepository {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() private readonly bus?: EventBus,
  ) {}

  async load<S, E extends DomainEvent>(stream: string, evolver: Evolver<S, E>): Promise<Loaded<S>> {
    const events = await this.store.readStream(stream);
    let state = evolver.initialState();
    for (const e of events) state = evolver.evolve(state, { type: e.type, data: e.data } as E);
    return { state, version: events.length ? events[events.length - 1]!.version : -1 };
  }

  async execute<S, E extends DomainEvent>(
    stream: string,
    evolver: Evolver<S, E>,
    decide: (state: S, version: number) => E[] | Promise<E[]>,
    options: ExecuteOptions = {},
  ): Promise<ExecuteResult<S>> {
    const attempts = options.retryOnConflict === false ? 1 : (options.maxAttempts ?? 5);
    for (let attempt = 1; ; attempt++) {
      const { state, version } = await this.load(stream, evolver);
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
        const newState = decided.reduce((s, e) => evolver.evolve(s, e), state);
        this.publish(result.events);
        return { ...result, state: newState, appended: true };
      } catch (err) {
        if (err instanceof ConcurrencyError && attempt < attempts) continue;
        throw err;
      }
    }
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
