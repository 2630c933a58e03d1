import { ALL_FIELD_IDS, AUTHORS_FIELD_ID } from './index-document.js';
import type { ParsedQuery } from './query.js';
import type { QueryWord } from './tokenize.js';

/**
 * Query planning: a parsed query → the index terms to score ("leaves"), each with a weight and
 * the query word it stands for. Planning reads only what the index knows about terms (the
 * Vocabulary below), never postings themselves; the scorer does that.
 */

/** What the planner asks of the index. */
export type Vocabulary = {
  /** Live documents holding the term in any field. */
  documentFrequency(term: string): number;
  /** Postings of the term across fields: the scorer's cost of visiting it. */
  postingCount(term: string): number;
  /** Terms of the whole index that start with `prefix`, in index order. */
  indexTermsWithPrefix(prefix: string): Iterable<string>;
  /** Title terms shared by two or more papers that start with `prefix` (a small vocabulary). */
  titleTermsWithPrefix(prefix: string): Iterable<string>;
  /** Title terms shared by two or more papers within `maxDistance` edits: [term, papers, distance]. */
  titleTermsNear(term: string, maxDistance: number): Iterable<[term: string, papers: number, distance: number]>;
};

export type Expansion = { term: string; weight: number; word: number };
export type PlannedWord = { index: number; expansions: Expansion[]; cost: number };
/** One index term to score, in `fields`, setting `bit` on the documents that hold it. */
export type Leaf = { term: string; weight: number; bit: number; fields: readonly number[] };
/** `required`: the bits every result must have (phrase words and author filters). */
export type Plan = { leaves: Leaf[]; required: number; words: PlannedWord[] };

/** Postings scored per query before the most common words leave retrieval (see planQuery). */
export const POSTINGS_BUDGET = 25_000;
export const MAX_FUZZY_WORDS = 10;
export const MAX_PREFIX_EXPANSIONS = 12;
/** Prefix completion looks at no more candidate terms than this. */
const PREFIX_SCAN = 2000;
/** Typo corrections kept per word. */
const FUZZY_PER_WORD = 3;

export function planQuery(vocabulary: Vocabulary, q: ParsedQuery, prefix: boolean): Plan {
  const fuzzyBudget = { left: MAX_FUZZY_WORDS };
  const content = q.words.map((w, i) => ({ w, i })).filter(({ w }) => w.terms.length > 0);
  // A query of nothing but stopwords ("the who") searches them as plain words.
  const typed = content.length > 0 ? content : q.words.map((w, i) => ({ w: { word: w.word, terms: [w.word] }, i }));
  const lastIndex = q.words.length - 1;
  const words: PlannedWord[] = typed.map(({ w, i }) => {
    const last = q.lastWordIsPrefix && i === lastIndex && (prefix || vocabulary.documentFrequency(w.terms[0] ?? '') === 0);
    const expansions = expandWord(vocabulary, w, i, last, fuzzyBudget);
    return { index: i, expansions, cost: expansions.reduce((n, e) => n + vocabulary.postingCount(e.term), 0) };
  });

  // Scoring costs one step per posting, and a common word ("model": 40k papers) costs more
  // than the rest of a query together while telling little apart. Over the budget, the most
  // common words leave retrieval (the rarest two always stay); re-ranking still counts them.
  const queried = words.filter((w) => w.expansions.length > 0).sort((a, b) => a.cost - b.cost);
  let spent = 0;
  const kept = queried.filter((w, rank) => {
    if (rank >= 2 && spent + w.cost > POSTINGS_BUDGET) return false;
    spent += w.cost;
    return true;
  });

  // Each free word gets one bit; a document's bits say which words it matched. Phrases and
  // author filters are required: their words get bits in `required`.
  const leaves: Leaf[] = [];
  kept.forEach((w) => {
    for (const e of w.expansions) leaves.push({ term: e.term, weight: e.weight, bit: bitOf(w.index), fields: ALL_FIELD_IDS });
  });
  let required = 0;
  let nextBit = Math.min(q.words.length, 24);
  const requireGroup = (groups: string[][], fields: readonly number[]) => {
    for (const terms of groups) {
      const bit = 1 << nextBit++ % 31;
      required |= bit;
      for (const term of terms) leaves.push({ term, weight: 1, bit, fields });
    }
  };
  // A phrase needs every word (each word's variants are alternatives).
  for (const phrase of q.phrases) requireGroup(phrase.map((w) => w.terms), ALL_FIELD_IDS);
  for (const group of q.authors) requireGroup(group.map((t) => [t]), [AUTHORS_FIELD_ID]);
  return { leaves, required, words };
}

export function bitOf(wordIndex: number): number {
  return 1 << Math.min(wordIndex, 23);
}

function expandWord(
  vocabulary: Vocabulary,
  word: QueryWord,
  index: number,
  asPrefix: boolean,
  fuzzyBudget: { left: number },
): Expansion[] {
  const out: Expansion[] = [];
  for (const term of word.terms) if (vocabulary.documentFrequency(term) > 0) out.push({ term, weight: 1, word: index });
  // Surnames are indexed unstemmed ("Vlachos", not "vlacho"), so also try the word as typed.
  if (!word.terms.includes(word.word) && word.word.length >= 2 && vocabulary.documentFrequency(word.word) > 0) {
    out.push({ term: word.word, weight: 1, word: index });
  }
  const primary = word.terms[0];
  if (!primary) return out;
  if (asPrefix) {
    for (const e of prefixExpansions(vocabulary, primary)) out.push({ ...e, word: index });
  }
  // A word is treated as a typo when the index hardly knows it. Correction looks only at
  // title terms shared by two or more papers: that vocabulary is ~30k terms, small enough
  // to search with edit distance 2 in about a millisecond.
  const df = vocabulary.documentFrequency(primary);
  if (primary.length >= 4 && df <= 2 && fuzzyBudget.left > 0 && !/^\d+$/.test(primary)) {
    fuzzyBudget.left -= 1;
    const maxDistance = primary.length >= 8 ? 2 : 1;
    const found = [...vocabulary.titleTermsNear(primary, maxDistance)]
      .filter(([term, , distance]) => distance > 0 && term !== primary)
      .sort((a, b) => a[2] - b[2] || b[1] - a[1])
      .slice(0, FUZZY_PER_WORD);
    for (const [term, , distance] of found) out.push({ term, weight: distance === 1 ? 0.75 : 0.55, word: index });
  }
  return out;
}

function prefixExpansions(vocabulary: Vocabulary, prefix: string): { term: string; weight: number }[] {
  if (prefix.length < 2) return [];
  // Short prefixes fan out into thousands of terms: complete those from the (small) title
  // vocabulary, longer ones from the whole index.
  const source = prefix.length >= 4 ? vocabulary.indexTermsWithPrefix(prefix) : vocabulary.titleTermsWithPrefix(prefix);
  const found: { term: string; df: number }[] = [];
  let seen = 0;
  for (const term of source) {
    if (term === prefix) continue;
    if (++seen > PREFIX_SCAN) break;
    found.push({ term, df: vocabulary.documentFrequency(term) });
  }
  found.sort((a, b) => b.df - a.df);
  return found
    .slice(0, MAX_PREFIX_EXPANSIONS)
    .map(({ term }) => ({ term, weight: 0.8 * (prefix.length / (prefix.length + 0.3 * (term.length - prefix.length))) }));
}
