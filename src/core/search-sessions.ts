import { randomBytes } from 'node:crypto';
import type { SearchSort } from './search/paper-index.js';

/**
 * What a ◀ ▶ button needs to show another page of results: the query, the sort and who asked.
 * Kept in memory (a button's custom_id holds only the short session id); a session expires
 * after SESSION_TTL_MS, like the buttons it belongs to, and the oldest go first past MAX_SESSIONS.
 */
export type SearchSession = { id: string; ownerId: string; query: string; sort: SearchSort; createdAt: number };

export const SESSION_TTL_MS = 15 * 60_000;
const MAX_SESSIONS = 5_000;

export type Clock = { now(): number };

export type SearchSessions = {
  open(ownerId: string, query: string, sort: SearchSort): SearchSession;
  /** The session, or undefined when it expired or never existed. */
  get(id: string): SearchSession | undefined;
  /** Drop every session of a user (`/bookmarks forget-me`). */
  forgetUser(ownerId: string): void;
};

export function createSearchSessions(clock: Clock, ttlMs = SESSION_TTL_MS): SearchSessions {
  const sessions = new Map<string, SearchSession>();

  function expire(): void {
    const cutoff = clock.now() - ttlMs;
    // Map keeps insertion order, so the oldest sessions come first.
    for (const [id, session] of sessions) {
      if (session.createdAt >= cutoff && sessions.size <= MAX_SESSIONS) break;
      sessions.delete(id);
    }
  }

  return {
    open(ownerId, query, sort) {
      expire();
      const session = { id: randomBytes(6).toString('base64url'), ownerId, query, sort, createdAt: clock.now() };
      sessions.set(session.id, session);
      return session;
    },
    get(id) {
      const session = sessions.get(id);
      if (!session) return undefined;
      if (session.createdAt < clock.now() - ttlMs) {
        sessions.delete(id);
        return undefined;
      }
      return session;
    },
    forgetUser(ownerId) {
      for (const [id, session] of sessions) if (session.ownerId === ownerId) sessions.delete(id);
    },
  };
}
