import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHfDailyPapers } from '../../../src/core/parsers/hf-daily-papers.js';
import { ImportFormatError } from '../../../src/core/parsers/import-result.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/sources/${name}`, import.meta.url), 'utf8');
const realDay = (date: string) => parseHfDailyPapers(readFileSync(sharedPath('fixtures/hf', `daily_papers_${date}.json`), 'utf8'));

describe('parseHfDailyPapers on hand-written items', () => {
  const { papers, skipped } = parseHfDailyPapers(fixture('hf-daily-papers-small.json'));

  it('maps every field of a complete item', () => {
    expect(papers[0]).toEqual({
      id: '2510.00406',
      title: 'VLA-RFT: Vision-Language-Action Reinforcement Fine-tuning with Verified Rewards in World Simulators',
      abstract: 'Vision-Language-Action (VLA) models enable embodied decision-making but rely heavily on imitation learning.',
      authors: ['Hengtao Li', 'Pengxiang Ding', 'Runze Suo'],
      published: '2025-10-01',
      categories: [],
      upvotes: 18,
      links: {
        huggingface: 'https://huggingface.co/papers/2510.00406',
        code: 'https://github.com/OpenHelix-Team/VLA-RFT',
        project: 'https://vla-rft.github.io/',
        arxiv: 'https://arxiv.org/abs/2510.00406',
        pdf: 'https://arxiv.org/pdf/2510.00406',
      },
      thumbnail: 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2510.00406.png',
      aiSummary: 'VLA-RFT uses a learned world model as a simulator.',
      keywords: ['Vision-Language-Action', 'world model', 'reinforcement fine-tuning'],
      githubStars: 13,
      sources: ['hf'],
    });
  });

  it('skips an item without paper.id, a bad id, a non-object and a blank title, and keeps the rest', () => {
    expect(papers.map((p) => p.id)).toEqual(['2510.00406', '2410.17243', '2608.19861']);
    expect(skipped).toEqual([
      { where: 'entry 2', reason: 'paper.id missing' },
      { where: 'entry 4', reason: 'id "not-an-arxiv-id" is not an arXiv id' },
      { where: 'entry 5', reason: 'item: expected an object' },
      { where: 'entry 6', reason: 'title missing' },
    ]);
  });

  it('falls back to paper.title without its line wraps when the item has no top-level title', () => {
    expect(papers[1]!.title).toBe('Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss');
  });

  it('drops malformed optional fields instead of the paper', () => {
    const p = papers[1]!;
    expect(p).not.toHaveProperty('upvotes'); // "39", a string
    expect(p).not.toHaveProperty('githubStars'); // 2.5
    expect(p.links).not.toHaveProperty('code'); // ""
    expect(papers[2]).not.toHaveProperty('thumbnail'); // "not a url"
  });

  it('keeps hidden authors and drops authors without a name', () => {
    expect(papers[0]!.authors).toContain('Pengxiang Ding');
    expect(papers[2]!.authors).toEqual(['Seongjae Kang']);
  });

  it('does not count the paper\'s own HF page as a project page', () => {
    expect(papers[2]!.links).toEqual({
      huggingface: 'https://huggingface.co/papers/2608.19861',
      code: 'https://github.com/erjui/PolicyGuide',
      arxiv: 'https://arxiv.org/abs/2608.19861',
      pdf: 'https://arxiv.org/pdf/2608.19861',
    });
  });
});

describe('parseHfDailyPapers on input that is not a Daily Papers response', () => {
  it('rejects truncated JSON', () => {
    expect(() => parseHfDailyPapers(fixture('hf-daily-papers-truncated.json'))).toThrow(ImportFormatError);
  });

  it('rejects a JSON object with the one clear message', () => {
    expect(() => parseHfDailyPapers('{"papers":[]}')).toThrow(
      'not a Hugging Face Daily Papers response: expected a JSON array of items with a "paper" object (got an object)',
    );
  });

  it('rejects an array in which no item has a paper object', () => {
    expect(() => parseHfDailyPapers('[{"id":"2405.17399","title":"x"}]')).toThrow(/no item has a "paper" object/);
  });

  it('accepts an empty day', () => {
    expect(parseHfDailyPapers('[]')).toEqual({ papers: [], skipped: [] });
  });
});

