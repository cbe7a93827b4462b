import { DomainError } from '../../shared/errors.js';
import {
  CHALLENGE_TTL_MS,
  challengeEvolver,
  decideConsume,
  decideIssue,
  type ChallengeEvent,
  type ChallengeState,
} from './challenge.decider.js';
import {
  counterRegressed,
  credentialEvolver,
  decideDelete,
  decideRegister,
  decideRename,
  decideUse,
  type CredentialEvent,
  type CredentialsState,
  type StoredCredential,
} from './credential.decider.js';

const U = 'user-1';
const T0 = Date.parse('2026-03-02T08:00:00Z');
const given = <S, E>(ev: { initialState: () => S; evolve: (s: S, e: E) => S }, events: E[]) => events.reduce(ev.evolve, ev.initialState());
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? `${e.status} ${e.code}` : String(e);
  }
  return 'no error';
};

describe('challenge decider', () => {
  const issued = (purpose: 'authenticate' | 'passwordless' = 'authenticate') =>
    decideIssue(challengeEvolver.initialState(), {
      challenge_hash: 'h',
      purpose,
      user_id: purpose === 'passwordless' ? null : U,
      session_id: purpose === 'passwordless' ? null : 's1',
      attempt_id: purpose === 'passwordless' ? 'a1' : null,
      now: T0,
    });
  const state = (events: ChallengeEvent[]): ChallengeState => given(challengeEvolver, events);

  it('given an issued challenge, when its own session consumes it in time, then WebAuthnChallengeConsumed', () => {
    const s = state(issued());
    expect(decideConsume(s, { challenge_hash: 'h', purpose: 'authenticate', session_id: 's1', now: T0 + 1000 })).toEqual([
      { type: 'WebAuthnChallengeConsumed', data: { challenge_hash: 'h', consumed_at: new Date(T0 + 1000).toISOString() } },
    ]);
  });

  it('given an issued challenge, then it expires after exactly 5 minutes', () => {
    const s = state(issued());
    expect(s.expires_at - T0).toBe(CHALLENGE_TTL_MS);
    expect(
      code(() => decideConsume(s, { challenge_hash: 'h', purpose: 'authenticate', session_id: 's1', now: T0 + CHALLENGE_TTL_MS })),
    ).toBe('no error');
    expect(
      code(() => decideConsume(s, { challenge_hash: 'h', purpose: 'authenticate', session_id: 's1', now: T0 + CHALLENGE_TTL_MS + 1 })),
    ).toBe('400 webauthn_challenge_invalid');
  });

  it('given a consumed challenge, when it is used again, then it is refused', () => {
    const first = state(issued());
    const consumed = state([
      ...issued(),
      ...decideConsume(first, { challenge_hash: 'h', purpose: 'authenticate', session_id: 's1', now: T0 }),
    ]);
    expect(code(() => decideConsume(consumed, { challenge_hash: 'h', purpose: 'authenticate', session_id: 's1', now: T0 }))).toBe(
      '400 webauthn_challenge_invalid',
    );
  });

  it('refuses unknown, foreign-session, wrong-attempt and wrong-purpose challenges', () => {
    expect(code(() => decideConsume(state([]), { challenge_hash: 'h', purpose: 'authenticate', session_id: 's1', now: T0 }))).toBe(
      '400 webauthn_challenge_invalid',
    );
    expect(code(() => decideConsume(state(issued()), { challenge_hash: 'h', purpose: 'authenticate', session_id: 's2', now: T0 }))).toBe(
      '400 webauthn_challenge_invalid',
    );
    expect(code(() => decideConsume(state(issued()), { challenge_hash: 'h', purpose: 'register', session_id: 's1', now: T0 }))).toBe(
      '400 webauthn_challenge_invalid',
    );
    const pw = state(issued('passwordless'));
    expect(code(() => decideConsume(pw, { challenge_hash: 'h', purpose: 'passwordless', attempt_id: 'a2', now: T0 }))).toBe(
      '400 webauthn_challenge_invalid',
    );
    expect(code(() => decideConsume(pw, { challenge_hash: 'h', purpose: 'passwordless', attempt_id: 'a1', now: T0 }))).toBe('no error');
  });
});

