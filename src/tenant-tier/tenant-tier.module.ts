import { Global, Module } from '@nestjs/common';
import { SubsystemGuard } from './requires-subsystem.js';
import { SysTenantsController } from './sys-tenants.controller.js';
import { TierController } from './tier.controller.js';
import { ChangeTenantTypeHandler, ExpireAddonsHandler, GrantAddonHandler, RevokeAddonHandler } from './tier.handlers.js';
import { TierJobs } from './tier-jobs.service.js';
import { TierResolver } from './tier-resolver.service.js';

/**
 * Tenant tiers (F02.10): the matrix, the gate, the cached resolver, add-ons, the operator API
 * and the jobs. Global, so any context can put @RequiresSubsystem on its routes.
 */
@Global()
@Module({
  controllers: [SysTenantsController, TierController],
  providers: [TierResolver, SubsystemGuard, GrantAddonHandler, RevokeAddonHandler, ChangeTenantTypeHandler, ExpireAddonsHandler, TierJobs],
  exports: [TierResolver, SubsystemGuard, TierJobs],
})
export class TenantTierModule {}
