import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { Field } from '../../components/field';
import { Status } from '../../components/status';
import matrix from '../../data/tenant-tiers.json';
import { ApiError } from '../../lib/api-client';
import { useT } from '../../lib/i18n';
import { mutationStatus } from '../../lib/mutation-status';
import { SUBSYSTEM_NAMES } from '../tiers/tier-matrix';
import { useChangeTenantType, useRevokeAddon, useSysTenantTier, type SysTenantTier } from './api';
import { GrantAddonForm } from './grant-form';
import { validateReason } from './grant-validation';
import { TableHead } from '../../components/table-head';

/** Every tenant type of the published matrix, in its order. */
export const TENANT_TYPES = Object.keys((matrix as { tenant_types: Record<string, unknown> }).tenant_types);
const subsystemLabel = (id: string) => (SUBSYSTEM_NAMES[id] ? `${id} ${SUBSYSTEM_NAMES[id]}` : id);

/** F02.10.08: `/sys/tenants/{id}/tier` — summary, add-ons, grant form, type change. */
export function TenantTierScreen() {
  const t = useT();
  const { tenantId = '' } = useParams();
  const tier = useSysTenantTier(tenantId);
  return (
    <>
      <p>
        <Link to="/sys/tenants">{t('opTier.back')}</Link>
      </p>
      <h1>{tier.data ? t('opTier.title', { name: tier.data.name }) : t('opTier.titleLoading')}</h1>
      {tier.isError && <p role="alert">{t('app.error', { detail: tier.error.message })}</p>}
      {tier.data && (
        <div className="op-grid">
          <SummaryCard tier={tier.data} />
          <AddonsCard tier={tier.data} />
          <section className="card">
            <GrantAddonForm tenantId={tenantId} />
          </section>
          <ChangeTypeCard tier={tier.data} />
        </div>
      )}
    </>
  );
}

function SummaryCard({ tier }: { tier: SysTenantTier }) {
  const t = useT();
  return (
    <section className="card" id="tier-summary" aria-labelledby="summary-title">
      <h2 id="summary-title">{t('opTier.summary')}</h2>
      <dl className="facts">
        <dt>{t('opTier.tenantType')}</dt>
        <dd>
          <span className="chip chip-current" id="tenant-type-chip">
            {tier.tenant_type}
          </span>
        </dd>
        <dt>{t('opTier.includedDomains')}</dt>
        <dd id="included-domains">{tier.all_access ? t('opTier.allAccess') : tier.included_domains.join(', ') || t('opTier.none')}</dd>
        <dt>{t('opTier.excluded')}</dt>
        <dd>
          {tier.excluded_subsystems.length === 0 ? (
            t('opTier.none')
          ) : (
            <ul className="plain" id="excluded-subsystems">
              {tier.excluded_subsystems.map((s) => (
                <li key={s}>{subsystemLabel(s)}</li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </section>
  );
}

function AddonsCard({ tier }: { tier: SysTenantTier }) {
  const t = useT();
  const revoke = useRevokeAddon(tier.tenant_id);
  return (
    <section className="card card-wide" aria-labelledby="addons-title">
      <h2 id="addons-title">{t('opTier.addons')}</h2>
      {tier.addons.length === 0 ? (
        <p id="addons-none">{t('opTier.noAddons')}</p>
      ) : (
        <div className="table-wrap">
          <table id="addons">
            <TableHead columns={['opTier.subsystem', 'opTier.expiresAt', 'opTier.billingReference', 'opTier.reason', 'opTier.action']} />
            <tbody>
              {tier.addons.map((a) => (
                <tr key={a.addon_id} data-addon-id={a.addon_id} data-subsystem={a.subsystem_id}>
                  <td>{subsystemLabel(a.subsystem_id)}</td>
                  <td>{a.expires_at ? new Date(a.expires_at).toLocaleString() : t('opTier.permanent')}</td>
                  <td>{a.billing_reference ?? '–'}</td>
                  <td>{a.reason}</td>
                  <td>
                    <button
                      type="button"
                      className="revoke"
                      disabled={revoke.isPending}
                      aria-label={t('opTier.revokeNamed', { subsystem: a.subsystem_id })}
                      onClick={() => revoke.mutate({ addonId: a.addon_id })}
                    >
                      {t('opTier.revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Status id="revoke-status" status={mutationStatus(revoke)}>
        {revoke.isError ? revoke.error.message : revoke.isSuccess ? t('opTier.revoked') : null}
      </Status>
    </section>
  );
}

function ChangeTypeCard({ tier }: { tier: SysTenantTier }) {
  const t = useT();
  const change = useChangeTenantType(tier.tenant_id);
  const [target, setTarget] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const err = target === null ? 'opTier.pickType' : validateReason(reason);
    setReasonError(err ? t(err) : null);
    if (err || target === null) return;
    try {
      await change.mutateAsync({ tenant_type: target, reason });
      setTarget(null);
      setReason('');
    } catch (x) {
      if (x instanceof ApiError && x.problem.field === 'reason') setReasonError(x.message);
    }
  };
  return (
    <section className="card" aria-labelledby="type-title">
      <h2 id="type-title">{t('opTier.changeType')}</h2>
      <p className="hint">{t('opTier.changeTypeHint')}</p>
      <form id="type-form" onSubmit={submit} noValidate>
        <div className="chips" role="group" aria-label={t('opTier.tenantType')}>
          {TENANT_TYPES.map((type) => (
            <button
              key={type}
              type="button"
              className={`chip${type === tier.tenant_type ? ' chip-current' : ''}`}
              data-type={type}
              aria-pressed={target === type}
              disabled={type === tier.tenant_type}
              onClick={() => setTarget(type)}
            >
              {type}
              {type === tier.tenant_type ? ` (${t('opTier.current')})` : ''}
            </button>
          ))}
        </div>
        <Field id="type-reason" label={t('opTier.reason')} hint={t('opTier.reasonHint')} value={reason} onChange={(e) => setReason(e.target.value)} error={reasonError} />
        <div className="actions">
          <button type="submit" className="primary" disabled={change.isPending}>
            {target ? t('opTier.changeTo', { type: target }) : t('opTier.changeType')}
          </button>
        </div>
      </form>
      <Status id="type-status" status={mutationStatus(change)}>
        {change.isError
          ? change.error.message
          : change.isSuccess
            ? t('opTier.typeChanged', { from: change.data.previous_type, to: change.data.tenant_type })
            : null}
      </Status>
    </section>
  );
}
