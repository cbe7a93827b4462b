import { forbidden } from '../../shared/errors.js';
import type { AuthContext } from './auth-context.js';

/** Where a request can name the tenant it acts on: the route's parameter, the body, the query. */
const PARAM_NAMES = ['tenant_id', 'tenantId'] as const;

interface TenantNamingRequest {
  params?: Record<string, unknown>;
  body?: unknown;
  query?: Record<string, unknown>;
}

/** Every tenant id a request names (strings only; anything else fails validation later). */
export function namedTenants(req: TenantNamingRequest): string[] {
  const out: string[] = [];
  const take = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
  };
  for (const p of PARAM_NAMES) take(req.params?.[p]);
  if (req.body && typeof req.body === 'object' && !Array.isArray(req.body)) take((req.body as Record<string, unknown>).tenant_id);
  take(req.query?.tenant_id);
  return out;
}

/**
 * The tenant acted on is the tenant whose policy applies: the session's `tid`. A request naming
 * any other tenant is refused unless the caller holds one of `crossTenantSysRoles`. Switching
 * tenants is a new login (`POST /auth/login` with `tenant_id`), under that tenant's policy.
 */
export function assertTenantContext(auth: AuthContext, tenantIds: readonly string[], crossTenantSysRoles: readonly string[] = []): void {
  if (tenantIds.every((t) => t === auth.tenant_id)) return;
  if (crossTenantSysRoles.some((r) => auth.sys_roles.includes(r))) return;
  throw forbidden(
    'tenant_context_mismatch',
    'This request names another tenant than the one you are signed in to. Sign in to that tenant (POST /auth/login with tenant_id) to act on it.',
    { session_tenant_id: auth.tenant_id },
  );
}
