import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Builds dist once when it is older than the sources (same rule as `npm start`); tolerant of others' type errors. */
export function ensureBuilt(entry = 'dist/src/cli/main.js'): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts/ensure-build.mjs'), entry, '--allow-type-errors'], { cwd: ROOT, stdio: 'pipe' });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const cliOptions = (dataDir: string, env: Record<string, string>) => ({
  cwd: ROOT,
  encoding: 'utf8' as const,
  env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
  timeout: 120_000,
});

/** Runs the real CLI (`npm run cli -- ...` minus npm) against the given DATA_DIR. */
export function runCli(dataDir: string, args: string[], env: Record<string, string> = {}): CliResult {
  const res = spawnSync(process.execPath, [join(ROOT, 'scripts/cli.mjs'), ...args], cliOptions(dataDir, env));
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** runCli without blocking the test's event loop (for a CLI run while the test drives a server). */
export function runCliAsync(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'scripts/cli.mjs'), ...args], cliOptions(dataDir, env), (err, stdout, stderr) =>
      // a non-zero exit puts the code on the error; a signal (the timeout) leaves none
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });
}
