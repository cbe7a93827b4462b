import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ROOT } from './run-cli.js';
import { BOOTSTRAP_ENV } from '../../support/identity.js';
import type { TestApp } from '../../support/test-app.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A real server process (`node dist/src/main.js`). */
export interface ServerProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Enough of a TestApp for the identity helpers (they only use `http`). */
  t: TestApp;
  /** What the process wrote to stderr so far. */
  stderr(): string;
}

/** Starts `node dist/src/main.js` with the bootstrap env and `env`, and waits until /health answers 200. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'error',
      ...BOOTSTRAP_ENV,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (gone) throw new Error(`server exited before it was ready: ${stderr}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`server not ready: ${stderr}`);
    await sleep(100);
  }
  return { child, exited, t: { http: request(url), url } as unknown as TestApp, stderr: () => stderr };
}

/**
 * SIGTERM (unless it is gone already), then waits for the exit; SIGKILL after `graceMs`, so a
 * process that cannot run its handler (stuck in native code, say) does not outlive the test.
 */
export async function stopServerProcess(s: ServerProcess, graceMs = 15_000): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const kill = new Promise<void>((r) => {
    timer = setTimeout(() => {
      s.child.kill('SIGKILL');
      r();
    }, graceMs);
  });
  await Promise.race([s.exited, kill]);
  clearTimeout(timer);
  await s.exited;
}

/** The signals pending on a process, by name, from /proc (Linux): a process spinning on a fault shows it there. */
export function pendingSignals(pid: number | undefined): string[] {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^SigPnd:\s*([0-9a-f]+)/m)?.[1];
    const mask = BigInt(`0x${line ?? '0'}`);
    return Object.entries(constants.signals)
      .filter(([, n]) => (mask >> BigInt(n - 1)) & 1n)
      .map(([name]) => name);
  } catch {
    return [];
  }
}
