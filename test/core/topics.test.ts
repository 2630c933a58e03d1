import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/core/errors.js';
import { normalizePaper, type Paper } from '../../src/core/paper.js';
import { BACKFILL, createPostedPapers, createSeenPapers, planTopicRun, toCandidates } from '../../src/core/topic-posts.js';
import { checkTopicInput, compileTopicQuery, createTopics, paperTerms, type Topic } from '../../src/core/topics.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

const HOUR = 3_600_000;

function paper(id: string, title: string, extra: Partial<Paper> = {}): Paper {
  return normalizePaper({
    id,
    title,
    abstract: extra.abstract ?? 'We study things.',
    authors: extra.authors ?? ['Ada Lovelace'],
    published: extra.published ?? '2026-08-20',
    categories: extra.categories ?? ['cs.CL'],
    links: extra.links ?? {},
    sources: ['hf'],
  });
}

function topic(overrides: Partial<Topic> = {}): Topic {
  return { guildId: 'g1', name: 'Diffusion', query: 'diffusion', channelId: 'c1', maxPerRun: 2, digest: true, createdBy: 'u1', createdAt: 0, status: 'active', ...overrides };
}

describe('topic matching', () => {
  const dpo = paper('2305.18290', 'Direct Preference Optimization: Your Language Model is Secretly a Reward Model', {
    abstract: 'We fit preferences without reinforcement learning.',
    authors: ['Rafael Rafailov', 'Archit Sharma'],
    categories: ['cs.LG', 'cs.CL'],
    links: { code: 'https://github.com/eric-mitchell/direct-preference-optimization' },
    published: '2023-05-29',
  });
  const matches = (query: string, p: Paper = dpo) => compileTopicQuery(query)(paperTerms(p));

  it('needs every word, in any field, plurals included', () => {
    expect(matches('preference optimization')).toBe(true);
    expect(matches('preferences reward models')).toBe(true);
    expect(matches('preference diffusion')).toBe(false);
  });

  it('needs a quoted phrase as a phrase', () => {
    expect(matches('"reward model"')).toBe(true);
    expect(matches('"model reward"')).toBe(false);
  });

  it('applies author, category, date and code filters', () => {
    expect(matches('author:rafailov')).toBe(true);
    expect(matches('author:hinton preference')).toBe(false);
    expect(matches('cat:cs.LG preference')).toBe(true);
    expect(matches('cat:cs preference')).toBe(true);
    expect(matches('cat:cs.CV preference')).toBe(false);
    expect(matches('preference after:2023-05')).toBe(true);
    expect(matches('preference before:2023-05-01')).toBe(false);
    expect(matches('preference has:code')).toBe(true);
    expect(matches('preference has:code', paper('2401.00001', 'Preference tuning'))).toBe(false);
  });

  it('rejects a topic query with more words than search reads, instead of matching on fewer', () => {
    const words = Array.from({ length: 25 }, (_, i) => `word${i}`).join(' ');
    expect(() => checkTopicInput('Long', words)).toThrow(UserFacingError);
    expect(checkTopicInput('Long', words.split(' ').slice(0, 24).join(' ')).query).toContain('word23');
  });

  it('rejects a topic query that would match nothing or everything, and a bad name', () => {
    expect(() => checkTopicInput('x', 'the of and')).toThrow(UserFacingError);
    expect(() => checkTopicInput('x', 'after:2024-13')).toThrow(/after:2024-13/);
    expect(() => checkTopicInput('<@123>', 'diffusion')).toThrow(UserFacingError);
    expect(checkTopicInput('  Vision   models ', ' diffusion cat:cs.CV ')).toEqual({ name: 'Vision models', query: 'diffusion cat:cs.CV' });
  });
});

describe('planning a topic run', () => {
  const now = 100 * HOUR;
  const papers = Array.from({ length: 9 }, (_, i) => paper(`2608.0000${i}`, `Diffusion model number ${i}`, { published: `2026-08-1${i}` }));
  const other = paper('2608.00099', 'Language models', { published: '2026-08-19' });

  it('posts only a bounded backfill of the newest matches on a topic’s first run', () => {
    const seen = new Map([...papers, other].map((p) => [p.id, now - HOUR]));
    const plan = planTopicRun(topic({ maxPerRun: 10 }), toCandidates([...papers, other], seen), new Set(), now);
    expect(plan.posts.map((p) => p.id)).toEqual(['2608.00004', '2608.00005', '2608.00006', '2608.00007', '2608.00008']);
    expect(plan.posts).toHaveLength(BACKFILL.max);
    expect(plan.since).toBe(now);
  });

  it('posts new matches oldest first, at most maxPerRun, and digests the rest', () => {
    const seen = new Map(papers.map((p) => [p.id, now + HOUR]));
    const plan = planTopicRun(topic({ since: now, maxPerRun: 2 }), toCandidates(papers, seen), new Set(['2608.00000']), now + 2 * HOUR);
    expect(plan.posts.map((p) => p.id)).toEqual(['2608.00001', '2608.00002']);
    expect(plan.digest.map((p) => p.id)).toEqual(['2608.00003', '2608.00004', '2608.00005', '2608.00006', '2608.00007', '2608.00008']);
    expect(plan.deferred).toEqual([]);
    expect(plan.since).toBeUndefined();
  });

  it('keeps a first run without digest within maxPerRun, so nothing is promised to a later run', () => {
    const seen = new Map(papers.map((p) => [p.id, now - HOUR]));
    const plan = planTopicRun(topic({ maxPerRun: 2, digest: false }), toCandidates(papers, seen), new Set(), now);
    expect(plan.posts.map((p) => p.id)).toEqual(['2608.00007', '2608.00008']);
    expect(plan.deferred).toEqual([]);
  });

  it('leaves the overflow for the next run when the digest is off, and ignores papers seen before `since`', () => {
    const seen = new Map(papers.map((p, i) => [p.id, i < 3 ? now - HOUR : now + HOUR]));
    const plan = planTopicRun(topic({ since: now, maxPerRun: 2, digest: false }), toCandidates(papers, seen), new Set(), now + 2 * HOUR);
    expect(plan.posts.map((p) => p.id)).toEqual(['2608.00003', '2608.00004']);
    expect(plan.digest).toEqual([]);
    expect(plan.deferred.map((p) => p.id)).toEqual(['2608.00005', '2608.00006', '2608.00007', '2608.00008']);
  });
});

