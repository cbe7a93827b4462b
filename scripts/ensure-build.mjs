// Builds (`npm run build`) only when the compiled entry is missing or older than any source.
// Shared by `npm start`, `npm run cli` and `npm run bench`; runnable alone: `node scripts/ensure-build.mjs`.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const root = new URL('..', import.meta.url).pathname;
const SOURCE_DIRS = ['src', 'projections', 'bench'];
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newest(dir) {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function isStale(entry) {
  if (!existsSync(entry)) return true;
  const built = statSync(entry).mtimeMs;
  const sources = Math.max(
    ...SOURCE_DIRS.map((d) => newest(join(root, d))),
    ...CONFIG_FILES.map((f) => (existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : 0)),
  );
  return sources > built;
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Runs the build when `entry` (a path relative to the repo root, default dist/src/main.js) is
 * stale. A lock directory keeps parallel callers (two CLI runs, jest workers) from compiling
 * over each other; the loser waits and re-checks. Build output goes to stderr so a command's
 * stdout stays machine-readable.
 *
 * `allowTypeErrors`: tsc still emits JavaScript when it reports type errors; tools (CLI, bench)
 * may then run that output with a warning, while the server refuses. A failed build exits 1.
 */
export function ensureBuild(entry = 'dist/src/main.js', { allowTypeErrors = false } = {}) {
  const abs = join(root, entry);
  if (!isStale(abs)) return abs;
  const lock = join(root, 'dist', '.build-lock');
  mkdirSync(join(root, 'dist'), { recursive: true });
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A lock older than 5 minutes belongs to a build that died.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      sleep(200);
    }
  }
  try {
    if (isStale(abs)) execSync('npm run build', { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  } catch {
    if (allowTypeErrors && existsSync(abs) && !isStale(abs)) {
      process.stderr.write(`warning: the build reported errors (above); running the emitted ${entry} anyway\n`);
    } else {
      process.stderr.write(`error: npm run build failed; ${entry} was not produced\n`);
      process.exit(1);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return abs;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  ensureBuild(
    process.argv.slice(2).find((a) => !a.startsWith('--')),
    { allowTypeErrors: process.argv.includes('--allow-type-errors') },
  );
}
