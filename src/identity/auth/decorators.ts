import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthContext } from './auth-context.js';

export const IS_PUBLIC = 'auth:public';
/** No access token needed (login, refresh, JWKS, health, webhooks). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const MFA_EXEMPT = 'auth:mfa-exempt';
/**
 * Reachable while the caller still has to enrol or verify MFA under the tenant policy:
 * login/refresh/logout, /me, MFA enrolment and verification, methods, enforcement, sessions.
 */
export const AllowWithoutMfa = () => SetMetadata(MFA_EXEMPT, true);

export const FRESH_MFA = 'auth:fresh-mfa';
/** Step-up: the session's last MFA must be within the tenant's fresh window (403 mfa_step_up_required). */
export const RequiresFreshMfa = () => SetMetadata(FRESH_MFA, true);

export const SYS_ROLES = 'auth:sys-roles';
/** Platform operators only: at least one of these sys roles. */
export const RequiresSysRole = (...roles: string[]) => SetMetadata(SYS_ROLES, roles);

export const CROSS_TENANT = 'auth:cross-tenant';
/**
 * The route may act on a tenant other than the session's (`tid`) for callers holding one of these
 * sys roles. Without it (and outside @RequiresSysRole routes, whose roles allow it), a request
 * naming another tenant is refused: 403 tenant_context_mismatch.
 */
export const AllowCrossTenant = (...sysRoles: string[]) => SetMetadata(CROSS_TENANT, sysRoles);

export type AuthedRequest = Request & { auth?: AuthContext };

/** The caller of an authenticated endpoint. */
export const CurrentAuth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthContext => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  return req.auth!;
});
