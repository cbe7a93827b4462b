import { useI18n } from '../../lib/i18n';
import { useSecurityEvents } from './api';

/** The person's security events, newest first; `more` adds a button for older pages. */
export function SecurityEventList({ limit, type, more = false }: { limit: number; type?: string; more?: boolean }) {
  const { t, lang } = useI18n();
  const q = useSecurityEvents(limit, type);
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      {q.isSuccess && items.length === 0 && <p>{t('events.none')}</p>}
      <ul id="events" className="events">
        {items.map((e) => (
          <li key={e.id} data-type={e.type}>
            <time dateTime={e.occurred_at}>{new Date(e.occurred_at).toLocaleString(lang)}</time> — {e.type.replace(/_/g, ' ')}
            {e.location?.country ? ` · ${[e.location.city, e.location.country].filter(Boolean).join(', ')}` : ''}
            {e.device?.browser ? ` · ${[e.device.browser, e.device.os].filter(Boolean).join(' on ')}` : ''}
          </li>
        ))}
      </ul>
      {more && q.hasNextPage && (
        <button type="button" onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
          {t('events.more')}
        </button>
      )}
    </>
  );
}
