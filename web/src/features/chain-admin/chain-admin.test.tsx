/** @jest-environment jsdom */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { tokens } from '../../lib/tokens';
import { fakeServer, problem } from '../../test/fake-server';
import { renderApp } from '../../test/render';
import type { Leaderboard, Passport } from './api';
import { LEADERBOARD_REFRESH_MS } from './api';
import { LeaderboardScreen } from './leaderboard-screen';
import { PassportsScreen } from './passports-screen';

afterEach(() => {
  cleanup();
  tokens.set(null);
  jest.useRealTimers();
});

const CHAIN = '0b0e7c3a-5a5b-4c4d-8e8f-909192939495';
const me = () =>
  [
    200,
    {
      user: { id: 'admin', email: 'admin@chain.test', display_name: null, language: null },
      tenant: { id: CHAIN, tenant_type: 'CHAIN' },
      roles: ['tenant_admin'],
      session_id: 's',
      amr: ['pwd'],
      mfa_at: null,
      mfa_method: null,
    },
  ] as [number, unknown];
const ada = (): Passport => ({
  passport_id: 'BOULE-PASS-000001',
  number: 1,
  chain_id: CHAIN,
  user_id: 'u1',
  display_name: 'Ada Boule',
  status: 'ACTIVE',
  ban_reason: null,
  tier: 'REGULAR',
  points_tier: 'REGULAR',
  tier_override: null,
  next_points_tier: 'GOLD',
  points_to_next_tier: 470,
  total_points: 30,
  total_games: 3,
  visits: { visit_tier: null, visits_in_window: 3, oldest_visit_drops_out_on: '2027-03-01', next_tier: 'BRONZE', visits_to_next_tier: 2, window_days: 365 },
  created_at: '2026-03-01T10:00:00.000Z',
  last_visit_at: '2026-03-02T10:00:00.000Z',
});

