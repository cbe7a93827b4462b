import { useState } from 'react';
import { Modal } from '../../components/modal';
import { SUPPORT_CONTACT } from '../../config';
import { useProblemListener, type Problem } from '../../lib/error-channel';
import { useT } from '../../lib/i18n';
import { useMe } from '../auth/session';
import { SUBSYSTEM_NAMES, tenantTypesIncluding } from './tier-matrix';

export interface UpgradeInfo {
  subsystem: string;
  tenant_type: string;
}

export function upgradeInfoOf(p: Problem): UpgradeInfo {
  return { subsystem: String(p.subsystem ?? '?'), tenant_type: String(p.tenant_type ?? '?') };
}

export function TenantTierUpgradeModal({ info, onClose }: { info: UpgradeInfo; onClose: () => void }) {
  const t = useT();
  const me = useMe();
  const isAdmin = me.data?.roles.includes('tenant_admin') ?? false;
  const name = SUBSYSTEM_NAMES[info.subsystem] ?? info.subsystem;
  return (
    <Modal title={t('tier.title')} onClose={onClose} testId="tenant-tier-upgrade-modal">
      <p>{t('tier.body', { subsystem: info.subsystem, name, tenantType: info.tenant_type })}</p>
      <dl className="facts">
        <dt>{t('tier.subsystem')}</dt>
        <dd data-testid="upgrade-subsystem">{info.subsystem}</dd>
        <dt>{t('tier.tenantType')}</dt>
        <dd data-testid="upgrade-tenant-type">{info.tenant_type}</dd>
        <dt>{t('tier.includedIn')}</dt>
        <dd>{tenantTypesIncluding(info.subsystem).join(', ')}</dd>
      </dl>
      <p data-testid="upgrade-contact">{t(isAdmin ? 'tier.contactAdmin' : 'tier.contact', { support: SUPPORT_CONTACT })}</p>
      <div className="actions">
        <button type="button" className="primary" onClick={onClose}>
          {t('form.close')}
        </button>
      </div>
    </Modal>
  );
}

/** Mounted once in the app shell: any call's 403 tenant_type_not_eligible opens the modal. */
export function TenantTierUpgradeHost() {
  const [info, setInfo] = useState<UpgradeInfo | null>(null);
  useProblemListener('tenant_type_not_eligible', (p) => setInfo(upgradeInfoOf(p)));
  return info ? <TenantTierUpgradeModal info={info} onClose={() => setInfo(null)} /> : null;
}
