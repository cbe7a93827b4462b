import { Link } from 'react-router';
import { useT } from '../../lib/i18n';
import { EmailSection } from './email-section';
import { RecoveryCodesSection } from './recovery-codes-section';
import { SmsSection } from './sms-section';
import { TotpSection } from './totp-section';

/** /account/mfa: every second factor of the person (passkeys have their own screen). */
export function MfaScreen() {
  const t = useT();
  return (
    <>
      <h1>{t('nav.mfa')}</h1>
      <TotpSection />
      <RecoveryCodesSection />
      <SmsSection />
      <EmailSection />
      <p>
        <Link to="/account/passkeys">{t('mfa.passkeysLink')}</Link>
      </p>
    </>
  );
}
