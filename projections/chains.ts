import { defineProjection } from '../src/projections-runtime/projection.js';
import type { ChainEvent } from '../src/chain/chains/chain.decider.js';

/** Venue chains (F02.09.01), one document per CHAIN tenant (id = tenant id). */
export interface ChainView {
  id: string;
  chain_id: string;
  chain_code: string;
  name: string;
  country: string;
  created_at: string;
  [k: string]: unknown;
}

export const chainsProjection = defineProjection({
  name: 'chains',
  collections: [{ name: 'chains', indexes: [{ fields: ['chain_code'], unique: true }] }],
  handles: ['ChainCreated'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as unknown as ChainEvent;
    const docs = tx.collection<ChainView>('chains');
    if (await docs.get(e.data.chain_id)) return; // idempotent: created once
    await docs.upsert({
      id: e.data.chain_id,
      chain_id: e.data.chain_id,
      chain_code: e.data.chain_code,
      name: e.data.name,
      country: e.data.country,
      created_at: e.data.created_at,
    });
  },
});
