// Better Auth (email + password, two-factor plugin) on SQLite via better-sqlite3, served by
// node:http, for `npm run bench -- http`. Started by the bench as a child process with IPC:
//   argv: <data dir>        messages in: { advance: ms } (moves Date.now, for TOTP steps), { rss: true }, { bareHash: { n, clients } }
//   messages out: { port }, { advanced }, { rss: MB }, { bareHash: verifies per second }
//   { setup: true|false }: while true, password hashing and verifying take a shortcut so that
//   creating 1,000 users does not take minutes of scrypt; every measured request runs with
//   setup false, i.e. Better Auth's own scrypt hash and verify.
// Date.now is offset only so the bench can give every user one TOTP code per time step, as it
// does for our server; nothing else is changed.
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { twoFactor } from 'better-auth/plugins';
import { hashPassword, verifyPassword } from 'better-auth/crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';

let offset = 0;
let setup = false;
const cached = {};
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + offset;

const dir = process.argv[2];
const db = new Database(join(dir, 'better-auth.sqlite'));
// the same durability as our embedded stores (WAL, synchronous=NORMAL)
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');

const options = {
  appName: 'Bench',
  baseURL: 'http://127.0.0.1',
  secret: 'bench-secret-bench-secret-bench-secret-0123456789',
  database: db,
  emailAndPassword: {
    enabled: true,
    password: {
      hash: async (password) => (setup ? (cached[password] ??= await hashPassword(password)) : hashPassword(password)),
      verify: async ({ hash, password }) => (setup ? cached[password] === hash : verifyPassword({ hash, password })),
    },
  },
  rateLimit: { enabled: false },
  logger: { disabled: true },
  telemetry: { enabled: false },
  plugins: [twoFactor({ issuer: 'Bench' })],
};
const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);
const handler = toNodeHandler(auth);

const server = createServer((req, res) => handler(req, res));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));

// the stored hash the bare verifies check, made at start so that its one hash is not in their CPU time
const storedHash = hashPassword('the right password 123');
async function bareHash(n, clients) {
  const stored = await storedHash;
  let left = n;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (left-- > 0) await verifyPassword({ hash: stored, password: 'the right password 123' });
    }),
  );
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

process.on('message', async (m) => {
  if (m.setup !== undefined) {
    setup = m.setup;
    process.send({ setup });
  } else if (m.advance) {
    offset += m.advance;
    process.send({ advanced: offset });
  } else if (m.rss) process.send({ rss: process.resourceUsage().maxRSS / 1024 });
  else if (m.bareHash) process.send({ bareHash: await bareHash(m.bareHash.n, m.bareHash.clients) });
});
process.on('disconnect', () => process.exit(0));
