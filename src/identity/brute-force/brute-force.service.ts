import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository, type AnyCommand, type Command, type ExecuteResult } from '../../eventstore/aggregate-repository.js';
import { KeyedMutex } from '../../shared/async-mutex.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { DomainError } from '../../shared/errors.js';
import {
  evolveBruteForce,
  failureEvents,
  initialBruteForce,
  refusal,
  type BruteForceEvent,
  type BruteForceScope,
  type BruteForceState,
} from './brute-force.decider.js';

export interface AttemptCounter {
  scope: BruteForceScope;
  /** Counter key: the user id for MFA (one counter across all factors), the e-mail hash for login. */
  subject: string;
  user_id: string | null;
  /** Which factor or credential was tried, for the audit. */
  factor: string | null;
}

export interface Outcome<T> {
  ok: boolean;
  value?: T;
}

/**
 * A factor check that is synchronous and cheap (a TOTP or one-time code, a recovery code, a
 * passkey assertion; never a password hash), written as commands on the factor's own streams.
 */
export interface InstantCheck<T> {
  /** Decided in order after the counter allowed the attempt: the code is matched and spent here. */
  commands: readonly AnyCommand[];
  /** Read after they decided: whether the attempt succeeded. */
  outcome: () => Outcome<T>;
}

const evolver = { initialState: initialBruteForce, evolve: evolveBruteForce, snapshot: { schema: 1 } };
export const bruteForceStream = (scope: BruteForceScope, subject: string) => `bruteforce-${scope}-${subject}`;

/**
 * Runs one attempt under brute-force control. A refused attempt is not evaluated at all:
 * 429 too_many_attempts with Retry-After, or 423 credential_locked. The claim, the failure
 * and the reset are events, so the state is shared by every process and survives restarts.
 *
 * Attempts on one counter queue in this process instead of colliding on the claim: parallel
 * correct logins to one account all succeed, one after another, while parallel wrong guesses
 * are still evaluated one at a time (the first failure's backoff refuses the ones queued
 * behind it without evaluating them). Across processes the claim still refuses the loser; an
 * instant check (`attemptInstant`) has no claim and relies on the counter's expected version.
 */
@Injectable()
export class BruteForceService {
  private readonly queue = new KeyedMutex();

  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * `onSuccess` (optional) names the command a success leads to (SessionStarted,
   * SessionMfaSatisfied): it is executed in the same group commit as AttemptSucceeded, so a
   * success costs one commit instead of two. Both only follow the claim and the evaluation, and
   * either alone is safe: a correct code or password was seen. If building the command throws
   * (not a member, account deactivated), the success is still recorded before the error.
   */
  attempt<T, S = never>(
    counter: AttemptCounter,
    evaluate: () => Promise<Outcome<T>>,
    onSuccess?: (value: T | undefined) => AnyCommand<S> | Promise<AnyCommand<S>>,
  ): Promise<Outcome<T> & { position: number; after?: ExecuteResult<S> }> {
    const stream = bruteForceStream(counter.scope, counter.subject);
    return this.queue.run(stream, () => this.attemptNow(stream, counter, evaluate, onSuccess));
  }

  private async attemptNow<T, S>(
    stream: string,
    counter: AttemptCounter,
    evaluate: () => Promise<Outcome<T>>,
    onSuccess?: (value: T | undefined) => AnyCommand<S> | Promise<AnyCommand<S>>,
  ): Promise<Outcome<T> & { position: number; after?: ExecuteResult<S> }> {
    const base = { key: counter.subject, scope: counter.scope, user_id: counter.user_id, factor: counter.factor };
    const claimed = await this.repo.execute<BruteForceState, BruteForceEvent>(stream, evolver, (state) => {
      this.refuse(state);
      return [{ type: 'AttemptClaimed', data: { ...base, at: this.clock.now().toISOString() } }];
    });

    // the outcome is decided on the claim's state: read again only if the stream moved since
    const resolution = (ok: boolean): Command<BruteForceState, BruteForceEvent> => ({
      stream,
      evolver,
      decide: this.resolution(base, ok),
      after: claimed,
    });
    let outcome: Outcome<T>;
    try {
      outcome = await evaluate();
    } catch (err) {
      await this.repo.executeAll([resolution(false)] as const);
      throw err;
    }
    const resolve = resolution(outcome.ok);
    if (!outcome.ok || !onSuccess) return { ...outcome, position: (await this.repo.executeAll([resolve] as const))[0].position };
    let next: AnyCommand<S>;
    try {
      next = await onSuccess(outcome.value);
    } catch (err) {
      await this.repo.executeAll([resolve] as const);
      throw err;
    }
    const [resolved, after] = await this.repo.executeAll([resolve, next] as const);
    return { ...outcome, position: Math.max(resolved.position, after.position), after };
  }

