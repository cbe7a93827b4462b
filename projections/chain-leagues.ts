import { defineProjection } from '../src/projections-runtime/projection.js';
import type { LeagueEvent } from '../src/chain/leagues/league.decider.js';

/** Cross-venue leagues (F02.09.02), one document per league. */
export type ChainLeagueView = LeagueEvent['data'] & { id: string; [k: string]: unknown };

export const chainLeaguesProjection = defineProjection({
  name: 'chain_leagues',
  collections: [{ name: 'chain_leagues', indexes: [{ fields: ['chain_id', 'season_start'] }] }],
  handles: ['LeagueCreated'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as unknown as LeagueEvent;
    const docs = tx.collection<ChainLeagueView>('chain_leagues');
    if (await docs.get(e.data.league_id)) return;
    await docs.upsert({ id: e.data.league_id, ...e.data });
  },
});
