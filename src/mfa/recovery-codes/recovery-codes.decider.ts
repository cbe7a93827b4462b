import type { DomainEvent, Evolver } from '../../eventstore/aggregate-repository.js';
import { findRecoveryCode, type HashedRecoveryCode } from './recovery-codes.core.js';

/**
 * RecoveryCodeSet aggregate, one stream per user. Only salted hashes are stored. Generating a
 * batch replaces the previous one entirely. Using a code is decided against the loaded
 * version and appended with it as expected version, so one code is burnt exactly once.
 */
export const recoveryCodesStream = (userId: string) => `recovery-codes-${userId}`;

export type RecoveryCodesEvent =
  | DomainEvent<
      'RecoveryCodesGenerated',
      { user_id: string; batch_id: string; codes: HashedRecoveryCode[]; generated_at: string; replaced_remaining: number }
    >
  | DomainEvent<'RecoveryCodeUsed', { user_id: string; batch_id: string; index: number; remaining: number }>;

export interface RecoveryCodesState {
  batchId: string | null;
  codes: Array<HashedRecoveryCode & { used: boolean }>;
  generatedAt: string | null;
}

export const initialRecoveryCodes = (): RecoveryCodesState => ({ batchId: null, codes: [], generatedAt: null });

export const remaining = (s: RecoveryCodesState) => s.codes.filter((c) => !c.used).length;

export function evolveRecoveryCodes(s: RecoveryCodesState, e: RecoveryCodesEvent): RecoveryCodesState {
  switch (e.type) {
    case 'RecoveryCodesGenerated':
      return { batchId: e.data.batch_id, codes: e.data.codes.map((c) => ({ ...c, used: false })), generatedAt: e.data.generated_at };
    case 'RecoveryCodeUsed':
      if (e.data.batch_id !== s.batchId) return s;
      return { ...s, codes: s.codes.map((c, i) => (i === e.data.index ? { ...c, used: true } : c)) };
    default: {
      const never: never = e;
      return never;
    }
  }
}

export const recoveryCodesEvolver: Evolver<RecoveryCodesState, RecoveryCodesEvent> = {
  initialState: initialRecoveryCodes,
  evolve: evolveRecoveryCodes,
  snapshot: { schema: 1 },
};

export function decideGenerate(
  s: RecoveryCodesState,
  userId: string,
  batchId: string,
  codes: HashedRecoveryCode[],
  now: Date,
): RecoveryCodesEvent[] {
  return [
    {
      type: 'RecoveryCodesGenerated',
      data: { user_id: userId, batch_id: batchId, codes, generated_at: now.toISOString(), replaced_remaining: remaining(s) },
    },
  ];
}

export type UseDecision = { kind: 'invalid' } | { kind: 'used'; remaining: number; events: RecoveryCodesEvent[] };

export function decideUse(s: RecoveryCodesState, userId: string, input: string): UseDecision {
  if (!s.batchId) return { kind: 'invalid' };
  const index = findRecoveryCode(s.codes, input);
  if (index < 0) return { kind: 'invalid' };
  const left = remaining(s) - 1;
  return {
    kind: 'used',
    remaining: left,
    events: [{ type: 'RecoveryCodeUsed', data: { user_id: userId, batch_id: s.batchId, index, remaining: left } }],
  };
}
