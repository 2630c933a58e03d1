import { describe, expect, it } from 'vitest';
import { createSearchSessions, SESSION_TTL_MS } from '../../src/core/search-sessions.js';

describe('search sessions', () => {
  it('finds a session by id until it expires', () => {
    let now = 1_000_000;
    const sessions = createSearchSessions({ now: () => now });
    const session = sessions.open('u1', 'diffusion', 'newest');
    expect(session.id).toMatch(/^[\w-]{8}$/);
    expect(sessions.get(session.id)).toMatchObject({ ownerId: 'u1', query: 'diffusion', sort: 'newest' });
    now += SESSION_TTL_MS + 1;
    expect(sessions.get(session.id)).toBeUndefined();
  });

  it('forgets every session of one user and keeps the others', () => {
    const sessions = createSearchSessions({ now: () => 0 });
    const a = sessions.open('alice', 'x', 'relevance');
    const b = sessions.open('bob', 'y', 'relevance');
    sessions.forgetUser('alice');
    expect(sessions.get(a.id)).toBeUndefined();
    expect(sessions.get(b.id)).toBeDefined();
  });
});
