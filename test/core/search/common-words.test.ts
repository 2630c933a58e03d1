import { beforeAll, describe, expect, it } from 'vitest';
import type { PaperIndex } from '../../../src/core/search/paper-index.js';
import { planQuery, QUERY_BUDGET, type Vocabulary } from '../../../src/core/search/query-plan.js';
import { parseQuery } from '../../../src/core/search/query.js';
import { describeShared } from '../../helpers/shared.js';
import { sampleIndex } from './sample-index.js';

describeShared('everyday field words from one abstract on the 2k-paper corpus sample', () => {
  let index: PaperIndex;
  const first = (query: string) => index.search(query).hits[0]?.id;

  beforeAll(async () => {
    ({ index } = await sampleIndex());
  });

  // Each word is in many abstracts and titles; only this paper's abstract holds all of them.
  // Before, papers with two of the words in their title came first (ranks 2–4).
  it.each([
    ['structures theory local materials', '2512.14571'],
    ['generative synthetic user', '2506.13023'],
    ['head lightweight network', '2503.12820'],
    ['adaptation dual dynamic collaborative', '2507.01884'],
  ])('"%s" puts the paper holding every word first (%s)', (query, id) => {
    expect(first(query)).toBe(id);
  });
});

describe('words over the postings budget', () => {
  // Four words, each in 20k papers: over QUERY_BUDGET.postings, so the commonest leave retrieval.
  const common = new Map([
    ['alpha', 20_000],
    ['beta', 21_000],
    ['gamma', 22_000],
    ['delta', 23_000],
  ]);
  const vocabulary: Vocabulary = {
    documentFrequency: (t) => common.get(t) ?? 0,
    postingCount: (t) => common.get(t) ?? 0,
    fieldFrequency: () => 0,
    indexTermsWithPrefix: () => [],
    titleTermsWithPrefix: () => [],
    titleFrequency: (t) => common.get(t) ?? 0,
    titleTermsNear: () => [],
    shareTitle: () => false,
  };

  it('are probed on the candidates, keeping their bits, instead of being forgotten', () => {
    const p = planQuery(vocabulary, parseQuery('alpha beta gamma delta'), false);
    expect(20_000 + 21_000).toBeGreaterThan(QUERY_BUDGET.postings);
    expect(p.leaves.map((l) => l.term)).toEqual(['alpha', 'beta']);
    expect(p.wordProbes?.map((l) => l.term)).toEqual(['gamma', 'delta']);
    for (const w of p.words) expect(w.bit).not.toBe(0);
    expect(new Set(p.words.map((w) => w.bit)).size).toBe(4);
  });
});
