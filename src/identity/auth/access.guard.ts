import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { forbidden, unauthorized } from '../../shared/errors.js';
import { currentContext } from '../../shared/request-context.js';
import type { AuthContext } from './auth-context.js';
import { CROSS_TENANT, FRESH_MFA, IS_PUBLIC, MFA_EXEMPT, SYS_ROLES, type AuthedRequest } from './decorators.js';
import { MFA_POLICY_HOOK, type MfaPolicyHook } from './mfa-policy.hook.js';
import { JwtKeys } from './jwt-keys.service.js';
import { StepUpService } from './step-up.service.js';
import { assertTenantContext, namedTenants } from './tenant-context.js';
import type { SessionView } from '../../../projections/sessions.js';
import type { UserView } from '../../../projections/users.js';

/** Only numeric entries of the signed claim (tokens issued before it existed have none). */
const mfaMethodsClaim = (v: unknown): Record<string, number> =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === 'number'))
    : {};

interface RouteMeta {
  isPublic?: boolean;
  sysRoles?: string[];
  crossTenant?: string[];
  mfaExempt?: boolean;
  freshMfa?: boolean;
}

/** RFC 7235: the scheme is case-insensitive. */
const bearer = /^bearer +(\S+) *$/i;

/**
 * The one global guard: a valid access token whose session is still active (revocation
 * works on the very next request), sys roles, the tenant context (a request naming another
 * tenant than the session's is refused), the tenant MFA policy, and step-up freshness.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: JwtKeys,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    private readonly stepUp: StepUpService,
    @Optional() @Inject(MFA_POLICY_HOOK) private readonly policy?: MfaPolicyHook,
  ) {}

  /** Per controller class and handler: decorators are fixed once the app is built, and reading them cost ten reflect lookups per request. */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteMeta>>();

  private meta(ctx: ExecutionContext): RouteMeta {
    const handler = ctx.getHandler();
    const cls = ctx.getClass();
    let byHandler = this.routes.get(cls);
    if (!byHandler) this.routes.set(cls, (byHandler = new WeakMap()));
    let m = byHandler.get(handler);
    if (!m) {
      const read = <T>(key: string) => this.reflector.getAllAndOverride<T>(key, [handler, cls]);
      m = {
        isPublic: read<boolean>(IS_PUBLIC),
        sysRoles: read<string[]>(SYS_ROLES),
        crossTenant: read<string[]>(CROSS_TENANT),
        mfaExempt: read<boolean>(MFA_EXEMPT),
        freshMfa: read<boolean>(FRESH_MFA),
      };
      byHandler.set(handler, m);
    }
    return m;
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const route = this.meta(ctx);
    if (route.isPublic) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const token = bearer.exec(req.headers.authorization ?? '')?.[1];
    if (!token) throw unauthorized('unauthenticated', 'An access token is required (Authorization: Bearer ...).');
    // signature, alg, kid, typ, iss, aud once per token text; exp and nbf on every request
    const claims = this.keys.verify(token);
    const session = await this.reads.collection<SessionView>('sessions').get(claims.sid);
    if (!session || session.status !== 'active' || session.user_id !== claims.sub) {
      throw unauthorized('session_revoked', 'This session has been revoked or has ended; log in again.');
    }
    const auth: AuthContext = {
      user_id: claims.sub,
      tenant_id: claims.tid,
      session_id: claims.sid,
      // copies: the claims are shared by every request presenting this token
      roles: [...(claims.roles ?? [])],
      sys_roles: [...(claims.sys ?? [])],
      amr: [...(claims.amr ?? [])],
      auth_time: claims.auth_time,
      mfa_at: claims.mfa_at ?? null,
      mfa_method: claims.mfa_method ?? null,
      mfa_methods: mfaMethodsClaim(claims.mfa_methods),
    };
    req.auth = auth;
    const rc = currentContext();
    if (rc) {
      rc.actor_id = auth.user_id;
      rc.tenant_id = auth.tenant_id;
    }

    const sysRoles = route.sysRoles;
    if (sysRoles) {
      // operator routes check the live roles: a removed sys role stops working on the very next request
      auth.sys_roles = (await this.reads.collection<UserView>('users').get(auth.user_id))?.sys_roles ?? [];
    }
    if (sysRoles && !sysRoles.some((r) => auth.sys_roles.includes(r))) {
      throw forbidden('sys_role_required', `This operation needs one of the platform roles: ${sysRoles.join(', ')}.`);
    }
    // Before the policy: the session's tenant is the one whose policy is enforced below, so a
    // request naming another tenant is refused (sys routes act on any tenant for their roles).
    assertTenantContext(auth, namedTenants(req), route.crossTenant ?? sysRoles ?? []);
    if (this.policy && !route.mfaExempt) await this.policy.enforce(auth);
    if (route.freshMfa) await this.stepUp.assertFresh(auth);
    return true;
  }
}
