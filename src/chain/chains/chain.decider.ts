import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { conflict } from '../../shared/errors.js';

/** 3-8 capital letters (A-Z): printed in passport ids such as BOULE-PASS-000001. */
export const CHAIN_CODE = /^[A-Z]{3,8}$/;

export type ChainEvent = DomainEvent<
  'ChainCreated',
  { chain_id: string; chain_code: string; name: string; country: string; created_by: string | null; created_at: string }
>;
/** The code's own stream: appended with no_stream, so two chains can never hold one code. */
export type ChainCodeEvent = DomainEvent<'ChainCodeReserved', { chain_code: string; chain_id: string }>;

export interface ChainState {
  exists: boolean;
  chain_code: string | null;
}

export const chainStream = (chainId: string) => `chain-${chainId}`;
export const chainCodeStream = (code: string) => `chain-code-${code}`;

export const chainEvolver = {
  initialState: (): ChainState => ({ exists: false, chain_code: null }),
  evolve: (_s: ChainState, e: ChainEvent): ChainState => ({ exists: true, chain_code: e.data.chain_code }),
};

export function decideCreateChain(
  s: ChainState,
  cmd: { chain_id: string; chain_code: string; name: string; country: string; by: string | null; now: Date },
): ChainEvent[] {
  if (s.exists) throw conflict('chain_exists', 'This chain already exists.');
  return [
    {
      type: 'ChainCreated',
      data: {
        chain_id: cmd.chain_id,
        chain_code: cmd.chain_code,
        name: cmd.name,
        country: cmd.country,
        created_by: cmd.by,
        created_at: cmd.now.toISOString(),
      },
    },
  ];
}
