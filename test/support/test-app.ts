import type { INestApplication, DynamicModule, Type } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app.factory.js';
import { loadConfig, type AppConfig } from '../../src/config/config.js';
import type { ProjectionDefinition } from '../../src/projections-runtime/projection.js';
import { ManualClock } from '../../src/shared/clock.js';
import { SpineLifecycle } from '../../src/spine.module.js';
import { dropSchema } from './postgres.js';

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  /** Base URL of the listening server (for clients other than supertest). */
  url: string;
  dataDir: string;
  config: AppConfig;
  clock: ManualClock;
  /** Waits until projections and reactors have seen every event and the job queue is idle. */
  settle(): Promise<void>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  dataDir?: string;
  clock?: ManualClock;
  extraModules?: Array<Type<unknown> | DynamicModule>;
  extraProjections?: readonly ProjectionDefinition[];
  /** Listen on this loopback port instead of an ephemeral one (e.g. when an origin must be known up front). */
  port?: number;
}

/**
 * The real app over real HTTP on an ephemeral loopback port, with the embedded stores in a
 * fresh temp dir (or the given one, to test restarts) and a clock the test moves by hand.
 * Server-backed adapters are used only when their URL is passed in `env`.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'plq-e2e-'));
  const clock = options.clock ?? new ManualClock('2026-03-02T08:00:00.000Z');
  // TEST_APP_DATABASE_URL runs every app test on PostgreSQL: one schema per data dir (so a restart
  // on the same dir finds its data), dropped with the dir.
  const pgUrl = process.env.TEST_APP_DATABASE_URL;
  const pgSchema = pgUrl ? `e2e_${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}` : null;
  const pgEnv: Record<string, string> = pgUrl ? { DATABASE_URL: pgUrl, DATABASE_SCHEMA: pgSchema! } : {};
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', ...pgEnv, ...options.env });
  const app = await createApp({ config, clock, extraModules: options.extraModules, extraProjections: options.extraProjections });
  await app.listen(options.port ?? 0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const lifecycle = app.get(SpineLifecycle);
  return {
    app,
    http: request(url),
    url,
    dataDir,
    config,
    clock,
    settle: () => lifecycle.settle(),
    async close({ keepData = false } = {}) {
      await app.close();
      if (!keepData && !options.dataDir) {
        rmSync(dataDir, { recursive: true, force: true });
        if (pgUrl) await dropSchema(pgUrl, pgSchema!);
      }
    },
  };
}

/** Asserts an RFC 9457 problem answer with the given status and error_code. */
export function expectProblem(
  res: { status: number; headers: Record<string, string>; body: Record<string, unknown> },
  status: number,
  code?: string,
) {
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  if (code) expect(res.body.error_code).toBe(code);
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack traces
}
