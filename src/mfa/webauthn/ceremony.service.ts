import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { sha256Hex } from '../../shared/crypto.js';
import { badRequest, DomainError } from '../../shared/errors.js';
import {
  CHALLENGE_TTL_MS,
  challengeEvolver,
  challengeStream,
  decideConsume,
  decideIssue,
  type ChallengeEvent,
  type ChallengePurpose,
  type ChallengeState,
  type ConsumeChallenge,
} from './challenge.decider.js';
import type { StoredCredential } from './credential.decider.js';

/** The library base64url-encodes a string challenge's UTF-8: pass the raw bytes so the JSON carries our challenge. */
const bytes = (b64u: string) => new Uint8Array(Buffer.from(b64u, 'base64url'));
const malformed = (detail: string) => badRequest('webauthn_response_malformed', detail);

/** Turns @simplewebauthn's plain errors into stable, client-readable error codes. */
export function verificationProblem(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/origin/i.test(msg)) return badRequest('webauthn_origin_mismatch', 'The response was created for another website origin.');
  if (/RP ID/i.test(msg)) return badRequest('webauthn_rp_id_mismatch', 'The response was created for another relying party (RP ID).');
  if (/user verification required|user could not be verified/i.test(msg))
    return badRequest('webauthn_user_verification_required', 'The authenticator did not verify the user (PIN or biometric).');
  if (/not present/i.test(msg)) return badRequest('webauthn_user_presence_required', 'The authenticator did not confirm user presence.');
  if (/challenge/i.test(msg)) return badRequest('webauthn_challenge_invalid', 'The response does not answer the issued challenge.');
  return badRequest('webauthn_verification_failed', 'The passkey response could not be verified.');
}

/** Reads the challenge a response claims to answer (before anything is verified). */
export function claimedChallenge(response: unknown): string {
  const r = response as { response?: { clientDataJSON?: unknown } } | null;
  const raw = r?.response?.clientDataJSON;
  if (typeof raw !== 'string' || !/^[A-Za-z0-9_-]+={0,2}$/.test(raw))
    throw malformed('response.response.clientDataJSON must be base64url.');
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { challenge?: unknown };
    if (typeof parsed.challenge !== 'string' || !parsed.challenge) throw new Error('no challenge');
    return parsed.challenge;
  } catch {
    throw malformed('clientDataJSON is not a WebAuthn client data object.');
  }
}

export function credentialIdOf(response: unknown): string {
  const r = response as { id?: unknown; rawId?: unknown; type?: unknown } | null;
  if (typeof r?.id !== 'string' || !/^[A-Za-z0-9_-]{1,1400}$/.test(r.id)) throw malformed('response.id must be a base64url credential id.');
  if (r.rawId !== undefined && r.rawId !== r.id) throw malformed('response.rawId must equal response.id.');
  if (r.type !== 'public-key') throw malformed('response.type must be "public-key".');
  return r.id;
}

/**
 * The WebAuthn ceremonies (@simplewebauthn/server 14) and their challenges. A challenge is
 * 256 random bits; only its SHA-256 is kept, in its own event stream.
 */
@Injectable()
export class WebAuthnCeremonies {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async issue(
    purpose: ChallengePurpose,
    binding: { user_id: string | null; session_id: string | null; attempt_id: string | null },
  ) {
    const challenge = randomBytes(32).toString('base64url');
    const r = await this.repo.execute<ChallengeState, ChallengeEvent>(challengeStream(sha256Hex(challenge)), challengeEvolver, (s) =>
      decideIssue(s, { challenge_hash: sha256Hex(challenge), purpose, ...binding, now: this.clock.now().getTime() }),
    );
    return { challenge, position: r.position };
  }

  /** Consumes the challenge the response answers (single use, binding and expiry checked). */
  async consume(response: unknown, c: Omit<ConsumeChallenge, 'challenge_hash' | 'now'>): Promise<{ challenge: string; position: number }> {
    const challenge = claimedChallenge(response);
    const hash = sha256Hex(challenge);
    const r = await this.repo.execute<ChallengeState, ChallengeEvent>(challengeStream(hash), challengeEvolver, (s) =>
      decideConsume(s, { ...c, challenge_hash: hash, now: this.clock.now().getTime() }),
    );
    return { challenge, position: r.position };
  }

  async registrationOptions(
    user: { id: string; email: string; display_name: string },
    sessionId: string,
    exclude: StoredCredential[],
  ): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; position: number }> {
    const { challenge, position } = await this.issue('register', { user_id: user.id, session_id: sessionId, attempt_id: null });
    const options = await generateRegistrationOptions({
      rpName: this.config.webauthn.rpName,
      rpID: this.config.webauthn.rpId,
      userName: user.email,
      userDisplayName: user.display_name,
      userID: new Uint8Array(Buffer.from(user.id, 'utf8')),
      challenge: bytes(challenge),
      timeout: CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: exclude.map((c) => ({ id: c.id, transports: c.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    });
    return { options, position };
  }

  async authenticationOptions(
    binding: { user_id: string | null; session_id: string | null; attempt_id: string | null },
    allow: StoredCredential[] | null,
  ): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; position: number }> {
    const { challenge, position } = await this.issue(binding.attempt_id ? 'passwordless' : 'authenticate', binding);
    const options = await generateAuthenticationOptions({
      rpID: this.config.webauthn.rpId,
      challenge: bytes(challenge),
      timeout: CHALLENGE_TTL_MS,
      userVerification: 'preferred',
      ...(allow ? { allowCredentials: allow.map((c) => ({ id: c.id, transports: c.transports })) } : {}),
    });
    return { options, position };
  }

  async verifyRegistration(response: unknown, challenge: string) {
    try {
      const v = await verifyRegistrationResponse({
        response: response as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: this.config.webauthn.origins,
        expectedRPID: this.config.webauthn.rpId,
        requireUserVerification: false,
      });
      if (!v.verified) throw new Error('not verified');
      return v.registrationInfo;
    } catch (err) {
      throw verificationProblem(err);
    }
  }

  /** Verifies signature, origin, RP ID and challenge; the counter is judged by the decider. */
  async verifyAssertion(response: unknown, challenge: string, credential: StoredCredential) {
    try {
      const v = await verifyAuthenticationResponse({
        response: response as AuthenticationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: this.config.webauthn.origins,
        expectedRPID: this.config.webauthn.rpId,
        requireUserVerification: false,
        // counter 0 turns the library's own check off: decideUse records a regression as an event.
        credential: {
          id: credential.id,
          publicKey: new Uint8Array(Buffer.from(credential.public_key, 'base64url')),
          counter: 0,
          transports: credential.transports as never,
        },
      });
      if (!v.verified) throw new Error('not verified');
      return v.authenticationInfo;
    } catch (err) {
      throw verificationProblem(err);
    }
  }
}
