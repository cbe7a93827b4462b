import { useState } from 'react';
import { useT } from '../../lib/i18n';
import { SecurityEventList } from './security-event-list';

const TYPES = [
  'new_login',
  'login_failed',
  'logged_out',
  'sessions_revoked_all',
  'mfa_enrolled',
  'mfa_disabled',
  'recovery_codes_generated',
  'recovery_code_used',
  'email_otp_used',
  'trusted_device_added',
  'trusted_device_removed',
  'password_changed',
  'password_reset',
  'email_changed',
  'refresh_token_reuse_detected',
  'account_locked',
];

/** /account/events: the whole security-event history, filterable by type, paged. */
export function SecurityEventsScreen() {
  const t = useT();
  const [type, setType] = useState('');
  return (
    <>
      <h1>{t('events.title')}</h1>
      <label className="field">
        {t('events.filter')}{' '}
        <select value={type} onChange={(e) => setType(e.target.value)}>
          <option value="">{t('events.all')}</option>
          {TYPES.map((x) => (
            <option key={x} value={x}>
              {x.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      </label>
      <SecurityEventList limit={25} type={type || undefined} more />
    </>
  );
}