describe('planning after the first run', () => {
  const now = 100 * HOUR;
  it('leaves the first run’s other matches to the backlog: papers seen at `since` itself are not new', () => {
    const papers = Array.from({ length: 8 }, (_, i) => paper(`2608.0000${i}`, `Diffusion model number ${i}`, { published: `2026-08-1${i}` }));
    const seen = new Map(papers.map((p) => [p.id, now]));
    const first = planTopicRun(topic({ maxPerRun: 10 }), toCandidates(papers, seen), new Set(), now);
    expect(first.posts).toHaveLength(BACKFILL.max);
    const posted = new Set(first.posts.map((p) => p.id));
    const later = paper('2608.00099', 'Diffusion model, later', { published: '2026-08-19' });
    seen.set(later.id, now + HOUR);
    const next = planTopicRun(topic({ maxPerRun: 10, since: first.since }), toCandidates([...papers, later], seen), posted, now + 2 * HOUR);
    expect(next.posts.map((p) => p.id)).toEqual([later.id]);
  });
});

describe('topic bookkeeping stores', () => {
  it('records first sight once and lists recent papers', async () => {
    const seen = createSeenPapers(createMemoryStore());
    expect(await seen.markSeen(['a', 'b'], 10 * HOUR)).toEqual(['a', 'b']);
    expect(await seen.markSeen(['b', 'c'], 11 * HOUR)).toEqual(['c']);
    expect((await seen.recent(0, 12 * HOUR)).map((e) => e.id).sort()).toEqual(['a', 'b', 'c']);
    expect((await seen.recent(11 * HOUR, 12 * HOUR)).map((e) => e.id)).toEqual(['c']);
  });

  it('keys posts by channel and versionless id', async () => {
    const posted = createPostedPapers(createMemoryStore());
    await posted.set('c1', '2405.17399', { state: 'sent', messageId: 'm1', topic: 'x', at: 1, nonce: 'n' });
    expect(await posted.getMany('c1', ['2405.17399', '2405.00001'])).toEqual([{ state: 'sent', messageId: 'm1', topic: 'x', at: 1, nonce: 'n' }, undefined]);
    expect(await posted.getMany('c2', ['2405.17399'])).toEqual([undefined]);
  });

  it('keeps an outbox of pending posts per channel until they are sent', async () => {
    const posted = createPostedPapers(createMemoryStore());
    await posted.setMany('c1', [
      { paperId: 'a', record: { state: 'pending', topic: 'x', at: 1, nonce: 'n1' } },
      { paperId: 'b', record: { state: 'pending', topic: 'x', at: 1, nonce: 'n2' } },
    ]);
    await posted.set('c2', 'a', { state: 'pending', topic: 'y', at: 1, nonce: 'n3' });
    await posted.set('c1', 'a', { state: 'sent', messageId: 'm1', topic: 'x', at: 2, nonce: 'n1' });
    expect(await posted.pendingIds('c1')).toEqual(['b']);
    expect(await posted.pendingIds('c2')).toEqual(['a']);
  });

  it('updates a topic in one step and leaves a removed topic removed', async () => {
    const topics = createTopics(createMemoryStore());
    await topics.save(topic());
    const removal = topics.remove('g1', 'Diffusion');
    const update = topics.update('g1', 'Diffusion', (current) => ({ ...current, lastPostAt: 5 }));
    expect(await removal).toBe(true);
    expect(await update).toBeUndefined();
    expect(await topics.list('g1')).toEqual([]);
    await topics.save(topic());
    expect((await topics.update('g1', 'diffusion', (current) => ({ ...current, lastPostAt: 7 })))?.lastPostAt).toBe(7);
  });

  it('stores topics per guild and removes them', async () => {
    const topics = createTopics(createMemoryStore());
    await topics.save(topic());
    await topics.save(topic({ name: 'Agents', query: 'agents', channelId: 'c2', createdAt: 5 }));
    await topics.save(topic({ guildId: 'g2', name: 'Robots', query: 'robot' }));
    await topics.save(topic({ guildId: 'g10', name: 'Graphs', query: 'graph' }));
    // Oldest first, whatever the names; another guild's topics (g10 starts with g1) are not listed.
    expect((await topics.list('g1')).map((t) => t.name)).toEqual(['Diffusion', 'Agents']);
    expect((await topics.get('g1', 'diffusion'))?.query).toBe('diffusion');
    expect((await topics.all()).map((t) => t.name).sort()).toEqual(['Agents', 'Diffusion', 'Graphs', 'Robots']);
    expect(await topics.remove('g1', 'DIFFUSION')).toBe(true);
    expect(await topics.remove('g1', 'diffusion')).toBe(false);
    expect((await topics.list('g1')).map((t) => t.name)).toEqual(['Agents']);
  });
});
