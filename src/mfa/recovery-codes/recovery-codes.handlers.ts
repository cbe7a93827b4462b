import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AggregateRepository, type Command } from '../../eventstore/aggregate-repository.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { StepUpService } from '../../identity/auth/step-up.service.js';
import { BruteForceService } from '../../identity/brute-force/brute-force.service.js';
import { SessionTokens } from '../../identity/sessions/session-tokens.service.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { badRequest, conflict } from '../../shared/errors.js';
import type { MfaTokenAnswer } from '../totp/totp.handlers.js';
import { hashRecoveryCode, newRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.core.js';
import {
  decideGenerate,
  decideUse,
  recoveryCodesEvolver,
  recoveryCodesStream,
  type RecoveryCodesEvent,
  type RecoveryCodesState,
  type UseDecision,
} from './recovery-codes.decider.js';

export class GenerateRecoveryCodes {
  constructor(readonly auth: AuthContext) {}
}
export class UseRecoveryCode {
  constructor(
    readonly auth: AuthContext,
    readonly code: string,
  ) {}
}

@CommandHandler(GenerateRecoveryCodes)
export class GenerateRecoveryCodesHandler implements ICommandHandler<GenerateRecoveryCodes> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly stepUp: StepUpService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ auth }: GenerateRecoveryCodes) {
    // Codes stand in for a possession factor: only beside one, and (as they bypass it) only fresh.
    await this.stepUp.assertPossessionFactor(auth);
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    const hashed = codes.map((c) => hashRecoveryCode(c));
    const now = this.clock.now();
    const r = await this.repo.execute<RecoveryCodesState, RecoveryCodesEvent>(
      recoveryCodesStream(auth.user_id),
      recoveryCodesEvolver,
      (s) => decideGenerate(s, auth.user_id, randomUUID(), hashed, now),
    );
    return { position: r.position, codes, generated_at: now.toISOString() };
  }
}

@CommandHandler(UseRecoveryCode)
export class UseRecoveryCodeHandler implements ICommandHandler<UseRecoveryCode> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly bruteForce: BruteForceService,
    private readonly tokens: SessionTokens,
    private readonly stepUp: StepUpService,
  ) {}

  async execute({ auth, code }: UseRecoveryCode): Promise<MfaTokenAnswer & { remaining: number }> {
    const uid = auth.user_id;
    // left over after the last possession factor was removed: not a second factor of anything (no code is burnt)
    if ((await this.stepUp.possessionFactors(uid)).length === 0)
      throw conflict('possession_factor_required', 'Recovery codes count only beside a second factor (authenticator app, SMS or passkey).');
    let decision: UseDecision = { kind: 'invalid' };
    const session = this.tokens.prepareMfa(auth, 'recovery_code', ['recovery_code']);
    // The code burnt, the counter's outcome and SessionMfaSatisfied in one atomic commit,
    // re-decided on a version conflict: a concurrent use of the same code then finds it burnt.
    const burn: Command<RecoveryCodesState, RecoveryCodesEvent> = {
      stream: recoveryCodesStream(uid),
      evolver: recoveryCodesEvolver,
      decide: (s) => {
        decision = decideUse(s, uid, code);
        return decision.kind === 'used' ? decision.events : [];
      },
    };
    const outcome = await this.bruteForce.attemptInstant(
      { scope: 'mfa', subject: uid, user_id: uid, factor: 'recovery_code' },
      { commands: [burn], outcome: () => ({ ok: (decision as UseDecision).kind === 'used' }) },
      session.command,
    );
    const d = decision as UseDecision;
    if (!outcome.ok || d.kind !== 'used' || !outcome.after)
      throw badRequest('invalid_code', 'The recovery code is not valid or was already used.');
    const answer = await session.finish(outcome.after);
    return { ...answer, remaining: d.remaining };
  }
}
