import { useMemo } from 'react';
import { useMe } from '../features/auth/session';
import { useAllowedSubsystems } from '../features/tiers/use-allowed-subsystems';
import { visibleNavigation, type NavSection } from './navigation';

/** The sidebar's and the palette's sections for the signed-in person (tier- and role-aware). */
export function useNavigation(): NavSection[] {
  const { isAllowed } = useAllowedSubsystems();
  const me = useMe();
  const sysRoles = me.data?.user.sys_roles;
  return useMemo(() => visibleNavigation(isAllowed, sysRoles ?? []), [isAllowed, sysRoles]);
}
