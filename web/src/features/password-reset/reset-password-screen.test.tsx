/** @jest-environment jsdom */
import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { fakeServer, problem } from '../../test/fake-server';
import { renderApp } from '../../test/render';
import { validatePhone } from '../mfa/phone-validation';
import { ResetPasswordScreen } from './reset-password-screen';
import { resetTokenFromHash, validateNewPassword } from './reset-validation';

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

describe('password reset and phone validation', () => {
  it('new password: 10-256 characters, not blank, typed twice alike', () => {
    expect(validateNewPassword('', '')).toEqual({ password: 'form.required' });
    expect(validateNewPassword('short', 'short')).toEqual({ password: 'form.passwordShort' });
    expect(validateNewPassword(' '.repeat(12), ' '.repeat(12))).toEqual({ password: 'form.passwordShort' });
    expect(validateNewPassword('x'.repeat(257), 'x'.repeat(257))).toEqual({ password: 'form.passwordLong' });
    expect(validateNewPassword('long enough 123', 'long enough 124')).toEqual({ repeat: 'form.passwordMismatch' });
    expect(validateNewPassword('long enough 123', 'long enough 123')).toEqual({});
  });

  it('reads the token from the link fragment only', () => {
    expect(resetTokenFromHash('#token=abcdefghijkl.mnop')).toBe('abcdefghijkl.mnop');
    expect(resetTokenFromHash('')).toBeNull();
    expect(resetTokenFromHash('#token=<script>')).toBeNull();
  });

  it('phone numbers need a country code format and enough digits', () => {
    expect(validatePhone('')).toBe('form.required');
    expect(validatePhone('070')).toBe('form.phone');
    expect(validatePhone('call me')).toBe('form.phone');
    expect(validatePhone('+46 70 123 45 67')).toBeNull();
  });

  it('the reset screen asks for the second factor when the API answers mfa_required, then sends the proof', async () => {
    window.location.hash = '#token=reset-token-1234567890';
    const server = fakeServer({
      'POST /auth/password/reset': (c) =>
        (c.body as { mfa?: unknown }).mfa
          ? [200, { reset: true, revoked_sessions: 2 }]
          : [401, problem(401, 'mfa_required', { allowed_methods: ['totp', 'recovery_code'] })],
    });
    renderApp(<ResetPasswordScreen />);
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'a new long password' } });
    fireEvent.change(screen.getByLabelText('Repeat the new password'), { target: { value: 'a new long passwor' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set the new password' }));
    expect(screen.getByText('The passwords do not match.')).toBeTruthy();
    expect(server.calls).toHaveLength(0);

    fireEvent.change(screen.getByLabelText('Repeat the new password'), { target: { value: 'a new long password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set the new password' }));
    await screen.findByText('Your account has a second factor: confirm the reset with it.');
    fireEvent.change(screen.getByLabelText('Code'), { target: { value: '123' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set the new password' }));
    expect(screen.getByText('Enter the 6-digit code.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Code'), { target: { value: '654321' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set the new password' }));
    await waitFor(() => expect(screen.getByText(/Your password was changed/)).toBeTruthy());
    expect(server.calls.map((c) => c.body)).toEqual([
      { token: 'reset-token-1234567890', new_password: 'a new long password' },
      { token: 'reset-token-1234567890', new_password: 'a new long password', mfa: { method: 'totp', code: '654321' } },
    ]);
  });
});
