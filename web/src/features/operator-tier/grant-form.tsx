import { useState, type FormEvent } from 'react';
import { Field } from '../../components/field';
import { Status } from '../../components/status';
import { ApiError } from '../../lib/api-client';
import { useT } from '../../lib/i18n';
import { SUBSYSTEM_NAMES } from '../tiers/tier-matrix';
import { useGrantAddon } from './api';
import { grantBody, serverFieldOf, validateGrant, type GrantErrors, type GrantForm } from './grant-validation';

const EMPTY: GrantForm = { subsystem_id: '', expires_at: '', billing_reference: '', reason: '' };

/**
 * F02.10.08 grant form: subsystem id (`F<NN>.<MM>`), optional expiry (empty = permanent), billing
 * reference, reason (3–500). Errors at the field, from the same rules as the API and from its answer.
 * `now` is the clock the expiry is checked against (component tests pass their own).
 */
export function GrantAddonForm({ tenantId, now = () => new Date() }: { tenantId: string; now?: () => Date }) {
  const t = useT();
  const grant = useGrantAddon(tenantId);
  const [form, setForm] = useState<GrantForm>(EMPTY);
  const [errors, setErrors] = useState<GrantErrors>({});
  const [serverError, setServerError] = useState<{ field: keyof GrantForm | null; text: string } | null>(null);
  const set = (k: keyof GrantForm) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found = validateGrant(form, now());
    setErrors(found);
    setServerError(null);
    if (Object.keys(found).length > 0) return;
    try {
      await grant.mutateAsync(grantBody(form));
      setForm(EMPTY);
    } catch (x) {
      if (x instanceof ApiError) setServerError({ field: serverFieldOf(x.problem), text: x.message });
      else setServerError({ field: null, text: String(x) });
    }
  };
  const errorOf = (k: keyof GrantForm): string | null =>
    errors[k] ? t(errors[k]) : serverError?.field === k ? serverError.text : null;
  const name = SUBSYSTEM_NAMES[form.subsystem_id.trim()];

  return (
    <form id="grant-form" onSubmit={submit} noValidate aria-labelledby="grant-title">
      <h2 id="grant-title">{t('opTier.grantTitle')}</h2>
      <Field
        id="grant-subsystem"
        label={t('opTier.subsystemId')}
        hint={name ? `${t('opTier.subsystemHint')} ${name}` : t('opTier.subsystemHint')}
        value={form.subsystem_id}
        onChange={set('subsystem_id')}
        error={errorOf('subsystem_id')}
        autoComplete="off"
      />
      <Field
        id="grant-expires"
        type="datetime-local"
        label={t('opTier.expiresAt')}
        hint={t('opTier.expiresHint')}
        value={form.expires_at}
        onChange={set('expires_at')}
        error={errorOf('expires_at')}
      />
      <Field
        id="grant-billing"
        label={t('opTier.billingReference')}
        value={form.billing_reference}
        onChange={set('billing_reference')}
        error={errorOf('billing_reference')}
      />
      <Field id="grant-reason" label={t('opTier.reason')} hint={t('opTier.reasonHint')} value={form.reason} onChange={set('reason')} error={errorOf('reason')} />
      <div className="actions">
        <button type="submit" className="primary" disabled={grant.isPending}>
          {t('opTier.grant')}
        </button>
      </div>
      <Status id="grant-status" status={grant.isPending ? 'pending' : serverError ? 'error' : grant.isSuccess ? 'ok' : 'idle'}>
        {serverError && serverError.field === null ? serverError.text : grant.isSuccess && !serverError ? t('opTier.granted', { subsystem: grant.data.subsystem_id }) : null}
      </Status>
    </form>
  );
}
