import { decideRefresh, decideRevoke, REFRESH_GRACE_MS, sessionEvolver, type SessionEvent } from './session.decider.js';

const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const IDLE = 14 * 86_400_000;
const started: SessionEvent = {
  type: 'SessionStarted',
  data: {
    session_id: 's1',
    user_id: 'u1',
    tenant_id: 't1',
    refresh_hash: 'h0',
    method: 'password',
    amr: ['pwd'],
    auth_time: new Date(T0).toISOString(),
    mfa_at: null,
    ip: null,
    device: { browser: null, os: null, type: 'desktop' },
    device_key: 'k',
    location: null,
    new_device: true,
    idle_expires_at: new Date(T0 + IDLE).toISOString(),
    absolute_expires_at: new Date(T0 + 30 * 86_400_000).toISOString(),
  },
};
const given = (...events: SessionEvent[]) => events.reduce(sessionEvolver.evolve, sessionEvolver.initialState());
const rotated = (hash: string, generation: number, at: number): SessionEvent => ({
  type: 'RefreshTokenRotated',
  data: {
    session_id: 's1',
    user_id: 'u1',
    generation,
    refresh_hash: hash,
    idle_expires_at: new Date(at + IDLE).toISOString(),
    at: new Date(at).toISOString(),
  },
});

describe('refresh-token family decider', () => {
  it('given a fresh session, when its current token is presented, then it rotates to the successor', () => {
    const d = decideRefresh(given(started), 'h0', 'h1', T0 + 1000, IDLE);
    expect(d.kind).toBe('rotate');
    expect(d.kind === 'rotate' && d.events[0]).toMatchObject({ type: 'RefreshTokenRotated', data: { generation: 1, refresh_hash: 'h1' } });
  });

  it('given a rotation just now, when the rotated token comes again with the same successor, then it is the grace answer (no events)', () => {
    const s = given(started, rotated('h1', 1, T0 + 1000));
    expect(decideRefresh(s, 'h0', 'h1', T0 + 1000 + REFRESH_GRACE_MS, IDLE)).toEqual({ kind: 'grace' });
  });

  it('given a rotation longer ago than the grace, when the rotated token comes again, then the whole family is revoked', () => {
    const s = given(started, rotated('h1', 1, T0 + 1000));
    const d = decideRefresh(s, 'h0', 'h1', T0 + 1001 + REFRESH_GRACE_MS, IDLE);
    expect(d.kind === 'reuse' && d.events.map((e) => e.type)).toEqual(['RefreshTokenReuseDetected', 'SessionRevoked']);
  });

  it('given two rotations, when the oldest token comes back even within the grace, then it is reuse', () => {
    const s = given(started, rotated('h1', 1, T0 + 1000), rotated('h2', 2, T0 + 2000));
    expect(decideRefresh(s, 'h0', 'h1', T0 + 2500, IDLE).kind).toBe('reuse');
  });

  it('given an idle or absolute expiry, then the session ends; given a revoked family, nothing rotates', () => {
    expect(decideRefresh(given(started), 'h0', 'h1', T0 + IDLE, IDLE).kind).toBe('expired');
    const revoked = given(started, { type: 'SessionRevoked', data: { session_id: 's1', user_id: 'u1', reason: 'user', by: 'u1' } });
    expect(decideRefresh(revoked, 'h0', 'h1', T0 + 1, IDLE)).toEqual({ kind: 'revoked' });
    expect(decideRefresh(given(started), 'nope', 'x', T0 + 1, IDLE)).toEqual({ kind: 'unknown' });
  });

  it("refuses to revoke someone else's session (not found) and is idempotent on a revoked one", () => {
    expect(() => decideRevoke(given(started), 'u2', 'user', 'u2')).toThrow(/No such session/);
    const revoked = given(started, ...decideRevoke(given(started), 'u1', 'user', 'u1'));
    expect(decideRevoke(revoked, 'u1', 'user', 'u1')).toEqual([]);
  });
});
