/** @jest-environment jsdom */
import { afterEach, describe, expect, it } from '@jest/globals';
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { tokens } from '../../lib/tokens';
import { fakeServer } from '../../test/fake-server';
import { renderApp } from '../../test/render';
import { visibleNavigation } from '../../app/navigation';
import { isSubsystemAllowed, useAllowedSubsystems } from './use-allowed-subsystems';

const tier = (tenant_id: string, tenant_type: string, allowed: string[]) => ({
  tenant_id,
  tenant_type,
  all_access: allowed.includes('*'),
  allowed_subsystems: allowed,
  addons: [],
  included_domains: ['F02'],
  excluded_subsystems: [],
  version: 1,
});
const me = (tenantId: string) => ({ user: { id: 'u1', email: 'a@b.test' }, tenant: { id: tenantId }, roles: ['member'], session_id: 's', amr: ['pwd'] });

function Probe() {
  const { isAllowed, isLoading, tier } = useAllowedSubsystems();
  return (
    <p data-testid="probe">
      {isLoading ? 'loading' : `${tier?.tenant_type}: chain=${isAllowed('F02.09')} mfa=${isAllowed('F02.07')} players=${isAllowed('F02.08')}`}
    </p>
  );
}

/** One screen using the hook, then (after the button) another one in its place. */
function SecondScreen() {
  const [second, setSecond] = useState(false);
  return (
    <>
      {second ? (
        <div data-testid="second">
          <Probe />
        </div>
      ) : (
        <Probe />
      )}
      <button type="button" onClick={() => setSecond(true)}>
        next screen
      </button>
    </>
  );
}

afterEach(() => {
  cleanup();
  tokens.set(null);
});

describe('useAllowedSubsystems', () => {
  it('reads GET /me/tenant-tier: a CLUB may not use F02.08/F02.09, everything else of its tier', async () => {
    tokens.set('token-1');
    fakeServer({ 'GET /me': () => [200, me('club')], 'GET /me/tenant-tier': () => [200, tier('club', 'CLUB', ['F02.02', 'F02.06', 'F02.07', 'F02.10'])] });
    renderApp(<Probe />);
    await waitFor(() => expect(screen.getByTestId('probe').textContent).toBe('CLUB: chain=false mfa=true players=false'));
  });

  it('an all-access tenant ("*") may use every subsystem; an add-on shows up as allowed', async () => {
    expect(isSubsystemAllowed(tier('f', 'FEDERATION', ['*']), 'F02.09')).toBe(true);
    expect(isSubsystemAllowed(tier('c', 'CLUB', ['F02.07', 'F02.09']), 'F02.09')).toBe(true);
    expect(isSubsystemAllowed(undefined, 'F02.07')).toBe(false); // not loaded: nothing gated is shown
  });

  it('is cached for 5 minutes: a second screen using it does not fetch again', async () => {
    tokens.set('token-1');
    const server = fakeServer({ 'GET /me': () => [200, me('club')], 'GET /me/tenant-tier': () => [200, tier('club', 'CLUB', ['F02.07'])] });
    renderApp(<SecondScreen />);
    await waitFor(() => expect(screen.getByTestId('probe').textContent).toMatch(/^CLUB/));
    fireEvent.click(screen.getByRole('button', { name: 'next screen' })); // unmounts the first user, mounts another
    expect(screen.getByTestId('second')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('probe').textContent).toMatch(/^CLUB/));
    expect(server.count('GET /me/tenant-tier')).toBe(1);
  });

  it('fetches again on a tenant switch (the new login names another tenant)', async () => {
    tokens.set('token-club');
    let current = 'club';
    const server = fakeServer({
      'GET /me': () => [200, me(current)],
      'GET /me/tenant-tier': () => [200, current === 'club' ? tier('club', 'CLUB', ['F02.07']) : tier('chain', 'CHAIN', ['F02.07', 'F02.09'])],
    });
    const { queryClient } = renderApp(<Probe />);
    await waitFor(() => expect(screen.getByTestId('probe').textContent).toBe('CLUB: chain=false mfa=true players=false'));
    current = 'chain';
    await act(async () => {
      tokens.set('token-chain');
      await queryClient.invalidateQueries({ queryKey: ['me'] });
    });
    await waitFor(() => expect(screen.getByTestId('probe').textContent).toBe('CHAIN: chain=true mfa=true players=false'));
    expect(server.count('GET /me/tenant-tier')).toBe(2);
  });

  it('the navigation hides the sections whose subsystem is not allowed', () => {
    const club = visibleNavigation((s) => ['F02.02', 'F02.07', 'F02.10'].includes(s), []);
    expect(club.map((s) => s.id)).toEqual(['account']);
    const chain = visibleNavigation((s) => ['F02.07', 'F02.09'].includes(s), []);
    expect(chain.map((s) => s.id)).toEqual(['account', 'chain']);
    const operator = visibleNavigation(() => true, ['security']);
    expect(operator.map((s) => s.id)).toContain('operator');
  });
});
