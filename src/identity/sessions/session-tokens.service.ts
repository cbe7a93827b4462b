import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository, type Command, type ExecuteResult } from '../../eventstore/aggregate-repository.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { hmacHex, randomToken, safeEqual, sha256Hex } from '../../shared/crypto.js';
import { deviceKey, locate, parseDevice } from '../../shared/device.js';
import { forbidden, unauthorized } from '../../shared/errors.js';
import { currentContext } from '../../shared/request-context.js';
import { Secrets } from '../../shared/secrets.js';
import { membershipId, type MembershipView, type UserView } from '../../../projections/users.js';
import type { SessionView } from '../../../projections/sessions.js';
import type { AuthContext } from '../auth/auth-context.js';
import { JwtKeys } from '../auth/jwt-keys.service.js';
import { own } from '../../shared/ids.js';
import type { UserState } from '../users/user.decider.js';
import { sessionEvolver, sessionStream, type SessionEvent, type SessionState } from './session.decider.js';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  session_id: string;
}

export type MfaAnswer = {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  amr: string[];
  mfa_at: number;
  position: number;
};

/** A session command not yet executed, and how the answer is made from its result. */
export interface PendingSession<A> {
  command: Command<SessionState, SessionEvent>;
  finish: (result: ExecuteResult<SessionState>) => Promise<A>;
}

/** What an access token carries of the person: the member's roles in the tenant and their system roles. */
export interface MemberRoles {
  roles: string[];
  sys_roles: string[];
}

export const accountDeactivated = () => forbidden('account_deactivated', 'This account has been deactivated.');
const noLongerMember = () => forbidden('not_a_member', 'You are no longer a member of this tenant.');

/**
 * The live-member check on a user aggregate the caller has just loaded in this request: the
 * source the users read model follows, so never staler than what liveMember reads (a
 * deactivation or a role change committed a moment ago already counts).
 */
export function memberOf(user: UserState, tenantId: string): MemberRoles {
  if (!user.active) throw accountDeactivated();
  const roles = own(user.memberships, tenantId);
  if (!roles) throw noLongerMember();
  // sorted as the read model stores them, so the token is the same whichever side it came from
  return { roles, sys_roles: [...user.sys_roles].sort() };
}

const SECRET_LEN = 43; // 256 bits in base64url
const TAG_LEN = 22; // 128 bits in base64url

export interface StartSession {
  user_id: string;
  tenant_id: string;
  method: string;
  amr: string[];
  /** True when the login itself satisfied MFA (passkey with UV, trusted device). */
  mfa: boolean;
  /** Whether mfa_at is set (second factor verified now); a trusted device satisfies policy but not step-up. */
  stepUpFresh?: boolean;
  /** The method that satisfied MFA at login (webauthn, trusted_device); required when `mfa`. */
  mfaMethod?: string;
  /**
   * The member's roles as memberOf gave them from the user aggregate this request loaded (password
   * login); without it, liveMember reads them (and refuses) from the read model.
   */
  member?: MemberRoles;
}

/**
 * Issues sessions and tokens. Refresh tokens are `<session id>.<secret><tag><generation>`: a
 * 43-character secret, a 22-character tag (HMAC with the server key over session id,
 * generation and secret) and the generation in base 36. Only their SHA-256 is stored. The tag
 * lets the server recognise a rotated token of any age as this family's (reuse: revoke the
 * family) without keeping every rotated hash. The successor of a token is derived from it with
 * the server HMAC key, so a client's concurrent double refresh gets the same new pair.
 */
@Injectable()
export class SessionTokens {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly keys: JwtKeys,
    private readonly secrets: Secrets,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The token that follows `token` at generation `generation` (deterministic: a double refresh gets the same). */
  successor(token: string, generation: number): string {
    const sid = token.split('.')[0]!;
    return this.mint(
      sid,
      generation,
      Buffer.from(hmacHex(this.secrets.hmacKey, `refresh-successor|${token}`), 'hex').toString('base64url'),
    );
  }

  /** The generation a token's tag proves the server minted it for, or null (untagged, forged, malformed). */
  generationOf(token: string): number | null {
    const dot = token.indexOf('.');
    const rest = token.slice(dot + 1);
    if (dot < 0 || rest.length < SECRET_LEN + TAG_LEN + 1) return null;
    const secret = rest.slice(0, SECRET_LEN);
    const digits = rest.slice(SECRET_LEN + TAG_LEN);
    if (!/^[0-9a-z]{1,8}$/.test(digits)) return null;
    const generation = parseInt(digits, 36);
    const tag = rest.slice(SECRET_LEN, SECRET_LEN + TAG_LEN);
    return safeEqual(tag, this.tag(token.slice(0, dot), generation, secret)) ? generation : null;
  }

  private mint(sid: string, generation: number, secret: string): string {
    return `${sid}.${secret}${this.tag(sid, generation, secret)}${generation.toString(36)}`;
  }

  private tag(sid: string, generation: number, secret: string): string {
    return Buffer.from(hmacHex(this.secrets.hmacKey, `refresh-generation|${sid}|${generation}|${secret}`), 'hex')
      .subarray(0, 16)
      .toString('base64url');
  }

  async start(input: StartSession): Promise<TokenPair & { position: number }> {
    const pending = await this.prepareStart(input);
    const [started] = await this.repo.executeAll([pending.command] as const);
    return pending.finish(started);
  }

