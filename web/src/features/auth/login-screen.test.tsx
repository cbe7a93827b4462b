/** @jest-environment jsdom */
import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { tokens } from '../../lib/tokens';
import { fakeServer, problem } from '../../test/fake-server';
import { renderApp } from '../../test/render';
import { validateCode } from '../step-up/code-validation';
import { LoginScreen } from './login-screen';
import { validateLogin } from './login-validation';

afterEach(() => {
  cleanup();
  tokens.set(null);
});

describe('form validation', () => {
  it('login: e-mail required and well-formed, password required', () => {
    expect(validateLogin({ email: '', password: '' })).toEqual({ email: 'form.required', password: 'form.required' });
    expect(validateLogin({ email: 'not-an-address', password: 'x' })).toEqual({ email: 'form.email' });
    expect(validateLogin({ email: ' a@b.se ', password: 'x' })).toEqual({});
  });

  it('one-time codes: six digits, a recovery code only non-empty', () => {
    expect(validateCode('totp', '')).toBe('form.required');
    expect(validateCode('totp', '12345')).toBe('form.code');
    expect(validateCode('sms', '12345a')).toBe('form.code');
    expect(validateCode('totp', ' 123456 ')).toBeNull();
    expect(validateCode('recovery_code', 'abcd-efgh')).toBeNull();
  });

  it('the login screen shows the errors at the fields and sends nothing until they are fixed', async () => {
    const server = fakeServer({ 'POST /auth/login': () => [401, problem(401, 'invalid_credentials', { detail: 'Wrong e-mail or password.' })] });
    renderApp(<LoginScreen />);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const email = screen.getByLabelText('E-mail');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('This field is required.', { selector: `#${email.getAttribute('aria-describedby')}` })).toBeTruthy();
    expect(server.calls).toHaveLength(0);

    fireEvent.change(email, { target: { value: 'a@b.se' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByText(/Sign-in failed: Wrong e-mail or password\./)).toBeTruthy());
    expect(server.calls[0]).toMatchObject({ method: 'POST', path: '/auth/login', body: { email: 'a@b.se', password: 'wrong', refresh_cookie: true } });
    expect(tokens.get()).toBeNull();
  });
});