  /**
   * An attempt with an instant check, without a claim: the counter's refusal, the check, the
   * counter's outcome (AttemptSucceeded or the failure events), the factor's events and, on
   * success, the session's command are decided together and committed in ONE atomic append. Across
   * processes the counter stream's expected version serialises the outcomes: the loser of a race
   * re-decides everything on the fresh counter, so after a concurrent failure its backoff refuses
   * it, and an evaluation whose outcome was not committed answers nothing about the code. In this
   * process attempts queue per counter as in `attempt`. If the session's command refuses (session
   * revoked), the outcome is still committed and the refusal thrown after. On a store without an
   * atomic appendMany, this is `attempt` with the claim.
   */
  attemptInstant<T, S = never>(
    counter: AttemptCounter,
    check: InstantCheck<T>,
    onSuccess?: AnyCommand<S>,
  ): Promise<Outcome<T> & { position: number; after?: ExecuteResult<S> }> {
    const stream = bruteForceStream(counter.scope, counter.subject);
    if (!this.repo.atomic) {
      const evaluate = async () => {
        for (const c of check.commands) await this.repo.execute(c.stream, c.evolver, c.decide, c.options);
        return check.outcome();
      };
      return this.queue.run(stream, () => this.attemptNow(stream, counter, evaluate, onSuccess && (() => onSuccess)));
    }
    return this.queue.run(stream, () => this.attemptAtomic(stream, counter, check, onSuccess));
  }

  private async attemptAtomic<T, S>(
    stream: string,
    counter: AttemptCounter,
    check: InstantCheck<T>,
    onSuccess?: AnyCommand<S>,
  ): Promise<Outcome<T> & { position: number; after?: ExecuteResult<S> }> {
    const base = { key: counter.subject, scope: counter.scope, user_id: counter.user_id, factor: counter.factor };
    let outcome: Outcome<T> = { ok: false };
    let refusedLater: unknown;
    const gate: Command<BruteForceState, BruteForceEvent> = {
      stream,
      evolver,
      decide: (state) => {
        refusedLater = undefined;
        this.refuse(state);
        return [];
      },
    };
    const record: Command<BruteForceState, BruteForceEvent> = {
      stream,
      evolver,
      decide: (state) => {
        outcome = check.outcome();
        return this.resolution(base, outcome.ok)(state);
      },
    };
    const session = onSuccess && {
      ...onSuccess,
      decide: async (state: S, version: number) => {
        if (!outcome.ok) return [];
        try {
          return await onSuccess.decide(state, version);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          refusedLater = err;
          return [];
        }
      },
    };
    const results = await this.repo.executeAtomic([gate, ...check.commands, record, ...(session ? [session] : [])]);
    if (refusedLater) throw refusedLater;
    const after = session && outcome.ok ? (results.at(-1) as ExecuteResult<S>) : undefined;
    return { ...outcome, position: Math.max(...results.map((r) => r.position)), after };
  }

  /** Throws the answer to an attempt the counter does not allow now (423 locked, 429 with Retry-After). */
  private refuse(state: BruteForceState): void {
    const refused = refusal(state, this.clock.now().getTime());
    if (refused?.kind === 'locked') {
      throw new DomainError('credential_locked', 423, 'Too many failed attempts: this credential is locked until it is reset.');
    }
    if (refused) {
      throw new DomainError(
        'too_many_attempts',
        429,
        `Too many attempts. Try again in ${refused.retryAfterSeconds} s.`,
        { retry_after: refused.retryAfterSeconds },
        { 'Retry-After': String(refused.retryAfterSeconds) },
      );
    }
  }

  private resolution(base: Omit<AttemptCounter, 'subject'> & { key: string }, ok: boolean) {
    return (state: BruteForceState): BruteForceEvent[] =>
      ok
        ? [{ type: 'AttemptSucceeded', data: { ...base, previous_failures: state.failures } }]
        : failureEvents(state, base, this.clock.now().getTime());
  }

  /** Operator reset or a successful recovery path: unlock and clear the counter. */
  async unlock(scope: BruteForceScope, subject: string, userId: string | null, by: string, reason: string): Promise<number> {
    const r = await this.repo.execute<BruteForceState, BruteForceEvent>(bruteForceStream(scope, subject), evolver, (state) =>
      state.failures > 0 || state.locked
        ? [{ type: 'CredentialUnlocked', data: { key: subject, scope, user_id: userId, by, reason } }]
        : [],
    );
    return r.position;
  }

  async state(scope: BruteForceScope, subject: string): Promise<BruteForceState> {
    return (await this.repo.load(bruteForceStream(scope, subject), evolver)).state;
  }
}
