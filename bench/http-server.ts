/**
 * Our server for `npm run bench -- http`: the real app (createApp, every module and projection)
 * on the embedded stores in the given directory, listening on loopback, started by the bench as
 * a child process with IPC. The clock is a ManualClock the bench moves by message (one TOTP
 * code per user per time step); everything else is the production configuration (LOG_LEVEL info,
 * request logs written to stdout, which the bench discards).
 *   argv: <data dir>
 * It also serves GET /bench/bare, a public Nest route answering a constant through the same
 * middleware, guard, interceptor and logging as every route: the same-run baseline of GET /me.
 *   in:  { advance: ms } · { rss: true } · { bareHash: { n, clients } } · { profile: 'start' | <file> } · { settle: true } · { heap: <file> }
 *   out: { port } · { advanced: epoch ms } · { rss: MB, memory, gc: { minor, major, other: { n, ms } }, cpu } · { bareHash: verifies per second } · { profiled }
 *        · { heap: file written } · { settled } (projections, reactors and the job queue idle: the setup's mails are sent)
 *   in:  { lag: true } -> out: { lag: events the passport projections are behind the head }
 */
import { Controller, Get, Module } from '@nestjs/common';
import { writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants as perf } from 'node:perf_hooks';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/config.js';
import { hashPassword, verifyPassword } from '../src/identity/users/password.js';
import { ManualClock } from '../src/shared/clock.js';
import { Public } from '../src/identity/auth/decorators.js';
import { SpineLifecycle } from '../src/spine.module.js';
import { ProjectionEngine } from '../src/projections-runtime/projection-engine.js';

@Public()
@Controller('bench')
class BareController {
  @Get('bare')
  bare() {
    return { ok: true };
  }
}
@Module({ controllers: [BareController] })
class BareModule {}

/** CPU profile of one measured row only (BENCH_PROF): started and written on the bench's word. */
let profiler: Session | null = null;
async function profile(cmd: string): Promise<void> {
  if (cmd === 'start') {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    return;
  }
  if (!profiler) return;
  const { profile: p } = await profiler.post('Profiler.stop');
  writeFileSync(cmd, JSON.stringify(p));
  profiler.disconnect();
  profiler = null;
}

const send = (m: unknown) => process.send!(m);

/** The stored hash the bare verifies check, made at start so that its one hash is not in their CPU time. */
let storedHash: Promise<string> | undefined;

/** Garbage collections since start, by kind: count and pause milliseconds (the cost of a smaller heap). */
const gc = { minor: { n: 0, ms: 0 }, major: { n: 0, ms: 0 }, other: { n: 0, ms: 0 } };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    const k = kind === perf.NODE_PERFORMANCE_GC_MINOR ? gc.minor : kind === perf.NODE_PERFORMANCE_GC_MAJOR ? gc.major : gc.other;
    k.n++;
    k.ms += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

async function bareHash(n: number, clients: number): Promise<number> {
  const stored = await storedHash!;
  let left = n;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (left-- > 0) await verifyPassword(stored, 'the right password 123');
    }),
  );
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function main(): Promise<void> {
  const dir = process.argv[2]!;
  const clock = new ManualClock(Date.now());
  const config = loadConfig({
    ...process.env,
    DATA_DIR: dir,
    PORT: '0',
    BOOTSTRAP_TENANT_NAME: 'Bench federation',
    BOOTSTRAP_TENANT_TYPE: 'FEDERATION',
    BOOTSTRAP_ADMIN_EMAIL: 'admin@bench.test',
    BOOTSTRAP_ADMIN_PASSWORD: 'the right password 123',
  });
  storedHash = hashPassword('the right password 123');
  const app = await createApp({ config, clock, extraModules: [BareModule] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const lifecycle = app.get(SpineLifecycle);
  process.on(
    'message',
    (m: {
      advance?: number;
      set?: number;
      rss?: boolean;
      bareHash?: { n: number; clients: number };
      profile?: string;
      settle?: boolean;
      lag?: boolean;
      heap?: string;
    }) => {
      if (m.advance !== undefined || m.set !== undefined) {
        if (m.set !== undefined) clock.set(m.set);
        else clock.advance(m.advance!);
        send({ advanced: clock.now().getTime() });
      } else if (m.rss) send({ rss: process.resourceUsage().maxRSS / 1024, memory: process.memoryUsage(), gc, cpu: process.cpuUsage() });
      else if (m.heap) send({ heap: writeHeapSnapshot(m.heap) });
      else if (m.settle) void lifecycle.settle(300_000).then(() => send({ settled: true }));
      else if (m.lag)
        void app
          .get(ProjectionEngine)
          .status()
          .then((st) => send({ lag: Math.max(0, ...st.filter((x) => x.name.startsWith('chain_passport')).map((x) => x.lag)) }));
      else if (m.profile) void profile(m.profile).then(() => send({ profiled: m.profile }));
      else if (m.bareHash) void bareHash(m.bareHash.n, m.bareHash.clients).then((r) => send({ bareHash: r }));
    },
  );
  process.on('disconnect', () => {
    // BENCH_GC_FILE=<file>: the GC totals and CPU time of the whole run, for A/B runs of heap settings
    if (process.env.BENCH_GC_FILE) writeFileSync(process.env.BENCH_GC_FILE, JSON.stringify({ gc, cpu: process.cpuUsage(), maxRSS: process.resourceUsage().maxRSS / 1024 }));
    void app.close().finally(() => process.exit(0));
  });
  send({ port, now: clock.now().getTime() });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
