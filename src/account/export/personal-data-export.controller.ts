import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/decorators.js';
import { StepUpService } from '../../identity/auth/step-up.service.js';
import { READ_STORE, type Doc, type FindQuery, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { notFound } from '../../shared/errors.js';
import type { MembershipView, TenantView, UserView } from '../../../projections/users.js';
import type { SessionView } from '../../../projections/sessions.js';
import type { SecurityEventView } from '../../../projections/security-events.js';
import type { TrustedDeviceView } from '../../../projections/trusted-devices.js';
import type { WebAuthnCredentialView } from '../../../projections/webauthn-credentials.js';
import type { TotpFactorView } from '../../../projections/totp-factors.js';
import type { SmsFactorView } from '../../../projections/sms-factors.js';
import type { RecoveryCodesView } from '../../../projections/recovery-codes.js';

export const EXPORT_FORMAT = 'petanque-life-personal-data/1';

/**
 * GET /me/export (GDPR art. 15 and 20): everything the platform holds about the caller, from the
 * read models, as one JSON document. No secret is in it: no password hash, TOTP seed, code hash,
 * token hash or public key; the phone number only masked (the read models never hold it in
 * clear). Once the person has a second factor it needs a fresh one, like any other bulk read of
 * personal data: a stolen password alone does not take everything.
 */
@ApiTags('account')
@ApiBearerAuth()
@Controller('me/export')
export class PersonalDataExportController {
  constructor(
    @Inject(READ_STORE) private readonly reads: ReadStore,
    private readonly stepUp: StepUpService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Every document of a query, page by page (a person's lists are bounded, the audit grows slowly). */
  private async all<T extends Doc>(collection: string, query: FindQuery): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.reads.collection<T>(collection).find({ ...query, limit: 500, cursor });
      out.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor && out.length < 100_000);
    return out;
  }

  @Get()
  @Header('Content-Disposition', 'attachment; filename="petanque-life-export.json"')
  @Header('Cache-Control', 'no-store')
  async export(@CurrentAuth() auth: AuthContext) {
    await this.stepUp.assertMayBindFactor(auth);
    const uid = auth.user_id;
    const user = await this.reads.collection<UserView>('users').get(uid);
    if (!user) throw notFound('user_not_found', 'No such user.');
    const [memberships, sessions, events, devices, passkeys, totp, sms, recovery, individual] = await Promise.all([
      this.all<MembershipView>('memberships', { where: { user_id: uid }, sort: [['joined_at', 'asc']] }),
      this.all<SessionView>('sessions', { where: { user_id: uid } }),
      this.all<SecurityEventView>('security_events', {
        where: { user_id: uid },
        sort: [
          ['occurred_at', 'asc'],
          ['position', 'asc'],
        ],
      }),
      this.all<TrustedDeviceView>('trusted_devices', { where: { user_id: uid } }),
      this.all<WebAuthnCredentialView>('webauthn_credentials', { where: { user_id: uid } }),
      this.reads.collection<TotpFactorView>('totp_factors').get(uid),
      this.reads.collection<SmsFactorView>('sms_factors').get(uid),
      this.reads.collection<RecoveryCodesView>('recovery_codes').get(uid),
      this.reads.collection('individual_contexts').get(uid),
    ]);
    const tenants = await Promise.all(memberships.map((m) => this.reads.collection<TenantView>('tenants').get(m.tenant_id)));
    return {
      format: EXPORT_FORMAT,
      generated_at: this.clock.now().toISOString(),
      profile: {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        language: user.language,
        sys_roles: user.sys_roles,
        status: user.status ?? 'active',
        created_at: user.created_at,
        password_changed_at: user.password_changed_at,
      },
      memberships: memberships.map((m, i) => ({
        tenant_id: m.tenant_id,
        tenant_name: tenants[i]?.name ?? null,
        tenant_type: tenants[i]?.tenant_type ?? null,
        roles: m.roles,
        joined_at: m.joined_at,
        roles_changed_at: m.roles_changed_at,
      })),
      individual_context: individual ? strip(individual, ['last_position']) : null,
      factors: {
        totp: totp ? { status: totp.status, confirmed_at: totp.confirmed_at, last_used_at: totp.last_used_at } : null,
        sms: sms
          ? { status: sms.status, phone_masked: sms.phone_masked, confirmed_at: sms.confirmed_at, removed_at: sms.removed_at }
          : null,
        passkeys: passkeys.map((p) => ({
          id: p.id,
          name: p.name,
          status: p.status,
          aaguid: p.aaguid,
          device_type: p.device_type,
          backed_up: p.backed_up,
          transports: p.transports,
          created_at: p.created_at,
          last_used_at: p.last_used_at,
          deleted_at: p.deleted_at,
        })),
        recovery_codes: recovery ? { total: recovery.total, remaining: recovery.remaining, generated_at: recovery.generated_at } : null,
      },
      trusted_devices: devices.map((d) => strip(d, ['token_hash', 'user_id'])),
      sessions: sessions.map((s) => strip(s, ['user_id', 'device_key'])),
      security_events: events.map(({ id, type, occurred_at, tenant_id, ip, device, location, details }) => ({
        id,
        type,
        occurred_at,
        tenant_id,
        ip,
        device,
        location,
        details,
      })),
    };
  }
}

const strip = <T extends Doc>(doc: T, keys: string[]) => Object.fromEntries(Object.entries(doc).filter(([k]) => !keys.includes(k)));
