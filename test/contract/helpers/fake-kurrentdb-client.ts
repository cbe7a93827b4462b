/**
 * An in-memory stand-in for the part of KurrentDBClient the adapter uses, following the
 * server's documented semantics, so the contract suite can exercise KurrentDbEventStore's own
 * logic (hash chain, 'any' retries, position math, system-event filtering, wake-ups) on a
 * machine without KurrentDB. It is NOT a substitute for running the suite with EVENTSTORE_URL:
 *  - $all positions are byte offsets; events written without explicit transactions have
 *    commit === prepare (AllReader: CommitEventRecord(eventRecord, prepare.LogPosition));
 *  - readAll forwards from a position is inclusive; backwards is exclusive; subscriptions are exclusive;
 *  - appends check streamState atomically and throw WrongExpectedVersionError;
 *  - reading a missing stream throws StreamNotFoundError while iterating;
 *  - metadata and data travel as JSON bytes; system events ($-types, $-streams) exist in $all;
 *  - the append answers with the commit position of its last event;
 *  - servers before 22.6 (`{ streamReadPositions: false }`) give events read from a stream no
 *    position: the client reports u64::MAX (only reads of $all carry positions);
 *  - a live subscription is a stream the server may end ('end' then 'close': shutdown, leader
 *    change), drop ('close') or fail ('error' then 'close'), see endLive();
 *  - any call can fail with the client's errors (UnavailableError...), see failNext().
 */
import { EventEmitter } from 'node:events';
import {
  ANY,
  BACKWARDS,
  END,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AppendStreamState,
  type EventData,
  type Filter,
  type Position,
} from '@kurrent/kurrentdb-client';

interface Rec {
  streamId: string;
  id: string;
  type: string;
  revision: bigint;
  data: unknown;
  metadata: unknown;
  isJson: boolean;
  created: Date;
  position: Position;
}

const tick = () => new Promise<void>((r) => setImmediate(r));
const matches = (filter: Filter | undefined, r: Rec) =>
  !filter || !('regex' in filter) || new RegExp(filter.regex).test(filter.filterOn === 'eventType' ? r.type : r.streamId);
const resolved = (r: Rec) => ({ event: structuredClone(r), commitPosition: r.position.commit });
const U64_MAX = 18_446_744_073_709_551_615n;
/** A stream read on a server before 22.6: the record has no position (u64::MAX), nor does the read. */
const resolvedFromStreamWithoutPosition = (r: Rec) => ({
  event: { ...structuredClone(r), position: { commit: U64_MAX, prepare: U64_MAX } },
});

type Op = 'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll';
type LiveSub = EventEmitter & { unsubscribe(): Promise<void> };

export class FakeKurrentDbClient {
  private readonly log: Rec[] = [];
  private readonly live = new EventEmitter();
  private offset = 1000n;
  private readonly failures: Array<{ op: Op; err: Error }> = [];
  private readonly liveSubs = new Set<LiveSub>();
  /** Live subscriptions opened so far (reopens included). */
  subscriptionsOpened = 0;

  constructor(private readonly options: { streamReadPositions?: boolean } = {}) {
    this.live.setMaxListeners(0);
    this.system('$statsCollected', '$stats-127.0.0.1:2113');
  }

  /** Live subscriptions currently open. */
  get liveSubscriptions(): number {
    return this.liveSubs.size;
  }

  /** The next `times` calls of `op` fail with `err` (default: the server is unavailable). */
  failNext(op: Op, times = 1, err: Error = new UnavailableError(undefined, 'fake: server unavailable')): void {
    for (let i = 0; i < times; i++) this.failures.push({ op, err });
  }

  private failure(op: Op): Error | null {
    const i = this.failures.findIndex((f) => f.op === op);
    return i < 0 ? null : this.failures.splice(i, 1)[0]!.err;
  }

  /**
   * The server stops every live subscription: 'end' (it completed the call: shutdown, leader
   * change), 'close' (the connection went away) or 'error'; a Node stream then emits 'close'.
   */
  endLive(how: 'end' | 'close' | 'error'): void {
    for (const sub of [...this.liveSubs]) {
      void sub.unsubscribe();
      if (how === 'error') sub.emit('error', new UnavailableError(undefined, 'fake: subscription dropped'));
      if (how === 'end') sub.emit('end');
      sub.emit('close');
    }
  }

  /** Writes a system event, as the server does on its own ($stats, $metadata, projections...). */
  system(type: string, streamId: string): void {
    this.write(streamId, { id: crypto.randomUUID(), type, data: {}, metadata: undefined });
  }

