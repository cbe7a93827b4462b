import type { StoredEvent } from '../eventstore/event-store.port.js';

/**
 * A reactor: a checkpointed subscriber for side effects (mail, SMS). It is never run by a
 * projection rebuild. `react` must key its effect by event id (e.g. a job id), because after
 * a crash between the effect and the checkpoint the same event is delivered again.
 */
export interface ReactorDefinition {
  name: string;
  handles: readonly string[];
  /**
   * Of the events of a handled type (opened), those `react` would do something for; default all.
   * A page with none of them costs the reactor no transaction (see ReactorEngine).
   */
  wants?(event: StoredEvent): boolean;
  react(event: StoredEvent): Promise<void>;
}

export const REACTORS = Symbol('REACTORS');
