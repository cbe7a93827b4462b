/**
 * Both PostgreSQL adapters behind one module, so the two store factories (run concurrently at
 * start-up) import one module instead of two that link the `pg` driver at the same time, which
 * Jest's ESM loader cannot do ("request for 'pg' is not in cache").
 */
export { PostgresEventStore } from '../eventstore/postgres-event-store.js';
export { PostgresReadStore } from '../readstore/postgres-read-store.js';
