import type { MessageKey } from '../i18n/en';

/**
 * Every screen of the sidebar and the command palette. `subsystem` gates it by the tenant's tier
 * (useAllowedSubsystems); `sysRole` shows it only to operators with one of those roles.
 * Add a screen: a route in app/router.tsx and, if it is navigable, an entry here.
 */
export interface NavItem {
  path: string;
  label: MessageKey;
  subsystem: string | null;
  sysRoles?: string[];
}
export interface NavSection {
  id: string;
  label: MessageKey;
  items: NavItem[];
}

export const NAVIGATION: NavSection[] = [
  {
    id: 'account',
    label: 'nav.account',
    items: [
      { path: '/account', label: 'nav.overview', subsystem: null },
      { path: '/account/mfa', label: 'nav.mfa', subsystem: 'F02.07' },
      { path: '/account/passkeys', label: 'nav.passkeys', subsystem: 'F02.07' },
      { path: '/account/devices', label: 'nav.devices', subsystem: 'F02.07' },
      { path: '/account/sessions', label: 'nav.sessions', subsystem: null },
      { path: '/account/events', label: 'nav.events', subsystem: null },
    ],
  },
  {
    id: 'players',
    label: 'nav.players',
    items: [{ path: '/account/player', label: 'nav.playerProfile', subsystem: 'F02.08' }],
  },
  {
    id: 'chain',
    label: 'nav.chain',
    items: [
      { path: '/admin/chain/venues', label: 'nav.chainVenues', subsystem: 'F02.09' },
      { path: '/admin/chain/leagues', label: 'nav.chainLeagues', subsystem: 'F02.09' },
      { path: '/admin/chain/passports', label: 'nav.chainPassports', subsystem: 'F02.09' },
      { path: '/admin/chain/leaderboard', label: 'nav.chainLeaderboard', subsystem: 'F02.09' },
    ],
  },
  {
    id: 'operator',
    label: 'nav.operator',
    items: [{ path: '/sys/tenants', label: 'nav.tenants', subsystem: null, sysRoles: ['support', 'security', 'finance'] }],
  },
];

/** The sections with only the items this tenant and person may use (empty sections dropped). */
export function visibleNavigation(isAllowed: (subsystem: string) => boolean, sysRoles: string[]): NavSection[] {
  return NAVIGATION.map((s) => ({
    ...s,
    items: s.items.filter(
      (i) => (i.subsystem === null || isAllowed(i.subsystem)) && (!i.sysRoles || i.sysRoles.some((r) => sysRoles.includes(r))),
    ),
  })).filter((s) => s.items.length > 0);
}
