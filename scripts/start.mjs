// `npm start`: builds when the compiled output is missing or older than the sources, then serves.
import { spawn } from 'node:child_process';
import { ensureBuild, ensureWebBuild } from './ensure-build.mjs';

const entry = ensureBuild('dist/src/main.js');
ensureWebBuild(); // the screens at /account, /admin, /sys
// glibc's malloc gives each thread that allocates its own arena and keeps freed memory there: the
// argon2id verifies (19 MiB each) on the libuv threads then hold ~70 MB more RSS for good. Two
// arenas bound that; set MALLOC_ARENA_MAX yourself to override (it must be set before node starts).
const env = { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' };
const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit', env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
