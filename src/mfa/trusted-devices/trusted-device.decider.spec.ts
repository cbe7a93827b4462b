import { DomainError } from '../../shared/errors.js';
import {
  decideAddTrustedDevice,
  decideRemoveTrustedDevice,
  decideUseTrustedDevice,
  TRUSTED_DEVICE_TTL_MS,
  trustedDevicesEvolver,
  type TrustedDeviceEvent,
} from './trusted-device.decider.js';

const given = (...events: TrustedDeviceEvent[]) => events.reduce(trustedDevicesEvolver.evolve, trustedDevicesEvolver.initialState());
const NOW = Date.parse('2026-03-02T08:00:00.000Z');
const device = { browser: 'Firefox', os: 'Windows', type: 'desktop' };
const add = (name?: string) =>
  decideAddTrustedDevice({ user_id: 'u1', device_id: 'd1', name, token_hash: 'h', device, location: null }, NOW);

describe('trusted device decider', () => {
  it('adds a device valid for exactly 30 days, named after the browser when no name is given', () => {
    const [e] = add();
    expect(e!.type).toBe('TrustedDeviceAdded');
    expect(e!.data).toMatchObject({
      name: 'Firefox on Windows',
      expires_at: new Date(NOW + TRUSTED_DEVICE_TTL_MS).toISOString(),
      token_hash: 'h',
    });
    expect(add('  Laptop  ')[0]!.data).toMatchObject({ name: 'Laptop' });
  });

  it('rejects a name over 100 characters, naming the field', () => {
    expect(() => add('x'.repeat(101))).toThrow(DomainError);
  });

  it('removes a device once; a second removal or an unknown id is not found', () => {
    const s = given(...add());
    const [removed] = decideRemoveTrustedDevice(s, 'u1', 'd1');
    expect(removed).toEqual({
      type: 'TrustedDeviceRemoved',
      data: { user_id: 'u1', device_id: 'd1', name: 'Firefox on Windows', reason: 'user' },
    });
    expect(() => decideRemoveTrustedDevice(given(...add(), removed!), 'u1', 'd1')).toThrow(
      expect.objectContaining({ code: 'trusted_device_not_found' }),
    );
    expect(() => decideRemoveTrustedDevice(s, 'u1', 'nope')).toThrow(expect.objectContaining({ code: 'trusted_device_not_found' }));
  });

  it('records use only while the device is trusted (not removed, not expired)', () => {
    const s = given(...add());
    expect(decideUseTrustedDevice(s, 'u1', 'd1', NOW + 1000)).toHaveLength(1);
    expect(decideUseTrustedDevice(s, 'u1', 'd1', NOW + TRUSTED_DEVICE_TTL_MS)).toEqual([]);
    expect(decideUseTrustedDevice(given(...add(), ...decideRemoveTrustedDevice(s, 'u1', 'd1')), 'u1', 'd1', NOW + 1000)).toEqual([]);
  });

  it('given devices, when a prototype key names one, then it is not found and nothing is decided', () => {
    const s = given(...add());
    for (const key of ['__proto__', 'constructor', 'toString']) {
      expect(() => decideRemoveTrustedDevice(s, 'u1', key)).toThrow(expect.objectContaining({ code: 'trusted_device_not_found' }));
      expect(decideUseTrustedDevice(s, 'u1', key, NOW + 1000)).toEqual([]);
    }
  });
});