describeShared('parseHfDailyPapers on recorded responses', () => {
  it('reads all 25 papers of 2024-10-25 with the clean title of the first', () => {
    const { papers, skipped } = realDay('2024-10-25');
    expect(skipped).toEqual([]);
    expect(papers).toHaveLength(25);
    const first = papers[0]!;
    expect(first.id).toBe('2410.17243');
    expect(first.title).toBe('Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss');
    expect(first.authors).toHaveLength(9);
    expect(first.authors[0]).toBe('Zesen Cheng');
    expect(first.published).toBe('2024-10-22');
    expect(first.upvotes).toBe(39);
    expect(first.thumbnail).toBe('https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2410.17243.png');
    expect(first.links.huggingface).toBe('https://huggingface.co/papers/2410.17243');
    expect(first.abstract).not.toContain('\n');
  });

  it('keeps the hidden author of 2410.17897', () => {
    const p = realDay('2024-10-25').papers.find((x) => x.id === '2410.17897')!;
    expect(p.authors).toEqual(['Zhanchao Zhou', 'Tianyi Wu', 'Zhiyun Jiang', 'Zhenzhong Lan']);
  });

  it('reads 2025-10-02 with AI summaries, keywords, GitHub repos and stars', () => {
    const { papers, skipped } = realDay('2025-10-02');
    expect(skipped).toEqual([]);
    expect(papers).toHaveLength(25);
    // The 2025 top-level title still carries the arXiv wrap; it comes out as one line.
    expect(papers[0]!.title).toBe(
      'DeepSearch: Overcome the Bottleneck of Reinforcement Learning with Verifiable Rewards via Monte Carlo Tree Search',
    );
    const gem = papers[1]!;
    expect(gem).toMatchObject({ id: '2510.01051', title: 'GEM: A Gym for Agentic LLMs', githubStars: 137 });
    expect(gem.links.code).toBe('https://github.com/axon-rl/gem');
    expect(gem.authors).toHaveLength(19);
    expect(gem.keywords).toHaveLength(14);
    expect(gem.aiSummary).toMatch(/^GEM, an open-source environment simulator/);
    // hyperprobe lists a repo but no star count
    const hyperprobe = papers.find((p) => p.id === '2509.25045')!;
    expect(hyperprobe.links.code).toBe('https://github.com/Ipazia-AI/hyperprobe');
    expect(hyperprobe).not.toHaveProperty('githubStars');
  });

  it('reads the 2026 layout', () => {
    const { papers, skipped } = realDay('2026-08-21');
    expect(skipped).toEqual([]);
    expect(papers).toHaveLength(17);
    expect(papers[0]).toMatchObject({
      id: '2608.19880',
      title: 'EnvHarness: Awakening Static Worlds for Agent Learning',
      published: '2026-08-20',
      upvotes: 163,
      githubStars: 8,
      links: { code: 'https://github.com/google-research/envharness', project: 'https://envharness.com/' },
    });
    expect(papers[0]!.authors).toHaveLength(17);
    expect(papers.find((p) => p.id === '2608.19861')!.links).not.toHaveProperty('project');
  });

  it('gives every paper a one-line title, a unique versionless id and the hf source', () => {
    const all = ['2024-10-25', '2025-10-02', '2026-08-21'].flatMap((d) => realDay(d).papers);
    expect(all).toHaveLength(67);
    expect(new Set(all.map((p) => p.id)).size).toBe(67);
    for (const p of all) {
      expect(p.id).toMatch(/^\d{4}\.\d{5}$/);
      expect(p.title).not.toMatch(/\s{2}|\n/);
      expect(p.sources).toEqual(['hf']);
    }
  });
});

describe('parseHfDailyPapers on an item with a broken % escape (issue 7)', () => {
  it('skips that item with a reason, keeps the items before and after it and drops the bad links of a good one', () => {
    const { papers, skipped } = parseHfDailyPapers(fixture('hf-daily-papers-bad-escape.json'));
    expect(papers.map((p) => p.id)).toEqual(['2608.11001', '2608.11003']);
    expect(skipped).toEqual([{ where: 'entry 2', reason: 'id "https://arxiv.org/abs/%E0%A4%A" is not an arXiv id' }]);
    expect(papers[1]!.links).not.toHaveProperty('project');
  });
});
