import { DomainError } from '../shared/errors.js';
import { TENANT_TYPES } from '../identity/tenants/tenant.decider.js';
import { NEVER_EXCLUDED, TIER_MATRIX } from './tier-matrix.data.js';
import { differingTypes, matrixAllows, publishedMatrixText } from './tier-matrix.js';
import { decideChangeType, decideExpire, decideGrant, decideRevoke, isLive, tierEvolver, type TierEvent } from './tier.decider.js';

const T = '7b0f0c3e-8f7c-4a4e-9d67-2f2d1f7b1a11';
const NOW = new Date('2026-03-02T08:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);
const given = (type: 'CLUB' | 'CHAIN' | null, ...events: TierEvent[]) => {
  const ev = tierEvolver(T, type);
  return events.reduce(ev.evolve, ev.initialState());
};
const grant = (over: Partial<Parameters<typeof decideGrant>[1]> = {}) => ({
  addon_id: 'a1',
  subsystem_id: 'F02.09',
  expires_at: null,
  billing_reference: 'INV-1',
  reason: 'pilot',
  by: 'op',
  now: NOW,
  ...over,
});
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).code;
  }
  throw new Error('expected a domain error');
}

describe('tier matrix', () => {
  it('all-access types reach every subsystem; a CHAIN has F02.09, a CLUB does not; an INDIVIDUAL has F02.08', () => {
    for (const t of ['FEDERATION', 'CONTINENTAL', 'FIPJP', 'SANDBOX'] as const) expect(matrixAllows(t, 'F77.01')).toBe(true);
    expect(matrixAllows('CHAIN', 'F02.09')).toBe(true);
    expect(matrixAllows('CLUB', 'F02.09')).toBe(false);
    expect(matrixAllows('INDIVIDUAL', 'F02.08')).toBe(true);
    expect(matrixAllows('CLUB', 'F03.01')).toBe(false); // domain not included
  });
  it('covers every tenant type, and MFA (F02.07) and the tier snapshot (F02.10) are never excluded', () => {
    expect(Object.keys(TIER_MATRIX).sort()).toEqual([...TENANT_TYPES].sort());
    for (const t of TENANT_TYPES) for (const s of NEVER_EXCLUDED) expect(matrixAllows(t, s)).toBe(true);
  });
  it('drift: byte-equal copy -> none; a changed type is named', () => {
    expect(differingTypes(publishedMatrixText())).toEqual([]);
    const copy = JSON.parse(publishedMatrixText());
    copy.tenant_types.CLUB.excluded_subsystems = ['F02.08'];
    expect(differingTypes(JSON.stringify(copy, null, 2) + '\n')).toEqual(['CLUB']);
    expect(differingTypes(publishedMatrixText().trimEnd())).toEqual(['(formatting)']);
    expect(differingTypes('not json')).toEqual([...TENANT_TYPES].sort());
  });
});

describe('tier decider', () => {
  it('given a CLUB, when F02.09 is granted, then AddonGranted with the audit fields', () => {
    expect(decideGrant(given('CLUB'), grant())).toEqual([
      {
        type: 'AddonGranted',
        data: {
          tenant_id: T,
          addon_id: 'a1',
          subsystem_id: 'F02.09',
          expires_at: null,
          billing_reference: 'INV-1',
          reason: 'pilot',
          granted_at: NOW.toISOString(),
          granted_by: 'op',
        },
      },
    ]);
  });
  it('refuses: unknown tenant, unknown subsystem, past expiry, already allowed by the matrix, a second active add-on', () => {
    expect(codeOf(() => decideGrant(given(null), grant()))).toBe('tenant_not_found');
    expect(codeOf(() => decideGrant(given('CLUB'), grant({ subsystem_id: 'F09.99' })))).toBe('unknown_subsystem');
    expect(codeOf(() => decideGrant(given('CLUB'), grant({ expires_at: NOW.toISOString() })))).toBe('validation_failed');
    expect(codeOf(() => decideGrant(given('CHAIN'), grant()))).toBe('subsystem_already_allowed');
    const [granted] = decideGrant(given('CLUB'), grant());
    expect(codeOf(() => decideGrant(given('CLUB', granted!), grant({ addon_id: 'a2' })))).toBe('addon_exists');
  });
  it('given an add-on past its expiry not yet expired by the job, a new grant expires it first', () => {
    const [old] = decideGrant(given('CLUB'), grant({ expires_at: later(60_000).toISOString() }));
    const events = decideGrant(given('CLUB', old!), grant({ addon_id: 'a2', now: later(61_000) }));
    expect(events.map((e) => e.type)).toEqual(['AddonExpired', 'AddonGranted']);
  });
  it('expiry: only active add-ons whose expires_at has passed; permanent ones never', () => {
    const [timed] = decideGrant(given('CLUB'), grant({ expires_at: later(60_000).toISOString() }));
    const [perm] = decideGrant(given('CLUB'), grant({ addon_id: 'p', subsystem_id: 'F02.08' }));
    const s = given('CLUB', timed!, perm!);
    expect(decideExpire(s, later(59_999))).toEqual([]);
    expect(decideExpire(s, later(60_000))).toEqual([
      {
        type: 'AddonExpired',
        data: {
          tenant_id: T,
          addon_id: 'a1',
          subsystem_id: 'F02.09',
          expires_at: later(60_000).toISOString(),
          expired_at: later(60_000).toISOString(),
        },
      },
    ]);
    const after = given('CLUB', timed!, perm!, ...decideExpire(s, later(60_000)));
    expect(decideExpire(after, later(10 ** 12))).toEqual([]);
    expect(isLive(after.addons.p!, later(10 ** 12))).toBe(true);
    expect(isLive(after.addons.a1!, later(1))).toBe(false);
  });
  it('revoke: unknown id 404, then revoked once (a second revoke is 409)', () => {
    const [g] = decideGrant(given('CLUB'), grant());
    expect(codeOf(() => decideRevoke(given('CLUB', g!), { addon_id: 'nope', reason: null, by: 'op', now: NOW }))).toBe('addon_not_found');
    const [r] = decideRevoke(given('CLUB', g!), { addon_id: 'a1', reason: 'ended', by: 'op', now: NOW });
    expect(r).toMatchObject({ type: 'AddonRevoked', data: { addon_id: 'a1', subsystem_id: 'F02.09', revoked_by: 'op' } });
    expect(codeOf(() => decideRevoke(given('CLUB', g!, r!), { addon_id: 'a1', reason: null, by: 'op', now: NOW }))).toBe(
      'addon_not_active',
    );
  });
  it('type change: to another type records the previous one; to itself is a 400', () => {
    const [e] = decideChangeType(given('CLUB'), { tenant_type: 'CHAIN', reason: 'bought a second venue', by: 'sec', now: NOW });
    expect(e).toMatchObject({ type: 'TenantTypeChanged', data: { previous_type: 'CLUB', tenant_type: 'CHAIN' } });
    expect(given('CLUB', e!).tenant_type).toBe('CHAIN');
    expect(codeOf(() => decideChangeType(given('CLUB'), { tenant_type: 'CLUB', reason: 'xyz', by: 'sec', now: NOW }))).toBe(
      'tenant_type_unchanged',
    );
  });
});
