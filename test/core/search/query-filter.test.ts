import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizePaper, type Paper } from '../../../src/core/paper.js';
import { parsePaperRecord } from '../../../src/core/parsers/paper-records.js';
import { buildPaperIndex, type PaperIndex } from '../../../src/core/search/paper-index.js';
import { filterSubjectOf, matchesFilters } from '../../../src/core/search/query-filter.js';
import { parseQuery } from '../../../src/core/search/query.js';
import { compileTopicQuery, paperTerms } from '../../../src/core/topics.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

const dpo = normalizePaper({
  id: '2305.18290',
  title: 'Direct Preference Optimization: Your Language Model is Secretly a Reward Model',
  abstract: 'We fit preferences without reinforcement learning.',
  authors: ['Rafael Rafailov', 'Archit Sharma', 'Ana Ruiz-García'],
  published: '2023-05-29',
  categories: ['cs.LG', 'cs.CL'],
  links: { code: 'https://github.com/eric-mitchell/direct-preference-optimization' },
  sources: ['arxiv'],
});

describe('matchesFilters', () => {
  const holds = (query: string, paper: Paper = dpo) => matchesFilters(filterSubjectOf(paper), parseQuery(query));

  it('given no filters, lets every paper through', () => {
    expect(holds('anything at all')).toBe(true);
  });

  it('given dates, keeps after: inclusive and before: exclusive, and an undated paper out of either', () => {
    expect(holds('after:2023-05-29')).toBe(true);
    expect(holds('after:2023-05-30')).toBe(false);
    expect(holds('before:2023-05-29')).toBe(false);
    expect(holds('year:2023')).toBe(true);
    const undated = normalizePaper({ ...dpo, published: undefined });
    expect(holds('after:1990', undated)).toBe(false);
    expect(holds('before:2090', undated)).toBe(false);
  });

  it('given cat:, accepts the category or its whole archive, in any case', () => {
    expect(holds('cat:cs.cl')).toBe(true);
    expect(holds('cat:CS')).toBe(true);
    expect(holds('cat:c')).toBe(false);
    expect(holds('cat:cs.CV')).toBe(false);
  });

  it('given author:, needs every term of the surname and ignores given names', () => {
    expect(holds('author:rafailov')).toBe(true);
    expect(holds('author:"Ana Ruiz-García"')).toBe(true);
    expect(holds('author:garcia')).toBe(true);
    expect(holds('author:rafael')).toBe(false);
    expect(holds('author:rafailov author:hinton')).toBe(false);
  });
});

function readSample(): Paper[] {
  return readFileSync(sharedPath('corpus', 'papers.sample-2k.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parsePaperRecord(JSON.parse(line)));
}

/** Filter queries made from a paper's own record, so some hold for it and some for its neighbours. */
function filtersFrom(p: Paper): string[] {
  const category = p.categories[0] ?? 'cs.LG';
  const lastAuthor = p.authors.at(-1) ?? 'Smith';
  const givenName = (p.authors[0] ?? 'Jane Smith').split(/\s+/)[0]!;
  return [
    `cat:${category}`,
    `cat:${category.split('.')[0]}`,
    `author:"${lastAuthor.replace(/"/g, '')}"`,
    `author:${givenName}`,
    `after:${p.published?.slice(0, 7) ?? '2025-01'}`,
    `before:${p.published ?? '2024-06-01'}`,
    `year:${p.published?.slice(0, 4) ?? '2024'}`,
    'has:code',
    `cat:cs has:code after:2024-06 author:"${lastAuthor.replace(/"/g, '')}"`,
  ];
}

describeShared('search and topic matching on the 2k-paper corpus sample', () => {
  let sample: Paper[];
  let index: PaperIndex;
  beforeAll(async () => {
    sample = readSample();
    index = await buildPaperIndex(async function* () {
      yield sample;
    });
  });

  /** Search's filter decision on one paper: naming the paper by id, it comes back only if its filters hold. */
  const searchLetsThrough = (paper: Paper, filters: string) => index.search(`${paper.id} ${filters}`).hits.some((h) => h.id === paper.id);
  const topicLetsThrough = (paper: Paper, filters: string) => compileTopicQuery(`${paper.id} ${filters}`)(paperTerms(paper));
  const decide = (f: (query: string) => boolean, query: string): boolean | 'refused' => {
    try {
      return f(query);
    } catch {
      return 'refused';
    }
  };

  it('makes the same filter decision for every paper and filter, through search and through a topic', () => {
    const disagreements: string[] = [];
    let passed = 0;
    let failed = 0;
    for (let i = 0; i < sample.length; i += 7) {
      const source = sample[i]!;
      for (const filters of filtersFrom(source)) {
        // The paper the filters were made from, and one that did not shape them.
        for (const paper of [source, sample[(i + 1000) % sample.length]!]) {
          const bySearch = decide(() => searchLetsThrough(paper, filters), filters);
          const byTopic = decide(() => topicLetsThrough(paper, filters), filters);
          if (bySearch !== byTopic) disagreements.push(`${paper.id} ${filters}: search ${bySearch}, topic ${byTopic}`);
          else if (bySearch === true) passed++;
          else if (bySearch === false) failed++;
        }
      }
    }
    expect(disagreements).toEqual([]);
    // Both kinds of decision were exercised, not just one.
    expect(passed).toBeGreaterThan(500);
    expect(failed).toBeGreaterThan(500);
  });

  it('lists exactly the papers a filter-only topic matches when a filter-only query is searched', () => {
    for (const filters of ['cat:cond-mat', 'cat:cs.CL after:2025-06', 'has:code year:2024', 'cat:physics before:2024']) {
      const matcher = compileTopicQuery(filters);
      const expected = sample.filter((p) => matcher(paperTerms(p))).map((p) => p.id).sort();
      const page = index.search(filters, { limit: 100 });
      expect(page.total, filters).toBe(expected.length);
      expect(page.hits.every((h) => expected.includes(h.id)), filters).toBe(true);
    }
  });
});
