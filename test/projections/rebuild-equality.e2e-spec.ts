/**
 * The whole read model after a realistic scenario, dumped before and after the real CLI's
 * `projections:rebuild --all` (another process, the server stopped): every document of every
 * projection's collections and every checkpoint must be equal. A projection that reads the wall
 * clock, another read model or anything but its events fails this.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_PROJECTIONS } from '../../projections/registry.js';
import { READ_STORE, type ReadStore } from '../../src/readstore/read-store.port.js';
import { SqliteReadStore } from '../../src/readstore/sqlite-read-store.js';
import { ensureBuilt, runCli } from '../cli/helpers/run-cli.js';
import { startTestApp } from '../support/test-app.js';
import { dumpReadModel, runScenario, SCENARIO_ENV } from './scenario.js';

const dumpAll = (store: ReadStore) =>
  dumpReadModel(
    store,
    ALL_PROJECTIONS.flatMap((p) => p.collections.map((c) => c.name)),
    true,
  );

it('projections:rebuild --all gives back exactly the read model the live run built', async () => {
  ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'plq-rebuild-eq-'));
  try {
    const t = await startTestApp({ env: SCENARIO_ENV, dataDir });
    await runScenario(t);
    await t.settle();
    const before = await dumpAll(t.app.get<ReadStore>(READ_STORE));
    await t.close();

    const res = runCli(dataDir, ['projections:rebuild', '--all']);
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.code).toBe(0);

    const store = new SqliteReadStore(join(dataDir, 'read.sqlite'));
    const after = await dumpAll(store);
    await store.close();
    // the scenario filled the model (not an empty-equals-empty pass)
    expect(Object.values(before).filter((v) => Array.isArray(v) && v.length > 0).length).toBeGreaterThanOrEqual(10);
    expect(after).toEqual(before);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 180_000);
