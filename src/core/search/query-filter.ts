import type { Paper } from '../paper.js';
import { normalizeTitleKey } from '../paper-id.js';
import { ABSTRACT_FIELD_ID, ALL_FIELD_IDS, AUTHORS_FIELD_ID, authorKeys, authorTerms, TITLE_FIELD_ID } from './index-document.js';
import { dateNumber, type MatchNode, type MatchScope, type ParsedQuery, type QueryFilters } from './query.js';
import { nameTerms, tokenize } from './tokenize.js';

/**
 * The one meaning of a query: its filters (author:, cat:, after:, before:, year:, has:code), and
 * its boolean expression (-exclusions, OR groups, title:/abstract: scopes), used by search and by
 * topic matching alike, so a topic posts exactly the papers `/paper search` lets through. Each
 * side only says how to read a paper (a FilterSubject): search reads the index's stored fields
 * and postings, topics read the paper record; both tokenize with tokenize.ts, as the index does
 * (see filterSubjectOf, createIndexSubject and index-document.ts).
 *
 * Two modes. `exact` (topics, /topic why, the /topic add count): every item must hold. `search`:
 * free words and phrases that are not excluded are the ranking's business (typo tolerant, scored
 * by the planner), so they hold here; exclusions, scoped words and filters are checked.
 */

export type { QueryFilters } from './query.js';
export type MatchMode = 'exact' | 'search';

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
  /**
   * Whether an index term (tokenize.ts) is in the title, the abstract, or `any` field search looks
   * in (title, abstract, keywords, categories, authors).
   */
  hasTerm(term: string, scope: MatchScope): boolean;
  /** Whether a phrase (its words, each by any of its terms, and its normalised `key`) occurs there. */
  hasPhrase(phrase: Extract<MatchNode, { kind: 'phrase' }>, scope: MatchScope): boolean;
};

/** Whether search must check papers against the query (filters, exclusions, scoped items). */
export function hasFilters(q: Pick<ParsedQuery, 'match'>): boolean {
  return needsCheck(q.match, false);
}

function needsCheck(node: MatchNode, excluded: boolean): boolean {
  switch (node.kind) {
    case 'word':
    case 'phrase':
      return excluded || node.scope !== 'any';
    case 'filter':
      return true;
    case 'not':
      return needsCheck(node.node, !excluded);
    default:
      return node.nodes.some((n) => needsCheck(n, excluded));
  }
}

/** Whether a paper satisfies the query (see the modes above). */
export function matchesQuery(paper: FilterSubject, q: Pick<ParsedQuery, 'match'>, mode: MatchMode): boolean {
  return holds(q.match, paper, mode, false);
}

