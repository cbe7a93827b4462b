import { Link } from 'react-router';
import { useT } from '../../lib/i18n';
import { RECOVERY_CODES_LOW, useEnforcement, useMethods, useRecoveryCount } from '../mfa/api';
import { useMe } from '../auth/session';

/** /account: where the person's security stands, with a link to each screen. */
export function OverviewScreen() {
  const t = useT();
  const me = useMe();
  const methods = useMethods();
  const count = useRecoveryCount();
  const enforcement = useEnforcement();
  const m = methods.data;
  const factors = m ? [m.totp.enrolled && t('totp.title'), m.sms.enrolled && t('sms.title'), m.webauthn.credential_count > 0 && t('nav.passkeys')].filter(Boolean) : [];
  return (
    <>
      <h1>{t('nav.overview')}</h1>
      <p>{me.data ? t('overview.signedInAs', { email: me.data.user.email, tenant: me.data.tenant.name ?? me.data.tenant.id }) : ''}</p>
      <ul className="cards">
        <li>
          <strong>{t('nav.mfa')}:</strong> {factors.length ? factors.join(', ') : t('overview.noFactor')}{' '}
          {enforcement.data && enforcement.data.status !== 'not_required' && `(${t(`overview.policy.${enforcement.data.status}`)})`}{' '}
          <Link to="/account/mfa">{t('overview.manage')}</Link>
        </li>
        <li>
          <strong>{t('codes.title')}:</strong> {t('codes.remaining', { count: count.data?.remaining ?? 0 })}
          {factors.length > 0 && (count.data?.remaining ?? 0) <= RECOVERY_CODES_LOW && <span className="warning"> {t('codes.low')}</span>}{' '}
          <Link to="/account/mfa">{t('overview.manage')}</Link>
        </li>
        <li>
          <Link to="/account/sessions">{t('nav.sessions')}</Link> · <Link to="/account/devices">{t('nav.devices')}</Link> ·{' '}
          <Link to="/account/events">{t('nav.events')}</Link>
        </li>
      </ul>
    </>
  );
}
