import { DomainError } from '../../shared/errors.js';
import { decideCreateContext, decideUpdateProfile, individualEvolver, type IndividualEvent } from './individual.decider.js';

const NOW = new Date('2026-03-02T08:00:00.000Z');
const given = (...events: IndividualEvent[]) => events.reduce(individualEvolver.evolve, individualEvolver.initialState());
const create = {
  user_id: 'u',
  tenant_id: 't',
  display_name: 'P',
  country: 'SE',
  language: 'en' as const,
  via: 'signup' as const,
  now: NOW,
};

describe('individual context decider', () => {
  it('creates one context per user; a second is 409', () => {
    const [e] = decideCreateContext(given(), create);
    expect(e).toEqual({
      type: 'IndividualSignedUp',
      data: { user_id: 'u', tenant_id: 't', display_name: 'P', country: 'SE', language: 'en', via: 'signup', at: NOW.toISOString() },
    });
    expect(() => decideCreateContext(given(e!), create)).toThrow(DomainError);
  });
  it('profile updates carry only what changed; nothing when nothing does; FREE stays FREE', () => {
    const [e] = decideCreateContext(given(), create);
    const [u] = decideUpdateProfile(given(e!), { country: 'SE', birth_year: 1980 }, NOW);
    expect(u).toEqual({ type: 'IndividualProfileUpdated', data: { user_id: 'u', changes: { birth_year: 1980 }, at: NOW.toISOString() } });
    expect(decideUpdateProfile(given(e!, u!), { birth_year: 1980 }, NOW)).toEqual([]);
    expect(given(e!, u!).subscription_tier).toBe('FREE');
  });
  it('no profile yet: 404', () => {
    expect(() => decideUpdateProfile(given(), { birth_year: 1980 }, NOW)).toThrow('no individual player profile');
  });
});
