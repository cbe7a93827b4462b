import { createBrowserRouter, Navigate, Outlet, type RouteObject } from 'react-router';
import { PlaceholderScreen } from '../components/placeholder-screen';
import { OverviewScreen } from '../features/account/overview-screen';
import { DevicesScreen } from '../features/devices/devices-screen';
import { MfaScreen } from '../features/mfa/mfa-screen';
import { ForgotPasswordScreen } from '../features/password-reset/forgot-password-screen';
import { ResetPasswordScreen } from '../features/password-reset/reset-password-screen';
import { SessionGate } from '../features/auth/session-gate';
import { ChainVenuesScreen } from '../features/chain/chain-venues-screen';
import { LeaderboardScreen } from '../features/chain-admin/leaderboard-screen';
import { PassportsScreen } from '../features/chain-admin/passports-screen';
import { TenantsScreen } from '../features/operator-tier/tenants-screen';
import { TenantTierScreen } from '../features/operator-tier/tenant-tier-screen';
import { PasskeysScreen } from '../features/passkeys/passkeys-screen';
import { SecurityEventsScreen } from '../features/security-events/security-events-screen';
import { SessionsScreen } from '../features/sessions/sessions-screen';
import { NotFound } from './not-found';
import { Layout } from './layout';

/**
 * Public screens (password reset) sit outside the SessionGate; everything else needs a session.
 * Screens are grouped by the three mount points Nest serves: /account, /admin, /sys.
 */
export const routes: RouteObject[] = [
  // public: the reset e-mail's link and the request for one
  { path: '/account/reset-password', element: <ResetPasswordScreen /> },
  { path: '/account/forgot-password', element: <ForgotPasswordScreen /> },
  {
    element: (
      <SessionGate>
        <Layout />
      </SessionGate>
    ),
    children: [
      {
        path: '/account',
        children: [
          { index: true, element: <OverviewScreen /> },
          { path: 'mfa', element: <MfaScreen /> },
          { path: 'passkeys', element: <PasskeysScreen /> },
          { path: 'devices', element: <DevicesScreen /> },
          { path: 'sessions', element: <SessionsScreen /> },
          { path: 'events', element: <SecurityEventsScreen /> },
          { path: 'player', element: <PlaceholderScreen name="nav.playerProfile" /> },
        ],
      },
      {
        path: '/admin',
        element: <Outlet />,
        children: [
          { index: true, element: <Navigate to="/admin/chain/venues" replace /> },
          { path: 'chain/venues', element: <ChainVenuesScreen /> },
          { path: 'chain/leagues', element: <PlaceholderScreen name="nav.chainLeagues" /> },
          { path: 'chain/passports', element: <PassportsScreen /> },
          { path: 'chain/leaderboard', element: <LeaderboardScreen /> },
        ],
      },
      {
        path: '/sys',
        children: [
          { index: true, element: <Navigate to="/sys/tenants" replace /> },
          { path: 'tenants', element: <TenantsScreen /> },
          { path: 'tenants/:tenantId/tier', element: <TenantTierScreen /> },
        ],
      },
      { path: '*', element: <NotFound /> },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);
