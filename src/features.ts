import type { DynamicModule, Type } from '@nestjs/common';
import { IdentityModule } from './identity/identity.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { MfaModule } from './mfa/mfa.module.js';
import { PolicyModule } from './mfa/policy.module.js';
import { SmsEmailModule } from './mfa/sms-email.module.js';
import { WebAuthnModule } from './mfa/webauthn.module.js';
import { TenantTierModule } from './tenant-tier/tenant-tier.module.js';
import { IndividualModule } from './individual/individual.module.js';
import { AccountModule } from './account/account.module.js';
import { ChainModule } from './chain/chain.module.js';
import { PassportModule } from './passport/passport.module.js';

/** The bounded contexts served by the app. Each later capability adds its module here. */
export const FEATURE_MODULES: Array<Type<unknown> | DynamicModule> = [
  NotificationsModule,
  IdentityModule,
  MfaModule,
  PolicyModule,
  SmsEmailModule,
  WebAuthnModule,
  TenantTierModule,
  IndividualModule,
  AccountModule,
  ChainModule,
  PassportModule,
];
