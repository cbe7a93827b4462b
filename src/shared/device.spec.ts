import { deviceKey, locate, parseDevice } from './device.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

describe('device and location (memoised)', () => {
  it('answers a repeated user agent as the first time, and a caller altering its copy changes no later answer', () => {
    const first = parseDevice(FIREFOX);
    expect(first).toEqual({ browser: 'Firefox', os: 'Linux', type: 'desktop' });
    first.browser = 'Altered';
    first.type = 'mobile';
    expect(parseDevice(FIREFOX)).toEqual({ browser: 'Firefox', os: 'Linux', type: 'desktop' });
    expect(deviceKey(parseDevice(FIREFOX))).toBe('Firefox|Linux|desktop');
    expect(parseDevice(null)).toEqual({ browser: null, os: null, type: 'unknown' });
  });

  it('answers a repeated address with the same location, which no caller can alter', async () => {
    const first = await locate('81.2.69.142');
    expect(first).toEqual({ country: 'GB', city: expect.any(String) });
    expect(() => {
      (first as { country: string }).country = 'SE';
    }).toThrow(TypeError);
    expect(await locate('81.2.69.142')).toEqual(first);
    expect(await locate('::ffff:81.2.69.142')).toEqual(first);
    expect(await locate('10.1.2.3')).toBeNull();
    expect(await locate('not an ip')).toBeNull();
    expect(await locate(null)).toBeNull();
  });
});
