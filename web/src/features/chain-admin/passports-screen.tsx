import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { Field } from '../../components/field';
import { Modal } from '../../components/modal';
import { Status } from '../../components/status';
import { useT } from '../../lib/i18n';
import { mutationStatus } from '../../lib/mutation-status';
import { useMe } from '../auth/session';
import { validateReason } from '../operator-tier/grant-validation';
import { POINTS_TIERS, usePassport, usePassportSearch, usePassportVisits, useUpdatePassport, type Passport, type PointsTier } from './api';
import { StatusBadge, TierBadge } from './badges';

/**
 * F02.09.11 `/admin/chain/passports`: search by passport id or name, a detail panel for the chosen
 * passport (`?passport=` in the address, so it can be linked), tier override behind a confirmation,
 * ban and unban with a reason. The chain is the signed-in chain tenant.
 */
export function PassportsScreen() {
  const t = useT();
  const me = useMe();
  const chainId = me.data?.tenant.id;
  const [params, setParams] = useSearchParams();
  const selected = params.get('passport');
  const [input, setInput] = useState(params.get('q') ?? '');
  const q = params.get('q') ?? '';
  const results = usePassportSearch(chainId, q);
  const search = (e: FormEvent) => {
    e.preventDefault();
    setParams((p) => {
      const next = new URLSearchParams(p);
      next.set('q', input.trim());
      return next;
    });
  };
  const choose = (id: string) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      next.set('passport', id);
      return next;
    });
  return (
    <>
      <h1>{t('chainAdmin.passportsTitle')}</h1>
      <form role="search" onSubmit={search} className="inline-form">
        <Field id="passport-search" type="search" label={t('chainAdmin.search')} hint={t('chainAdmin.searchHint')} value={input} onChange={(e) => setInput(e.target.value)} />
        <button type="submit" className="primary">
          {t('chainAdmin.searchButton')}
        </button>
      </form>
      {results.isError && <p role="alert">{t('app.error', { detail: results.error.message })}</p>}
      <div className="split">
        <section aria-labelledby="results-title">
          <h2 id="results-title">{t('chainAdmin.results')}</h2>
          {results.data && results.data.items.length === 0 && <p id="no-results">{t('chainAdmin.noResults')}</p>}
          <ul className="result-list" id="passport-results" data-query={results.data && !results.isPlaceholderData ? q : undefined}>
            {results.data?.items.map((p) => (
              <li key={p.passport_id}>
                <button type="button" className="result" data-passport-id={p.passport_id} aria-current={p.passport_id === selected ? 'true' : undefined} onClick={() => choose(p.passport_id)}>
                  <span className="result-name">{p.display_name}</span> <span className="mono">{p.passport_id}</span> <TierBadge tier={p.tier} />{' '}
                  {p.status === 'BANNED' && <StatusBadge status={p.status} />}
                </button>
              </li>
            ))}
          </ul>
        </section>
        {selected && <PassportPanel id={selected} key={selected} />}
      </div>
    </>
  );
}

