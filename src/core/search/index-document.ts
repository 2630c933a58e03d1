import type { Paper } from '../paper.js';
import { dateNumber } from './query.js';
import { authorNameKeys, nameTerms, tokenize } from './tokenize.js';

/**
 * What the index holds for a paper, and why (measured on the 122,860-paper corpus; see bench/):
 * - title: every term. Most queries are (parts of) titles.
 * - title, categories, keywords (Hugging Face ai_keywords): in MiniSearch.
 * - abstract: every term of the whole abstract, in compact postings beside MiniSearch
 *   (compact-postings.ts): 12.7 million postings on the corpus, 4 bytes each, where MiniSearch's
 *   Map per term cost ~900 MB of heap. People remember a few words or paste a sentence, rare
 *   words and the everyday vocabulary of the field alike, so no term is left out. MiniSearch's
 *   abstract field stays (empty), so field ids and BM25 field weights keep their meaning.
 * - authors: surnames in MiniSearch (`author:hinton`, "hinton attention"), and name keys in
 *   compact postings (authorNameKeys: "sean_mcleish", "s_mcleish"), one author's given names
 *   or initial joined with the surname, so a full name finds that person, not everyone sharing
 *   a given name. Given names alone are not indexed: "Wei" is shared by thousands of authors
 *   and says nothing alone. 420k distinct keys on the corpus, read as the authors field.
 */

/** The distinctive abstract terms a "papers like this" query takes (the index holds every term). */
export const ABSTRACT_TERMS = 24;

export const FIELDS = ['title', 'abstract', 'authors', 'categories', 'keywords'] as const;
export type Field = (typeof FIELDS)[number];
// MiniSearch numbers fields in the order given.
export const TITLE_FIELD_ID = 0;
export const ABSTRACT_FIELD_ID = 1;
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

/** A paper as MiniSearch indexes it (its abstract goes to compact postings: abstractTerms). */
export function indexDocument(paper: Paper): IndexDoc {
  return {
    id: paper.id,
    title: paper.title,
    abstract: '',
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
 * holds exactly these in MiniSearch, and authorKeys in compact postings; `author:` filters
 * (search and topics alike) are checked against both.
 */
export function authorTerms(paper: Paper): string[] {
  return [...new Set(paper.authors.flatMap((name) => nameTerms(surname(name))))];
}

/** The name keys of a paper's authors (see authorNameKeys), each once. */
export function authorKeys(paper: Paper): string[] {
  return [...new Set(paper.authors.flatMap((name) => authorNameKeys(name)))];
}

/**
 * The abstract's terms with repeats (term frequencies matter to BM25), for compact postings.
 * Bare numbers are left out ("12", "2024": a query's "gpt 4" or a typed "qqq12zz" would match any
 * abstract that counts something); numbers joined to a name stay ("gpt4", "llama3").
 */
export function abstractTerms(paper: Paper): string[] {
  return tokenize(paper.abstract).filter((term) => !isNumber(term));
}

/**
 * Abstract term counts over a whole library: a bulk build reserves each term's postings from
 * them, so the compact postings are allocated once, at their exact size.
 */
export type TermCounts = { get(term: string): number | undefined; documents: number };

export function countAbstractTerms(papers: Iterable<Paper>, into?: Map<string, number>): Map<string, number> {
  const counts = into ?? new Map<string, number>();
  for (const paper of papers) {
    for (const term of new Set(abstractTerms(paper))) counts.set(term, (counts.get(term) ?? 0) + 1);
  }
  return counts;
}

/** The `n` abstract terms with the highest tf·idf among those known from at least one other paper ("papers like this"). */
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