function holds(node: MatchNode, paper: FilterSubject, mode: MatchMode, excluded: boolean): boolean {
  switch (node.kind) {
    case 'word':
      if (mode === 'search' && !excluded && node.scope === 'any') return true;
      // A stopword narrows nothing ("the" is in no index); excluded or scoped items always have terms.
      return node.word.terms.length === 0 || node.word.terms.some((t) => paper.hasTerm(t, node.scope));
    case 'phrase':
      if (mode === 'search' && !excluded && node.scope === 'any') return true;
      return paper.hasPhrase(node, node.scope);
    case 'filter':
      return matchesFilters(paper, node.filters);
    case 'not':
      return !holds(node.node, paper, mode, !excluded);
    case 'all':
      return node.nodes.every((n) => holds(n, paper, mode, excluded));
    case 'any':
      return node.nodes.some((n) => holds(n, paper, mode, excluded));
  }
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

/** One item of a query a paper fails: the item as typed, and what the paper has instead. */
export type MatchFailure = { item: string; reason: string };

/**
 * Why a paper does not match a query in `exact` mode: each item side by side at the top of the
 * query that fails (empty when the paper matches), for /topic why.
 */
export function explainMismatch(paper: FilterSubject, q: Pick<ParsedQuery, 'match'>): MatchFailure[] {
  return q.match.nodes.filter((n) => !holds(n, paper, 'exact', false)).map((n) => ({ item: n.text, reason: failureReason(n, paper) }));
}

const PLACE: Record<MatchScope, string> = { any: 'the paper', title: 'the title', abstract: 'the abstract' };

function failureReason(node: MatchNode, paper: FilterSubject): string {
  switch (node.kind) {
    case 'word':
      return `not in ${PLACE[node.scope]}`;
    case 'phrase':
      return `not in ${PLACE[node.scope]} as a phrase`;
    case 'filter':
      return filterFailure(node.filters, paper);
    case 'not':
      return excludedReason(node.node, paper);
    case 'all': {
      const failed = node.nodes.find((n) => !holds(n, paper, 'exact', false));
      return failed ? `${failed.text}: ${failureReason(failed, paper)}` : 'not all of it holds';
    }
    case 'any':
      return 'none of them holds';
  }
}

/** Why an excluded item excluded the paper: where the paper has it. */
function excludedReason(node: MatchNode, paper: FilterSubject): string {
  if (node.kind === 'word' || node.kind === 'phrase') {
    const has = (scope: MatchScope) =>
      node.kind === 'word' ? node.word.terms.some((t) => paper.hasTerm(t, scope)) : paper.hasPhrase(node, scope);
    const where = node.scope !== 'any' ? node.scope : has('title') ? 'title' : has('abstract') ? 'abstract' : 'any';
    return `excluded, and ${PLACE[where]} has it${where === 'any' ? ' (keywords, authors or categories)' : ''}`;
  }
  if (node.kind === 'filter') return `excluded, and the paper passes that filter${filterFacts(node.filters, paper)}`;
  return 'excluded, and the paper matches that group';
}

function filterFailure(f: QueryFilters, paper: FilterSubject): string {
  if ((f.after !== undefined || f.before !== undefined) && !matchesFilters(paper, { ...f, authors: [], categories: [], hasCode: false })) {
    return paper.date ? `published ${formatDate(paper.date)}` : 'no publication date is known';
  }
  if (f.hasCode && !paper.hasCode) return 'no code link is known';
  if (f.categories.length > 0 && !matchesFilters(paper, { authors: [], categories: f.categories, hasCode: false })) {
    return paper.categories.length > 0 ? `its categories are ${paper.categories.join(', ')}` : 'no categories are known (Hugging Face lists none)';
  }
  return 'no author of that name';
}

function filterFacts(f: QueryFilters, paper: FilterSubject): string {
  if (f.after !== undefined || f.before !== undefined) return paper.date ? ` (published ${formatDate(paper.date)})` : '';
  if (f.categories.length > 0) return ` (${paper.categories.join(', ')})`;
  return '';
}

function formatDate(yyyymmdd: number): string {
  const s = String(yyyymmdd);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** A paper record read the way the index reads it (tokenize.ts on each field). */
export function filterSubjectOf(paper: Paper): FilterSubject {
  const authors = new Set([...authorTerms(paper), ...authorKeys(paper)]);
  const title = new Set(tokenize(paper.title));
  const abstract = new Set(tokenize(paper.abstract));
  const other = new Set([...tokenize(paper.keywords.join(' ')), ...paper.categories.map((c) => c.toLowerCase())]);
  for (const name of paper.authors) for (const t of nameTerms(name)) other.add(t);
  const titleText = ` ${normalizeTitleKey(paper.title)} `;
  const abstractText = ` ${normalizeTitleKey(paper.abstract)} `;
  const inScope = (term: string, scope: MatchScope) =>
    scope === 'title' ? title.has(term) : scope === 'abstract' ? abstract.has(term) : title.has(term) || abstract.has(term) || other.has(term);
  return {
    date: dateNumber(paper.published) ?? 0,
    hasCode: Boolean(paper.links.code),
    categories: paper.categories.map((c) => c.toLowerCase()),
    hasAuthorTerm: (term) => authors.has(term),
    hasTerm: inScope,
    hasPhrase: (phrase, scope) => {
      if (!phrase.words.every((w) => w.terms.some((t) => inScope(t, scope)))) return false;
      if (scope === 'title') return titleText.includes(phrase.key);
      if (scope === 'abstract') return abstractText.includes(phrase.key);
      return titleText.includes(phrase.key) || abstractText.includes(phrase.key);
    },
  };
}

/** What the index keeps of a paper that the matcher reads (its stored fields). */
export type IndexedPaper = { date: number; code: number; categories: string; title: string };

/**
 * One FilterSubject over the index's papers, moved from paper to paper with `at` (a filter-only
 * query runs it on every paper, so nothing is allocated per paper). Terms are looked up in the
 * index's postings (`termTest`, found once per term and query); a phrase is looked for in the
 * stored title, and in an abstract as all of its words: the index keeps no word positions there.
 */
export function createIndexSubject(
  termTest: (term: string, fieldId: number) => (docId: number) => boolean,
  splitCategories: (text: string) => readonly string[],
): { at(docId: number, stored: IndexedPaper): FilterSubject } {
  const tests = new Map<string, (docId: number) => boolean>();
  const test = (term: string, fieldId: number) => {
    const key = `${fieldId}:${term}`;
    let t = tests.get(key);
    if (!t) tests.set(key, (t = termTest(term, fieldId)));
    return t(current);
  };
  const anyField = (term: string) => ALL_FIELD_IDS.some((f) => test(term, f));
  const inScope = (term: string, scope: MatchScope) =>
    scope === 'title' ? test(term, TITLE_FIELD_ID) : scope === 'abstract' ? test(term, ABSTRACT_FIELD_ID) : anyField(term);
  let current = 0;
  let stored: IndexedPaper = { date: 0, code: 0, categories: '', title: '' };
  const subject: FilterSubject = {
    date: 0,
    hasCode: false,
    get categories() {
      return splitCategories(stored.categories);
    },
    hasAuthorTerm: (term) => test(term, AUTHORS_FIELD_ID),
    hasTerm: inScope,
    hasPhrase: (phrase, scope) => {
      const inTitle = () => ` ${normalizeTitleKey(stored.title)} `.includes(phrase.key);
      if (scope === 'title') return inTitle();
      const words = phrase.words.every((w) => w.terms.some((t) => inScope(t, scope)));
      return scope === 'abstract' ? words : words && (inTitle() || phrase.words.every((w) => w.terms.some((t) => test(t, ABSTRACT_FIELD_ID))));
    },
  };
  return {
    at(docId, paper) {
      current = docId;
      stored = paper;
      subject.date = paper.date;
      subject.hasCode = paper.code === 1;
      return subject;
    },
  };
}
