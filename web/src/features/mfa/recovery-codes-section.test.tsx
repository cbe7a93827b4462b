/** @jest-environment jsdom */
import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { tokens } from '../../lib/tokens';
import { fakeServer } from '../../test/fake-server';
import { renderApp } from '../../test/render';
import { RecoveryCodesSection } from './recovery-codes-section';

const methods = (totp: boolean) => ({
  totp: { enrolled: totp, confirmed_at: null },
  sms: { enrolled: false, phone_masked: null },
  webauthn: { credential_count: 0 },
  email: { available: true, email_masked: 'a***@b.se' },
  recovery_codes: { remaining: 0 },
});

afterEach(() => {
  cleanup();
  tokens.set(null);
});

describe('recovery codes', () => {
  it.each([
    [2, true],
    [3, true],
    [4, false],
    [10, false],
  ])('with %i codes left the running-low warning is shown: %s', async (remaining, low) => {
    tokens.set('t');
    fakeServer({
      'GET /auth/mfa/methods': () => [200, methods(true)],
      'GET /auth/mfa/recovery-codes/count': () => [200, { remaining, generated_at: '2026-01-01T00:00:00Z' }],
    });
    renderApp(<RecoveryCodesSection />);
    await waitFor(() => expect(screen.getByTestId('codes-remaining').textContent).toBe(`${remaining} unused recovery code(s) left.`));
    await waitFor(() => expect(screen.getByRole('button', { name: /recovery codes/ }).hasAttribute('disabled')).toBe(false));
    expect(screen.queryByTestId('codes-low') !== null).toBe(low);
  });

  it('without a second factor there is nothing to generate and no warning', async () => {
    tokens.set('t');
    fakeServer({ 'GET /auth/mfa/methods': () => [200, methods(false)], 'GET /auth/mfa/recovery-codes/count': () => [200, { remaining: 0, generated_at: null }] });
    renderApp(<RecoveryCodesSection />);
    await screen.findByText('Recovery codes work beside a second factor: set one up first.');
    expect(screen.queryByTestId('codes-low')).toBeNull();
    expect(screen.getByRole('button', { name: 'Generate recovery codes' }).hasAttribute('disabled')).toBe(true);
  });

  it('shows the new codes once; after "I have saved them" only the count remains', async () => {
    tokens.set('t');
    let remaining = 0;
    fakeServer({
      'GET /auth/mfa/methods': () => [200, methods(true)],
      'GET /auth/mfa/recovery-codes/count': () => [200, { remaining, generated_at: null }],
      'POST /auth/mfa/recovery-codes/generate': () => {
        remaining = 2;
        return [200, { codes: ['aaaa-bbbb', 'cccc-dddd'], generated_at: 'x' }];
      },
    });
    renderApp(<RecoveryCodesSection />);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Generate recovery codes' }).hasAttribute('disabled')).toBe(false));
    fireEvent.click(screen.getByRole('button', { name: 'Generate recovery codes' }));
    expect((await screen.findByTestId('codes-once')).textContent).toMatch(/aaaa-bbbb.*cccc-dddd/);
    fireEvent.click(screen.getByRole('button', { name: 'I have saved them' }));
    await waitFor(() => expect(screen.getByTestId('codes-remaining').textContent).toBe('2 unused recovery code(s) left.'));
    expect(document.body.textContent).not.toContain('aaaa-bbbb');
  });
});
