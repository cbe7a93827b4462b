import type { MailTemplates, SecurityEventRule } from '../audit/security-event-rule.js';

/**
 * A tier change is told to the player: it lands in their own event list and they get one e-mail
 * per change (keyed by the event id, so a restart or rebuild never sends it again).
 */
export const PASSPORT_SECURITY_EVENTS: SecurityEventRule[] = [
  {
    event: 'PassportTierChanged',
    type: () => 'passport.tier_changed',
    userId: (d) => d.user_id,
    details: (d) => ({ passport_id: d.passport_id, chain_id: d.chain_id, ladder: d.ladder, from: d.from, to: d.to, cause: d.cause }),
    notify: () => true,
  },
];

const tierName = (t: unknown) => (t === null || t === undefined ? '—' : String(t));

export const PASSPORT_MAIL_TEMPLATES: MailTemplates = {
  'passport.tier_changed': {
    en: {
      subject: 'Your passport tier changed',
      body: (d) => [
        `Your passport ${d.passport_id} is now ${tierName(d.to)} (was ${tierName(d.from)})${d.ladder === 'visits' ? ' by your visits of the last 365 days' : ''}.`,
      ],
    },
    sv: {
      subject: 'Din passnivå har ändrats',
      body: (d) => [
        `Ditt pass ${d.passport_id} har nu nivån ${tierName(d.to)} (var ${tierName(d.from)})${d.ladder === 'visits' ? ' utifrån dina besök de senaste 365 dagarna' : ''}.`,
      ],
    },
  },
};
