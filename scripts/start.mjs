// `npm start`: builds when the compiled output is missing or older than the sources, then serves.
import { spawn } from 'node:child_process';
import { ensureBuild } from './ensure-build.mjs';

const entry = ensureBuild('dist/src/main.js');
const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