describe('credential decider', () => {
  const cred = (id: string, counter = 0): StoredCredential => ({
    id,
    public_key: 'pk',
    counter,
    transports: ['internal'],
    aaguid: '00000000-0000-0000-0000-000000000000',
    backed_up: false,
    device_type: 'singleDevice',
    name: `Key ${id}`,
    created_at: '2026-03-02T08:00:00.000Z',
    last_used_at: null,
  });
  const registered = (id: string, counter = 0) =>
    decideRegister(credentialEvolver.initialState(), U, cred(id, counter), { user_verified: true, fmt: 'none' });
  const state = (events: CredentialEvent[]): CredentialsState => given(credentialEvolver, events);
  const use = (counter: number) => ({
    credential_id: 'c1',
    counter,
    backed_up: false,
    user_verified: true,
    purpose: 'step_up',
    now: '2026-03-02T09:00:00.000Z',
  });

  it('given no credentials, when one registers, then WebAuthnCredentialRegistered and MfaEnrolled { method: webauthn }', () => {
    expect(registered('c1').map((e) => e.type)).toEqual(['WebAuthnCredentialRegistered', 'MfaEnrolled']);
    expect(registered('c1')[1]!.data).toEqual({ user_id: U, method: 'webauthn', credential_id: 'c1', credential_name: 'Key c1' });
  });

  it('given a credential, when the same id registers again, then 409', () => {
    expect(code(() => decideRegister(state(registered('c1')), U, cred('c1'), { user_verified: true, fmt: 'none' }))).toBe(
      '409 webauthn_credential_exists',
    );
  });

  it('given counter 5, when 6 arrives, then it is used and the counter moves', () => {
    const s = state(registered('c1', 5));
    const events = decideUse(s, use(6));
    expect(events.map((e) => e.type)).toEqual(['WebAuthnCredentialUsed']);
    expect(state([...registered('c1', 5), ...events]).credentials.c1).toMatchObject({
      counter: 6,
      last_used_at: '2026-03-02T09:00:00.000Z',
    });
  });

  it('given counter 5, when 5 or 3 arrives, then WebAuthnCounterRegressionDetected and the counter stays', () => {
    for (const received of [5, 3]) {
      const events = decideUse(state(registered('c1', 5)), use(received));
      expect(events).toEqual([
        {
          type: 'WebAuthnCounterRegressionDetected',
          data: { user_id: U, credential_id: 'c1', credential_name: 'Key c1', stored_counter: 5, received_counter: received },
        },
      ]);
      expect(state([...registered('c1', 5), ...events]).credentials.c1!.counter).toBe(5);
    }
  });

  it('allows authenticators that always report 0', () => {
    expect(counterRegressed(0, 0)).toBe(false);
    expect(counterRegressed(0, 1)).toBe(false);
    expect(counterRegressed(1, 0)).toBe(true);
    expect(decideUse(state(registered('c1', 0)), use(0)).map((e) => e.type)).toEqual(['WebAuthnCredentialUsed']);
  });

  it('renames (no event when unchanged) and deletes with MfaDisabled; unknown ids are 404', () => {
    const s = state(registered('c1'));
    expect(decideRename(s, 'c1', 'Key c1')).toEqual([]);
    expect(decideRename(s, 'c1', 'Phone')[0]!.data).toMatchObject({ name: 'Phone', previous_name: 'Key c1' });
    const del = decideDelete(s, 'c1');
    expect(del.map((e) => e.type)).toEqual(['WebAuthnCredentialDeleted', 'MfaDisabled']);
    expect(del[1]!.data).toMatchObject({ method: 'webauthn', remaining_credentials: 0 });
    expect(state([...registered('c1'), ...del]).credentials).toEqual({});
    expect(code(() => decideDelete(s, 'nope'))).toBe('404 webauthn_credential_not_found');
    expect(code(() => decideUse(s, { ...use(1), credential_id: 'nope' }))).toBe('400 webauthn_credential_unknown');
  });

  it('given credentials, when a prototype key names one, then it is not found and nothing is decided', () => {
    const s = state(registered('c1'));
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(code(() => decideRename(s, key, 'x'))).toBe('404 webauthn_credential_not_found');
      expect(code(() => decideDelete(s, key))).toBe('404 webauthn_credential_not_found');
      expect(code(() => decideUse(s, { ...use(1), credential_id: key }))).toBe('400 webauthn_credential_unknown');
    }
  });
});
