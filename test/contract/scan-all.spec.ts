import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanAll } from '../../src/readstore/scan.js';
import { SqliteReadStore } from '../../src/readstore/sqlite-read-store.js';

describe('scanAll: every match of a query across keyset pages', () => {
  it('yields each matching document once, in order, across page boundaries, and nothing that does not match', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scan-all-'));
    const store = new SqliteReadStore(path.join(dir, 'read.sqlite'));
    try {
      await store.ensureCollection({ name: 'items', indexes: [{ fields: ['due'] }] });
      const items = store.collection<{ id: string; due: number; open: boolean }>('items');
      for (let i = 0; i < 11; i++) await items.upsert({ id: `i${String(i).padStart(2, '0')}`, due: 20 - i, open: i % 3 !== 0 });
      const seen: string[] = [];
      for await (const d of scanAll(items, { where: { open: true, due: { lte: 18 } }, sort: [['due', 'asc']], limit: 2 })) seen.push(d.id);
      // open: i not divisible by 3; due <= 18: i >= 2 -> 2,4,5,7,8,10 (ascending due = descending i)
      expect(seen).toEqual(['i10', 'i08', 'i07', 'i05', 'i04', 'i02']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