describe('chain admin: passports (F02.09.11)', () => {
  it('searches, opens the detail panel, overrides the tier only after the confirmation, bans with a reason and unbans', async () => {
    tokens.set('t');
    let passport = ada();
    const server = fakeServer({
      'GET /me': me,
      'GET /chain/passports': () => [200, { items: [passport], next_cursor: null }],
      'GET /chain/passports/BOULE-PASS-000001': () => [200, passport],
      'GET /chain/passports/BOULE-PASS-000001/visits': () => [
        200,
        { passport_id: passport.passport_id, items: [{ visit_id: 'v1', venue_id: 'x', kind: 'check_in', points_earned: 10, reason: null, visited_at: '2026-03-02T10:00:00.000Z' }], next_cursor: null },
      ],
      'PUT /chain/passports/BOULE-PASS-000001': ({ body }) => {
        const b = body as Record<string, unknown>;
        if (b.tier_override) passport = { ...passport, tier: b.tier_override as 'GOLD', tier_override: { tier: b.tier_override as 'GOLD', reason: String(b.tier_override_reason), until: null } };
        if (b.banned === true) passport = { ...passport, status: 'BANNED', ban_reason: String(b.ban_reason) };
        if (b.banned === false) passport = { ...passport, status: 'ACTIVE', ban_reason: null };
        return [200, passport];
      },
    });
    renderApp(<PassportsScreen />, { path: '/admin/chain/passports' });
    fireEvent.change(screen.getByLabelText('Passport id or name'), { target: { value: ' Ada ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    const result = await screen.findByRole('button', { name: /Ada Boule/ });
    const search = server.calls.filter((c) => c.path === '/chain/passports').pop()!;
    expect(new URLSearchParams(search.query).get('chain_id')).toBe(CHAIN);
    expect(new URLSearchParams(search.query).get('q')).toBe('Ada');

    fireEvent.click(result);
    const panel = await screen.findByRole('region', { name: 'Ada Boule' });
    expect(within(panel).getByText('Regular', { selector: '.badge' })).toBeTruthy();
    expect(within(panel).getByText('Active', { selector: '.badge' })).toBeTruthy();
    expect(panel.querySelector('[data-stat="points"]')?.textContent).toBe('30');
    await waitFor(() => expect(panel.querySelectorAll('#visit-timeline li')).toHaveLength(1));

    // override: a reason is required, and nothing is sent before the confirmation
    fireEvent.change(within(panel).getByLabelText('Tier'), { target: { value: 'GOLD' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Apply tier…' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.getElementById('override-reason')?.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(document.getElementById('override-reason')!, { target: { value: 'league winner 2025' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Apply tier…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Change the tier?' });
    expect(dialog.textContent).toMatch(/Set the tier of Ada Boule to GOLD\?/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(server.count('PUT /chain/passports/BOULE-PASS-000001')).toBe(0);
    fireEvent.click(within(panel).getByRole('button', { name: 'Apply tier…' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(within(panel).getByText('Gold', { selector: '.badge' })).toBeTruthy());
    expect(server.calls.find((c) => c.method === 'PUT')!.body).toEqual({ tier_override: 'GOLD', tier_override_reason: 'league winner 2025', tier_override_until: null });

    // ban: reason 3-500 at the field, then the status badge turns
    fireEvent.change(within(panel).getByLabelText('Reason for the ban'), { target: { value: 'x' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Ban passport' }));
    expect(document.getElementById('ban-reason')?.getAttribute('aria-invalid')).toBe('true');
    expect(server.count('PUT /chain/passports/BOULE-PASS-000001')).toBe(1);
    fireEvent.change(within(panel).getByLabelText('Reason for the ban'), { target: { value: 'shared the QR code' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Ban passport' }));
    await waitFor(() => expect(within(panel).getByText('Banned', { selector: '.badge' })).toBeTruthy());
    expect(server.calls.filter((c) => c.method === 'PUT')[1]!.body).toEqual({ banned: true, ban_reason: 'shared the QR code' });
    fireEvent.click(within(panel).getByRole('button', { name: 'Lift the ban' }));
    await waitFor(() => expect(within(panel).getByText('Active', { selector: '.badge' })).toBeTruthy());
    expect(server.calls.filter((c) => c.method === 'PUT')[2]!.body).toEqual({ banned: false });
  });

  it('a refusal of the API is shown, the passport stays as it was', async () => {
    tokens.set('t');
    const server = fakeServer({
      'GET /me': me,
      'GET /chain/passports': () => [200, { items: [ada()], next_cursor: null }],
      'GET /chain/passports/BOULE-PASS-000001': () => [200, ada()],
      'GET /chain/passports/BOULE-PASS-000001/visits': () => [200, { items: [], next_cursor: null }],
      'PUT /chain/passports/BOULE-PASS-000001': () => [403, problem(403, 'chain_admin_required', { detail: 'Only a chain admin can do that.' })],
    });
    renderApp(<PassportsScreen />, { path: '/admin/chain/passports?passport=BOULE-PASS-000001' });
    const panel = await screen.findByRole('region', { name: 'Ada Boule' });
    fireEvent.change(within(panel).getByLabelText('Reason for the ban'), { target: { value: 'shared the QR code' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Ban passport' }));
    await waitFor(() => expect(document.getElementById('ban-status')?.dataset.status).toBe('error'));
    expect(document.getElementById('ban-status')?.textContent).toBe('Only a chain admin can do that.');
    expect(within(panel).getByText('Active', { selector: '.badge' })).toBeTruthy();
    expect(server.count('PUT /chain/passports/BOULE-PASS-000001')).toBe(1);
  });
});

describe('chain admin: leaderboard (F02.09.11)', () => {
  it('period tabs and the venue filter pick the query, ranks 1-3 get medals, and it refetches every 60 s', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    tokens.set('t');
    let points = 120;
    const board = (period: string): Leaderboard => ({
      chain_id: CHAIN,
      venue_id: null,
      period: period as 'alltime',
      period_key: 'all',
      items: [
        { rank: 1, passport_id: 'P1', display_name: 'Ada', tier: 'GOLD', points, visits: 9 },
        { rank: 2, passport_id: 'P2', display_name: 'Bo', tier: 'REGULAR', points: 90, visits: 7 },
        { rank: 3, passport_id: 'P3', display_name: 'Cy', tier: 'REGULAR', points: 60, visits: 5 },
        { rank: 4, passport_id: 'P4', display_name: 'Di', tier: 'REGULAR', points: 10, visits: 1 },
      ],
      next_cursor: null,
    });
    const server = fakeServer({
      'GET /me': me,
      'GET /chain/leaderboard': ({ query }) => [200, board(new URLSearchParams(query).get('period')!)],
      [`GET /chain/${CHAIN}/venues`]: () => [200, { items: [{ venue_id: 'v-1', venue_name: 'Boule Bar Södermalm', status: 'ACTIVE' }], next_cursor: null }],
    });
    renderApp(<LeaderboardScreen />, { path: '/admin/chain/leaderboard' });
    await waitFor(() => expect(document.querySelectorAll('#leaderboard tbody tr')).toHaveLength(4));
    const medals = [...document.querySelectorAll('#leaderboard .rank')].map((r) => r.getAttribute('data-medal'));
    expect(medals).toEqual(['gold', 'silver', 'bronze', null]);
    const queries = () => server.calls.filter((c) => c.path === '/chain/leaderboard').map((c) => Object.fromEntries(new URLSearchParams(c.query)));
    expect(queries()).toEqual([{ chain_id: CHAIN, period: 'alltime' }]);

    expect(screen.getByRole('tab', { name: 'All time' }).getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(screen.getByRole('tab', { name: 'All time' }), { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { name: 'This year' }).getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'This year' }));
    fireEvent.click(screen.getByRole('tab', { name: 'This month' }));
    await waitFor(() => expect(queries().map((q) => q.period)).toEqual(['alltime', 'year', 'month']));
    await waitFor(() => expect(screen.getByRole('option', { name: 'Boule Bar Södermalm' })).toBeTruthy());
    fireEvent.change(screen.getByLabelText('Venue'), { target: { value: 'v-1' } });
    await waitFor(() => expect(queries().at(-1)).toEqual({ chain_id: CHAIN, period: 'month', venue_id: 'v-1' }));

    // no refetch before 60 s, one at 60 s, and the new figures show (time moved one second at a time)
    const tick = async (ms: number) => {
      for (let i = 0; i < ms / 1000; i++)
        await act(async () => {
          jest.advanceTimersByTime(1000);
        });
    };
    await tick(1000); // the venue answer is in
    const n = queries().length;
    points = 150;
    await tick(LEADERBOARD_REFRESH_MS - 2000);
    expect(queries()).toHaveLength(n);
    await tick(2000);
    expect(queries()).toHaveLength(n + 1);
    await waitFor(() => expect(document.querySelector('#leaderboard tr[data-passport-id="P1"] td:nth-child(4)')?.textContent).toBe('150'));
  });
});
