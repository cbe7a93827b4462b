import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { BruteForceService } from '../../identity/brute-force/brute-force.service.js';
import { codeHash } from '../../mfa/otp-challenge/otp-code.js';
import {
  decideVerify as decideOtpVerify,
  otpEvolver,
  otpStream,
  type OtpEvent,
  type OtpState,
} from '../../mfa/otp-challenge/otp.decider.js';
import {
  decideUse as decideRecoveryUse,
  recoveryCodesEvolver,
  recoveryCodesStream,
  remaining,
  type RecoveryCodesEvent,
  type RecoveryCodesState,
} from '../../mfa/recovery-codes/recovery-codes.decider.js';
import { matchTotp } from '../../mfa/totp/totp.core.js';
import { decideVerify as decideTotpVerify, totpEvolver, totpStream, type TotpEvent, type TotpState } from '../../mfa/totp/totp.decider.js';
import { AssertionVerifier } from '../../mfa/webauthn/authentication.handlers.js';
import { WebAuthnCeremonies } from '../../mfa/webauthn/ceremony.service.js';
import { credentialEvolver, webauthnStream, type CredentialEvent, type CredentialsState } from '../../mfa/webauthn/credential.decider.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { open } from '../../shared/crypto.js';
import { badRequest, DomainError } from '../../shared/errors.js';
import { Secrets } from '../../shared/secrets.js';

export type ResetFactor = 'totp' | 'sms' | 'webauthn' | 'recovery_code';
export type ResetProof =
  | { method: 'totp' | 'recovery_code'; code: string }
  | { method: 'sms'; code: string; challenge_id?: string }
  | { method: 'webauthn'; assertion: Record<string, unknown> };

/** The WebAuthn challenge of a reset is bound to the reset, never to a session. */
export const resetCeremonyBinding = (resetId: string) => `password-reset:${resetId}`;

/**
 * The second factor a password reset needs when the person has a possession factor (issue 16:
 * a reset must not bypass MFA). Factors are read from their own streams (strongly consistent),
 * and every proof is checked under the person's MFA brute-force counter, like any other code.
 * Nothing here upgrades a session: a reset has none.
 */
@Injectable()
export class ResetFactorCheck {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly secrets: Secrets,
    private readonly bruteForce: BruteForceService,
    private readonly ceremonies: WebAuthnCeremonies,
    private readonly assertions: AssertionVerifier,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The factors that can prove possession for this person, in the order the API lists them. */
  async available(userId: string): Promise<{ possession: boolean; methods: ResetFactor[]; passkeys: CredentialsState }> {
    const [totp, otp, passkeys, codes] = await Promise.all([
      this.repo.load<TotpState, TotpEvent>(totpStream(userId), totpEvolver),
      this.repo.load<OtpState, OtpEvent>(otpStream(userId), otpEvolver),
      this.repo.load<CredentialsState, CredentialEvent>(webauthnStream(userId), credentialEvolver),
      this.repo.load<RecoveryCodesState, RecoveryCodesEvent>(recoveryCodesStream(userId), recoveryCodesEvolver),
    ]);
    const methods: ResetFactor[] = [];
    if (totp.state.active) methods.push('totp');
    if (otp.state.factor?.status === 'active') methods.push('sms');
    if (Object.keys(passkeys.state.credentials).length > 0) methods.push('webauthn');
    const possession = methods.length > 0;
    // recovery codes stand in for a possession factor, never on their own
    if (possession && remaining(codes.state) > 0) methods.push('recovery_code');
    return { possession, methods, passkeys: passkeys.state };
  }

  /** Checks the proof under the MFA counter; throws 400 invalid_code (or the counter's 429/423) when it fails. */
  async verify(userId: string, resetId: string, proof: ResetProof, methods: ResetFactor[]): Promise<number> {
    if (!methods.includes(proof.method))
      throw badRequest('mfa_method_not_available', `This account cannot use ${proof.method} for a password reset.`, {
        allowed_methods: methods,
      });
    const outcome = await this.bruteForce.attempt({ scope: 'mfa', subject: userId, user_id: userId, factor: proof.method }, async () => ({
      ok: await this.check(userId, resetId, proof),
    }));
    if (!outcome.ok) throw badRequest('invalid_code', 'The second-factor proof is not valid.');
    return outcome.position;
  }

  private async check(userId: string, resetId: string, proof: ResetProof): Promise<boolean> {
    const now = this.clock.now().getTime();
    switch (proof.method) {
      case 'totp': {
        const clean = proof.code.replace(/\s/g, '');
        let ok = false;
        await this.repo.execute<TotpState, TotpEvent>(totpStream(userId), totpEvolver, (s) => {
          const d = decideTotpVerify(s, userId, (seed) => {
            if (seed.secret.kid !== this.secrets.encryptionKeyId)
              throw new DomainError('totp_key_unavailable', 503, 'The key protecting this factor is not available.');
            return matchTotp(open(this.secrets.encryptionKey, seed.secret, userId), clean, now, seed.params);
          });
          ok = d.kind === 'accepted';
          return 'events' in d ? d.events : [];
        });
        return ok;
      }
      case 'recovery_code': {
        let ok = false;
        await this.repo.execute<RecoveryCodesState, RecoveryCodesEvent>(recoveryCodesStream(userId), recoveryCodesEvolver, (s) => {
          const d = decideRecoveryUse(s, userId, proof.code);
          ok = d.kind === 'used';
          return d.kind === 'used' ? d.events : [];
        });
        return ok;
      }
      case 'sms': {
        let ok = false;
        await this.repo.execute<OtpState, OtpEvent>(otpStream(userId), otpEvolver, (s) => {
          const id = proof.challenge_id ?? latestOpenSmsChallenge(s);
          if (!id) return [];
          const v = decideOtpVerify(s, {
            user_id: userId,
            challenge_id: id,
            channel: 'sms',
            purpose: 'verify',
            candidateHash: codeHash(this.secrets, id, proof.code),
            now,
          });
          ok = v.result.ok;
          return v.events;
        });
        return ok;
      }
      case 'webauthn': {
        const { challenge } = await this.ceremonies.consume(proof.assertion, {
          purpose: 'authenticate',
          session_id: resetCeremonyBinding(resetId),
        });
        await this.assertions.verify(userId, proof.assertion, challenge, 'step_up');
        return true;
      }
    }
  }
}

function latestOpenSmsChallenge(s: OtpState): string | null {
  const open = Object.values(s.challenges).filter((c) => c.channel === 'sms' && c.purpose === 'verify' && c.status === 'open');
  open.sort((a, b) => b.issued_at - a.issued_at);
  return open[0]?.id ?? null;
}
