import { hashRecoveryCode, newRecoveryCode, normaliseRecoveryCode } from './recovery-codes.core.js';
import {
  decideGenerate,
  decideUse,
  evolveRecoveryCodes,
  initialRecoveryCodes,
  type RecoveryCodesEvent,
  type RecoveryCodesState,
} from './recovery-codes.decider.js';

const U = 'user-1';
const NOW = new Date('2026-03-02T08:00:00Z');
const given = (...events: RecoveryCodesEvent[]): RecoveryCodesState => events.reduce(evolveRecoveryCodes, initialRecoveryCodes());
const batch = (id: string, codes: string[]) =>
  decideGenerate(
    initialRecoveryCodes(),
    U,
    id,
    codes.map((c) => hashRecoveryCode(c)),
    NOW,
  )[0]!;

describe('RecoveryCodeSet decider', () => {
  const codes = Array.from({ length: 10 }, newRecoveryCode);

  it('codes are 80-bit Crockford in groups of four, distinct, with a unique salt each', () => {
    for (const c of codes) expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(new Set(codes).size).toBe(10);
    const hashed = codes.map((c) => hashRecoveryCode(c));
    expect(new Set(hashed.map((h) => h.salt)).size).toBe(10);
    expect(JSON.stringify(hashed)).not.toContain(normaliseRecoveryCode(codes[0]!));
    expect(hashRecoveryCode(codes[0]!, 'aa').hash).not.toBe(hashRecoveryCode(codes[0]!, 'bb').hash);
  });

  it('given a batch, when a code is used in any case/separator form, then exactly that code is burnt', () => {
    const s = given(batch('b1', codes));
    const sloppy = ` ${codes[3]!.toLowerCase().replace(/-/g, ' ')} `;
    const d = decideUse(s, U, sloppy);
    expect(d).toEqual({
      kind: 'used',
      remaining: 9,
      events: [{ type: 'RecoveryCodeUsed', data: { user_id: U, batch_id: 'b1', index: 3, remaining: 9 } }],
    });
    const after = given(batch('b1', codes), ...(d.kind === 'used' ? d.events : []));
    expect(decideUse(after, U, codes[3]!).kind).toBe('invalid');
    expect(decideUse(after, U, codes[4]!)).toMatchObject({ kind: 'used', remaining: 8 });
  });

  it('given a regenerated batch, the previous codes are dead', () => {
    const fresh = Array.from({ length: 10 }, newRecoveryCode);
    const s = given(batch('b1', codes), batch('b2', fresh));
    expect(decideUse(s, U, codes[0]!).kind).toBe('invalid');
    expect(decideUse(s, U, fresh[0]!).kind).toBe('used');
  });

  it('given no batch, nothing matches', () => {
    expect(decideUse(given(), U, codes[0]!).kind).toBe('invalid');
    expect(decideUse(given(batch('b1', codes)), U, '').kind).toBe('invalid');
  });
});
