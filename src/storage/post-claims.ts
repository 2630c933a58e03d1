import { createHash } from 'node:crypto';
import type { PostClaims } from '../core/topic-posts.js';
import type { Storage } from './open-storage.js';

/**
 * How long a claim outlives its process: renewed every third of it while held (a channel's
 * delivery can take minutes at Discord's 5 posts per 5 s), so a process that dies mid-send holds
 * its posts this long at most; then another process sends them (the record is still pending, and
 * its nonce or the forum lookup guards the resend).
 */
export const POST_CLAIM_TTL_MS = 60_000;

/** The lease that claims one post: a hash of channel and paper id (lease names are short and plain). */
export function postClaimName(channelId: string, paperId: string): string {
  return `post-${createHash('sha256').update(`${channelId}:${paperId}`).digest('hex').slice(0, 40)}`;
}

/**
 * PostClaims as leases (lease.ts), one per channel and paper: PostgreSQL's INSERT … ON CONFLICT,
 * Redis's SET NX PX, the backends' own atomic step. A store that one process owns (SQLite) needs
 * none: every post is its own.
 */
export function createPostClaims(storage: Pick<Storage, 'lease' | 'shared'>, owner: string, ttlMs = POST_CLAIM_TTL_MS): PostClaims {
  if (!storage.shared) {
    return { claim: async (_channelId, paperIds) => new Set(paperIds), release: async () => {} };
  }
  const lease = (leaseName: string) => storage.lease(leaseName, owner, ttlMs);
  const held = new Set<string>();
  let renewing: NodeJS.Timeout | undefined;
  const renewHeld = () => {
    if (held.size === 0) {
      clearInterval(renewing);
      renewing = undefined;
      return;
    }
    // A renewal that fails (store away, claim expired) is retried on the next tick; nothing else can be done mid-send.
    for (const leaseName of held) void lease(leaseName).renew().catch(() => undefined);
  };
  return {
    async claim(channelId, paperIds) {
      const unique = [...new Set(paperIds)];
      const taken = await Promise.all(unique.map((id) => lease(postClaimName(channelId, id)).acquire()));
      const claimed = unique.filter((_, i) => taken[i]);
      for (const id of claimed) held.add(postClaimName(channelId, id));
      if (claimed.length > 0 && !renewing) {
        renewing = setInterval(renewHeld, Math.max(50, Math.floor(ttlMs / 3)));
        renewing.unref();
      }
      return new Set(claimed);
    },
    async release(channelId, paperIds) {
      const names = [...new Set(paperIds)].map((id) => postClaimName(channelId, id));
      for (const leaseName of names) held.delete(leaseName);
      await Promise.all(names.map((leaseName) => lease(leaseName).release()));
    },
  };
}
