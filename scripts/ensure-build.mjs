// Builds (`npm run build:server`, `npm run build:web`) only when the output is missing or older than
// any source. Shared by `npm start`, `npm run cli`, `npm run bench` and the browser tests; runnable
// alone: `node scripts/ensure-build.mjs [entry]`, `node scripts/ensure-build.mjs --web`.
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

export function isStale(entry, dirs = SOURCE_DIRS, files = CONFIG_FILES) {
  if (!existsSync(entry)) return true;
  const built = statSync(entry).mtimeMs;
  const sources = Math.max(
    ...dirs.map((d) => newest(join(root, d))),
    ...files.map((f) => (existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : 0)),
  );
  return sources > built;
}

/** The web app (web/, Vite): its sources and configuration. */
const WEB_SOURCES = ['web/src'];
const WEB_FILES = ['web/index.html', 'web/vite.config.ts', 'web/package.json', 'web/tsconfig.json'];
export const WEB_ENTRY = 'web/dist/index.html';

/** Builds web/dist (`npm run build:web`) when it is missing or older than web/src; the same lock as the server build. */
export function ensureWebBuild() {
  const abs = join(root, WEB_ENTRY);
  const stale = () => isStale(abs, WEB_SOURCES, WEB_FILES);
  if (!stale()) return abs;
  withBuildLock(() => {
    if (stale()) execSync('npm run build:web', { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  });
  return abs;
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
  withBuildLock(() => {
    try {
      if (isStale(abs)) execSync('npm run build:server', { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
    } catch {
      if (allowTypeErrors && existsSync(abs) && !isStale(abs)) {
        process.stderr.write(`warning: the build reported errors (above); running the emitted ${entry} anyway\n`);
      } else {
        process.stderr.write(`error: npm run build:server failed; ${entry} was not produced\n`);
        process.exit(1);
      }
    }
  });
  return abs;
}

/** Runs `fn` holding dist/.build-lock, so parallel callers (CLI runs, jest workers) never build over each other. */
function withBuildLock(fn) {
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
    fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.argv.includes('--web')) {
  ensureWebBuild();
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  ensureBuild(
    process.argv.slice(2).find((a) => !a.startsWith('--')),
    { allowTypeErrors: process.argv.includes('--allow-type-errors') },
  );
}
