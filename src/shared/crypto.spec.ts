import { safeEqual, sha256Hex } from './crypto.js';

/**
 * The constant-time compare must look at every character: a compare of a prefix (or of the
 * length only) would pass every test that uses unrelated values.
 */
describe('safeEqual', () => {
  const hash = sha256Hex('a refresh token');
  const lastDiffers = hash.slice(0, -1) + (hash.endsWith('0') ? '1' : '0');

  it('is true for equal strings only', () => {
    expect(safeEqual(hash, `${hash}`)).toBe(true);
    expect(safeEqual('', '')).toBe(true);
  });

  it('refuses strings that differ only in the last character', () => {
    expect(lastDiffers).toHaveLength(hash.length);
    expect(safeEqual(hash, lastDiffers)).toBe(false);
    expect(safeEqual('abcdefghij', 'abcdefghik')).toBe(false);
    // past the first 8 characters, and at every position
    for (let i = 0; i < hash.length; i++)
      expect(safeEqual(hash, hash.slice(0, i) + (hash[i] === 'a' ? 'b' : 'a') + hash.slice(i + 1))).toBe(false);
  });

  it('refuses strings that differ only in length (one a prefix of the other)', () => {
    expect(safeEqual(hash, hash.slice(0, -1))).toBe(false);
    expect(safeEqual(hash.slice(0, -1), hash)).toBe(false);
    expect(safeEqual(hash, `${hash}0`)).toBe(false);
    expect(safeEqual('', 'a')).toBe(false);
  });

  it('compares bytes, not UTF-16 units (a multi-byte character is not equal to another of the same length)', () => {
    expect(safeEqual('å', 'ä')).toBe(false);
    expect(safeEqual('å', 'å')).toBe(true);
  });
});
