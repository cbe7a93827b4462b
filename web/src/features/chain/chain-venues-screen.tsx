import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api-client';
import { useT } from '../../lib/i18n';
import { useMe } from '../auth/session';

interface VenueItem {
  venue_id: string;
  name?: string;
  status: string;
}

/**
 * /admin/chain/venues: the chain's venues (`GET /chain/{id}/venues`, subsystem F02.09). A tenant
 * whose tier lacks F02.09 gets 403 tenant_type_not_eligible, which opens the upgrade modal.
 */
export function ChainVenuesScreen() {
  const t = useT();
  const me = useMe();
  const chainId = me.data?.tenant.id;
  const venues = useQuery({
    queryKey: ['chain-venues', chainId],
    queryFn: () => api.get<{ items: VenueItem[] }>(`/chain/${chainId}/venues`),
    enabled: chainId !== undefined,
    retry: false,
  });
  return (
    <>
      <h1>{t('nav.chainVenues')}</h1>
      {venues.isError && <p role="alert">{venues.error.message}</p>}
      {venues.isSuccess && venues.data.items.length === 0 && <p data-testid="chain-venues-empty">{t('chain.noVenues')}</p>}
      <ul id="chain-venues">
        {venues.data?.items.map((v) => (
          <li key={v.venue_id}>
            {v.name ?? v.venue_id} · {v.status}
          </li>
        ))}
      </ul>
    </>
  );
}
