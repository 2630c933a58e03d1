import type { Paper } from '../paper.js';
import { dateNumber } from './query.js';
import { nameTerms, tokenize } from './tokenize.js';

/**
 * What the index holds for a paper, and why (measured on the 122,860-paper corpus; see bench/):
 * - title: every term. Most queries are (parts of) titles.
 * - abstract: only the ABSTRACT_TERMS most distinctive terms of each abstract (tf·idf, among
 *   terms that occur in at least one other paper). Indexing whole abstracts costs ~900 MB of
 *   heap and turns every common word into a 60k-posting list; the distinctive terms are what
 *   people remember of an abstract.
 * - authors: surnames (given names are shared by thousands of authors and double the postings).
 * - categories, keywords (Hugging Face ai_keywords).
 */

export const ABSTRACT_TERMS = 24;

export const FIELDS = ['title', 'abstract', 'authors', 'categories', 'keywords'] as const;
export type Field = (typeof FIELDS)[number];
// MiniSearch numbers fields in the order given.
export const TITLE_FIELD_ID = 0;
export const AUTHORS_FIELD_ID = 2;
export const ALL_FIELD_IDS: readonly number[] = FIELDS.map((_, i) => i);

/** Field weights: a title hit says more than a surname, which says more than an abstract term. */
export const BOOST: Record<Field, number> = { title: 3, authors: 2, abstract: 1, categories: 1, keywords: 1.5 };
export const FIELD_BOOST: readonly number[] = FIELDS.map((f) => BOOST[f]);

/** The document MiniSearch sees. Pre-tokenised fields hold terms joined by single spaces. */
export type IndexDoc = {
  id: string;
  title: string;
  abstract: string;
  authors: string;
  categories: string;
  keywords: string;
  /** Stored: publication date as yyyymmdd, 0 when unknown. */
  date: number;
  upvotes: number;
  /** Stored: 1 when the paper links a code repository. */
  code: number;
};

/** The fields MiniSearch stores per document: what hits, filters and re-ranking read without the library. */
export type Stored = { title: string; date: number; upvotes: number; categories: string; code: number };

const PRE_TOKENISED: ReadonlySet<string> = new Set<Field>(['abstract', 'authors', 'categories']);

/**
 * The one options object of the index. Loading a snapshot needs exactly the options that built
 * it, so this is the only place they are written; SNAPSHOT_FORMAT changes when they do.
 */
export const PAPER_INDEX_OPTIONS = {
  idField: 'id',
  fields: [...FIELDS],
  storeFields: ['title', 'date', 'upvotes', 'categories', 'code'],
  tokenize: (text: string, field?: string) =>
    field && PRE_TOKENISED.has(field) ? (text ? text.split(' ') : []) : tokenize(text),
  processTerm: (term: string) => term,
  // Vacuuming runs in small batches with pauses, so discarding replaced papers never blocks.
  autoVacuum: { batchSize: 1000, batchWait: 10, minDirtCount: 1000, minDirtFactor: 0.05 },
  searchOptions: {
    // Query terms are planned and normalised by the planner; MiniSearch must take them verbatim.
    tokenize: (text: string) => [text],
    processTerm: (term: string) => term,
  },
};

/** A paper as MiniSearch indexes it; `df` and `total` choose its distinctive abstract terms. */
export function indexDocument(paper: Paper, df: (term: string) => number, total: number): IndexDoc {
  return {
    id: paper.id,
    title: paper.title,
    abstract: distinctiveTerms(paper.abstract, df, total).join(' '),
    authors: authorTerms(paper).join(' '),
    categories: paper.categories.map((c) => c.toLowerCase()).join(' '),
    keywords: paper.keywords.join(' '),
    date: dateNumber(paper.published) ?? 0,
    upvotes: paper.upvotes ?? 0,
    code: paper.links.code ? 1 : 0,
  };
}

/**
 * The author terms of a paper: the terms of each author's surname. The index's authors field
 * holds exactly these, and `author:` filters (search and topics alike) are checked against them.
 */
export function authorTerms(paper: Paper): string[] {
  return [...new Set(paper.authors.flatMap((name) => nameTerms(surname(name))))];
}

/**
 * Document frequencies for choosing each abstract's distinctive terms. A bulk build counts the
 * whole batch first (exact); incremental adds fall back to what the index already holds.
 */
export type TermCounts = { get(term: string): number | undefined; documents: number };

export function countAbstractTerms(papers: Iterable<Paper>, into?: Map<string, number>): Map<string, number> {
  const counts = into ?? new Map<string, number>();
  for (const paper of papers) {
    for (const term of new Set(tokenize(paper.abstract))) counts.set(term, (counts.get(term) ?? 0) + 1);
  }
  return counts;
}

/** The `n` abstract terms with the highest tf·idf among those known from at least one other paper. */
export function distinctiveTerms(abstract: string, df: (term: string) => number, total: number, n = ABSTRACT_TERMS): string[] {
  if (!abstract) return [];
  const tf = new Map<string, number>();
  for (const term of tokenize(abstract)) tf.set(term, (tf.get(term) ?? 0) + 1);
  const scored: [string, number][] = [];
  for (const [term, f] of tf) {
    const d = df(term);
    if (d < 2 || isNumber(term)) continue;
    scored.push([term, (1 + Math.log(f)) * Math.log(total / d)]);
  }
  scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return scored.slice(0, n).map(([term]) => term);
}

function surname(name: string): string {
  const parts = name.trim().split(/\s+/);
  return parts[parts.length - 1] ?? '';
}

function isNumber(term: string): boolean {
  const c = term.charCodeAt(0);
  return c >= 48 && c <= 57 && /^\d+$/.test(term);
}
