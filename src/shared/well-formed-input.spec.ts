import { isWellFormed, malformedInput, MAX_INPUT_DEPTH } from './well-formed-input.js';

describe('well-formed input', () => {
  it('tells lone surrogates from surrogate pairs', () => {
    expect(isWellFormed('🎱 Åsa')).toBe(true); // a pair is fine
    for (const bad of ['\ud800', '\udfff', 'a\ud800b', '\udc00\ud800', 'x\ud83c']) expect(isWellFormed(bad)).toBe(false);
  });

  it('names the field that holds a lone surrogate, in values, arrays and keys', () => {
    expect(malformedInput({ email: 'a@b.se', password: 'x' }, 'body')).toBeNull();
    expect(malformedInput({ email: '\ud800' }, 'body')).toMatch(/^email must be well-formed Unicode/);
    expect(malformedInput({ roles: ['member', 'x\udfff'] }, 'body')).toMatch(/^roles\[1\] must be well-formed/);
    expect(malformedInput({ response: { id: '\ud800' } }, 'body')).toMatch(/^response\.id must be well-formed/);
    expect(malformedInput({ '\ud800': 1 }, 'body')).toMatch(/^a key in body/);
    expect(malformedInput({ type: '\ud800' }, 'query')).toMatch(/^query\.type must be well-formed/);
  });

  it('refuses nesting beyond the limit without overflowing its own stack', () => {
    const nest = (n: number) => JSON.parse('['.repeat(n) + ']'.repeat(n));
    expect(malformedInput(nest(MAX_INPUT_DEPTH), 'body')).toBeNull();
    expect(malformedInput(nest(MAX_INPUT_DEPTH + 1), 'body')).toMatch(/nests deeper than 32 levels/);
    expect(malformedInput(nest(100_000), 'body')).toMatch(/nests deeper/);
  });
});
