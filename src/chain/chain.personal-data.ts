import { personal } from '../privacy/personal-data-rule.js';

/**
 * Venue chains' personal fields: a corporate event's outside contact (the buyer's e-mail, the
 * company name, which for a sole trader is a person's name, and the free-text notes where a name
 * or a phone number goes). The contact has no account, so the subject is the corporate event:
 * one data key per inquiry, destroyed by POST /sys/corporate-events/{id}/erase-contact.
 */
export const CHAIN_PERSONAL_DATA = [
  personal('CorporateEventRequested', (d) => d.corporate_event_id, ['company_name', 'contact_email', 'notes']),
];
