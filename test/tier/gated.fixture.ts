/** Test-only routes behind the gate (the real F02.08/F02.09 endpoints come with their issues). */
import { Controller, Get, Module } from '@nestjs/common';
import { CurrentAuth, Public } from '../../src/identity/auth/decorators.js';
import type { AuthContext } from '../../src/identity/auth/auth-context.js';
import { RequiresSubsystem } from '../../src/tenant-tier/requires-subsystem.js';

@Controller('test/gated')
export class GatedController {
  @Get('chain')
  @RequiresSubsystem('F02.09')
  chain(@CurrentAuth() auth: AuthContext) {
    return { ok: true, subsystem: 'F02.09', tenant_id: auth.tenant_id };
  }

  @Get('mfa')
  @RequiresSubsystem('F02.07')
  mfa() {
    return { ok: true, subsystem: 'F02.07' };
  }

  /** Public + gated: no token means no tenant context. */
  @Public()
  @Get('public-chain')
  @RequiresSubsystem('F02.09')
  publicChain() {
    return { ok: true };
  }
}

/** Gated at the controller: every route of it needs F02.08. */
@Controller('test/gated-individual')
@RequiresSubsystem('F02.08')
export class GatedIndividualController {
  @Get()
  get() {
    return { ok: true, subsystem: 'F02.08' };
  }
}

@Module({ controllers: [GatedController, GatedIndividualController] })
export class GatedFixtureModule {}
