import { beforeAll, describe, expect, it } from 'vitest';
import { normalizePaper } from '../../../src/core/paper.js';
import { createPaperIndex, type PaperIndex } from '../../../src/core/search/paper-index.js';
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

describe('a paper holding every word, below a hundred papers holding two in their title', () => {
  it('given 150 titles and abstracts with "Transformers" and "Prediction", 400 abstracts with "distributed", and one paper with all three words in its abstract only, then "transformers prediction distributed" puts that paper first', () => {
    // BM25 ranks the 150 title matches above the abstract-only paper; it used to be cut from the
    // 100 candidates before re-ranking could put the paper holding every word first.
    const crowd = Array.from({ length: 150 }, (_, i) =>
      normalizePaper({
        id: `2601.${String(i).padStart(5, '0')}`,
        title: `Transformers for Prediction ${i}`,
        abstract: 'Transformers for prediction of a series, and prediction with transformers.',
        authors: ['A B'],
        categories: ['cs.LG'],
        sources: ['arxiv'],
      }),
    );
    // "distributed" is an everyday word too: in 400 other abstracts.
    const others = Array.from({ length: 400 }, (_, i) =>
      normalizePaper({
        id: `2602.${String(i).padStart(5, '0')}`,
        title: `Systems Paper ${i}`,
        abstract: 'A distributed system.',
        authors: ['E F'],
        categories: ['cs.DC'],
        sources: ['arxiv'],
      }),
    );
    const target = normalizePaper({
      id: '2604.26454',
      title: 'Last-Layer-Centric Feature Recombination for Monocular Depth Estimation',
      abstract:
        'Vision transformers pretrained at scale carry geometric knowledge. We recombine last-layer features for depth prediction, with training distributed over many devices.',
      authors: ['C D'],
      categories: ['cs.CV'],
      sources: ['arxiv'],
    });
    const index = createPaperIndex();
    index.addAll([...crowd, ...others, target]);
    expect(index.search('transformers prediction distributed', { limit: 10 }).hits[0]?.id).toBe('2604.26454');
  });
});
