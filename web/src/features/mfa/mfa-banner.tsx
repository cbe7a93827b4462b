import { Link } from 'react-router';
import { useT } from '../../lib/i18n';
import { useEnforcement } from './api';

/** "MFA required for treasurers — 12 days left" / "enrol now", from GET /auth/mfa/enforcement. */
export function MfaBanner() {
  const t = useT();
  const { data } = useEnforcement();
  if (!data || (data.status !== 'grace_period' && data.status !== 'enrol_now')) return null;
  const roles = data.required_by_roles.join(', ');
  return (
    <div className={`banner banner-${data.status}`} role="region" aria-label={t('banner.label')} data-testid="mfa-banner" data-status={data.status}>
      <p>
        {data.status === 'grace_period'
          ? t('banner.grace', { roles, days: data.days_remaining ?? 0 })
          : t('banner.enrolNow', { roles })}
      </p>
      <Link className="button primary" to="/account/mfa">
        {t('banner.action')}
      </Link>
    </div>
  );
}
