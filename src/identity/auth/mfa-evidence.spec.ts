import { isFreshFor, methodCounts, satisfiesPolicy } from './mfa-evidence.js';
import { assertTenantContext, namedTenants } from './tenant-context.js';
import type { AuthContext } from './auth-context.js';

const NOW = 1_800_000_000;
const TOTP_WEBAUTHN = ['totp', 'webauthn'];
const ALL = ['totp', 'sms', 'email', 'webauthn'];

describe('which verification counts (mfa-evidence)', () => {
  it('possession factors count only where the policy allows them', () => {
    expect(satisfiesPolicy({ totp: NOW }, TOTP_WEBAUTHN, ['totp'])).toBe(true);
    expect(satisfiesPolicy({ sms: NOW }, TOTP_WEBAUTHN, ['sms'])).toBe(false);
    expect(isFreshFor({ sms: NOW }, TOTP_WEBAUTHN, ['sms'], 300, NOW)).toBe(false);
    expect(isFreshFor({ sms: NOW }, ALL, ['sms'], 300, NOW)).toBe(true);
  });

  it('e-mail: login-time only, only beside a possession factor, only when allowed; never a step-up', () => {
    expect(methodCounts('email', 'policy', ALL, ['totp'])).toBe(true);
    expect(methodCounts('email', 'policy', ALL, [])).toBe(false);
    expect(methodCounts('email', 'policy', TOTP_WEBAUTHN, ['totp'])).toBe(false);
    expect(methodCounts('email', 'step_up', ALL, ['totp'])).toBe(false);
  });

  it('a recovery code stands in for an allowed possession factor; a trusted device never steps up', () => {
    expect(methodCounts('recovery_code', 'step_up', TOTP_WEBAUTHN, ['totp'])).toBe(true);
    expect(methodCounts('recovery_code', 'step_up', TOTP_WEBAUTHN, ['sms'])).toBe(false);
    expect(methodCounts('recovery_code', 'policy', ALL, [])).toBe(false);
    expect(methodCounts('trusted_device', 'policy', TOTP_WEBAUTHN, ['totp'])).toBe(true);
    expect(methodCounts('trusted_device', 'step_up', TOTP_WEBAUTHN, ['totp'])).toBe(false);
    expect(methodCounts('pwd', 'policy', ALL, ['totp'])).toBe(false);
  });

  it('fresh means the newest counting verification is within the window (an e-mail code later does not refresh it)', () => {
    const mfa = { totp: NOW - 400, email: NOW };
    expect(isFreshFor(mfa, ALL, ['totp'], 300, NOW)).toBe(false);
    expect(isFreshFor(mfa, ALL, ['totp'], 400, NOW)).toBe(true);
    expect(isFreshFor({}, ALL, ['totp'], 300, NOW)).toBe(false);
  });
});

describe('tenant context', () => {
  const auth = { tenant_id: 't1', sys_roles: ['support'] } as AuthContext;
  it('collects the tenant named by the path, the body and the query (strings only)', () => {
    expect(namedTenants({ params: { tenant_id: 'a' }, body: { tenant_id: 'b' }, query: { tenant_id: 'c' } })).toEqual(['a', 'b', 'c']);
    expect(namedTenants({ body: [{ tenant_id: 'x' }], query: { tenant_id: ['y'] } })).toEqual([]);
  });
  it('refuses another tenant unless a sys role of the route allows it', () => {
    expect(() => assertTenantContext(auth, ['t1'])).not.toThrow();
    expect(() => assertTenantContext(auth, ['t1', 't2'])).toThrow(
      expect.objectContaining({ code: 'tenant_context_mismatch', status: 403 }),
    );
    expect(() => assertTenantContext(auth, ['t2'], ['security'])).toThrow(expect.objectContaining({ code: 'tenant_context_mismatch' }));
    expect(() => assertTenantContext(auth, ['t2'], ['support'])).not.toThrow();
  });
});
