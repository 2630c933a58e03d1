import { describe, expect, it } from 'vitest';
import { normalizePaper, type Paper } from '../../../src/core/paper.js';
import type { Topic } from '../../../src/core/topics.js';
import { DISCORD_LIMITS, embedTextLength } from '../../../src/discord/render/limits.js';
import {
  renderFollowList,
  renderRunReport,
  renderTopicList,
  renderTopicPreview,
  renderTopicSummary,
} from '../../../src/discord/render/topic-views.js';
import { discordIssues } from './discord-body.js';

const NOW = Date.parse('2026-08-20T12:00:00Z');

function topic(overrides: Partial<Topic> = {}): Topic {
  return { guildId: '1', name: 'diffusion', query: 'diffusion cat:cs.CV', channelId: '111111111111111111', maxPerRun: 5, digest: true, createdBy: '9', createdAt: 0, status: 'active', since: NOW, ...overrides };
}

function paper(i: number, title = `Paper number ${i}`): Paper {
  return normalizePaper({ id: `2608.${String(i).padStart(5, '0')}`, title, abstract: 'a', authors: ['A B'], published: '2026-08-19', categories: ['cs.CV'], links: {}, sources: ['hf'] });
}

describe('renderTopicSummary', () => {
  it('shows every setting with channel and role mentions inside the embed, and pings nobody', () => {
    const message = renderTopicSummary('Topic added', topic({ roleId: '222222222222222222', lastPostAt: NOW }), ['First run posts at most 5.']);
    const embed = message.embeds![0]!;
    expect(embed.title).toBe('Topic added: diffusion');
    expect(embed.description).toContain('<#111111111111111111>');
    expect(embed.description).toContain('<@&222222222222222222>');
    expect(embed.description).toContain(`<t:${NOW / 1000}:R>`);
    expect(embed.description).toContain('🟢 active');
    expect(embed.description).toContain('First run posts at most 5.');
    expect(message.content).toBeUndefined();
    expect(message.allowedMentions).toEqual({ parse: [] });
    expect(discordIssues(message)).toEqual([]);
  });

  it('says when the topic creates missing forum tags, and says nothing of tags otherwise', () => {
    expect(renderTopicSummary('Topic added', topic({ createTags: true })).embeds![0]!.description).toContain('**creates forum tags**');
    expect(renderTopicSummary('Topic added', topic()).embeds![0]!.description).not.toContain('tags');
  });

  it('escapes a query and a pause reason typed by people', () => {
    const message = renderTopicSummary('Topic paused', topic({ query: '**bold** @everyone', status: 'paused', pausedReason: 'by <@1> _x_' }));
    const description = message.embeds![0]!.description!;
    expect(description).toContain('\\*\\*bold\\*\\* @\u200beveryone');
    expect(description).toContain('⏸️ paused: by <\u200b@1> \\_x\\_');
  });
});

describe('renderTopicList', () => {
  it('says how to add a topic when there is none', () => {
    expect(renderTopicList({ topics: [], offset: 0, total: 0 }).embeds![0]!.description).toMatch(/No topics yet/);
  });

  it('pages 50 long topics ten at a time, within the 6000 total, with ◀ ▶', () => {
    const topics = Array.from({ length: 50 }, (_, i) => topic({ name: `topic ${i} ${'x'.repeat(28)}`, query: 'q'.repeat(300), status: i % 2 ? 'paused' : 'active', pausedReason: 'r'.repeat(300) }));
    const message = renderTopicList({ topics: topics.slice(10, 20), offset: 10, total: 50 });
    expect(message.embeds![0]!.fields).toHaveLength(10);
    expect(embedTextLength(message.embeds!)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    const ids = message.components![0]!.components.map((c) => ('custom_id' in c ? c.custom_id : ''));
    expect(ids).toEqual(['topic:list:0', 'topic:list:20']);
    expect(discordIssues(message)).toEqual([]);
  });
});

describe('renderTopicPreview', () => {
  it('lists the cards with links, counts the digest and what waits', () => {
    const message = renderTopicPreview(topic({ maxPerRun: 2 }), { posts: [paper(1), paper(2)], digest: [paper(3)], deferred: [paper(4), paper(5)] });
    const description = message.embeds![0]!.description!;
    expect(description).toContain('**2 as cards**');
    expect(description).toContain('[Paper number 1](https://arxiv.org/abs/2608.00001)');
    expect(description).toContain('**1 more in one digest message**');
    expect(description).toContain('**2 wait for the next run**');
    expect(discordIssues(message)).toEqual([]);
  });

  it('before the first run, says it will be a bounded backfill and that nothing matched yet', () => {
    const description = renderTopicPreview(topic({ since: undefined }), { posts: [], digest: [], deferred: [] }).embeds![0]!.description!;
    expect(description).toMatch(/first run posts at most 5 matching papers first seen in the last 24 h/);
    expect(description).toMatch(/Nothing matches/);
  });

  it('stays within the description limit with 30 digest papers of long titles', () => {
    const many = Array.from({ length: 30 }, (_, i) => paper(i, 'T'.repeat(250)));
    const message = renderTopicPreview(topic(), { posts: many.slice(0, 20), digest: many, deferred: [] });
    expect([...message.embeds![0]!.description!].length).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
    expect(discordIssues(message)).toEqual([]);
  });
});

describe('renderRunReport', () => {
  it('summarises sources and this server’s topics, without source error text', () => {
    const message = renderRunReport({
      durationMs: 2345,
      sources: [{ name: 'hf', ok: true, papers: 12 }, { name: 'arxiv', ok: false, papers: 0 }],
      added: 10,
      updated: 2,
      topics: [{ name: 'diffusion', posted: 3, digested: 2, deferred: 0, edited: 1, paused: undefined }],
    });
    const embed = message.embeds![0]!;
    expect(embed.description).toBe('Fetched and posted in 2.3 s. Library: 10 new, 2 updated.');
    expect(embed.fields![0]!.value).toBe('✅ hf: 12 papers\n⚠️ arxiv: failed, retried next run (details in the log)');
    expect(embed.fields![1]!.value).toBe('**diffusion**: 3 posted, 2 in a digest, 1 updated');
    expect(discordIssues(message)).toEqual([]);
  });
});

describe('renderFollowList', () => {
  it('lists topics with a role, marks the followed ones, counts the rest', () => {
    const topics = [topic({ roleId: '3' }), topic({ name: 'llm', roleId: '4' }), topic({ name: 'quiet' })];
    const description = renderFollowList(topics, new Set(['4'])).embeds![0]!.description!;
    expect(description).toContain('**diffusion** · <#111111111111111111> · pings <@&3> · /follow to get pinged');
    expect(description).toContain('**llm** · <#111111111111111111> · pings <@&4> · ✅ following');
    expect(description).toContain('1 more topic post');
  });

  it('says that no topic pings anyone', () => {
    expect(renderFollowList([topic()], new Set()).embeds![0]!.description).toMatch(/No topic in this server pings anyone yet/);
  });
});
