import pg from 'pg';

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name safe to splice into SQL (it cannot be a bind parameter). */
export function checkSchema(schema: string): string {
  if (!SCHEMA.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  return schema;
}

/** Runs fn in one transaction on one pooled connection: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<R>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<R>): Promise<R> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const result = await fn(c);
    await c.query('COMMIT');
    return result;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/**
 * A pool whose every connection works inside `schema`, so the event store, the read store and
 * each test run can live side by side in one database. `ddl` (idempotent) runs once at open,
 * serialized on an advisory lock: two processes starting together would otherwise race on
 * the catalog's unique indexes even with IF NOT EXISTS.
 */
export async function openPgPool(url: string, schema: string, ddl: string, max = 10): Promise<pg.Pool> {
  checkSchema(schema);
  const pool = new pg.Pool({ connectionString: url, max, options: `-c search_path=${schema}` });
  // An idle client that loses its server (restart, failover) must not crash the process.
  pool.on('error', () => undefined);
  try {
    await inTransaction(pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ddl:${schema}`]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await c.query(ddl);
    });
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return pool;
}

/** Advisory-lock key of a named lock inside a schema (advisory locks are per database, not per schema). */
export const lockKey = (schema: string, name: string): string => `${schema}:${name}`;
