import type pg from 'pg';
import type { Doc } from './read-store.port.js';

/** JSON text PostgreSQL can store: JSONB cannot hold U+0000, so it becomes U+FFFD (an odd run of backslashes marks a real escape). */
export const storable = (doc: unknown): string => JSON.stringify(doc).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');

/**
 * The documents one read-store transaction has read or written, so a projection page costs a
 * round trip per distinct document instead of two per event: reads lock the row (FOR UPDATE) and
 * are remembered, writes are kept and sent in one multi-row statement per table before any query
 * that could see them, when `maxPending` have piled up, and before COMMIT.
 */
export class UnitOfWork {
  private readonly known = new Map<string, Map<string, Doc | null>>();
  private readonly dirty = new Map<string, Map<string, Doc | null>>();
  private pending = 0;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly maxPending = 500,
  ) {}

  private of(map: Map<string, Map<string, Doc | null>>, table: string): Map<string, Doc | null> {
    let m = map.get(table);
    if (!m) map.set(table, (m = new Map()));
    return m;
  }

  async read(table: string, id: string): Promise<Doc | null> {
    const known = this.of(this.known, table);
    if (!known.has(id)) {
      const row = (await this.client.query<{ doc: Doc }>(`SELECT doc FROM ${table} WHERE id = $1 FOR UPDATE`, [id])).rows[0];
      known.set(id, row ? row.doc : null);
    }
    const doc = known.get(id)!;
    return doc ? structuredClone(doc) : null;
  }

  /** Replaces (doc) or deletes (null) one document at the next flush. */
  async write(table: string, id: string, doc: Doc | null): Promise<void> {
    const copy = doc ? structuredClone(doc) : null;
    this.of(this.known, table).set(id, copy);
    this.of(this.dirty, table).set(id, copy);
    if (++this.pending >= this.maxPending) await this.flush();
  }

  /** A statement is about to read or change `table` by a filter: send its writes, and forget what it may change. */
  async beforeQuery(table: string, changes: boolean): Promise<void> {
    await this.flush(table);
    if (changes) this.known.delete(table);
  }

  async flush(only?: string): Promise<void> {
    for (const [table, docs] of this.dirty) {
      if (only !== undefined && table !== only) continue;
      const upserts = [...docs].filter((e): e is [string, Doc] => e[1] !== null);
      const deletes = [...docs].filter(([, d]) => d === null).map(([id]) => id);
      if (upserts.length > 0) {
        await this.client.query(
          `INSERT INTO ${table} (id, doc) SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
          [upserts.map(([id]) => id), upserts.map(([, d]) => storable(d))],
        );
      }
      if (deletes.length > 0) await this.client.query(`DELETE FROM ${table} WHERE id = ANY($1::text[])`, [deletes]);
      this.pending -= docs.size;
      this.dirty.delete(table);
    }
  }
}
