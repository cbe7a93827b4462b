import { decideRefresh, decideRevoke, PREVIOUS_KEPT, sessionEvolver, type RefreshClient, type SessionEvent } from './session.decider.js';

const REFRESH_GRACE_MS = 10_000;
const SAME: RefreshClient = { hash: 'c1', ip: '10.0.0.1', graceMs: REFRESH_GRACE_MS };
const OTHER: RefreshClient = { hash: 'c2', ip: '10.0.0.2', graceMs: REFRESH_GRACE_MS };

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
    client_hash: 'c1',
  },
});

describe('refresh-token family decider', () => {
  it('given a fresh session, when its current token is presented, then it rotates to the successor', () => {
    const d = decideRefresh(given(started), 'h0', 'h1', T0 + 1000, IDLE, SAME);
    expect(d.kind).toBe('rotate');
    expect(d.kind === 'rotate' && d.events[0]).toMatchObject({ type: 'RefreshTokenRotated', data: { generation: 1, refresh_hash: 'h1' } });
  });

  it('given a rotation just now, when the rotated token comes again with the same successor, then it is the grace answer (no events)', () => {
    const s = given(started, rotated('h1', 1, T0 + 1000));
    expect(decideRefresh(s, 'h0', 'h1', T0 + 1000 + REFRESH_GRACE_MS, IDLE, SAME)).toEqual({
      kind: 'grace',
      events: [{ type: 'RefreshGraceUsed', data: { session_id: 's1', user_id: 'u1', generation: 1, ip: '10.0.0.1' } }],
    });
  });

  it('given a rotation just now, when the rotated token comes from another address or user agent, then it is reuse', () => {
    const s = given(started, rotated('h1', 1, T0 + 1000));
    expect(decideRefresh(s, 'h0', 'h1', T0 + 1500, IDLE, OTHER).kind).toBe('reuse');
  });

  it('given the grace already used for this rotation, when the rotated token comes a third time, then it is reuse', () => {
    const s = given(started, rotated('h1', 1, T0 + 1000));
    const first = decideRefresh(s, 'h0', 'h1', T0 + 1500, IDLE, SAME);
    expect(first.kind).toBe('grace');
    const after = given(started, rotated('h1', 1, T0 + 1000), ...(first.kind === 'grace' ? first.events : []));
    expect(decideRefresh(after, 'h0', 'h1', T0 + 1600, IDLE, SAME).kind).toBe('reuse');
  });

  it('given a grace of 0 s, when the rotated token comes again at once from the same client, then it is reuse', () => {
    const s = given(started, rotated('h1', 1, T0 + 1000));
    expect(decideRefresh(s, 'h0', 'h1', T0 + 1000, IDLE, { ...SAME, graceMs: 0 }).kind).toBe('reuse');
    expect(decideRefresh(s, 'h0', 'h1', T0 + 1001, IDLE, { ...SAME, graceMs: 0 }).kind).toBe('reuse');
  });

  it('given a revoked or expired family, when an unknown secret is presented, then it is unknown (no state oracle)', () => {
    const revoked = given(started, { type: 'SessionRevoked', data: { session_id: 's1', user_id: 'u1', reason: 'user', by: 'u1' } });
    expect(decideRefresh(revoked, 'random', 'x', T0 + 1, IDLE, SAME)).toEqual({ kind: 'unknown' });
    expect(decideRefresh(given(started), 'random', 'x', T0 + IDLE + 1, IDLE, SAME)).toEqual({ kind: 'unknown' });
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
      expect(decideRefresh(given(started, rotated('h1', 1, T0)), key, 'x', T0 + 1, IDLE, SAME)).toEqual({ kind: 'unknown' });
  });

  it('given a rotation longer ago than the grace, when the rotated token comes again, then the whole family is revoked', () => {
    const s = given(started, rotated('h1', 1, T0 + 1000));
    const d = decideRefresh(s, 'h0', 'h1', T0 + 1001 + REFRESH_GRACE_MS, IDLE, SAME);
    expect(d.kind === 'reuse' && d.events.map((e) => e.type)).toEqual(['RefreshTokenReuseDetected', 'SessionRevoked']);
  });

  it('given two rotations, when the oldest token comes back even within the grace, then it is reuse', () => {
    const s = given(started, rotated('h1', 1, T0 + 1000), rotated('h2', 2, T0 + 2000));
    expect(decideRefresh(s, 'h0', 'h1', T0 + 2500, IDLE, SAME).kind).toBe('reuse');
  });

  it('given an idle or absolute expiry, then the session ends; given a revoked family, nothing rotates', () => {
    expect(decideRefresh(given(started), 'h0', 'h1', T0 + IDLE, IDLE, SAME).kind).toBe('expired');
    const revoked = given(started, { type: 'SessionRevoked', data: { session_id: 's1', user_id: 'u1', reason: 'user', by: 'u1' } });
    expect(decideRefresh(revoked, 'h0', 'h1', T0 + 1, IDLE, SAME)).toEqual({ kind: 'revoked' });
    expect(decideRefresh(given(started), 'nope', 'x', T0 + 1, IDLE, SAME)).toEqual({ kind: 'unknown' });
  });

  it(`given 50 rotations, then the state keeps only the last ${PREVIOUS_KEPT} rotated hashes (a refresh costs the same at rotation 50 as at 5)`, () => {
    const s = given(started, ...Array.from({ length: 50 }, (_, i) => rotated(`h${i + 1}`, i + 1, T0 + (i + 1) * 1000)));
    expect(s.previous).toEqual({ h46: 46, h47: 47, h48: 48, h49: 49 });
    expect(s.generation).toBe(50);
  });

  it('given 50 rotations, when a token of generation 3 comes back, then its tag alone proves it rotated: reuse, family revoked', () => {
    const s = given(started, ...Array.from({ length: 50 }, (_, i) => rotated(`h${i + 1}`, i + 1, T0 + (i + 1) * 1000)));
    const d = decideRefresh(s, 'h3', 'x', T0 + 60_000, IDLE, SAME, 3);
    expect(d.kind === 'reuse' && d.events).toMatchObject([
      { type: 'RefreshTokenReuseDetected', data: { presented_generation: 3, current_generation: 50 } },
      { type: 'SessionRevoked', data: { reason: 'reuse_detected' } },
    ]);
    // without a verified tag an unknown hash is just unknown (no revocation by a stranger)
    expect(decideRefresh(s, 'h3', 'x', T0 + 60_000, IDLE, SAME)).toEqual({ kind: 'unknown' });
    // a tag claiming the current or a future generation with a hash that is not current is not reuse
    expect(decideRefresh(s, 'zz', 'x', T0 + 60_000, IDLE, SAME, 50)).toEqual({ kind: 'unknown' });
    expect(decideRefresh(s, 'zz', 'x', T0 + 60_000, IDLE, SAME, 51)).toEqual({ kind: 'unknown' });
    // the current token still rotates
    expect(decideRefresh(s, 'h50', 'h51', T0 + 60_000, IDLE, SAME, 50).kind).toBe('rotate');
  });

  it("refuses to revoke someone else's session (not found) and is idempotent on a revoked one", () => {
    expect(() => decideRevoke(given(started), 'u2', 'user', 'u2')).toThrow(/No such session/);
    const revoked = given(started, ...decideRevoke(given(started), 'u1', 'user', 'u1'));
    expect(decideRevoke(revoked, 'u1', 'user', 'u1')).toEqual([]);
  });
});
