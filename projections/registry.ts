import type { ProjectionDefinition } from '../src/projections-runtime/projection.js';
import { securityEventsProjection } from './security-events.js';
import { sessionsProjection } from './sessions.js';
import { usersProjection } from './users.js';
import { totpFactorsProjection } from './totp-factors.js';
import { recoveryCodesProjection } from './recovery-codes.js';
import { mfaPoliciesProjection } from './mfa-policies.js';
import { tenantSecurityEventsProjection } from './tenant-security-events.js';
import { trustedDevicesProjection } from './trusted-devices.js';
import { smsFactorsProjection } from './sms-factors.js';
import { webauthnCredentialsProjection } from './webauthn-credentials.js';
import { invitationsProjection } from './invitations.js';
import { platformSecurityEventsProjection } from './platform-security-events.js';
import { tenantTiersProjection } from './tenant-tiers.js';
import { operatorAuditProjection } from './operator-audit.js';
import { individualContextsProjection } from './individual-contexts.js';
import { friendshipsProjection } from './friendships.js';
import { casualMatchesProjection } from './casual-matches.js';
import { chainsProjection } from './chains.js';
import { chainMembershipsProjection } from './chain-memberships.js';
import { chainLeaguesProjection } from './chain-leagues.js';
import { chainLeagueStandingsProjection } from './chain-league-standings.js';
import { chainInvoicesProjection } from './chain-invoices.js';
import { chainCorporateEventsProjection } from './chain-corporate-events.js';
import { chainWhiteLabelsProjection } from './chain-white-labels.js';
import { chainPassportsProjection } from './chain-passports.js';
import { chainPassportVisitTiersProjection } from './chain-passport-visit-tiers.js';
import { chainPassportVisitsProjection } from './chain-passport-visits.js';
import { chainPassportLeaderboardProjection } from './chain-passport-leaderboard.js';

/**
 * Every projection of the product, one file per read model in this folder. The order is the
 * order in which a page of events is applied; projections must not read each other's models.
 */
export const ALL_PROJECTIONS: readonly ProjectionDefinition[] = [
  usersProjection,
  sessionsProjection,
  securityEventsProjection,
  totpFactorsProjection,
  recoveryCodesProjection,
  mfaPoliciesProjection,
  tenantSecurityEventsProjection,
  trustedDevicesProjection,
  smsFactorsProjection,
  webauthnCredentialsProjection,
  invitationsProjection,
  platformSecurityEventsProjection,
  tenantTiersProjection,
  operatorAuditProjection,
  individualContextsProjection,
  friendshipsProjection,
  casualMatchesProjection,
  chainsProjection,
  chainMembershipsProjection,
  chainLeaguesProjection,
  chainLeagueStandingsProjection,
  chainInvoicesProjection,
  chainCorporateEventsProjection,
  chainWhiteLabelsProjection,
  chainPassportsProjection,
  chainPassportVisitTiersProjection,
  chainPassportVisitsProjection,
  chainPassportLeaderboardProjection,
];
