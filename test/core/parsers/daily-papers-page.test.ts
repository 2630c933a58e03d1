import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { titleId } from '../../../src/core/paper-id.js';
import { parseDailyPapersPage } from '../../../src/core/parsers/daily-papers-page.js';
import { ImportFormatError } from '../../../src/core/parsers/import-result.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/sources/${name}`, import.meta.url), 'utf8');

describe('parseDailyPapersPage on a hand-written page', () => {
  const text = fixture('daily-papers-page-small.txt');
  const { papers, skipped } = parseDailyPapersPage(text, { year: 2025 });

  it('finds every entry and none of the page chrome', () => {
    expect(skipped).toEqual([]);
    expect(papers.map((p) => p.title)).toEqual([
      'ProjNet: A Hand-Written Entry With Links',
      'Authorless Entry With Upvotes',
      'Entry Without Any Meta Block',
      'Entry With An Impossible Date',
      'Two-Paragraph Abstract',
    ]);
  });

  it('gives title ids, no invented authors and the page source', () => {
    expect(papers[0]).toMatchObject({
      id: titleId('ProjNet: A Hand-Written Entry With Links'),
      authors: [],
      categories: [],
      sources: ['page'],
    });
  });

  it('reads a dated line with year and upvotes', () => {
    expect(papers[0]).toMatchObject({ published: '2024-03-05', upvotes: 7 });
  });

  it('reads a date without year as the page year, and its upvotes, on an entry without authors line', () => {
    expect(papers[1]).toMatchObject({ published: '2025-06-01', upvotes: 12 });
  });

  it('keeps an entry without any date block, without date or upvotes', () => {
    expect(papers[2]).not.toHaveProperty('published');
    expect(papers[2]).not.toHaveProperty('upvotes');
  });

  it('leaves out a date that is not a real day but keeps the paper', () => {
    expect(papers[3]!.title).toBe('Entry With An Impossible Date');
    expect(papers[3]).not.toHaveProperty('published');
  });

  it('joins a long second paragraph to the abstract instead of taking it for a title', () => {
    expect(papers[4]!.abstract).toMatch(/two paragraphs\. The second paragraph is long enough/);
    expect(papers[4]!.published).toBe('2023-12-31');
  });

  it('finds code and project links announced in the abstract', () => {
    expect(papers[0]!.links).toEqual({
      project: 'https://projnet.github.io/site/',
      code: 'https://github.com/example/projnet',
    });
    expect(papers[3]!.links).toEqual({ code: 'https://github.com/example/spaced-link' });
  });

  it('reads CRLF line endings the same way', () => {
    expect(parseDailyPapersPage(text.replace(/\n/g, '\r\n'), { year: 2025 })).toEqual({ papers, skipped });
  });
});

describe('parseDailyPapersPage on text that is not such a page', () => {
  it.each([
    ['plain prose', 'Just some notes.\n\nNothing that looks like a paper listing.'],
    ['only page chrome', 'new\n\nSubscribe\n\nDaily Papers\n\nDec 8\n'],
    ['JSON', '[{"paper":{"id":"2410.17243"}}]'],
    ['nothing', ''],
  ])('rejects %s', (_, text) => {
    expect(() => parseDailyPapersPage(text, { year: 2025 })).toThrow(ImportFormatError);
    expect(() => parseDailyPapersPage(text, { year: 2025 })).toThrow(/^not a Daily Papers page text: .*no entries found/);
  });

  it('refuses a year that is not a four-digit year', () => {
    expect(() => parseDailyPapersPage('x', { year: 25 })).toThrow(RangeError);
  });
});

describeShared('parseDailyPapersPage on the seed page', () => {
  const page = () => parseDailyPapersPage(readFileSync(sharedPath('seed/daily-papers-search-page.txt'), 'utf8'), { year: 2025 });

  it('finds all 39 entries, each with its own title id', () => {
    const { papers, skipped } = page();
    expect(skipped).toEqual([]);
    expect(papers).toHaveLength(39);
    expect(new Set(papers.map((p) => p.id)).size).toBe(39);
    for (const p of papers) {
      expect(p.id).toBe(titleId(p.title));
      expect(p.authors).toEqual([]);
      expect(p.sources).toEqual(['page']);
      expect(p.abstract.length).toBeGreaterThan(1000);
    }
  });

  it('reads the first entry after the page chrome', () => {
    const first = page().papers[0]!;
    expect(first.title).toBe('MotionCrafter: One-Shot Motion Customization of Diffusion Models');
    expect(first.published).toBe('2023-12-08');
    expect(first).not.toHaveProperty('upvotes');
    expect(first.abstract).toMatch(/^The essence of a video lies in its dynamic motions/);
    expect(first.links).toEqual({
      project: 'https://zyxelsa.github.io/homepage-motioncrafter',
      code: 'https://github.com/zyxElsa/MotionCrafter',
    });
  });

  it('reads upvotes after a date with and without year', () => {
    const byTitle = new Map(page().papers.map((p) => [p.title, p]));
    expect(byTitle.get('HiFi-SR: A Unified Generative Transformer-Convolutional Adversarial Network for High-Fidelity Speech Super-Resolution'))
      .toMatchObject({ published: '2025-01-17', upvotes: 3 });
    expect(byTitle.get('Advancing LLM Reasoning Generalists with Preference Trees')).toMatchObject({
      published: '2024-04-02',
      upvotes: 2,
    });
    expect(byTitle.get('Multi-Level Aware Preference Learning: Enhancing RLHF for Complex Multi-Instruction Tasks'))
      .toMatchObject({ published: '2025-05-19', upvotes: 1 });
    expect(page().papers.filter((p) => p.upvotes !== undefined)).toHaveLength(10);
  });

  it('keeps the entry that has no authors line and no date', () => {
    const { papers } = page();
    const i = papers.findIndex((p) => p.title === 'Value Drifts: Tracing Value Alignment During LLM Post-Training');
    expect(i).toBe(19);
    expect(papers[i]).not.toHaveProperty('published');
    expect(papers[i]!.abstract).toMatch(/^As LLMs occupy an increasingly important role in society/);
    // and the entry after it still gets its own date
    expect(papers[i + 1]).toMatchObject({
      title: 'Secrets of RLHF in Large Language Models Part II: Reward Modeling',
      published: '2024-01-11',
      upvotes: 4,
    });
    expect(papers.filter((p) => p.published === undefined)).toHaveLength(1);
  });

  it('reads the last entry of the page', () => {
    expect(page().papers.at(-1)).toMatchObject({
      title: 'Multiple Choice Questions: Reasoning Makes Large Language Models (LLMs) More Self-Confident Even When They Are Wrong',
      published: '2025-01-16',
      upvotes: 2,
    });
  });

  it('finds GitHub links in ten abstracts, including one written "https: //github.com/…"', () => {
    const { papers } = page();
    expect(papers.filter((p) => p.links.code)).toHaveLength(10);
    const dataCentric = papers.find((p) => p.title === 'Data-Centric Human Preference Optimization with Rationales')!;
    expect(dataCentric.links.code).toBe('https://github.com/reds-lab/preference-learning-with-rationales');
    const unpacking = papers.find((p) => p.title.startsWith('Unpacking DPO and PPO'))!;
    expect(unpacking.links.code).toBe('https://github.com/hamishivi/EasyLM'); // the first of two
  });
});
