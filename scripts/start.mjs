// `npm start`: builds when the compiled output is missing or older than the sources, then serves.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { ensureBuild, ensureWebBuild } from './ensure-build.mjs';

const entry = ensureBuild('dist/src/main.js');
ensureWebBuild(); // the screens at /account, /admin, /sys
// Memory settings of the server process, measured with `npm run bench -- http` (README, Benchmarks,
// "Memory"); they must be set before node starts, and any of them you set yourself wins:
// - MALLOC_ARENA_MAX=2: glibc's malloc gives each thread that allocates its own arena and keeps
//   freed memory there: the argon2id verifies (19 MiB each) on the libuv threads then hold ~70 MB
//   more RSS for good.
// - UV_THREADPOOL_SIZE = the cores, 2 to 4 (libuv's default is 4): the argon2id verifies run on
//   this pool, 19 MiB each, as many at once as it has threads; more threads than cores add memory,
//   not hashes per second.
// - --max-old-space-size=512: with the default limit (a quarter of the machine's memory, capped
//   at ~4 GB) V8 lets the old generation grow to 4x what survived the last full GC before it
//   collects again (under the bench 300 MB of heap for ~75 MB live); under a 512 MB limit it grows
//   ~1.4x. Headroom: the live heap under the bench stays below 100 MB.
// - --max-semi-space-size=8: the young generation at half its default size (16 MB per semi-space).
const env = {
  ...process.env,
  MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
  UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? String(Math.min(4, Math.max(2, availableParallelism()))),
  NODE_OPTIONS: `--max-old-space-size=512 --max-semi-space-size=8 ${process.env.NODE_OPTIONS ?? ''}`.trim(),
};
const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit', env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
