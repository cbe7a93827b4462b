import { defineProjection } from '../src/projections-runtime/projection.js';
import type { WhiteLabel, WhiteLabelEvent } from '../src/chain/white-label/white-label.decider.js';

/**
 * Chain branding (F02.09.05), one document per chain (id = chain id), found by custom domain for
 * GET /public/branding. Domains are unique through their reservation streams, and a chain's move
 * away from a domain is projected before another chain can claim it.
 */
export type WhiteLabelView = WhiteLabel & { id: string; chain_id: string; updated_at: string; last_position: number; [k: string]: unknown };

export const chainWhiteLabelsProjection = defineProjection({
  name: 'chain_white_labels',
  collections: [{ name: 'chain_white_labels', indexes: [{ fields: ['custom_domain'] }] }],
  handles: ['WhiteLabelConfigured'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as unknown as WhiteLabelEvent;
    const docs = tx.collection<WhiteLabelView>('chain_white_labels');
    const old = await docs.get(e.data.chain_id);
    if (old && old.last_position >= event.position) return; // guard by position
    const { previous_custom_domain: _p, configured_by: _b, configured_at, ...config } = e.data;
    await docs.upsert({ id: e.data.chain_id, ...config, updated_at: configured_at, last_position: event.position });
  },
});
