import { useRef, useState, type KeyboardEvent } from 'react';
import { useT } from '../../lib/i18n';
import type { MessageKey } from '../../i18n/en';
import { useMe } from '../auth/session';
import { LEADERBOARD_REFRESH_MS, useActiveVenues, useLeaderboard, type Period } from './api';
import { RankBadge, TierBadge } from './badges';
import { TableHead } from '../../components/table-head';

const PERIODS: Array<{ id: Period; label: MessageKey }> = [
  { id: 'alltime', label: 'chainAdmin.allTime' },
  { id: 'year', label: 'chainAdmin.thisYear' },
  { id: 'month', label: 'chainAdmin.thisMonth' },
];

/**
 * F02.09.11 `/admin/chain/leaderboard`: period tabs (All time / This year / This month, arrow keys
 * move between them), a venue filter, rank badges; refreshed every 60 s by TanStack Query.
 */
export function LeaderboardScreen() {
  const t = useT();
  const me = useMe();
  const chainId = me.data?.tenant.id;
  const [period, setPeriod] = useState<Period>('alltime');
  const [venueId, setVenueId] = useState('');
  const board = useLeaderboard(chainId, venueId, period);
  const venues = useActiveVenues(chainId);
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    const next = e.key === 'ArrowRight' ? (i + 1) % PERIODS.length : e.key === 'ArrowLeft' ? (i + PERIODS.length - 1) % PERIODS.length : e.key === 'Home' ? 0 : e.key === 'End' ? PERIODS.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    setPeriod(PERIODS[next]!.id);
    tabs.current[next]?.focus();
  };
  return (
    <>
      <h1>{t('chainAdmin.leaderboardTitle')}</h1>
      <div className="toolbar">
        <div role="tablist" aria-label={t('chainAdmin.period')} className="tabs">
          {PERIODS.map((p, i) => (
            <button
              key={p.id}
              ref={(el) => {
                tabs.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`tab-${p.id}`}
              aria-selected={period === p.id}
              aria-controls="leaderboard-panel"
              tabIndex={period === p.id ? 0 : -1}
              onClick={() => setPeriod(p.id)}
              onKeyDown={(e) => onKey(e, i)}
            >
              {t(p.label)}
            </button>
          ))}
        </div>
        <div className="field">
          <label htmlFor="venue-filter">{t('chainAdmin.venue')}</label>
          <select id="venue-filter" value={venueId} onChange={(e) => setVenueId(e.target.value)}>
            <option value="">{t('chainAdmin.allVenues')}</option>
            {venues.data?.items.map((v) => (
              <option key={v.venue_id} value={v.venue_id}>
                {v.venue_name ?? v.venue_id}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div role="tabpanel" id="leaderboard-panel" aria-labelledby={`tab-${period}`} tabIndex={0}>
        <p className="hint" id="leaderboard-updated" data-updated-at={board.dataUpdatedAt || undefined}>
          {t('chainAdmin.refreshEvery', { seconds: String(LEADERBOARD_REFRESH_MS / 1000) })}
          {board.dataUpdatedAt ? ` ${t('chainAdmin.updatedAt', { time: new Date(board.dataUpdatedAt).toLocaleTimeString() })}` : ''}
        </p>
        {board.isError && <p role="alert">{t('app.error', { detail: board.error.message })}</p>}
        {board.data && board.data.items.length === 0 && <p id="leaderboard-empty">{t('chainAdmin.noRanking')}</p>}
        <div className="table-wrap">
          <table id="leaderboard" data-period={board.data?.period}>
            <caption className="visually-hidden">{t('chainAdmin.leaderboardTitle')}</caption>
            <TableHead columns={['chainAdmin.rankCol', 'chainAdmin.player', 'chainAdmin.tier', 'chainAdmin.points', 'chainAdmin.visits']} />
            <tbody>
              {board.data?.items.map((r) => (
                <tr key={r.passport_id} data-passport-id={r.passport_id} data-rank={r.rank}>
                  <td>
                    <RankBadge rank={r.rank} />
                  </td>
                  <td>{r.display_name}</td>
                  <td>
                    <TierBadge tier={r.tier} />
                  </td>
                  <td>{r.points}</td>
                  <td>{r.visits}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}
