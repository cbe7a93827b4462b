import { defineProjection } from '../src/projections-runtime/projection.js';
import type { FriendshipEvent } from '../src/individual/friends/friendship.decider.js';

/**
 * Friendships (F02.08.03) as each side sees them: one document per (user, other). A block is
 * visible only to the blocker; the blocked side's document disappears.
 */
export interface FriendshipView {
  id: string;
  user_id: string;
  other_user_id: string;
  status: 'PENDING' | 'ACCEPTED' | 'BLOCKED';
  direction: 'incoming' | 'outgoing';
  expires_at: string | null;
  since: string;
  [k: string]: unknown;
}
const id = (user: string, other: string) => `${user}:${other}`;

export const friendshipsProjection = defineProjection({
  name: 'friendships',
  collections: [{ name: 'friendships', indexes: [{ fields: ['user_id', 'status', 'since'] }] }],
  handles: ['FriendRequested', 'FriendRequestAccepted', 'FriendshipEnded', 'PlayerBlocked'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as unknown as FriendshipEvent;
    const docs = tx.collection<FriendshipView>('friendships');
    const at = event.occurred_at;
    switch (e.type) {
      case 'FriendRequested': {
        const { from, to, expires_at } = e.data;
        await docs.upsert({
          id: id(from, to),
          user_id: from,
          other_user_id: to,
          status: 'PENDING',
          direction: 'outgoing',
          expires_at,
          since: at,
        });
        await docs.upsert({
          id: id(to, from),
          user_id: to,
          other_user_id: from,
          status: 'PENDING',
          direction: 'incoming',
          expires_at,
          since: at,
        });
        break;
      }
      case 'FriendRequestAccepted':
        for (const [u, o] of [
          [e.data.by, e.data.other],
          [e.data.other, e.data.by],
        ] as const)
          await docs.patch(id(u, o), { set: { status: 'ACCEPTED', expires_at: null, since: at } });
        break;
      case 'FriendshipEnded':
        await docs.delete(id(e.data.by, e.data.other));
        await docs.delete(id(e.data.other, e.data.by));
        break;
      case 'PlayerBlocked':
        await docs.delete(id(e.data.other, e.data.by));
        await docs.upsert({
          id: id(e.data.by, e.data.other),
          user_id: e.data.by,
          other_user_id: e.data.other,
          status: 'BLOCKED',
          direction: 'outgoing',
          expires_at: null,
          since: at,
        });
        break;
    }
  },
});
