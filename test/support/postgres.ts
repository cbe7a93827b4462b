import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL of the machine (CI sets DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test).
 * Suites that need it skip when it is unset, like the KurrentDB and MongoDB ones.
 */
export const PG_URL = process.env.DATABASE_URL || null;

/** A fresh schema name per test run: other runs and other helpers share the database. */
export const freshSchema = (prefix = 't'): string => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;

/** Drops a test schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** One statement on its own connection inside `schema` (tampering, inspection behind the store's back). */
export async function pgQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  schema: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
