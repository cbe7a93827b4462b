/**
 * `npm run bench -- vault`: what opening sealed personal fields costs the readers of the log, with
 * and without the vault's memo, in one process (interleaved rounds, CPU time by process.cpuUsage).
 * BENCH_VAULT_EVENTS (default 10,000) SessionStarted-like events, 5 sealed fields each (ip, device,
 * location, and the metadata ip/user agent), over 1,000 people; every page is read by 4
 * subscriptions (the projection engine and 3 reactors), each with its own JSON.parse of the rows.
 *   sealed here, memo:  the process that appended them (the hot path: it sealed, so it knows them)
 *   other process, memo: a process that did not seal them (one decrypt, then memo for the 3 others)
 *   no memo:            every subscription decrypts every field (the code before the memo)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent, StoredEvent } from '../src/eventstore/event-store.port.js';
import { SqliteEventStore } from '../src/eventstore/sqlite-event-store.js';
import { SqliteKeyStore } from '../src/privacy/key-store.js';
import { personal } from '../src/privacy/personal-data-rule.js';
import { SealingEventStore } from '../src/privacy/sealing-event-store.js';
import { PersonalDataVault } from '../src/privacy/vault.js';

const EVENTS = Number(process.env.BENCH_VAULT_EVENTS ?? 10_000);
const PEOPLE = 1000;
const PAGE = 500;
const SUBSCRIPTIONS = 4;
const ROUNDS = 5;
const RULES = [personal('SessionStarted', (d) => d.user_id, ['ip', 'device', 'location'])];
const person = (i: number) => `00000000-0000-4000-8000-${String(i % PEOPLE).padStart(12, '0')}`;

function sessionStarted(i: number): NewEvent {
  const user = person(i);
  return {
    type: 'SessionStarted',
    data: {
      user_id: user,
      session_id: `s-${i}`,
      ip: `198.51.100.${i % 250}`,
      device: 'Firefox on Linux',
      location: 'Lund, SE',
      method: 'password',
    },
    metadata: {
      actor_id: user,
      ip: `198.51.100.${i % 250}`,
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    },
  };
}

const cpuMicros = (f: () => Promise<unknown>) => async () => {
  const t0 = process.cpuUsage();
  await f();
  const u = process.cpuUsage(t0);
  return u.user + u.system;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function vaultBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plq-bench-vault-'));
  try {
    const raw = new SqliteEventStore(join(dir, 'events.sqlite'));
    const keys = new SqliteKeyStore(join(dir, 'keys.sqlite'));
    const serverKey = randomBytes(32);
    const vault = (memoEntries?: number) => new PersonalDataVault(keys, serverKey, { memoEntries });
    const writer = new SealingEventStore(raw, vault(), RULES);
    const plain = Array.from({ length: EVENTS }, (_, i) => sessionStarted(i));

    // appends are not timed here (SQLite's COMMIT dominates); seal() alone is, memo on and off
    const sealTimes = { memo: [] as number[], off: [] as number[] };
    const offWriter = new SealingEventStore(raw, vault(0), RULES);
    await offWriter.seal(plain.slice(0, PEOPLE)); // both create/load every key first
    await writer.seal(plain.slice(0, PEOPLE));
    for (let r = 0; r < ROUNDS; r++) {
      sealTimes.memo.push(await cpuMicros(() => writer.seal(plain))());
      sealTimes.off.push(await cpuMicros(() => offWriter.seal(plain))());
    }
    /** A page read by 4 subscriptions, each parsing the rows itself; only open() is timed. */
    const fourReaders = async (store: SealingEventStore, rows: string) => {
      let micros = 0;
      for (let s = 0; s < SUBSCRIPTIONS; s++) {
        const page = JSON.parse(rows) as StoredEvent[];
        micros += await cpuMicros(() => store.open(page))();
      }
      return micros;
    };
    const people = Array.from({ length: PEOPLE }, (_, i) => person(i));
    const fresh = async (memoEntries?: number) => {
      const store = new SealingEventStore(raw, vault(memoEntries), RULES);
      await store.vault.prepare(people, false); // key loads are not what is measured
      return store;
    };
    const times: Record<string, number[]> = {};
    const decrypts: Record<string, number> = {};
    const record = (name: string, micros: number, store: SealingEventStore) => {
      (times[name] ??= []).push(micros);
      decrypts[name] = store.vault.stats.decrypts;
    };
    for (let r = 0; r <= ROUNDS; r++) {
      // the hot path: this process appends a page, then its 4 subscriptions read it
      const here = await fresh();
      const pages: string[] = [];
      let micros = 0;
      for (let i = 0; i < EVENTS; i += PAGE) {
        const from = await raw.headPosition();
        for (let j = i; j < i + PAGE; j += 100) await here.append(`bench-${r}-${j}`, plain.slice(j, j + 100), 'no_stream');
        pages.push(JSON.stringify(await raw.readAll({ from, limit: PAGE })));
        micros += await fourReaders(here, pages[pages.length - 1]!);
      }
      // the same pages in processes that did not seal them, with and without the memo
      const other = await fresh();
      const none = await fresh(0);
      let otherMicros = 0;
      let noneMicros = 0;
      for (const page of pages) {
        otherMicros += await fourReaders(other, page);
        noneMicros += await fourReaders(none, page);
      }
      if (r === 0) continue; // warm-up
      record('sealed here, memo', micros, here);
      record('other process, memo', otherMicros, other);
      record('no memo', noneMicros, none);
    }
    const cases = { 'sealed here, memo': 0, 'other process, memo': 0, 'no memo': 0 };
    const fields = EVENTS * 5;
    const out = [
      `vault: ${EVENTS} events x 5 sealed fields, ${SUBSCRIPTIONS} subscriptions, pages of ${PAGE}; median CPU of ${ROUNDS} interleaved rounds`,
      ...Object.keys(cases).map(
        (n) =>
          `  open, ${n.padEnd(20)} ${(median(times[n]!) / 1000).toFixed(1).padStart(7)} ms  ${(median(times[n]!) / EVENTS).toFixed(2).padStart(6)} µs/event  decrypts ${decrypts[n]}`,
      ),
      `  seal, memo on            ${(median(sealTimes.memo) / fields).toFixed(2)} µs/field`,
      `  seal, memo off           ${(median(sealTimes.off) / fields).toFixed(2)} µs/field`,
      `  memo now holds ${writer.vault.memoSize().entries} entries, ${writer.vault.memoSize().chars} chars; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    await raw.close();
    await keys.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