  /** Writes a binary (non-JSON) event into a stream, as another writer to the same server may. */
  binary(streamId: string, type: string): void {
    this.write(streamId, { id: crypto.randomUUID(), type, data: {}, metadata: undefined }).isJson = false;
  }

  private write(streamId: string, e: { id: string; type: string; data: unknown; metadata: unknown }): Rec {
    const revision = BigInt(this.log.filter((r) => r.streamId === streamId).length);
    this.offset += 137n + BigInt(JSON.stringify(e.data ?? null).length);
    const rec: Rec = {
      streamId,
      id: e.id,
      type: e.type,
      revision,
      data: JSON.parse(JSON.stringify(e.data)),
      metadata: e.metadata === undefined ? undefined : JSON.parse(JSON.stringify(e.metadata)),
      isJson: true,
      created: new Date(),
      position: { commit: this.offset, prepare: this.offset },
    };
    this.log.push(rec);
    return rec;
  }

  async appendToStream(streamName: string, events: EventData[], options: { streamState?: AppendStreamState } = {}) {
    await tick(); // let concurrent callers interleave before the atomic check-and-write
    const failed = this.failure('appendToStream');
    if (failed) throw failed;
    const state = options.streamState ?? ANY;
    const last = [...this.log].reverse().find((r) => r.streamId === streamName);
    const current = last ? last.revision : -1n;
    const ok = state === ANY || (state === NO_STREAM ? current === -1n : state === STREAM_EXISTS ? current >= 0n : current === state);
    if (!ok) {
      throw new WrongExpectedVersionError(undefined, { streamName, expected: state, current: current === -1n ? NO_STREAM : current });
    }
    const written = events.map((e) => this.write(streamName, e));
    if (Math.random() < 0.3) this.system('$metadata', `$$${streamName}`);
    const lastRec = written[written.length - 1]!;
    for (const r of written) this.live.emit('appended', r);
    return { success: true, nextExpectedRevision: lastRec.revision, position: lastRec.position };
  }

  readStream(streamName: string, options: { direction?: string; fromRevision?: bigint | string; maxCount?: number | bigint } = {}) {
    const self = this;
    return (async function* () {
      await tick();
      const failed = self.failure('readStream');
      if (failed) throw failed;
      let recs = self.log.filter((r) => r.streamId === streamName);
      if (recs.length === 0) throw new StreamNotFoundError(undefined, streamName);
      const from = options.fromRevision;
      if (options.direction === BACKWARDS) {
        recs = recs.reverse().filter((r) => from === END || from === undefined || r.revision <= (from as bigint));
      } else {
        recs = recs.filter((r) => typeof from !== 'bigint' || r.revision >= from);
      }
      const asRead = self.options.streamReadPositions === false ? resolvedFromStreamWithoutPosition : resolved;
      for (const r of recs.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER))) yield asRead(r);
    })();
  }

  readAll(options: { direction?: string; fromPosition?: Position | string; maxCount?: number | bigint; filter?: Filter } = {}) {
    const self = this;
    return (async function* () {
      await tick();
      const failed = self.failure('readAll');
      if (failed) throw failed;
      const from = options.fromPosition;
      let recs: Rec[];
      if (options.direction === BACKWARDS) {
        recs = [...self.log].reverse().filter((r) => typeof from !== 'object' || r.position.commit < from.commit);
      } else {
        recs = self.log.filter((r) => typeof from !== 'object' || r.position.commit >= from.commit);
      }
      recs = recs.filter((r) => matches(options.filter, r));
      for (const r of recs.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER))) yield resolved(r);
    })();
  }

  subscribeToAll(options: { fromPosition?: Position | string; filter?: Filter } = {}) {
    if (options.fromPosition !== END) throw new Error('fake: only live (END) subscriptions are emulated');
    const sub = new EventEmitter() as LiveSub;
    this.subscriptionsOpened++;
    const failed = this.failure('subscribeToAll');
    if (failed) {
      // the client reports a failed call on the stream, never by throwing
      setImmediate(() => {
        sub.emit('error', failed);
        sub.emit('close');
      });
      sub.unsubscribe = async () => undefined;
      return sub;
    }
    const onAppend = (r: Rec) => {
      if (matches(options.filter, r)) setImmediate(() => sub.emit('data', resolved(r)));
    };
    this.live.on('appended', onAppend);
    this.liveSubs.add(sub);
    setImmediate(() => sub.emit('confirmation'));
    sub.unsubscribe = async () => {
      this.live.off('appended', onAppend);
      this.liveSubs.delete(sub);
    };
    return sub;
  }

  async dispose(): Promise<void> {}
}
