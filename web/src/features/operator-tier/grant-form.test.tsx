/** @jest-environment jsdom */
import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { fakeServer, problem } from '../../test/fake-server';
import { renderApp } from '../../test/render';
import { GrantAddonForm } from './grant-form';
import { grantBody, validateGrant, validateReason } from './grant-validation';

afterEach(cleanup);

const NOW = new Date('2026-03-02T08:00:00Z');
const TENANT = '6f1c0a52-1111-4222-8333-444455556666';
const ok = { subsystem_id: 'F02.09', expires_at: '', billing_reference: '', reason: 'pilot season' };

describe('grant form validation (F02.10.08)', () => {
  it('subsystem id must be F<NN>.<MM>', () => {
    expect(validateGrant(ok, NOW)).toEqual({});
    expect(validateGrant({ ...ok, subsystem_id: '' }, NOW)).toEqual({ subsystem_id: 'form.required' });
    for (const bad of ['F2.09', 'F02.9', 'F02', 'f02.09', 'F02.09.11', 'X02.09', 'F02-09'])
      expect([bad, validateGrant({ ...ok, subsystem_id: bad }, NOW).subsystem_id]).toEqual([bad, 'opTier.subsystemFormat']);
    expect(validateGrant({ ...ok, subsystem_id: ' F10.01 ' }, NOW)).toEqual({});
  });

  it('reason is 3 to 500 characters', () => {
    expect(validateReason('')).toBe('form.required');
    expect(validateReason('   ')).toBe('form.required');
    expect(validateReason('ab')).toBe('opTier.reasonLength');
    expect(validateReason('abc')).toBeNull();
    expect(validateReason('x'.repeat(500))).toBeNull();
    expect(validateReason('x'.repeat(501))).toBe('opTier.reasonLength');
  });

  it('expiry is optional, and when given a valid time after now; billing reference at most 200', () => {
    expect(validateGrant({ ...ok, expires_at: '2026-03-02T07:59' }, new Date('2026-03-02T07:59:30'))).toEqual({ expires_at: 'opTier.expiryPast' });
    expect(validateGrant({ ...ok, expires_at: 'tomorrow' }, NOW)).toEqual({ expires_at: 'opTier.expiryInvalid' });
    expect(validateGrant({ ...ok, expires_at: '2026-04-01T12:00' }, NOW)).toEqual({});
    expect(validateGrant({ ...ok, billing_reference: 'b'.repeat(201) }, NOW)).toEqual({ billing_reference: 'opTier.billingLength' });
    expect(grantBody({ ...ok, billing_reference: '  INV-1 ' })).toEqual({ subsystem_id: 'F02.09', expires_at: null, billing_reference: 'INV-1', reason: 'pilot season' });
    expect(grantBody({ ...ok, expires_at: '2026-04-01T12:00' }).expires_at).toBe(new Date('2026-04-01T12:00').toISOString());
  });

  it('shows each error at its field and sends nothing until the form is valid; an API refusal lands at the subsystem field', async () => {
    const server = fakeServer({
      [`POST /sys/tenants/${TENANT}/tier/addons`]: () => [409, problem(409, 'addon_exists', { detail: 'F02.09 already has an active add-on; revoke it first.' })],
    });
    renderApp(<GrantAddonForm tenantId={TENANT} now={() => NOW} />, { path: `/sys/tenants/${TENANT}/tier` });
    const subsystem = screen.getByLabelText('Subsystem id');
    const reason = screen.getByLabelText('Reason');
    fireEvent.change(subsystem, { target: { value: 'F2.9' } });
    fireEvent.change(reason, { target: { value: 'no' } });
    fireEvent.click(screen.getByRole('button', { name: 'Grant add-on' }));
    const errorAt = (input: HTMLElement) =>
      input
        .getAttribute('aria-describedby')
        ?.split(' ')
        .map((id) => document.getElementById(id))
        .find((el) => el?.classList.contains('field-error'))?.textContent;
    expect(subsystem.getAttribute('aria-invalid')).toBe('true');
    expect(reason.getAttribute('aria-invalid')).toBe('true');
    expect(errorAt(subsystem)).toBe('Enter a subsystem id like F02.09 (F<NN>.<MM>).');
    expect(errorAt(reason)).toBe('The reason must be 3 to 500 characters.');
    expect(screen.getByLabelText('Expires').getAttribute('aria-invalid')).toBeNull();
    expect(server.calls).toHaveLength(0);

    fireEvent.change(subsystem, { target: { value: 'F02.09' } });
    fireEvent.change(reason, { target: { value: 'pilot for the spring season' } });
    fireEvent.click(screen.getByRole('button', { name: 'Grant add-on' }));
    await waitFor(() => expect(errorAt(subsystem)).toBe('F02.09 already has an active add-on; revoke it first.'));
    expect(reason.getAttribute('aria-invalid')).toBeNull();
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]).toMatchObject({
      method: 'POST',
      body: { subsystem_id: 'F02.09', expires_at: null, billing_reference: null, reason: 'pilot for the spring season' },
    });
  });
});
