import { beforeAll, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../src/core/errors.js';
import { normalizePaper, type Paper } from '../../../src/core/paper.js';
import { ALL_FIELD_IDS } from '../../../src/core/search/index-document.js';
import { createPaperIndex, FILTER_BUDGET, FILTER_ONLY_RESULTS, type PaperIndex } from '../../../src/core/search/paper-index.js';
import { QUERY_BUDGET } from '../../../src/core/search/query-plan.js';
import { parseQuery, QUERY_LIMITS } from '../../../src/core/search/query.js';
import { tokenize } from '../../../src/core/search/tokenize.js';

/**
 * The worst queries (defects 7 and 15): long ones, many phrases, common surnames, filters
 * alone, huge input. Asserts on the work counters search reports and on correctness, never on
 * wall time.
 */

const COMMON = ['deep', 'learning', 'neural', 'network', 'model', 'training', 'data', 'language'];
const PAPERS = 4_000;

function paperAt(i: number): Paper {
  const day = String((i % 28) + 1).padStart(2, '0');
  const month = String((i % 12) + 1).padStart(2, '0');
  return normalizePaper({
    id: `2401.${String(10_000 + i)}`,
    // Every title holds the common words (in an order that varies), plus a word of its own.
    title: `${[...COMMON].sort((a, b) => ((a.charCodeAt(1) * (i + 1)) % 7) - ((b.charCodeAt(1) * (i + 1)) % 7)).join(' ')} study${i}`,
    abstract: `We train a ${COMMON.join(' ')} system number ${i}.`,
    // Half the library has a Wang among its authors: an author: filter that matches thousands.
    authors: i % 2 === 0 ? ['Wei Wang', `Ada Author${i}`] : [`Ada Author${i}`],
    published: `${2020 + (i % 6)}-${month}-${day}`,
    categories: i % 3 === 0 ? ['cs.LG'] : ['cs.CL'],
    links: i % 5 === 0 ? { code: `https://github.com/x/${i}` } : {},
    sources: ['arxiv'],
  });
}

describe('query cost on a library where every paper has the common words', () => {
  let papers: Paper[];
  let index: PaperIndex;
  beforeAll(() => {
    papers = Array.from({ length: PAPERS }, (_, i) => paperAt(i));
    index = createPaperIndex();
    index.addAll(papers);
  });
  const byId = (id: string) => papers.find((p) => p.id === id)!;

  it('given four phrases of common words, visits the rarest group and a budget, and probes the rest', () => {
    const query = '"deep learning" "neural network" "model training" "data language"';
    const page = index.search(query, { limit: 20 });
    expect(page.hits).toHaveLength(20);
    // Eight required words of ~8,000 postings each (title and abstract) were 64,000 postings
    // visited before; now one group plus at most the required budget.
    const perWord = 2 * PAPERS;
    expect(page.work.postingsVisited).toBeLessThanOrEqual(perWord + QUERY_BUDGET.requiredPostings);
    expect(page.work.probes).toBeGreaterThan(0);
    expect(page.work.candidatesSorted).toBeLessThanOrEqual(100);
  });

  it('given a common surname alone, sorts no more candidates than a page can reach', () => {
    const page = index.search('author:wang', { limit: 10 });
    expect(page.work.candidates).toBe(PAPERS / 2);
    expect(page.work.candidatesSorted).toBeLessThanOrEqual(100);
    expect(page.total).toBe(100);
    for (const hit of page.hits) expect(byId(hit.id).authors).toContain('Wei Wang');
  });

  it('given filters alone, scans the library once but sorts only the page, in the order a full sort gives', () => {
    const expected = papers
      .map((p, seq) => ({ p, seq }))
      .filter(({ p }) => p.categories.includes('cs.LG') && p.links.code)
      .sort((a, b) => (b.p.published ?? '').localeCompare(a.p.published ?? '') || a.seq - b.seq)
      .map(({ p }) => p.id);
    const first = index.search('cat:cs.LG has:code', { limit: 10 });
    const third = index.search('cat:cs.LG has:code', { offset: 20, limit: 10 });
    expect(first.work.papersScanned).toBe(PAPERS);
    expect(first.work.candidates).toBe(expected.length);
    expect(first.work.candidatesSorted).toBe(10);
    expect(third.work.candidatesSorted).toBe(30);
    expect(first.hits.map((h) => h.id)).toEqual(expected.slice(0, 10));
    expect(third.hits.map((h) => h.id)).toEqual(expected.slice(20, 30));
    expect(first.total).toBe(Math.min(expected.length, FILTER_ONLY_RESULTS));
  });

  it('given filters alone sorted by upvotes, orders the page as a full sort would', () => {
    const page = index.search('cat:cs.CL', { limit: 5, sort: 'upvotes' });
    expect(page.total).toBe(FILTER_ONLY_RESULTS);
    expect(page.work.candidatesSorted).toBe(5);
    expect(page.hits.map((h) => h.published)).toEqual([...page.hits.map((h) => h.published)].sort().reverse());
  });

  it('given 24 common words, stays within the postings budget beyond its rarest words', () => {
    const words = Array.from({ length: 24 }, (_, i) => COMMON[i % COMMON.length]).join(' ');
    const page = index.search(words);
    expect(page.hits.length).toBeGreaterThan(0);
    const rarestTwo = 2 * 2 * PAPERS; // each common word: title and abstract of every paper
    expect(page.work.postingsVisited).toBeLessThanOrEqual(rarestTwo + QUERY_BUDGET.postings);
  });
});

describe('long queries keep every filter and phrase', () => {
  const phrase = 'alpha beta gamma delta epsilon zeta eta theta';
  const thirtyWords = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
  const target = normalizePaper({
    id: '2305.18290',
    title: `On ${phrase}`,
    abstract: 'We fit preferences without reinforcement learning.',
    authors: ['Rafael Rafailov'],
    published: '2023-05-29',
    categories: ['cs.LG'],
    links: {},
    sources: ['arxiv'],
  });
  // Every free word of the long query and the phrase's first seven words, but not "theta" and
  // not the author. Phrase words and author terms used to get bits 24–30 and then wrap to bit 0,
  // the first free word's, so "word0" stood in for the eighth requirement.
  const decoy = normalizePaper({
    id: '2401.00001',
    title: `${thirtyWords} alpha beta gamma delta epsilon zeta eta`,
    abstract: 'A decoy.',
    authors: ['Ada Lovelace'],
    published: '2024-01-01',
    categories: ['cs.LG'],
    links: {},
    sources: ['arxiv'],
  });
  const index = createPaperIndex();
  index.addAll([target, decoy]);

  it('given 30 words and an eight-word phrase at the end, still requires every word of the phrase', () => {
    expect(index.search(`${thirtyWords} "${phrase}"`).hits.map((h) => h.id)).toEqual(['2305.18290']);
  });

  it('given 30 words, a phrase and an author filter at the end, still requires the author', () => {
    const sevenWords = phrase.split(' ').slice(0, 7).join(' ');
    expect(index.search(`${thirtyWords} "${sevenWords}" author:rafailov`).hits.map((h) => h.id)).toEqual(['2305.18290']);
    expect(index.search(`${thirtyWords} "${sevenWords}" author:lovelace`).hits.map((h) => h.id)).toEqual(['2401.00001']);
  });

  it('given more than 24 words, searches the first 24 and says so in the notes', () => {
    const q = parseQuery(`${thirtyWords} "reward model" cat:cs.LG`);
    expect(q.words).toHaveLength(QUERY_LIMITS.words);
    expect(q.phrases).toHaveLength(1);
    expect(q.categories).toEqual(['cs.lg']);
    expect(q.notes).toEqual([expect.stringContaining('first 24 of 30 words')]);
    expect(parseQuery('the a of an direct preference').notes).toEqual([]);
  });

  it('given more phrases, phrase words or filters than allowed, refuses instead of dropping one', () => {
    const refuse = (query: string) => expect(() => parseQuery(query)).toThrow(UserFacingError);
    refuse('"deep nets" "graph models" "vision tasks" "speech data" "robot arms"');
    refuse(`"${Array.from({ length: 13 }, (_, i) => `w${i}`).join(' ')}"`);
    refuse(Array.from({ length: 7 }, (_, i) => `author:name${i}`).join(' '));
    refuse(Array.from({ length: 7 }, () => 'cat:cs').join(' '));
  });
});

describe('huge input (defect 15)', () => {
  const index = createPaperIndex();
  index.addAll([
    normalizePaper({ id: '2405.17399', title: 'Transformers Can Do Arithmetic with the Right Embeddings', abstract: '', authors: ['Sean McLeish'], categories: ['cs.LG'], links: {}, sources: ['arxiv'] }),
    normalizePaper({ id: '2405.17400', title: 'Transformers for Arithmetic', abstract: '', authors: ['Ada Lovelace'], categories: ['cs.LG'], links: {}, sources: ['arxiv'] }),
  ]);

  function errorOf(run: () => unknown): UserFacingError {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(UserFacingError);
      return error as UserFacingError;
    }
    throw new Error('expected a UserFacingError');
  }

  it('given a 100,000-character query, refuses it with a short message instead of crashing', () => {
    const error = errorOf(() => index.search('transfromers'.repeat(8_334).slice(0, 100_000)));
    expect(error.message).toBe('That query has 100,000 characters; a query has at most 1,000.');
    expect(error.message.length + (error.hint?.length ?? 0)).toBeLessThan(200);
  });

  it('given one word as long as the limit allows, answers without typo-correcting it', () => {
    const word = 'arithmetik'.repeat(99);
    expect(word.length).toBeLessThanOrEqual(QUERY_LIMITS.chars);
    expect(index.search(word).hits).toEqual([]);
    expect(index.search(`transformers ${word.slice(0, 40)}`).hits.length).toBeGreaterThan(0);
    expect(index.suggest(`${word} arith`)).toEqual(expect.any(Array));
  });

  it('given a long bad filter value, echoes only a short prefix of it', () => {
    const error = errorOf(() => index.search(`cat:${'x'.repeat(500)}`));
    expect(error.message.length).toBeLessThan(120);
    const date = errorOf(() => index.search(`after:${'9'.repeat(60)}`));
    expect(date.message.length).toBeLessThan(QUERY_LIMITS.echoChars + 40);
  });

  it('given a word of many hyphenated parts, keeps a bounded number of its terms', () => {
    const chain = Array.from({ length: 200 }, (_, i) => `p${String.fromCharCode(97 + (i % 26))}${i}`).join('-');
    const q = parseQuery(chain.slice(0, QUERY_LIMITS.chars));
    expect(q.words[0]!.terms.length).toBeLessThanOrEqual(QUERY_LIMITS.termsPerWord);
    expect(tokenize(chain).length).toBeGreaterThan(QUERY_LIMITS.termsPerWord);
  });
});