function PassportPanel({ id }: { id: string }) {
  const t = useT();
  const passport = usePassport(id);
  const visits = usePassportVisits(id);
  const p = passport.data;
  return (
    <section className="card" id="passport-panel" aria-labelledby="panel-title" data-passport-id={id}>
      {passport.isError && <p role="alert">{t('app.error', { detail: passport.error.message })}</p>}
      {p && (
        <>
          <h2 id="panel-title">{p.display_name}</h2>
          <p className="badges">
            <TierBadge tier={p.tier} /> <StatusBadge status={p.status} />
          </p>
          {p.tier_override && (
            <p id="override-note">
              {t('chainAdmin.overrideNote', { tier: p.tier_override.tier, reason: p.tier_override.reason })}
              {p.tier_override.until ? ` ${t('chainAdmin.overrideUntil', { until: new Date(p.tier_override.until).toLocaleDateString() })}` : ''}
            </p>
          )}
          {p.status === 'BANNED' && p.ban_reason && <p id="ban-note">{t('chainAdmin.banNote', { reason: p.ban_reason })}</p>}
          <dl className="facts" id="passport-stats">
            <dt>{t('chainAdmin.passportId')}</dt>
            <dd className="mono">{p.passport_id}</dd>
            <dt>{t('chainAdmin.points')}</dt>
            <dd data-stat="points">{p.total_points}</dd>
            <dt>{t('chainAdmin.games')}</dt>
            <dd data-stat="games">{p.total_games}</dd>
            <dt>{t('chainAdmin.pointsTier')}</dt>
            <dd>
              {p.points_tier}
              {p.next_points_tier && p.points_to_next_tier !== null
                ? ` · ${t('chainAdmin.toNext', { count: String(p.points_to_next_tier), tier: p.next_points_tier })}`
                : ''}
            </dd>
            {p.visits && (
              <>
                <dt>{t('chainAdmin.visitsInWindow', { days: String(p.visits.window_days) })}</dt>
                <dd data-stat="visits">
                  {p.visits.visits_in_window}
                  {p.visits.visit_tier ? ` · ${p.visits.visit_tier}` : ''}
                </dd>
              </>
            )}
          </dl>
          <OverrideForm passport={p} />
          <BanForm passport={p} />
          <h3>{t('chainAdmin.timeline')}</h3>
          {visits.data && visits.data.items.length === 0 && <p>{t('chainAdmin.noVisits')}</p>}
          <ol className="timeline" id="visit-timeline">
            {visits.data?.items.map((v) => (
              <li key={v.visit_id} data-kind={v.kind}>
                <time dateTime={v.visited_at}>{new Date(v.visited_at).toLocaleString()}</time> ·{' '}
                {t(v.kind === 'check_in' ? 'chainAdmin.checkIn' : 'chainAdmin.pointsAward')} · {t('chainAdmin.plusPoints', { points: String(v.points_earned) })}
                {v.reason ? ` · ${v.reason}` : ''}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function OverrideForm({ passport }: { passport: Passport }) {
  const t = useT();
  const update = useUpdatePassport(passport.passport_id);
  const [tier, setTier] = useState<PointsTier | ''>(passport.tier_override?.tier ?? '');
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const ask = (e: FormEvent) => {
    e.preventDefault();
    const err = tier === '' ? null : validateReason(reason);
    setError(err ? t(err) : null);
    if (!err) setConfirming(true);
  };
  const confirm = async () => {
    setConfirming(false);
    try {
      await update.mutateAsync(
        tier === ''
          ? { tier_override: null }
          : { tier_override: tier, tier_override_reason: reason, tier_override_until: until ? new Date(`${until}T00:00:00Z`).toISOString() : null },
      );
      setReason('');
    } catch {
      /* shown by the status below */
    }
  };
  return (
    <form id="override-form" onSubmit={ask} noValidate aria-labelledby="override-title">
      <h3 id="override-title">{t('chainAdmin.override')}</h3>
      <div className="field">
        <label htmlFor="override-tier">{t('chainAdmin.overrideTier')}</label>
        <select id="override-tier" value={tier} onChange={(e) => setTier(e.target.value as PointsTier | '')}>
          <option value="">{t('chainAdmin.noOverride')}</option>
          {POINTS_TIERS.map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
      </div>
      {tier !== '' && (
        <>
          <Field id="override-reason" label={t('chainAdmin.overrideReason')} hint={t('opTier.reasonHint')} value={reason} onChange={(e) => setReason(e.target.value)} error={error} />
          <Field id="override-until" type="date" label={t('chainAdmin.overrideUntilLabel')} value={until} onChange={(e) => setUntil(e.target.value)} />
        </>
      )}
      <button type="submit" disabled={update.isPending}>
        {t('chainAdmin.overrideButton')}
      </button>
      <Status id="override-status" status={mutationStatus(update)}>
        {update.isError ? update.error.message : update.isSuccess ? t('chainAdmin.overrideSaved') : null}
      </Status>
      {confirming && (
        <Modal title={t('chainAdmin.confirmTitle')} onClose={() => setConfirming(false)} testId="override-confirm">
          <p>
            {tier === ''
              ? t('chainAdmin.confirmClear', { name: passport.display_name })
              : t('chainAdmin.confirmOverride', { name: passport.display_name, tier })}
          </p>
          <div className="actions">
            <button type="button" onClick={() => setConfirming(false)}>
              {t('form.cancel')}
            </button>
            <button type="button" className="primary" id="override-confirm-button" onClick={() => void confirm()}>
              {t('chainAdmin.confirm')}
            </button>
          </div>
        </Modal>
      )}
    </form>
  );
}

function BanForm({ passport }: { passport: Passport }) {
  const t = useT();
  const update = useUpdatePassport(passport.passport_id);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ban = async (e: FormEvent) => {
    e.preventDefault();
    const err = validateReason(reason);
    setError(err ? t(err) : null);
    if (err) return;
    try {
      await update.mutateAsync({ banned: true, ban_reason: reason });
      setReason('');
    } catch {
      /* shown by the status below */
    }
  };
  return (
    <div id="ban-section">
      <h3>{t(passport.status === 'BANNED' ? 'chainAdmin.unbanTitle' : 'chainAdmin.banTitle')}</h3>
      {passport.status === 'BANNED' ? (
        <button type="button" id="unban" disabled={update.isPending} onClick={() => update.mutate({ banned: false })}>
          {t('chainAdmin.unban')}
        </button>
      ) : (
        <form id="ban-form" onSubmit={ban} noValidate>
          <Field id="ban-reason" label={t('chainAdmin.banReason')} hint={t('opTier.reasonHint')} value={reason} onChange={(e) => setReason(e.target.value)} error={error} />
          <button type="submit" className="danger" disabled={update.isPending}>
            {t('chainAdmin.ban')}
          </button>
        </form>
      )}
      <Status id="ban-status" status={mutationStatus(update)}>
        {update.isError ? update.error.message : update.isSuccess ? t(update.data.status === 'BANNED' ? 'chainAdmin.bannedDone' : 'chainAdmin.unbannedDone') : null}
      </Status>
    </div>
  );
}
