import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totpAt, type TotpAlgorithm } from './totp.core.js';

const SEEDS: Record<TotpAlgorithm, Buffer> = {
  SHA1: Buffer.from('12345678901234567890', 'ascii'),
  SHA256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
};

// RFC 6238 Appendix B (T0 = 0, X = 30, 8 digits).
const RFC6238: Array<[number, string, TotpAlgorithm]> = [
  [59, '94287082', 'SHA1'],
  [59, '46119246', 'SHA256'],
  [59, '90693936', 'SHA512'],
  [1111111109, '07081804', 'SHA1'],
  [1111111109, '68084774', 'SHA256'],
  [1111111109, '25091201', 'SHA512'],
  [1111111111, '14050471', 'SHA1'],
  [1111111111, '67062674', 'SHA256'],
  [1111111111, '99943326', 'SHA512'],
  [1234567890, '89005924', 'SHA1'],
  [1234567890, '91819424', 'SHA256'],
  [1234567890, '93441116', 'SHA512'],
  [2000000000, '69279037', 'SHA1'],
  [2000000000, '90698825', 'SHA256'],
  [2000000000, '38618901', 'SHA512'],
  [20000000000, '65353130', 'SHA1'],
  [20000000000, '77737706', 'SHA256'],
  [20000000000, '47863826', 'SHA512'],
];

// RFC 4226 Appendix D (secret "12345678901234567890", 6 digits, counters 0..9).
const RFC4226 = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

describe('TOTP core (the functions the server verifies with)', () => {
  it.each(RFC4226.map((code, counter) => [counter, code]))('RFC 4226 HOTP counter %i -> %s', (counter, code) => {
    expect(hotp(SEEDS.SHA1, counter as number, 6, 'SHA1')).toBe(code);
  });

  it.each(RFC6238)('RFC 6238 T=%i -> %s (%s)', (time, code, algorithm) => {
    const secret = base32Encode(SEEDS[algorithm]);
    const params = { algorithm, digits: 8 as const, period: 30 };
    expect(totpAt(secret, time * 1000, params)).toBe(code);
    // the verifier the endpoints call accepts exactly this code at this time, at step T/30
    expect(matchTotp(secret, code, time * 1000, params, 0)).toBe(Math.floor(time / 30));
    const wrong = ((Number(code) + 1) % 1e8).toString().padStart(8, '0');
    expect(matchTotp(secret, wrong, time * 1000, params, 0)).toBeNull();
  });

  it('base32 round-trips without padding (RFC 4648 vectors)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Encode(Buffer.from('fooba'))).toBe('MZXW6YTB');
    expect(base32Decode('mzxw6ytboi======').toString()).toBe('foobar');
    expect(() => base32Decode('MZ1W')).toThrow();
  });

  it('accepts ±1 step and rejects ±2, malformed codes', () => {
    const secret = base32Encode(SEEDS.SHA1);
    const t = 1_700_000_000_000 - (1_700_000_000_000 % 30_000) + 10_000;
    const step = Math.floor(t / 30_000);
    for (const d of [-1, 0, 1]) expect(matchTotp(secret, totpAt(secret, t + d * 30_000), t)).toBe(step + d);
    for (const d of [-2, 2]) expect(matchTotp(secret, totpAt(secret, t + d * 30_000), t)).toBeNull();
    expect(matchTotp(secret, '12345', t)).toBeNull();
    expect(matchTotp(secret, 'abcdef', t)).toBeNull();
  });

  it('builds a Key URI with encoded issuer and account', () => {
    expect(otpauthUri('ABC', 'a+b@x.se')).toBe(
      'otpauth://totp/Petanque%20Life:a%2Bb%40x.se?secret=ABC&issuer=Petanque%20Life&algorithm=SHA1&digits=6&period=30',
    );
  });
});
