import type { StoredEvent } from '../eventstore/event-store.port.js';
import type { CollectionSpec, ReadStoreTx } from '../readstore/read-store.port.js';

/**
 * A projection: event -> read-model writes. Declared in /projections, one file per read
 * model. `apply` must be deterministic and use only the event and the read store, so a
 * rebuild gives the same read model as an uninterrupted run.
 */
export interface ProjectionDefinition {
  name: string;
  collections: CollectionSpec[];
  /** Event types this projection reacts to; others only advance its checkpoint. */
  handles: readonly string[];
  apply(event: StoredEvent, tx: ReadStoreTx): Promise<void>;
}

export function defineProjection(def: ProjectionDefinition): ProjectionDefinition {
  return def;
}

export const PROJECTIONS = Symbol('PROJECTIONS');
