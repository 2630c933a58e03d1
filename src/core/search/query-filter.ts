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
  /**
   * Whether a phrase (its words, each by any of its terms, and its normalised `key`) occurs there.
   * `unsure` is the answer when the subject cannot tell (the index keeps no word positions in
   * abstracts): the answer that keeps the paper, so search's check is never stricter than a
   * topic's, and the check against the paper record (search-records.ts) decides. Default true.
   */
  hasPhrase(phrase: Extract<MatchNode, { kind: 'phrase' }>, scope: MatchScope, unsure?: boolean): boolean;
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
      return needsCheck(node.node, true);
    default:
      return node.nodes.some((n) => needsCheck(n, excluded));
  }
}

/** Whether a paper satisfies the query (see the modes above). */
export function matchesQuery(paper: FilterSubject, q: Pick<ParsedQuery, 'match'>, mode: MatchMode): boolean {
  return holds(q.match, paper, mode, false, false);
}

/**
 * Whether the phrases the index cannot decide (a phrase that may sit in an abstract, which the
 * index keeps without word positions) take part in the query's check: then search's answer is a
 * superset, and the paper records decide (search-records.ts).
 */
export function needsRecordCheck(q: Pick<ParsedQuery, 'match'>): boolean {
  const visit = (node: MatchNode, negated: boolean): boolean => {
    switch (node.kind) {
      case 'phrase':
        return node.scope !== 'title' && (negated || node.scope !== 'any');
      case 'word':
      case 'filter':
        return false;
      case 'not':
        return visit(node.node, true);
      default:
        return node.nodes.some((n) => visit(n, negated));
    }
  };
  return visit(q.match, false);
}

/**
 * `excluded`: under an odd number of `-` (a match there leaves the paper out); `negated`: under
 * any `-`. Search leaves free words and phrases to ranking only outside every exclusion: in
 * `-(title:diffusion -image)` "image" decides what is left out, as it does for a topic.
 */
function holds(node: MatchNode, paper: FilterSubject, mode: MatchMode, excluded: boolean, negated: boolean): boolean {
  switch (node.kind) {
    case 'word':
      if (mode === 'search' && !negated && node.scope === 'any') return true;
      // A stopword narrows nothing ("the" is in no index); excluded or scoped items always have terms.
      return node.word.terms.length === 0 || node.word.terms.some((t) => paper.hasTerm(t, node.scope));
    case 'phrase':
      if (mode === 'search' && !negated && node.scope === 'any') return true;
      return paper.hasPhrase(node, node.scope, !excluded);
    case 'filter':
      return matchesFilters(paper, node.filters);
    case 'not':
      return !holds(node.node, paper, mode, !excluded, true);
    case 'all':
      return node.nodes.every((n) => holds(n, paper, mode, excluded, negated));
    case 'any':
      return node.nodes.some((n) => holds(n, paper, mode, excluded, negated));
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
  return q.match.nodes.filter((n) => !holds(n, paper, 'exact', false, false)).map((n) => ({ item: n.text, reason: failureReason(n, paper) }));
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
      const failed = node.nodes.find((n) => !holds(n, paper, 'exact', false, false));
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
 * index's postings (`termTest`, found once per term and query); a phrase's words are looked up
 * first, and only a paper holding all of them has its stored title normalised (once per paper)
 * to look for the phrase. In an abstract the index keeps no word positions: a phrase whose words
 * are all there is `unsure` (see FilterSubject.hasPhrase). `checks` counts the postings lookups
 * and title comparisons, the work a scan's budget bounds (paper-index.ts).
 */
export function createIndexSubject(
  termTest: (term: string, fieldId: number) => (docId: number) => boolean,
  splitCategories: (text: string) => readonly string[],
): { at(docId: number, stored: IndexedPaper): FilterSubject; readonly checks: number } {
  // term → its postings test per field id, found once per query (no key built per paper).
  const tests = new Map<string, ((docId: number) => boolean)[]>();
  let checks = 0;
  const test = (term: string, fieldId: number) => {
    let byField = tests.get(term);
    if (!byField) tests.set(term, (byField = []));
    const t = (byField[fieldId] ??= termTest(term, fieldId));
    checks++;
    return t(current);
  };
  let titleText: string | undefined;
  const titleHas = (key: string) => {
    checks++;
    titleText ??= ` ${normalizeTitleKey(stored.title)} `;
    return titleText.includes(key);
  };
  // Numbers are not in the abstract postings (abstractTerms in index-document.ts): there, unknown.
  const allWords = (phrase: Extract<MatchNode, { kind: 'phrase' }>, fieldId: number) =>
    phrase.words.every((w) => w.terms.some((t) => (fieldId === ABSTRACT_FIELD_ID && /^\d+$/.test(t)) || test(t, fieldId)));
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
    hasPhrase: (phrase, scope, unsure = true) => {
      if (scope !== 'abstract' && allWords(phrase, TITLE_FIELD_ID) && titleHas(phrase.key)) return true;
      if (scope === 'title') return false;
      return allWords(phrase, ABSTRACT_FIELD_ID) ? unsure : false;
    },
  };
  return {
    at(docId, paper) {
      current = docId;
      stored = paper;
      titleText = undefined;
      subject.date = paper.date;
      subject.hasCode = paper.code === 1;
      return subject;
    },
    get checks() {
      return checks;
    },
  };
}
