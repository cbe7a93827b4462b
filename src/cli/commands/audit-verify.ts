import type { EventStore, StoredEvent } from '../../eventstore/event-store.port.js';
import { verifyChain, type ChainBreak } from '../../eventstore/hash-chain.js';
import type { EventRow } from '../../eventstore/sqlite-event-store.js';
import { rawEventStore } from '../../privacy/sealing-event-store.js';
import type { CliCommand } from '../command.js';

export interface AuditBreak {
  stream: string;
  version: number;
  position: number;
  reason: ChainBreak['reason'] | 'version_gap' | 'unreadable';
  detail: string;
}

/** What the SQL engines (SQLite, PostgreSQL) offer beyond the port: rows as stored, before parsing. */
interface RawRows {
  listStreams(): Promise<string[]>;
  rawStream(stream: string): Promise<EventRow[]>;
}
const hasRawRows = (store: EventStore): store is EventStore & RawRows =>
  typeof (store as Partial<RawRows>).listStreams === 'function' && typeof (store as Partial<RawRows>).rawStream === 'function';

/** Every stream name, in order of first appearance in the log. */
async function listStreams(store: EventStore): Promise<string[]> {
  if (hasRawRows(store)) return store.listStreams();
  const seen = new Set<string>();
  for (let from = 0; ;) {
    const page = await store.readAll({ from, limit: 5000 });
    if (page.length === 0) break;
    for (const e of page) seen.add(e.stream);
    from = page[page.length - 1]!.position;
  }
  return [...seen];
}

/**
 * One stream's events for the audit. On the SQL engines the rows are parsed one by one, so a row
 * whose JSON was damaged is reported as a broken link instead of aborting the whole audit.
 */
async function loadStream(store: EventStore, stream: string): Promise<StoredEvent[] | AuditBreak> {
  if (!hasRawRows(store)) return store.readStream(stream);
  const rows = await store.rawStream(stream);
  const events: StoredEvent[] = [];
  for (const r of rows) {
    try {
      events.push({ ...r, data: JSON.parse(r.data), metadata: JSON.parse(r.metadata) });
    } catch (err) {
      return { stream, version: r.version, position: r.position, reason: 'unreadable', detail: (err as Error).message };
    }
  }
  return events;
}

export function verifyStream(stream: string, events: StoredEvent[]): AuditBreak | null {
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.version !== i) {
      return {
        stream,
        version: e.version,
        position: e.position,
        reason: 'version_gap',
        detail: `expected version ${i}, found ${e.version}`,
      };
    }
  }
  const broken = verifyChain(events);
  if (!broken) return null;
  return {
    stream: broken.stream,
    version: broken.version,
    position: broken.position,
    reason: broken.reason,
    detail: `expected ${broken.reason === 'hash_mismatch' ? 'hash' : 'prev_hash'} ${broken.expected ?? 'null'}, found ${broken.found ?? 'null'}`,
  };
}

export const auditVerifyCommand: CliCommand = {
  name: 'audit:verify',
  synopsis: '[--stream <s>]',
  summary: "recompute every stream's hash chain; exit 1 naming the first broken link",
  options: { stream: { type: 'string' } },
  validate: ({ positionals }) => (positionals.length ? `unexpected argument ${positionals[0]}` : null),
  async run({ values }, ctx) {
    // the chain is over the sealed form: verified as stored, never as opened
    const store = rawEventStore(await ctx.events());
    const only = typeof values.stream === 'string' ? values.stream : null;
    const streams = only ? [only] : await listStreams(store);
    let eventCount = 0;
    const breaks: AuditBreak[] = [];
    for (const stream of streams) {
      const loaded = await loadStream(store, stream);
      if (!Array.isArray(loaded)) {
        breaks.push(loaded);
        continue;
      }
      if (only && loaded.length === 0) {
        ctx.err(`stream ${only} not found (no events)`);
        return 1;
      }
      eventCount += loaded.length;
      const broken = verifyStream(stream, loaded);
      if (broken) breaks.push(broken);
    }
    if (breaks.length === 0) {
      ctx.out(`audit:verify OK: ${streams.length} stream${streams.length === 1 ? '' : 's'}, ${eventCount} events, every hash chain intact`);
      return 0;
    }
    const first = breaks.reduce((a, b) => (b.position < a.position ? b : a));
    ctx.out(`audit:verify FAILED: ${breaks.length} of ${streams.length} streams broken`);
    ctx.out(`first broken link: stream ${first.stream}, version ${first.version}, position ${first.position}, reason ${first.reason}`);
    ctx.out(`  ${first.detail}`);
    for (const b of breaks.filter((x) => x !== first).slice(0, 20)) {
      ctx.out(`also broken: stream ${b.stream}, version ${b.version}, position ${b.position}, reason ${b.reason}`);
    }
    return 1;
  },
};
