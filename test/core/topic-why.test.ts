import { describe, expect, it } from 'vitest';
import { normalizePaper, type Paper } from '../../src/core/paper.js';
import type { PostRecord, TopicPlan } from '../../src/core/topic-posts.js';
import { explainTopicPaper, type ForumFacts, type TopicWhyInput } from '../../src/core/topic-why.js';
import { topicVersion, type Topic } from '../../src/core/topics.js';

/** explainTopicPaper on its own: the facts a run recorded in, the verdict out (no Discord). */

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 2, 10, 12);

const topic: Topic = {
  guildId: 'g1',
  name: 'vision',
  query: 'diffusion',
  channelId: 'c1',
  maxPerRun: 5,
  digest: true,
  createdBy: 'u1',
  createdAt: NOW - 48 * HOUR,
  status: 'active',
  since: NOW - 24 * HOUR,
};

const paper = (id: string, categories: string[] = ['cs.CV']): Paper =>
  normalizePaper({ id, title: 'Diffusion Models for Things', abstract: 'We study diffusion.', authors: ['Ada Lovelace'], published: '2026-03-09', categories, links: {}, sources: ['arxiv'] });

const record = (state: PostRecord['state']): PostRecord => ({ state, topic: topic.name, topicVersion: topicVersion(topic), at: NOW - HOUR, nonce: 'n1', ...(state === 'sent' ? { messageId: '123' } : {}) });

const noPlan = async (): Promise<TopicPlan> => {
  throw new Error('not asked');
};

const ask = (asked: string, p: Paper, facts: TopicWhyInput['facts'], extra: Partial<TopicWhyInput> = {}) =>
  explainTopicPaper({ topic, asked, paper: p, facts, now: NOW, plan: noPlan, ...extra });

describe('explainTopicPaper: a paper the topic posted', () => {
  it('given a title: id the topic posted, answers Posted, never "another version"', async () => {
    const byTitle = paper('title:06e333b56dcd');
    const why = await ask('title:06e333b56dcd', byTitle, { seenAt: NOW - 2 * HOUR, record: record('sent') });
    expect(why.kind).toBe('posted');
    expect(why).not.toHaveProperty('version');
  });

  it('given an arXiv version of a posted paper, answers Posted and names the version asked', async () => {
    const why = await ask('https://arxiv.org/abs/2603.00003v2', paper('2603.00003'), { seenAt: NOW - 2 * HOUR, record: record('sent') });
    expect(why).toMatchObject({ kind: 'posted', version: 'https://arxiv.org/abs/2603.00003v2' });
    const plain = await ask('2603.00003', paper('2603.00003'), { seenAt: NOW - 2 * HOUR, record: record('sent') });
    expect(plain.kind).toBe('posted');
    expect(plain).not.toHaveProperty('version');
  });
});

describe('explainTopicPaper: a forum that requires a tag', () => {
  const forum = (tags: string[], more: Partial<ForumFacts> = {}): ForumFacts => ({
    requiresTag: true,
    tags: tags.map((name, i) => ({ id: `t${i}`, name, moderated: false })),
    canApplyModerated: false,
    canCreateTags: false,
    ...more,
  });

  it('given a pending post no forum tag fits, says it waits for a tag instead of "the next run sends it"', async () => {
    const p = paper('2603.00004', ['cs.CV']);
    const stuck = await ask('2603.00004', p, { seenAt: NOW - 2 * HOUR, record: record('pending') }, { forum: forum(['cs.CL']) });
    expect(stuck).toMatchObject({ kind: 'waiting', reason: 'no-tag' });
    const fits = await ask('2603.00004', p, { seenAt: NOW - 2 * HOUR, record: record('pending') }, { forum: forum(['cs.CV']) });
    expect(fits).toMatchObject({ kind: 'waiting', reason: 'outbox' });
    const optional = await ask('2603.00004', p, { seenAt: NOW - 2 * HOUR, record: record('pending') }, { forum: forum(['cs.CL'], { requiresTag: false }) });
    expect(optional).toMatchObject({ kind: 'waiting', reason: 'outbox' });
  });

  it('given a new match no tag fits, says the same of the next run', async () => {
    const p = paper('2603.00005', ['cs.CV']);
    const plan = async () => ({ deferred: [] }) as unknown as TopicPlan;
    const why = await ask('2603.00005', p, { seenAt: NOW - 2 * HOUR }, { forum: forum(['cs.CL']), plan });
    expect(why).toMatchObject({ kind: 'waiting', reason: 'no-tag' });
    expect(await ask('2603.00005', p, { seenAt: NOW - 2 * HOUR }, { plan })).toMatchObject({ kind: 'waiting', reason: 'next-run' });
  });
});
