import { defineProjection } from '../src/projections-runtime/projection.js';
import type { CasualMatchEvent, MatchStatus } from '../src/individual/matches/casual-match.decider.js';

/** Casual matches (F02.08.02) as each player sees them: one document per (match, player), the score from their side. */
export interface CasualMatchView {
  id: string;
  match_id: string;
  user_id: string;
  opponent_user_id: string;
  role: 'creator' | 'opponent';
  played_at: string;
  score: { me: number; opponent: number };
  status: MatchStatus;
  created_at: string;
  expires_at: string;
  answered_at: string | null;
  [k: string]: unknown;
}

export const casualMatchesProjection = defineProjection({
  name: 'casual_matches',
  collections: [
    {
      name: 'casual_matches',
      indexes: [
        { fields: ['match_id'] },
        { fields: ['user_id', 'played_at'] },
        { fields: ['user_id', 'status', 'played_at'] },
        { fields: ['role', 'status', 'expires_at'] },
        { fields: ['user_id', 'opponent_user_id', 'status'] },
      ],
    },
  ],
  handles: ['CasualMatchRecorded', 'CasualMatchVerified', 'CasualMatchExpired', 'CasualMatchCancelled'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as unknown as CasualMatchEvent;
    const docs = tx.collection<CasualMatchView>('casual_matches');
    if (e.type === 'CasualMatchRecorded') {
      const d = e.data;
      const base = {
        match_id: d.match_id,
        played_at: d.played_at,
        status: 'PENDING' as const,
        created_at: d.at,
        expires_at: d.expires_at,
        answered_at: null,
      };
      await docs.upsert({
        ...base,
        id: `${d.match_id}:${d.creator}`,
        user_id: d.creator,
        opponent_user_id: d.opponent,
        role: 'creator',
        score: { me: d.score.creator, opponent: d.score.opponent },
      });
      await docs.upsert({
        ...base,
        id: `${d.match_id}:${d.opponent}`,
        user_id: d.opponent,
        opponent_user_id: d.creator,
        role: 'opponent',
        score: { me: d.score.opponent, opponent: d.score.creator },
      });
      return;
    }
    const status: MatchStatus =
      e.type === 'CasualMatchVerified'
        ? e.data.decision === 'confirm'
          ? 'CONFIRMED'
          : 'DISPUTED'
        : e.type === 'CasualMatchExpired'
          ? 'EXPIRED'
          : 'CANCELLED';
    const page = await docs.find({ where: { match_id: e.data.match_id }, limit: 2 });
    for (const doc of page.items) await docs.patch(doc.id, { set: { status, answered_at: e.data.at } });
  },
});
