import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { rulesByEvent, SECURITY_MAIL_TEMPLATES, tenantRulesByEvent } from '../audit/security-event-registry.js';
import type { SecurityEventRule, TenantSecurityEventRule } from '../audit/security-event-rule.js';
import { ReactorRegistry } from '../projections-runtime/reactor-registry.js';
import { JOB_QUEUE, type JobQueue } from '../queue/job-queue.port.js';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { locate, parseDevice } from '../shared/device.js';
import { logger } from '../shared/logger.js';
import { maskDetails } from '../shared/mask.js';
import type { MembershipView, UserView } from '../../projections/users.js';
import { MAIL_TRANSPORT, type MailTransport } from './mail-transport.js';
import { WASNT_YOU } from '../identity/identity.security-events.js';

export const SECURITY_MAIL_JOB = 'security-mail';

interface SecurityMailJob {
  event_id: string;
  user_id: string;
  type: string;
  occurred_at: string;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

/**
 * SecurityNotificationService: a reactor that turns security events into one e-mail each,
 * in the owner's language, through the job queue. The job id is the event id, so a restart
 * (re-delivery) never sends twice, and a projection rebuild never runs this at all.
 */
@Injectable()
export class SecurityNotificationService implements OnModuleInit {
  constructor(
    private readonly reactors: ReactorRegistry,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(MAIL_TRANSPORT) private readonly mail: MailTransport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const rules = rulesByEvent();
    const tenantRules = tenantRulesByEvent();
    this.queue.register<SecurityMailJob>(SECURITY_MAIL_JOB, (job) => this.send(job), { concurrency: 2 });
    type Data = Record<string, unknown>;
    const mailsAdmins = (rule: TenantSecurityEventRule, data: Data) =>
      !!rule.notifyAdmins?.(data) && !!SECURITY_MAIL_TEMPLATES[rule.type(data)];
    const mailsUser = (rule: SecurityEventRule, data: Data) => {
      const type = rule.type(data);
      return !!type && !!rule.userId(data) && !!rule.notify?.(data) && !!SECURITY_MAIL_TEMPLATES[type];
    };
    this.reactors.add({
      name: 'security-notifications',
      handles: [...new Set([...rules.keys(), ...tenantRules.keys()])],
      // most audited events mail no one (a login from a known device, a step-up by TOTP): such a page costs no claim
      wants: (event) =>
        (tenantRules.get(event.type) ?? []).some((rule) => mailsAdmins(rule, event.data)) ||
        (rules.get(event.type) ?? []).some((rule) => mailsUser(rule, event.data)),
      react: async (event) => {
        // tenant-level events: one mail per tenant admin at the time of the event, keyed by (event, admin)
        for (const rule of tenantRules.get(event.type) ?? []) {
          const type = rule.type(event.data);
          if (!mailsAdmins(rule, event.data)) continue;
          for (const adminId of await this.tenantAdmins(rule.tenantId(event.data))) {
            const id = `${event.id}-${adminId}`;
            await this.queue.enqueue<SecurityMailJob>(
              SECURITY_MAIL_JOB,
              {
                event_id: id,
                user_id: adminId,
                type,
                occurred_at: event.occurred_at,
                ip: null, // the operator's address is not the admins' business
                user_agent: null,
                details: maskDetails(rule.details?.(event.data) ?? {}),
              },
              { jobId: `security-mail-${id}`, attempts: 8, backoffMs: 2000 },
            );
          }
        }
        for (const [i, rule] of (rules.get(event.type) ?? []).entries()) {
          if (!mailsUser(rule, event.data)) continue;
          const type = rule.type(event.data)!;
          const userId = rule.userId(event.data)!;
          const id = i === 0 ? event.id : `${event.id}-${i}`;
          await this.queue.enqueue<SecurityMailJob>(
            SECURITY_MAIL_JOB,
            {
              event_id: id,
              user_id: userId,
              type,
              occurred_at: event.occurred_at,
              ip: (event.metadata.ip as string | null) ?? null,
              user_agent: (event.metadata.user_agent as string | null) ?? null,
              details: maskDetails(rule.details?.(event.data) ?? {}),
            },
            { jobId: `security-mail-${id}`, attempts: 8, backoffMs: 2000 },
          );
        }
      },
    });
  }

  private async tenantAdmins(tenantId: string): Promise<string[]> {
    const admins: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.reads
        .collection<MembershipView>('memberships')
        .find({ where: { tenant_id: tenantId }, sort: [['joined_at', 'asc']], limit: 500, cursor });
      for (const m of page.items) if (m.roles.includes('tenant_admin')) admins.push(m.user_id);
      cursor = page.next_cursor;
    } while (cursor);
    return admins;
  }

  private async send(job: SecurityMailJob): Promise<void> {
    const user = await this.reads.collection<UserView>('users').get(job.user_id);
    if (!user || user.erased === true) {
      // an erased person has no address any more (src/privacy): nothing to send to
      logger.warn({ event_id: job.event_id }, 'security mail skipped: user not found or erased');
      return;
    }
    const lang = user.language === 'sv' ? 'sv' : 'en';
    const template = SECURITY_MAIL_TEMPLATES[job.type]![lang];
    const device = parseDevice(job.user_agent);
    const location = await locate(job.ip);
    const facts = {
      ...job.details,
      device: device.browser || device.os ? [device.browser, device.os].filter(Boolean).join(lang === 'sv' ? ' på ' : ' on ') : null,
      location: location ? [location.city, location.country].filter(Boolean).join(', ') : null,
    };
    const when = new Date(job.occurred_at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
    const sessionsUrl = `${this.config.publicBaseUrl}/account/sessions`;
    const text = [
      lang === 'sv' ? `Hej ${user.display_name},` : `Hello ${user.display_name},`,
      '',
      ...template.body(facts),
      '',
      `${lang === 'sv' ? 'Tid' : 'Time'}: ${when}${job.ip ? ` · IP: ${job.ip}` : ''}`,
      '',
      `${WASNT_YOU[lang]} ${sessionsUrl}`,
      '',
      '— Petanque Life Security',
    ].join('\n');
    await this.mail.send({
      to: user.email,
      subject: template.subject,
      text,
      messageId: job.event_id,
      headers: { 'X-Security-Event': job.type },
    });
  }
}
