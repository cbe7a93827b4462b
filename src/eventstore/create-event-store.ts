import { join } from 'node:path';
import type { AppConfig } from '../config/config.js';
import type { Clock } from '../shared/clock.js';
import type { EventStore } from './event-store.port.js';
import { SqliteEventStore } from './sqlite-event-store.js';

/** KurrentDB when EVENTSTORE_URL is set, else PostgreSQL when DATABASE_URL is (each loaded only then), else SQLite in DATA_DIR. */
export async function createEventStore(
  config: Pick<AppConfig, 'eventstoreUrl' | 'dataDir' | 'databaseUrl' | 'databaseSchema'>,
  clock: Clock,
): Promise<EventStore> {
  if (config.eventstoreUrl) {
    const { KurrentDbEventStore } = await import('./kurrentdb-event-store.js');
    return KurrentDbEventStore.connect(config.eventstoreUrl, () => clock.now());
  }
  if (config.databaseUrl) {
    const { PostgresEventStore } = await import('../shared/postgres-adapters.js');
    return PostgresEventStore.connect(config.databaseUrl, { schema: config.databaseSchema, now: () => clock.now() });
  }
  return new SqliteEventStore(join(config.dataDir, 'events.sqlite'), () => clock.now());
}
