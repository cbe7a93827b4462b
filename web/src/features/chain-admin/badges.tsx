import { useT } from '../../lib/i18n';
import type { MessageKey } from '../../i18n/en';

const TIER: Record<string, MessageKey> = { REGULAR: 'chainAdmin.tierREGULAR', GOLD: 'chainAdmin.tierGOLD', PLATINUM: 'chainAdmin.tierPLATINUM' };

export function TierBadge({ tier }: { tier: string }) {
  const t = useT();
  return (
    <span className={`badge badge-tier-${tier.toLowerCase()}`} data-tier={tier}>
      {TIER[tier] ? t(TIER[tier]) : tier}
    </span>
  );
}

export function StatusBadge({ status }: { status: 'ACTIVE' | 'BANNED' }) {
  const t = useT();
  return (
    <span className={`badge badge-status-${status.toLowerCase()}`} data-status-badge={status}>
      {t(status === 'BANNED' ? 'chainAdmin.banned' : 'chainAdmin.active')}
    </span>
  );
}

/** #1 gold, #2 silver, #3 bronze; plain from #4. */
export function RankBadge({ rank }: { rank: number }) {
  const t = useT();
  const medal = rank === 1 ? 'gold' : rank === 2 ? 'silver' : rank === 3 ? 'bronze' : null;
  return (
    <span className={`rank${medal ? ` rank-${medal}` : ''}`} data-medal={medal ?? undefined} aria-label={t('chainAdmin.rank', { rank: String(rank) })}>
      #{rank}
    </span>
  );
}
