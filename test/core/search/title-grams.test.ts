import { describe, expect, it } from 'vitest';
import { normalizePaper } from '../../../src/core/paper.js';
import { createCompactPostings } from '../../../src/core/search/compact-postings.js';
import { createPaperIndex } from '../../../src/core/search/paper-index.js';
import { createGramSearch, letterMatch, titleGrams, titleLetters } from '../../../src/core/search/title-grams.js';

const TITLES = [
  'Visual Affordances: Enabling Robots to Understand Object Functionality',
  'Distribution-aware Forgetting Compensation for Exemplar-Free Lifelong Person Re-identification',
  'Adaptive Computation Pruning for the Forgetting Transformer',
  'Nested State and Degradation Estimation of a Satellite Battery with In-flight Data',
  'Robots That Understand Objects',
];

function gramIndex(titles: readonly string[]) {
  const grams = createCompactPostings();
  titles.forEach((title, shortId) => grams.add(shortId, titleGrams(title)));
  const gramSearch = createGramSearch(grams, () => titles.length, () => titles.length);
  return { grams, search: (...args: Parameters<typeof gramSearch>) => gramSearch(...args).shortIds };
}

describe('title letters', () => {
  it('runs a title\'s letters and digits together, accents folded, lowercase', () => {
    expect(titleLetters('Müller-Lyer: A 3D Über-Study')).toBe('mullerlyera3duberstudy');
    expect(titleGrams('Ab-cd')).toEqual(['abc', 'bcd']);
    expect(titleGrams('ab')).toEqual([]);
  });

  it('measures how closely a title holds typed words, whatever their order or spacing', () => {
    const title = titleLetters(TITLES[0]!);
    expect(letterMatch(['enabling', 'robots'], title)).toEqual({ match: 1, weakest: 1 });
    expect(letterMatch(['robots', 'enabling'], title)).toEqual({ match: 1, weakest: 1 });
    // 3 edits in 15 letters.
    expect(letterMatch(['enablignroobots'], title).match).toBeCloseTo(1 - 3 / 15);
    // A perfect word does not hide a word of nonsense.
    const mixed = letterMatch(['understand', 'qzxvkwjp'], title);
    expect(mixed.match).toBeGreaterThan(0.5);
    expect(mixed.weakest).toBeLessThan(0.3);
    expect(letterMatch([], title)).toEqual({ match: 0, weakest: 1 });
  });
});

describe('gram search', () => {
  it('given misspelt words run together, finds their title first by the letter triples they still share', () => {
    const { search } = gramIndex(TITLES);
    expect(search(['affordahecs', 'enablignroobots', 'to'], 3)[0]).toBe(0);
    expect(search(['saetloiteattrey'], 3)[0]).toBe(3);
    expect(search(['forgetting', 'com', 'penmsatiion'], 3).slice(0, 2).sort()).toEqual([1, 2]);
  });

  it('reports the postings it visited', () => {
    const grams = createCompactPostings();
    TITLES.forEach((title, shortId) => grams.add(shortId, titleGrams(title)));
    const found = createGramSearch(grams, () => TITLES.length, () => TITLES.length)(['robots'], 5);
    // rob, obo, bot, ots: each triple's papers.
    const expected = ['rob', 'obo', 'bot', 'ots'].reduce((n, g) => n + grams.documentFrequency(g), 0);
    expect(found.postingsVisited).toBe(expected);
  });

  it('given words with no letter triple in any title, finds nothing', () => {
    expect(gramIndex(TITLES).search(['qzxv', 'kwjp'], 3)).toEqual([]);
  });

  it('given a filter, returns only titles that pass it', () => {
    const found = gramIndex(TITLES).search(['robots', 'understand'], 5, (id) => id !== 0);
    expect(found[0]).toBe(4);
    expect(found).not.toContain(0);
  });

  it('given a removed title, no longer returns it', () => {
    const { grams, search } = gramIndex(TITLES);
    expect(search(['robots', 'understand'], 5).slice(0, 2).sort()).toEqual([0, 4]);
    grams.remove(4);
    const found = search(['robots', 'understand'], 5);
    expect(found[0]).toBe(0);
    expect(found).not.toContain(4);
  });

  it('given one search after another, each starts from zero (the accumulator is reused)', () => {
    const { search } = gramIndex(TITLES);
    const first = search(['satellite', 'battery'], 5);
    search(['robots', 'understand', 'objects'], 5);
    expect(search(['satellite', 'battery'], 5)).toEqual(first);
  });
});

describe('the index reads a query by its letters', () => {
  const paper = (id: string, title: string, categories = ['cs.RO']) =>
    normalizePaper({ id, title, abstract: 'We study robots.', authors: ['Ada Lovelace'], categories, sources: ['arxiv'] });

  it('given a paper replaced with a new title, finds it by the new title\'s letters and not the old one\'s', () => {
    const index = createPaperIndex();
    index.addAll([paper('2505.05074', 'Visual Affordances: Enabling Robots to Understand Object Functionality'), paper('2501.00001', 'Satellite Batteries')]);
    expect(index.search('affordahecs enablignroobots', { limit: 5 }).hits[0]?.id).toBe('2505.05074');
    index.addAll([paper('2505.05074', 'Grasping Transparent Glassware')]);
    expect(index.search('affordahecs enablignroobots', { limit: 5 }).hits.map((h) => h.id)).not.toContain('2505.05074');
    expect(index.search('grapsing transpaerntglassware', { limit: 5 }).hits[0]?.id).toBe('2505.05074');
  });

  it('given a removed paper, its letters no longer find it', () => {
    const index = createPaperIndex();
    index.addAll([paper('2505.05074', 'Visual Affordances: Enabling Robots to Understand Object Functionality')]);
    index.remove(['2505.05074']);
    expect(index.search('affordahecs enablignroobots', { limit: 5 }).hits).toEqual([]);
  });

  it('given a quoted phrase, does not read by letters (a letter match need not hold the phrase)', () => {
    const index = createPaperIndex();
    index.addAll([paper('2505.05074', 'Visual Affordances: Enabling Robots to Understand Object Functionality'), paper('2501.00002', 'Object Functionality Benchmarks')]);
    const hits = index.search('"object functionality" enablignroobots', { limit: 5 }).hits.map((h) => h.id);
    expect(hits.sort()).toEqual(['2501.00002', '2505.05074']);
    expect(index.search('"grasping glassware" enablignroobots', { limit: 5 }).hits).toEqual([]);
  });
});
