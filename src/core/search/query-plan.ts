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
  /** Documents holding the term in one field. */
  fieldFrequency(term: string, fieldId: number): number;
  /** Terms of the whole index that start with `prefix`, in index order. */
  indexTermsWithPrefix(prefix: string): Iterable<string>;
  /** Title terms shared by two or more papers that start with `prefix` (a small vocabulary). */
  titleTermsWithPrefix(prefix: string): Iterable<string>;
  /** Title terms shared by two or more papers within `maxDistance` edits: [term, papers, distance]. */
  titleTermsNear(term: string, maxDistance: number): Iterable<[term: string, papers: number, distance: number]>;
};

export type Expansion = { term: string; weight: number; word: number };
/** A free word: `index` in ParsedQuery.words, `bit` its mark on the documents that match it (0 when not retrieved). */
export type PlannedWord = { index: number; bit: number; expansions: Expansion[]; cost: number };
/** One index term to score, in `fields`, setting `bit` on the documents that hold it. */
export type Leaf = { term: string; weight: number; bit: number; fields: readonly number[] };
/**
 * Something every result must have: one word of a quoted phrase (any of its terms) or one term
 * of an author: filter. `bit` is set when its postings are visited; 0 means it is checked and
 * scored by looking the candidates up in its postings instead.
 */
export type RequiredGroup = { terms: readonly string[]; fields: readonly number[]; cost: number; bit: number };
/**
 * `leaves` are visited (every posting), `probes` only looked up for candidates that already
 * hold every required group, which gives them the same score at a fraction of the work.
 */
export type Plan = { leaves: Leaf[]; probes: Leaf[]; required: RequiredGroup[]; words: PlannedWord[] };

/**
 * The work one query may do. Scoring costs one step per posting visited, and a common word
 * ("model": 40k papers) costs more than the rest of a query together while telling little apart.
 */
export const QUERY_BUDGET = {
  /** Postings of free words: over it, the most common words leave retrieval (the rarest two always stay). */
  postings: 25_000,
  /** Postings of every leaf together, the rarest free word and the rarest required group aside. */
  maxPostings: 150_000,
  /** Postings of required groups visited beyond the rarest one; the others are probed. */
  requiredPostings: 25_000,
  /** Required groups that get a bit of their own (bits 24–30; free words hold 0–23). */
  requiredBits: 7,
  fuzzyWords: 10,
  /** Words longer than this are not typo-corrected: edit distance over long strings is slow and means little. */
  fuzzyWordChars: 32,
  prefixExpansions: 12,
} as const;
/** Prefix completion looks at no more candidate terms than this. */
const PREFIX_SCAN = 2000;
/** Typo corrections kept per word. */
const FUZZY_PER_WORD = 3;
const FIRST_REQUIRED_BIT = 24;

export function planQuery(vocabulary: Vocabulary, q: ParsedQuery, prefix: boolean): Plan {
  const fuzzyBudget = { left: QUERY_BUDGET.fuzzyWords };
  const content = q.words.map((w, i) => ({ w, i })).filter(({ w }) => w.terms.length > 0);
  // A query of nothing but stopwords ("the who") searches them as plain words.
  const typed = content.length > 0 ? content : q.words.map((w, i) => ({ w: { word: w.word, terms: [w.word] }, i }));
  const lastIndex = q.words.length - 1;
  // parseQuery keeps at most 24 words with terms, so every free word has a bit of its own.
  const words: PlannedWord[] = typed.slice(0, FIRST_REQUIRED_BIT).map(({ w, i }, position) => {
    const last = q.lastWordIsPrefix && i === lastIndex && (prefix || vocabulary.documentFrequency(w.terms[0] ?? '') === 0);
    const expansions = expandWord(vocabulary, w, i, last, fuzzyBudget);
    return { index: i, bit: 1 << position, expansions, cost: expansions.reduce((n, e) => n + vocabulary.postingCount(e.term), 0) };
  });

  // Phrases and author filters are required: every phrase word (its variants are alternatives)
  // and every term of an author's surname. Only documents holding the rarest group can be
  // results, so that one is always visited; the others are visited while cheap, else probed.
  const required: RequiredGroup[] = [
    ...q.phrases.flatMap((phrase) => phrase.map((w) => group(vocabulary, w.terms, ALL_FIELD_IDS))),
    ...q.authors.flatMap((terms) => terms.map((t) => group(vocabulary, [t], [AUTHORS_FIELD_ID]))),
  ];
  let spent = 0;
  let requiredSpent = 0;
  [...required]
    .sort((a, b) => a.cost - b.cost)
    .forEach((g, rank) => {
      const visit = rank === 0 || (rank < QUERY_BUDGET.requiredBits && requiredSpent + g.cost <= QUERY_BUDGET.requiredPostings);
      if (!visit) return;
      g.bit = 1 << (FIRST_REQUIRED_BIT + rank);
      if (rank > 0) requiredSpent += g.cost;
      spent += g.cost;
    });

  const queried = words.filter((w) => w.expansions.length > 0).sort((a, b) => a.cost - b.cost);
  let freeSpent = 0;
  const kept = queried.filter((w, rank) => {
    const overBudget = rank >= 2 && freeSpent + w.cost > QUERY_BUDGET.postings;
    const overMax = rank >= 1 && spent + w.cost > QUERY_BUDGET.maxPostings;
    if (overBudget || overMax) return false;
    freeSpent += w.cost;
    spent += w.cost;
    return true;
  });
  const keptWords = new Set(kept);
  for (const w of words) if (!keptWords.has(w)) w.bit = 0;

  // Free words first, then required groups: the order scores are summed in, kept from the first version.
  const leaves: Leaf[] = [];
  const probes: Leaf[] = [];
  for (const w of kept) {
    for (const e of w.expansions) leaves.push({ term: e.term, weight: e.weight, bit: w.bit, fields: ALL_FIELD_IDS });
  }
  for (const g of required) {
    for (const term of g.terms) (g.bit ? leaves : probes).push({ term, weight: 1, bit: g.bit, fields: g.fields });
  }
  return { leaves, probes, required, words };
}

/** The bits of free words (the rest belong to required groups). */
export const FREE_WORD_BITS = (1 << FIRST_REQUIRED_BIT) - 1;

function group(vocabulary: Vocabulary, terms: readonly string[], fields: readonly number[]): RequiredGroup {
  const [only] = fields;
  const cost = terms.reduce(
    (n, term) => n + (fields.length === 1 && only !== undefined ? vocabulary.fieldFrequency(term, only) : vocabulary.postingCount(term)),
    0,
  );
  return { terms, fields, cost, bit: 0 };
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
  const correctable = primary.length >= 4 && primary.length <= QUERY_BUDGET.fuzzyWordChars && !/^\d+$/.test(primary);
  if (correctable && df <= 2 && fuzzyBudget.left > 0) {
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
    .slice(0, QUERY_BUDGET.prefixExpansions)
    .map(({ term }) => ({ term, weight: 0.8 * (prefix.length / (prefix.length + 0.3 * (term.length - prefix.length))) }));
}
