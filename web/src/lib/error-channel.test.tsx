/**
 * @jest-environment jsdom
 * @jest-environment-options {"url": "https://localhost/account"}
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { useQuery } from '@tanstack/react-query';
import { api, ApiError, apiRequest, setStepUpHandler } from './api-client';
import { errorChannel, type Problem } from './error-channel';
import { tokens } from './tokens';
import { fakeServer, problem } from '../test/fake-server';
import { renderApp } from '../test/render';
import { TenantTierUpgradeHost } from '../features/tiers/tenant-tier-upgrade-modal';

afterEach(() => {
  cleanup();
  tokens.set(null);
  setStepUpHandler(null);
});

function ChainCall() {
  const q = useQuery({ queryKey: ['chain'], queryFn: () => api.get('/chain/c1/venues') });
  return <p data-testid="screen">{q.isError ? `screen saw ${(q.error as ApiError).code}` : 'waiting'}</p>;
}

describe('the app-wide error channel', () => {
  it('publishes every problem answer of any call, and still throws it to the caller', async () => {
    fakeServer({ 'POST /auth/mfa/totp/confirm': () => [400, problem(400, 'invalid_code')] });
    const seen: Problem[] = [];
    const off = errorChannel.subscribe((p) => seen.push(p));
    await expect(api.post('/auth/mfa/totp/confirm', { code: '000000' })).rejects.toMatchObject({ code: 'invalid_code', status: 400 });
    off();
    expect(seen.map((p) => p.error_code)).toEqual(['invalid_code']);
  });

  it('a 403 tenant_type_not_eligible from any call opens the TenantTierUpgradeModal with subsystem, tenant type and contact', async () => {
    tokens.set('t');
    fakeServer({
      'GET /me': () => [200, { user: { id: 'u', email: 'x@y.test' }, tenant: { id: 'club' }, roles: ['member'], session_id: 's', amr: [] }],
      'GET /chain/c1/venues': () => [403, problem(403, 'tenant_type_not_eligible', { subsystem: 'F02.09', tenant_type: 'CLUB' })],
    });
    renderApp(
      <>
        <ChainCall />
        <TenantTierUpgradeHost />
      </>,
    );
    const modal = await screen.findByRole('dialog', { name: 'Not included in your organisation’s tier' });
    expect(screen.getByTestId('upgrade-subsystem').textContent).toBe('F02.09');
    expect(screen.getByTestId('upgrade-tenant-type').textContent).toBe('CLUB');
    expect(modal.textContent).toMatch(/Venue chains/); // the name from the published matrix
    expect(modal.textContent).toMatch(/CHAIN/); // a tenant type that includes it (tenant-tiers.json)
    expect(screen.getByTestId('upgrade-contact').textContent).toMatch(/administrator/);
    await waitFor(() => expect(screen.getByTestId('screen').textContent).toBe('screen saw tenant_type_not_eligible'));
  });

  it('other problems do not open the modal', async () => {
    tokens.set('t');
    fakeServer({ 'GET /chain/c1/venues': () => [403, problem(403, 'tenant_context_mismatch')] });
    renderApp(
      <>
        <ChainCall />
        <TenantTierUpgradeHost />
      </>,
    );
    await waitFor(() => expect(screen.getByTestId('screen').textContent).toBe('screen saw tenant_context_mismatch'));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('mfa_step_up_required asks the step-up handler and sends the same call again with the new token', async () => {
    tokens.set('stale');
    const server = fakeServer({
      'POST /auth/mfa/recovery-codes/generate': (c) =>
        c.headers.Authorization === 'Bearer fresh' ? [200, { codes: ['a'] }] : [403, problem(403, 'mfa_step_up_required')],
    });
    const asked: string[] = [];
    setStepUpHandler(async (p) => {
      asked.push(p.error_code);
      tokens.set('fresh');
      return true;
    });
    await expect(api.post('/auth/mfa/recovery-codes/generate')).resolves.toEqual({ codes: ['a'] });
    expect(asked).toEqual(['mfa_step_up_required']);
    expect(server.calls.map((c) => c.headers.Authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('a cancelled step-up leaves the call failed with mfa_step_up_required', async () => {
    tokens.set('stale');
    fakeServer({ 'DELETE /auth/mfa/totp': () => [403, problem(403, 'mfa_step_up_required')] });
    setStepUpHandler(async () => false);
    await expect(apiRequest('/auth/mfa/totp', { method: 'DELETE' })).rejects.toMatchObject({ code: 'mfa_step_up_required' });
  });

  it('an expired access token is refreshed once from the cookie (with the CSRF header) and the call repeated', async () => {
    tokens.set('old');
    document.cookie = '__Host-pl_csrf=csrf-value; Secure; Path=/';
    const server = fakeServer({
      'POST /auth/refresh': () => [200, { access_token: 'new' }],
      'GET /auth/sessions': (c) => (c.headers.Authorization === 'Bearer new' ? [200, { items: [] }] : [401, problem(401, 'token_expired')]),
    });
    await act(async () => {
      await expect(api.get('/auth/sessions')).resolves.toEqual({ items: [] });
    });
    const refresh = server.calls.find((c) => c.path === '/auth/refresh')!;
    expect(refresh.headers['X-CSRF-Token']).toBe('csrf-value');
    expect(refresh.body).toEqual({});
    expect(tokens.get()).toBe('new');
  });

  it('a session revoked elsewhere drops the access token (the SessionGate shows the login screen), mfa_required does not', async () => {
    tokens.set('revoked');
    fakeServer({
      'GET /auth/sessions': () => [401, problem(401, 'session_revoked')],
      'GET /auth/mfa/methods': () => [401, problem(401, 'mfa_required')],
    });
    await expect(api.get('/auth/mfa/methods')).rejects.toMatchObject({ code: 'mfa_required' });
    expect(tokens.get()).toBe('revoked');
    await expect(api.get('/auth/sessions')).rejects.toMatchObject({ code: 'session_revoked' });
    expect(tokens.get()).toBeNull();
  });
});
