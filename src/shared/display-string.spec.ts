import { isDisplayString } from './display-string.js';

describe('display strings', () => {
  it('accepts names in any script, with spaces, punctuation and emoji', () => {
    for (const ok of ['Work laptop', 'Åsa’s iPhone', 'Ноутбук', 'حاسوب العمل', '工作电脑', 'YubiKey 5C 🔑', 'a-b_c (2)'])
      expect(isDisplayString(ok)).toBe(true);
  });

  it('refuses control characters, NUL, bidi overrides, embeddings, isolates and marks, and lone surrogates', () => {
    const bad = [
      'a\u0000b',
      'line\nbreak',
      'tab\t',
      'esc\u001b[31m',
      'del\u007f',
      'c1\u0085',
      'Laptop\u202Eexe.',
      'x\u202Ay',
      'x\u2066y\u2069',
      'x\u200Fy',
      'x\u061Cy',
      'x\ud800',
      '\udc00x',
    ];
    for (const s of bad) expect(isDisplayString(s)).toBe(false);
    expect(isDisplayString(42)).toBe(false);
  });
});
