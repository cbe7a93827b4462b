import type { StoredEvent } from '../eventstore/event-store.port.js';

/**
 * A reactor: a checkpointed subscriber for side effects (mail, SMS). It is never run by a
 * projection rebuild. `react` must key its effect by event id (e.g. a job id), because after
 * a crash between the effect and the checkpoint the same event is delivered again.
 */
export interface ReactorDefinition {
  name: string;
  handles: readonly string[];
  react(event: StoredEvent): Promise<void>;
}

export const REACTORS = Symbol('REACTORS');
