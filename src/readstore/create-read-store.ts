import { join } from 'node:path';
import type { AppConfig } from '../config/config.js';
import type { ReadStore } from './read-store.port.js';
import { SqliteReadStore } from './sqlite-read-store.js';

/** MongoDB when MONGO_URL is set, else PostgreSQL when DATABASE_URL is (each loaded only then), else a SQLite file beside the events. */
export async function createReadStore(
  config: Pick<AppConfig, 'mongoUrl' | 'mongoDb' | 'dataDir' | 'databaseUrl' | 'databaseSchema'>,
): Promise<ReadStore> {
  if (config.mongoUrl) {
    const { MongoReadStore } = await import('./mongo-read-store.js');
    return MongoReadStore.connect(config.mongoUrl, config.mongoDb);
  }
  if (config.databaseUrl) {
    const { PostgresReadStore } = await import('../shared/postgres-adapters.js');
    return PostgresReadStore.connect(config.databaseUrl, { schema: config.databaseSchema });
  }
  return new SqliteReadStore(join(config.dataDir, 'read.sqlite'));
}
