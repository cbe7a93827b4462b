import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { api } from '../../lib/api-client';
import { useMe } from '../auth/session';
import { brandableHost, brandVariables, type Branding } from './branding';

const BrandingContext = createContext<Branding | null>(null);

/** The chain branding in effect, or null for Petanque Life's own. */
export const useBranding = (): Branding | null => useContext(BrandingContext);

const STALE = 5 * 60_000; // the public answer is cacheable for 300 s

/**
 * F02.09.05: applies a chain's white label across the app. On a chain's custom domain the public
 * `GET /public/branding?domain=` answers before anyone signs in; on any other host a signed-in
 * member of a CHAIN tenant gets their chain's `GET /chain/{id}/white-label`. The colours become
 * CSS custom properties on :root, the app name the document title, the icon the favicon; the
 * layout reads `useBranding()` for the name, the logo and whether to hide the Petanque Life brand.
 */
export function BrandingProvider({ children, host = window.location.hostname }: { children: ReactNode; host?: string }) {
  const byDomain = useQuery({
    queryKey: ['branding', host],
    queryFn: () => api.get<Branding>(`/public/branding?domain=${encodeURIComponent(host)}`, { auth: false }),
    enabled: brandableHost(host),
    staleTime: STALE,
    retry: false,
  });
  const me = useMe();
  const chainId = me.data?.tenant.tenant_type === 'CHAIN' ? me.data.tenant.id : undefined;
  const own = useQuery({
    queryKey: ['white-label', chainId],
    queryFn: () => api.get<Branding>(`/chain/${chainId}/white-label`),
    enabled: chainId !== undefined && !byDomain.data,
    staleTime: STALE,
    retry: false,
  });
  const branding = byDomain.data ?? (chainId !== undefined ? own.data : undefined) ?? null;

  useEffect(() => {
    if (!branding) return;
    const root = document.documentElement;
    const vars = brandVariables(branding);
    for (const [k, v] of Object.entries(vars)) root.style.setProperty(k, v);
    const title = document.title;
    document.title = branding.app_name;
    const icon = branding.icon_url ? document.createElement('link') : null;
    if (icon) {
      icon.rel = 'icon';
      icon.href = branding.icon_url!;
      document.head.appendChild(icon);
    }
    return () => {
      for (const k of Object.keys(vars)) root.style.removeProperty(k);
      document.title = title;
      icon?.remove();
    };
  }, [branding]);

  return <BrandingContext.Provider value={branding}>{children}</BrandingContext.Provider>;
}

/** The top bar's brand: the chain's logo and app name, and Petanque Life's unless the chain hides it. */
export function Brand({ productName }: { productName: string }) {
  const b = useBranding();
  if (!b) return <span className="brand">{productName}</span>;
  return (
    <span className="brand" data-branded={b.chain_id}>
      <img className="brand-logo" src={b.logo_url} alt="" height={28} />
      <span className="brand-name">{b.app_name}</span>
      {!b.hide_petanque_life_branding && <span className="brand-by">{productName}</span>}
    </span>
  );
}
