// `npm run bench`: builds when stale, then runs the benchmarks (dist/bench/main.js). BENCH_EVENTS sets the rebuild size.
import { spawn } from 'node:child_process';
import { ensureBuild } from './ensure-build.mjs';

const entry = ensureBuild('dist/bench/main.js', { allowTypeErrors: true });
const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