  /**
   * The SessionStarted command of a login and how its answer is made once it is appended, so a
   * login can commit it together with its brute-force outcome (BruteForceService.attempt).
   */
  async prepareStart(input: StartSession): Promise<PendingSession<TokenPair & { position: number }>> {
    // every login path ends here: a deactivated person or an ended membership gets no session
    const member = input.member ?? (await this.liveMember(input.user_id, input.tenant_id));
    const session_id = randomUUID();
    const refresh = this.mint(session_id, 0, randomToken(256));
    const now = this.clock.now();
    const ctx = currentContext();
    const device = parseDevice(ctx?.user_agent);
    const key = deviceKey(device);
    // one match is enough (the index ends in id, so this stops at the first): a count would walk
    // every earlier session of this device, which grows with every login
    const seen = (
      await this.reads.collection<SessionView>('sessions').find({ where: { user_id: input.user_id, device_key: key }, limit: 1 })
    ).items.length;
    const location = await locate(ctx?.ip);
    const mfaAt = input.mfa && input.stepUpFresh !== false ? now.toISOString() : null;
    const started: SessionEvent = {
      type: 'SessionStarted',
      data: {
        session_id,
        user_id: input.user_id,
        tenant_id: input.tenant_id,
        refresh_hash: sha256Hex(refresh),
        method: input.method,
        amr: input.mfa ? [...new Set([...input.amr, 'mfa'])] : input.amr,
        auth_time: now.toISOString(),
        mfa_at: mfaAt,
        mfa_method: input.mfa ? (input.mfaMethod ?? null) : null,
        ip: ctx?.ip ?? null,
        device,
        device_key: key,
        location,
        new_device: seen === 0,
        idle_expires_at: new Date(
          Math.min(now.getTime() + this.config.refreshIdleSeconds * 1000, now.getTime() + this.config.refreshAbsoluteSeconds * 1000),
        ).toISOString(),
        absolute_expires_at: new Date(now.getTime() + this.config.refreshAbsoluteSeconds * 1000).toISOString(),
      },
    };
    return {
      // a new random id: nothing to load, and no_stream refuses the impossible collision
      command: { stream: sessionStream(session_id), evolver: sessionEvolver, decide: () => [started], fresh: true },
      finish: async (result) => {
        // the membership read above, a moment ago in this request, signs the token (not read twice)
        const access = await this.sign(result.state, member);
        return {
          access_token: access.token,
          refresh_token: refresh,
          token_type: 'Bearer',
          expires_in: access.expiresIn,
          session_id,
          position: result.position,
        };
      },
    };
  }

  /** Signs an access token for a session's current state, with the member's live roles. */
  async accessToken(s: SessionState): Promise<{ token: string; expiresIn: number }> {
    return this.sign(s, await this.liveMember(s.user_id, s.tenant_id));
  }

  private sign(s: SessionState, member: MemberRoles): Promise<{ token: string; expiresIn: number }> {
    return this.keys.sign({
      sub: s.user_id,
      tid: s.tenant_id,
      sid: s.session_id,
      roles: member.roles,
      sys: member.sys_roles,
      amr: s.amr,
      auth_time: Math.floor(s.auth_time / 1000),
      mfa_at: s.mfa_at === null ? null : Math.floor(s.mfa_at / 1000),
      mfa_method: s.mfa_method,
      mfa_methods: Object.fromEntries(Object.entries(s.mfa_methods).map(([m, at]) => [m, Math.floor(at / 1000)])),
    });
  }

  /** The person's live membership of the tenant; refused for an ended membership or a deactivated account. */
  private async liveMember(userId: string, tenantId: string): Promise<MemberRoles> {
    const [membership, user] = await Promise.all([
      this.reads.collection<MembershipView>('memberships').get(membershipId(tenantId, userId)),
      this.reads.collection<UserView>('users').get(userId),
    ]);
    if (user?.status === 'deactivated') throw accountDeactivated();
    if (!membership) throw noLongerMember();
    return { roles: membership.roles, sys_roles: user?.sys_roles ?? [] };
  }

  /**
   * A second factor was verified for this session: record it (amr, mfa_at) and return a new
   * access token that says so. Every MFA verify endpoint ends here.
   */
  async satisfyMfa(auth: AuthContext, method: string, amr: string[]): Promise<MfaAnswer> {
    const { command, finish } = this.prepareMfa(auth, method, amr);
    return finish(await this.repo.execute(command.stream, command.evolver, command.decide));
  }

  /** The SessionMfaSatisfied command of a verify and its answer, to commit with the brute-force outcome. */
  prepareMfa(auth: AuthContext, method: string, amr: string[]): PendingSession<MfaAnswer> {
    const now = this.clock.now();
    return {
      command: {
        stream: sessionStream(auth.session_id),
        evolver: sessionEvolver,
        decide: (s) => {
          if (!s.exists || !s.active || s.user_id !== auth.user_id)
            throw unauthorized('session_revoked', 'This session has been revoked or has ended.');
          return [
            {
              type: 'SessionMfaSatisfied',
              data: {
                session_id: auth.session_id,
                user_id: auth.user_id,
                method,
                amr: [...new Set([...amr, 'mfa'])],
                mfa_at: now.toISOString(),
              },
            },
          ];
        },
      },
      finish: async (result) => {
        const access = await this.accessToken(result.state);
        return {
          access_token: access.token,
          token_type: 'Bearer',
          expires_in: access.expiresIn,
          amr: result.state.amr,
          mfa_at: Math.floor(now.getTime() / 1000),
          position: result.position,
        };
      },
    };
  }
}
