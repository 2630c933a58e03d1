import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, startTestBot, UNLIMITED, type TestBot } from './start-test-bot.js';

/**
 * /paper search with exclusions, OR groups and title:/abstract: scopes (issue 11, item 2), end
 * to end against the fake Discord, on the tests' library (the bundled sample plus a few papers).
 */

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ clock: fixedClock, rateLimits: UNLIMITED });
}, 30_000);

afterAll(async () => {
  await t?.close();
}, 20_000);

async function search(query: string) {
  const answer = await t.slash({ name: 'paper', subcommand: 'search', options: { query } });
  expect(answer.type).toBe(4);
  expect(t.fake.violations).toEqual([]);
  const menu = answer.data.components?.[0]?.components?.[0];
  const ids = (menu?.options ?? []).map((o: { value: string }) => o.value) as string[];
  const papers = (await t.bot.ctx.library.getMany(ids)).map((p) => p!);
  return { description: answer.data.embeds[0].description as string, papers };
}

const text = (p: { title: string; abstract: string }) => `${p.title} ${p.abstract}`;

const total = (description: string) => Number(/ of (\d+)/.exec(description)?.[1] ?? 0);

describe('/paper search with the sharper syntax', () => {
  it('given -word, leaves out every paper with that word, which the same search without it lists', async () => {
    const all = await search('reward');
    expect(all.papers.some((p) => /\balignment\b/i.test(text(p)))).toBe(true);
    const without = await search('reward -alignment');
    expect(without.papers.length).toBeGreaterThan(0);
    expect(total(without.description)).toBeLessThan(total(all.description));
    for (const p of without.papers) {
      expect(text(p)).toMatch(/\brewards?\b/i);
      expect(text(p)).not.toMatch(/\balignment\b/i);
    }
  });

  it('given an OR group, finds papers with either word', async () => {
    const { papers } = await search('(motion OR tree) -verification');
    expect(papers.map((p) => p.title.split(':')[0]).sort()).toEqual(['Advancing LLM Reasoning Generalists with Preference Trees', 'Monte Carlo Tree Search Boosts Reasoning via Iterative Preference Learning', 'MotionCrafter'].sort());
  });

  it('given title:, keeps only papers with the word in the title', async () => {
    const { papers, description } = await search('title:reward');
    expect(papers.length).toBeGreaterThan(0);
    for (const p of papers) expect(p.title).toMatch(/reward/i);
    expect(total(description)).toBeLessThan(total((await search('reward')).description));
  });

  it('given unbalanced parentheses, reads the query forgivingly, says so, and answers with results', async () => {
    const { papers, description } = await search('(reward OR motion');
    expect(papers.length).toBeGreaterThan(0);
    const note = /^\*[^*].*\*$/m; // how the query was read, in italics, above the results (list lines start **n.**)
    expect(description).toMatch(note);
    expect(description.indexOf('Results')).toBeGreaterThan(description.search(note));
    expect((await search('reward OR motion')).description).not.toMatch(note);
  });

  it('given parentheses nested too deep, explains it only to the asker', async () => {
    const answer = await t.slash({ name: 'paper', subcommand: 'search', options: { query: '((((( reward )))))' } });
    expect(answer.data.content).toContain('Parentheses go at most 4 deep');
    expect(answer.data.flags & 64).toBe(64);
  });
});
