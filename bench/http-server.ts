/**
 * Our server for `npm run bench -- http`: the real app (createApp, every module and projection)
 * on the embedded stores in the given directory, listening on loopback, started by the bench as
 * a child process with IPC. The clock is a ManualClock the bench moves by message (one TOTP
 * code per user per time step); everything else is the production configuration (LOG_LEVEL info,
 * request logs written to stdout, which the bench discards).
 *   argv: <data dir>
 *   in:  { advance: ms } · { rss: true } · { bareHash: { n, clients } }
 *   out: { port } · { advanced: epoch ms } · { rss: MB } · { bareHash: verifies per second }
 */
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/config.js';
import { hashPassword, verifyPassword } from '../src/identity/users/password.js';
import { ManualClock } from '../src/shared/clock.js';

const send = (m: unknown) => process.send!(m);

async function bareHash(n: number, clients: number): Promise<number> {
  const stored = await hashPassword('the right password 123');
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
  const app = await createApp({ config, clock });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.on('message', (m: { advance?: number; set?: number; rss?: boolean; bareHash?: { n: number; clients: number } }) => {
    if (m.advance !== undefined || m.set !== undefined) {
      if (m.set !== undefined) clock.set(m.set);
      else clock.advance(m.advance!);
      send({ advanced: clock.now().getTime() });
    } else if (m.rss) send({ rss: process.resourceUsage().maxRSS / 1024 });
    else if (m.bareHash) void bareHash(m.bareHash.n, m.bareHash.clients).then((r) => send({ bareHash: r }));
  });
  process.on('disconnect', () => void app.close().finally(() => process.exit(0)));
  send({ port, now: clock.now().getTime() });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
