import { applyDecorators, Injectable, SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden, unauthorized } from '../shared/errors.js';
import type { AuthedRequest } from '../identity/auth/decorators.js';
import { SUBSYSTEM_ID } from './tier-matrix.js';
import { TierResolver } from './tier-resolver.service.js';

export const REQUIRED_SUBSYSTEM = 'tier:subsystem';

/**
 * The second gating layer (F02.10.02). Route guards run after the global AccessGuard, so this
 * sees an authenticated caller whose roles, MFA policy and step-up were already checked:
 * no tenant in the token -> 401 unauthenticated_tenant_context; tenant not eligible -> 403
 * tenant_type_not_eligible with `subsystem` and `tenant_type` in the body.
 */
@Injectable()
export class SubsystemGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly resolver: TierResolver,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const subsystem = this.reflector.getAllAndOverride<string>(REQUIRED_SUBSYSTEM, [ctx.getHandler(), ctx.getClass()]);
    if (!subsystem) return true;
    const tenantId = ctx.switchToHttp().getRequest<AuthedRequest>().auth?.tenant_id;
    if (!tenantId) throw unauthorized('unauthenticated_tenant_context', 'This endpoint needs a tenant in the access token.');
    const { allowed, tenant_type } = await this.resolver.isSubsystemAllowed(tenantId, subsystem);
    if (!allowed)
      throw forbidden('tenant_type_not_eligible', `Your organisation's tier does not include ${subsystem}.`, { subsystem, tenant_type });
    return true;
  }
}

/** `@RequiresSubsystem('F02.09')` on a controller or a route. */
export function RequiresSubsystem(subsystem: string) {
  if (!SUBSYSTEM_ID.test(subsystem)) throw new Error(`RequiresSubsystem: "${subsystem}" is not of the form F<NN>.<MM>`);
  return applyDecorators(SetMetadata(REQUIRED_SUBSYSTEM, subsystem), UseGuards(SubsystemGuard));
}