describe('exclusions checked paper by paper (issue 11 review: 5.5 s on the full corpus)', () => {
  const excluded = (n: number) => Array.from({ length: n }, (_, i) => `-absent${i}x`).join(' ');
  let index: PaperIndex;
  let size: number;
  beforeAll(() => {
    // Enough papers that 24 excluded words (each looked up in every field of every paper) go over the budget.
    size = Math.ceil(FILTER_BUDGET.checks / (QUERY_LIMITS.operands * ALL_FIELD_IDS.length)) + 500;
    index = createPaperIndex();
    index.addAll(Array.from({ length: size }, (_, i) => paperAt(i)));
  });

  it('given excluded title phrases, looks a phrase up in a title only when the title has its words', () => {
    // Every title has "deep", "learning", …; none has "study0 deep": the words are looked up
    // (two checks), and the title compared once, for each of the four phrases.
    const page = index.search('cat:cs.LG -title:deep-learning-study0 -title:neural-network-absent -title:model-absent -title:data-absent', { limit: 10 });
    expect(page.work.papersScanned).toBe(size);
    const inCategory = Math.ceil(size / 3);
    // cs.LG papers only (the category fails first for the rest): 3 + 3 + 2 + 2 lookups and at
    // most one title comparison (the first phrase, whose words all occur).
    expect(page.work.filterChecks).toBeLessThanOrEqual(inCategory * (10 + 1));
    expect(page.total).toBeGreaterThan(0);
  });

  it('given an exclusion-only query whose checks exceed the budget, refuses it instead of scanning on', () => {
    const query = excluded(QUERY_LIMITS.operands);
    expect(() => index.search(query, { limit: 10 })).toThrow(/check too many papers/);
    expect(index.suggest(query)).toEqual([]);
    // Fewer exclusions stay within it, and the work is the checks of each paper, no more.
    const page = index.search(excluded(4), { limit: 10 });
    expect(page.work.filterChecks).toBe(size * 4 * ALL_FIELD_IDS.length);
    expect(page.work.filterChecks).toBeLessThanOrEqual(FILTER_BUDGET.checks);
  });
});
