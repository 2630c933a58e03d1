import type { Paper } from '../paper.js';
import { authorKeys, authorTerms } from './index-document.js';
import { dateNumber, type ParsedQuery } from './query.js';

/**
 * The one meaning of a query's filters (author:, cat:, after:, before:, year:, has:code), used
 * by search and by topic matching alike, so a topic posts exactly the papers `/paper search`
 * lets through its filters. Each side only says how to read a paper (a FilterSubject): search
 * reads the index's stored fields and author postings, topics read the paper record; both
 * derive the values the same way (see filterSubjectOf and index-document.ts).
 */

export type QueryFilters = Pick<ParsedQuery, 'authors' | 'categories' | 'after' | 'before' | 'hasCode'>;

/** What the filters look at in a paper. */
export type FilterSubject = {
  /** Publication date as yyyymmdd, 0 when unknown. */
  date: number;
  hasCode: boolean;
  /** Lowercased arXiv categories ("cs.cl"). */
  categories: readonly string[];
  /**
   * Whether an author's surname has this term, or an author has this name key ("tri_dao"; see
   * authorTerms and authorKeys in index-document.ts).
   */
  hasAuthorTerm(term: string): boolean;
};

export function hasFilters(f: QueryFilters): boolean {
  return f.after !== undefined || f.before !== undefined || f.hasCode || f.categories.length > 0 || f.authors.length > 0;
}

/**
 * Every filter holds: a date inside [after, before) (an undated paper fails either bound), a
 * code link for has:code, each cat: as the category or an archive containing it ("cs" holds
 * "cs.cl"), and each author: with every term of its surname or, for a full name, one author
 * with that given name (or initial) and surname (authorFilterTerms in tokenize.ts).
 */
export function matchesFilters(paper: FilterSubject, f: QueryFilters): boolean {
  if (f.after !== undefined && paper.date < f.after) return false;
  if (f.before !== undefined && (paper.date === 0 || paper.date >= f.before)) return false;
  if (f.hasCode && !paper.hasCode) return false;
  for (const c of f.categories) {
    if (!paper.categories.some((have) => have === c || have.startsWith(`${c}.`))) return false;
  }
  for (const group of f.authors) {
    if (!group.every((term) => paper.hasAuthorTerm(term))) return false;
  }
  return true;
}

/** A paper record read the way the index reads it. */
export function filterSubjectOf(paper: Paper): FilterSubject {
  const authors = new Set([...authorTerms(paper), ...authorKeys(paper)]);
  return {
    date: dateNumber(paper.published) ?? 0,
    hasCode: Boolean(paper.links.code),
    categories: paper.categories.map((c) => c.toLowerCase()),
    hasAuthorTerm: (term) => authors.has(term),
  };
}
