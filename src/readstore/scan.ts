import type { Collection, Doc, FindQuery } from './read-store.port.js';

/**
 * Every document a query matches, page after page (keyset cursors, `limit` per page, default 200):
 * the one loop the sweeps and exports share instead of each paging by hand.
 */
export async function* scanAll<T extends Doc>(collection: Collection<T>, query: Omit<FindQuery, 'cursor'>): AsyncGenerator<T> {
  let cursor: string | null = null;
  do {
    const page = await collection.find({ limit: 200, ...query, cursor });
    yield* page.items;
    cursor = page.next_cursor;
  } while (cursor);
}
