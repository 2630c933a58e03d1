import { createHash } from 'node:crypto';
import type { PostClaims } from '../core/topic-posts.js';
import type { Storage } from './open-storage.js';

/**
 * How long a claim holds when its process dies mid-send: longer than a channel's delivery takes
 * (a run's cards at Discord's 5 per 5 s, a digest), after which another process may send the post
 * (the record is still pending; its nonce or the forum lookup guards the resend).
 */
export const POST_CLAIM_TTL_MS = 15 * 60_000;

/**
 * PostClaims as leases (lease.ts), one per channel and paper: PostgreSQL's INSERT … ON CONFLICT,
 * Redis's SET NX PX, the backends' own atomic step. The lease name is a hash of the channel and
 * paper id (lease names are short and plain). A store that one process owns (SQLite) needs none:
 * every post is its own.
 */
export function createPostClaims(storage: Pick<Storage, 'lease' | 'shared'>, owner: string, ttlMs = POST_CLAIM_TTL_MS): PostClaims {
  if (!storage.shared) {
    return { claim: async (_channelId, paperIds) => new Set(paperIds), release: async () => {} };
  }
  const lease = (channelId: string, paperId: string) =>
    storage.lease(`post-${createHash('sha256').update(`${channelId}:${paperId}`).digest('hex').slice(0, 40)}`, owner, ttlMs);
  return {
    async claim(channelId, paperIds) {
      const unique = [...new Set(paperIds)];
      const taken = await Promise.all(unique.map((id) => lease(channelId, id).acquire()));
      return new Set(unique.filter((_, i) => taken[i]));
    },
    async release(channelId, paperIds) {
      await Promise.all([...new Set(paperIds)].map((id) => lease(channelId, id).release()));
    },
  };
}
