import type MiniSearch from 'minisearch';
import SearchableMap from 'minisearch/SearchableMap';
import { UserFacingError } from '../errors.js';
import { normalizeTitleKey } from '../paper-id.js';
import type { Paper } from '../paper.js';
import { findAuthorNames } from './author-names.js';
import { createBm25Scorer, type Candidate, type CompactFields, type ScoreWork } from './bm25-scorer.js';
import { createCompactPostings } from './compact-postings.js';
import {
  abstractTerms,
  authorKeys,
  countAbstractTerms,
  distinctiveTerms,
  indexDocument,
  ABSTRACT_FIELD_ID,
  ALL_FIELD_IDS,
  AUTHORS_FIELD_ID,
  TITLE_FIELD_ID,
  type IndexDoc,
  type Stored,
} from './index-document.js';
import { documentFrequency, fieldFrequency, internals, postingCount } from './minisearch-internals.js';
import { createIndexSubject, hasFilters, matchesQuery } from './query-filter.js';
import { allWordsBits, planQuery, type Plan, type Vocabulary } from './query-plan.js';
import { parseQuery, type ParsedQuery } from './query.js';
import { isNameOnly, rerank, startsTitle, typedLetters, type CandidateDocs, type Typing } from './rerank.js';
import { hitOf, resort, type SearchHit, type SearchSort } from './search-hit.js';
import { emptyMiniSearch } from './snapshot-format.js';
import { isNameKey, tokenize } from './tokenize.js';
import { createGramSearch, GRAM_BUDGET, GRAM_QUERY_WORDS, letterMatch, titleGrams, titleLetters } from './title-grams.js';
import { createTopK } from './top-k.js';
import { yieldToEventLoop } from './yield-to-event-loop.js';

/**
 * The search index over the library: MiniSearch holding what it takes to find a paper, planned
 * queries on top of it, and a re-ranking of the best candidates.
 *
 * Goals: answers in a few milliseconds on 120k+ papers, typo tolerance, ids and URLs exact,
 * title-like queries land the paper first. Non-goals: full-text phrase search inside abstracts.
 *
 * One module per job, this one tying them together behind `PaperIndex`:
 *   index-document.ts   what is indexed (fields, tokenisation, author name keys)
 *   compact-postings.ts postings in typed arrays beside MiniSearch (whole abstracts, name keys)
 *   author-names.ts     author names inside a query (the author path)
 *   query.ts            the query language → ParsedQuery, within QUERY_LIMITS (length, words, phrases, filters)
 *   query-plan.ts       ParsedQuery → index terms to visit or probe, within QUERY_BUDGET (postings, expansions)
 *   query-filter.ts     what author:, cat:, dates and has:code mean (shared with topics)
 *   search-records.ts   the last word on phrases the index cannot decide, from the paper records
 *   bm25-scorer.ts      BM25 over postings, best candidates by partial selection
 *   rerank.ts           the final order of the best candidates
 *   search-hit.ts       what a result is, and re-sorting by date or upvotes
 *   top-k.ts            the k best of a sequence without sorting it (filter-only pages)
 *   snapshot-format.ts  what a snapshot holds (src/storage/index-snapshot.ts does the I/O)
 */

export type { SearchHit, SearchSort } from './search-hit.js';
export { ABSTRACT_TERMS, countAbstractTerms, PAPER_INDEX_OPTIONS, TITLE_FIELD_ID, type TermCounts } from './index-document.js';
export { emptyMiniSearch, SNAPSHOT_FORMAT } from './snapshot-format.js';
export { yieldToEventLoop } from './yield-to-event-loop.js';

export type SearchOptions = {
  /** Results per page, at most 100 (FILTER_ONLY_RESULTS with `all`). */
  limit?: number;
  offset?: number;
  sort?: SearchSort;
  /** Treat the last word as still being typed (autocomplete). Without it, only an unknown last word is completed. */
  prefix?: boolean;
  /** Every result in one page (the record check of search-records.ts reads them all). */
  all?: boolean;
};
/**
 * What answering cost, for tests and the benchmark: postings visited and looked up, papers
 * scanned by a filter-only query, candidates that passed, and how many of them were sorted;
 * `filterChecks`: postings lookups and title comparisons of exclusions, scoped items and
 * author: filters (at most FILTER_BUDGET.checks).
 */
export type SearchWork = ScoreWork & { papersScanned: number; filterChecks: number };
/** `query.notes` says what was left out of the query (words past the limit), for the renderer to show. */
export type SearchPage = { hits: SearchHit[]; total: number; query: ParsedQuery; work: SearchWork };

/** Results a query with words can be paged through: the re-ranked best candidates. */
const CANDIDATES = 100;
/**
 * Candidates re-ranked when a word of the query is misspelt (Plan.misspelt) and the query is not
 * read by its letters (it has a phrase or an author: filter, see readsByLetters): the titles'
 * words decide among more.
 */
const MISSPELT_CANDIDATES = 400;
/**
 * A query read by its letters: the GRAM_CANDIDATES titles sharing the most letter triples with
 * it, of which the GRAM_KEPT holding its words best join the scorer's CANDIDATES (dev split:
 * 300/30 finds what 500/60 does, and re-ranks 130 titles instead of 700).
 */
const GRAM_CANDIDATES = 300;
const GRAM_KEPT = 30;
/**
 * A gram match is a result only when its letters hold the typed words this well (letterMatch):
 * letters shared by chance must not turn a query of nonsense into a page of random titles.
 */
const GRAM_MIN_MATCH = 0.6;
/** …and each of its words of 4+ letters at least this well: one word matched perfectly must not carry a word of nonsense. */
const GRAM_MIN_WORD_MATCH = 0.4;
/**
 * Autocomplete: what has been typed is looked up as the start of titles once it has this many
 * letters, among the TITLE_START_CANDIDATES titles sharing the most of its letter triples, and
 * at most TITLE_START_KEPT of those that start with it join the candidates.
 */
const TITLE_START_MIN_LETTERS = 5;
const TITLE_START_CANDIDATES = 200;
const TITLE_START_KEPT = 25;
/** Postings a title-start lookup visits, rarest triples first (on every keystroke; 100k finds what 400k does on the dev split). */
const TITLE_START_POSTINGS = 100_000;
/**
 * Results a filter-only query can be paged through, newest (or most upvoted) first. Each page
 * still checks every paper against the filters, but sorts only what it shows.
 */
export const FILTER_ONLY_RESULTS = 1_000;
/**
 * The work of checking papers against a query's exclusions, scoped items and author: filters
 * (createIndexSubject's `checks`). A filter-only or exclusion-only query checks every paper of
 * the library, a dozen excluded phrases a dozen times each: over the budget the query is refused
 * rather than holding the event loop (a check costs 50–150 ns on the full corpus: ~0.1 s).
 */
export const FILTER_BUDGET = { checks: 1_000_000 } as const;
/** Distinct category strings whose split form is kept (the corpus has about two thousand). */
const MAX_CATEGORY_LISTS = 20_000;

export type PaperIndex = ReturnType<typeof wrapIndex>;

/** An empty index. */
export function createPaperIndex(): PaperIndex {
  return wrapIndex(emptyMiniSearch(), new SearchableMap<number>(), emptyCompactFields());
}

/** Empty compact postings for the abstract, the name keys and the title letters. */
export function emptyCompactFields(): CompactFields {
  return { abstract: createCompactPostings(), names: createCompactPostings(), grams: createCompactPostings() };
}

/**
 * How much an author's name in the query weighs against the other words (a name key is rare,
 * so its idf alone already makes it count about as much as a title word).
 */
const NAME_WEIGHT = 1.5;
/** Free words hold plan bits 0–23 (see query-plan.ts); a name takes the next free one. */
const FREE_WORD_POSITIONS = 24;

function wrapIndex(ms: MiniSearch<IndexDoc>, fuzzyVocabulary: SearchableMap<number>, compact: CompactFields) {
  const state = internals(ms);
  const scorer = createBm25Scorer(state, compact);
  const gramSearch = createGramSearch(compact.grams, () => ms.documentCount, () => state._nextId);
  // Name keys are only ever looked up by the author path and author: filters, never as words.
  const compactFrequency = (term: string) => compact.abstract.documentFrequency(term);
  const vocabulary: Vocabulary = {
    documentFrequency: (term) => Math.max(documentFrequency(ms, term), compactFrequency(term)),
    postingCount: (term) => postingCount(ms, term) + compactFrequency(term),
    fieldFrequency: (term, fieldId) =>
      fieldId === ABSTRACT_FIELD_ID
        ? compactFrequency(term)
        : fieldId === AUTHORS_FIELD_ID && isNameKey(term)
          ? compact.names.documentFrequency(term)
          : fieldFrequency(ms, term, fieldId),
    indexTermsWithPrefix: (prefix) => mapKeys(state._index.atPrefix(prefix)),
    titleTermsWithPrefix: (prefix) => sharedTitleTerms(fuzzyVocabulary.atPrefix(prefix)),
    titleFrequency: (term) => fieldFrequency(ms, term, TITLE_FIELD_ID),
    titleTermsNear: (term, maxDistance, keepFirst = false) => {
      // With the first letter kept, only its subtree is searched (keys come back without it).
      const [first, map, rest] = keepFirst ? [term[0]!, fuzzyVocabulary.atPrefix(term[0]!), term.slice(1)] : ['', fuzzyVocabulary, term];
      return [...map.fuzzyGet(rest, maxDistance)].map(([t, [papers, distance]]) => [first + t, papers, distance] as [string, number, number]);
    },
    shareTitle: (a, b, budget) => {
      const x = state._index.get(a)?.get(TITLE_FIELD_ID);
      const y = state._index.get(b)?.get(TITLE_FIELD_ID);
      if (!x || !y) return false;
      const [small, large] = x.size <= y.size ? [x, y] : [y, x];
      for (const shortId of small.keys()) {
        if (budget.left-- <= 0) return false;
        if (large.has(shortId)) return true;
      }
      return false;
    },
  };
  const candidateDocs: CandidateDocs = {
    idOf: (shortId) => state._documentIds.get(shortId)!,
    storedOf: (shortId) => state._storedFields.get(shortId) as Stored,
  };

  /**
   * Keep the fuzzy vocabulary (every title term, with its number of live papers) current after
   * adding a title (+1) or discarding one (-1). A single paper's title terms are in it: on a small
   * library most title words occur once, and a typo in one of them must still find the paper. A
   * term no live title holds any more leaves it, or typos would be corrected toward a word that
   * finds nothing. The counts are those a snapshot derives from the live title postings.
   */
  function noteTitleTerms(title: string, delta: 1 | -1): void {
    for (const term of new Set(tokenize(title))) {
      const papers = (fuzzyVocabulary.get(term) ?? 0) + delta;
      if (papers > 0) fuzzyVocabulary.set(term, papers);
      else fuzzyVocabulary.delete(term);
    }
  }

  /** Add or replace papers. */
  function addAll(papers: readonly Paper[]): void {
    for (const paper of papers) {
      discard(paper.id);
      ms.add(indexDocument(paper));
      const shortId = state._idToShortId.get(paper.id)!;
      compact.abstract.add(shortId, abstractTerms(paper));
      compact.names.add(shortId, authorKeys(paper));
      compact.grams.add(shortId, titleGrams(paper.title));
      scorer.noteLengths(shortId);
      noteTitleTerms(paper.title, 1);
    }
  }

  function discard(id: string): void {
    const shortId = state._idToShortId.get(id);
    if (shortId === undefined) return;
    const title = (state._storedFields.get(shortId) as Stored | undefined)?.title;
    if (title !== undefined) noteTitleTerms(title, -1);
    scorer.forget(id);
    compact.abstract.remove(shortId);
    compact.names.remove(shortId);
    compact.grams.remove(shortId);
    ms.discard(id);
  }

  function remove(ids: readonly string[]): void {
    for (const id of ids) discard(id);
  }

  /**
   * Room for a whole library's postings of a compact field, from a count pass (buildPaperIndex):
   * grown one paper at a time, a term's block would move to the pool's end a dozen times,
   * leaving the old blocks as gaps (the pool ending ~3× its size).
   */
  function reserve(field: 'abstract' | 'grams', counts: ReadonlyMap<string, number>): void {
    let total = 0;
    for (const [, n] of counts) total += n;
    compact[field].expect(total + (total >> 4));
    for (const [term, n] of counts) compact[field].reserve(term, n);
  }

  function stored(id: string): Stored | undefined {
    return ms.getStoredFields(id) as Stored | undefined;
  }

  // Papers share a few thousand category strings ("cs.CL cs.LG"): each is split once.
  const categoryLists = new Map<string, readonly string[]>();
  function categoriesOf(text: string): readonly string[] {
    let list = categoryLists.get(text);
    if (!list) {
      if (categoryLists.size >= MAX_CATEGORY_LISTS) categoryLists.clear();
      list = text ? text.split(' ') : [];
      categoryLists.set(text, list);
    }
    return list;
  }

  /**
   * The query's filters as a predicate over indexed papers (by short id, with their stored fields
   * when the caller has them); undefined without filters. A filter-only query runs it on every
   * paper, so it allocates nothing per paper: one subject is refilled, and the author postings
   * are found once per query (a lookup in MiniSearch's radix tree costs far more than in a Map).
   */
  function acceptFor(q: ParsedQuery, work: SearchWork): ((shortId: number, stored?: Stored) => boolean) | undefined {
    if (!hasFilters(q)) return undefined;
    // Exclusions, title:/abstract: and filters (query-filter.ts, shared with topics); free words rank.
    const subject = createIndexSubject(scorer.termTest, categoriesOf);
    return (shortId, stored) => {
      const s = stored ?? (state._storedFields.get(shortId) as Stored | undefined);
      // Over the budget every paper fails (the scorer must finish its pass to reset its
      // accumulators), and search refuses the query afterwards (assertWithinBudget).
      if (subject.checks > FILTER_BUDGET.checks) return false;
      const ok = s !== undefined && matchesQuery(subject.at(shortId, s), q, 'search');
      work.filterChecks = subject.checks;
      return ok;
    };
  }

  function assertWithinBudget(work: SearchWork): void {
    if (work.filterChecks <= FILTER_BUDGET.checks) return;
    throw new UserFacingError(
      'That query asks Paperboy to check too many papers against its exclusions.',
      'Add a word to search for or a narrower filter (`cat:cs.CV`, `after:2025-01`), or leave out fewer items.',
    );
  }

  /**
   * Filters alone ("cat:cs.CL after:2025-06"): the first `depth` papers that pass, newest first
   * (most upvoted first for sort: upvotes, then newest), ties in index order, and how many pass.
   */
  function filterOnly(accept: (shortId: number, stored: Stored) => boolean, sort: SearchSort, depth: number, work: SearchWork) {
    type Match = { shortId: number; seq: number; s: Stored };
    const newer = (a: Match, b: Match) => (a.s.date !== b.s.date ? a.s.date > b.s.date : a.seq < b.seq);
    const better =
      sort === 'upvotes' ? (a: Match, b: Match) => (a.s.upvotes !== b.s.upvotes ? a.s.upvotes > b.s.upvotes : newer(a, b)) : newer;
    const top = createTopK(depth, better);
    let matched = 0;
    for (const [shortId, s] of state._storedFields) {
      if (work.filterChecks > FILTER_BUDGET.checks) break;
      work.papersScanned++;
      if (!s || !accept(shortId, s as Stored)) continue;
      top.offer({ shortId, seq: matched++, s: s as Stored });
    }
    const best = top.result();
    work.candidates = matched;
    work.candidatesSorted = best.length;
    return { hits: best.map((m) => hitOf(state._documentIds.get(m.shortId)!, 0, m.s)), matched };
  }

  /**
   * The plan of a query whose author names (see author-names.ts) take the author path: their
   * words leave the planner, which would match them as title words and typo-correct them, and
   * each name is one word of the plan that looks up its name key in the authors field.
   */
  function planWithNames(q: ParsedQuery, prefix: boolean): Plan {
    const names = findAuthorNames(q.words, (key) => compact.names.documentFrequency(key) > 0);
    if (names.length === 0) return planQuery(vocabulary, q, prefix);
    const taken = new Set(names.flatMap((n) => n.words));
    const words = q.words.filter((_, i) => !taken.has(i));
    const lastTaken = taken.has(q.words.length - 1);
    const p = planQuery(vocabulary, { ...q, words, lastWordIsPrefix: q.lastWordIsPrefix && !lastTaken }, prefix);
    names.forEach((name, k) => {
      const position = p.words.length;
      if (position >= FREE_WORD_POSITIONS) return;
      const bit = 1 << position;
      const index = words.length + k;
      const cost = compact.names.documentFrequency(name.key);
      p.words.push({ index, bit, expansions: [{ term: name.key, weight: NAME_WEIGHT, word: index }], cost });
      p.leaves.push({ term: name.key, weight: NAME_WEIGHT, bit, fields: [AUTHORS_FIELD_ID] });
    });
    return p;
  }

  function search(input: string, options: SearchOptions = {}): SearchPage {
    const q = parseQuery(input);
    const limit = Math.max(1, Math.min(options.limit ?? 10, options.all ? FILTER_ONLY_RESULTS : 100));
    const offset = Math.max(0, options.offset ?? 0);
    const work: SearchWork = { postingsVisited: 0, probes: 0, papersScanned: 0, candidates: 0, candidatesSorted: 0, filterChecks: 0 };
    const filter = acceptFor(q, work);

    const exact: SearchHit[] = [];
    for (const id of q.ids) {
      const s = stored(id);
      if (s && (!filter || filter(state._idToShortId.get(id)!))) exact.push(hitOf(id, Number.MAX_SAFE_INTEGER, s));
    }
    const p = planWithNames(q, options.prefix ?? false);
    const byLetters = readsByLetters(q, p, (options.prefix ?? false) && q.lastWordIsPrefix);
    if (p.leaves.length > 0 || byLetters) {
      // An author's papers are all relevant and listed newest first, so all of them are candidates
      // (a name key's postings: at most a few thousand).
      const found = scorer.score(p, filter, isNameOnly(q, p) ? FILTER_ONLY_RESULTS : byLetters ? CANDIDATES : p.misspelt ? MISSPELT_CANDIDATES : CANDIDATES);
      // The filter counts its checks into `work`, so the scorer's counts are added, not swapped in.
      Object.assign(work, found.work, { papersScanned: 0 });
      // Autocomplete: what has been typed is the start of a title, also when its last word is
      // complete (a stopword, which is never completed: "from governance no").
      const typing = options.prefix ? { open: /[\p{L}\p{N}]$/u.test(input) } : undefined;
      let candidates = byLetters ? withGramMatches(p, found.top, filter, work) : found.top;
      if (typing) candidates = withTitleStarts(q, candidates, filter, work, typing);
      assertWithinBudget(work);
      const reranked = rerank(q, p, candidates, typing, candidateDocs, byLetters);
      const ranked = isNameOnly(q, p) ? reranked : allWordsFirst(p, found.top, reranked);
      const exactIds = new Set(exact.map((h) => h.id));
      let hits = [...exact, ...ranked.filter((h) => !exactIds.has(h.id))];
      if (options.sort && options.sort !== 'relevance' && hits.length > 0) hits = resort(hits, options.sort, exact.length);
      // `total` counts what can be paged to: the re-ranked candidates.
      return { hits: hits.slice(offset, offset + limit), total: hits.length, query: q, work };
    }
    if (filter && exact.length === 0) {
      const depth = Math.min(offset + limit, FILTER_ONLY_RESULTS);
      const found = filterOnly(filter, options.sort ?? 'newest', depth, work);
      assertWithinBudget(work);
      return { hits: found.hits.slice(offset, offset + limit), total: Math.min(found.matched, FILTER_ONLY_RESULTS), query: q, work };
    }
    return { hits: exact.slice(offset, offset + limit), total: exact.length, query: q, work };
  }

  /**
   * Whether the query holds a word the index does not know as typed (4+ letters, only typo
   * readings or none): then titles are also found and compared by their letters (title-grams.ts),
   * which survive typos in every word and words run together or split. Not for author names or
   * queries with phrases or author: filters (gram matches would skip what those require), nor
   * for long queries (a pasted title with typos has words enough for the usual path).
   */
  function readsByLetters(q: ParsedQuery, p: Plan, typing: boolean): boolean {
    if (isNameOnly(q, p) || p.required.length > 0 || p.words.length > GRAM_QUERY_WORDS) return false;
    // A word still being typed is unknown because it is half a word, not because it is misspelt.
    return p.words.some(
      (w) => w.typed !== undefined && w.typed.length >= 4 && !(typing && w.index === p.prefixWord) && !w.expansions.some((e) => e.weight === 1),
    );
  }

  /**
   * The scorer's candidates and the gram matches it did not find (no score, no words matched):
   * of the GRAM_CANDIDATES best by shared letter triples, the GRAM_KEPT whose letters hold the
   * typed words best (letterMatch; ~5 µs a title), so re-ranking reads a few dozen more titles,
   * not hundreds. A match must hold the words well overall and each longer word fairly well.
   */
  function withGramMatches(p: Plan, top: readonly Candidate[], filter: ((shortId: number) => boolean) | undefined, work: SearchWork): Candidate[] {
    const words = typedLetters(p);
    if (words.length === 0) return [...top];
    return addGramMatches(top, words, GRAM_CANDIDATES, GRAM_BUDGET.postings, filter, work, (shortIds) =>
      shortIds
        .map((shortId) => ({ shortId, ...letterMatch(words, titleLetters(candidateDocs.storedOf(shortId).title)) }))
        .filter(({ match, weakest }) => match >= GRAM_MIN_MATCH && weakest >= GRAM_MIN_WORD_MATCH)
        .sort((a, b) => b.match - a.match)
        .slice(0, GRAM_KEPT)
        .map(({ shortId }) => shortId),
    );
  }

  /**
   * While a title is being typed (autocomplete), the titles that start with what has been typed,
   * found by its letter triples (title-grams.ts) and checked letter for letter: BM25 ranks a long
   * title low for "From Gover", and the 100 candidates it keeps need not hold it.
   */
  function withTitleStarts(
    q: ParsedQuery,
    top: readonly Candidate[],
    filter: ((shortId: number) => boolean) | undefined,
    work: SearchWork,
    typing: Typing,
  ): Candidate[] {
    const key = normalizeTitleKey(q.text);
    const letters = key.replaceAll(' ', '');
    if (letters.length < TITLE_START_MIN_LETTERS) return [...top];
    return addGramMatches(top, [letters], TITLE_START_CANDIDATES, TITLE_START_POSTINGS, filter, work, (shortIds) =>
      shortIds.filter((shortId) => startsTitle(normalizeTitleKey(candidateDocs.storedOf(shortId).title), key, typing)).slice(0, TITLE_START_KEPT),
    );
  }

  /**
   * `top` and the gram matches `choose` keeps of the `limit` best for `letters` that it lacks,
   * added with no score and no words matched; the postings visited count in `work`.
   */
  function addGramMatches(
    top: readonly Candidate[],
    letters: readonly string[],
    limit: number,
    postings: number,
    filter: ((shortId: number) => boolean) | undefined,
    work: SearchWork,
    choose: (shortIds: number[]) => number[],
  ): Candidate[] {
    const found = gramSearch(letters, limit, filter, postings);
    work.postingsVisited += found.postingsVisited;
    const have = new Set(top.map((c) => c.shortId));
    const extra = choose(found.shortIds.filter((shortId) => !have.has(shortId)));
    return [...top, ...extra.map((shortId) => ({ shortId, score: 0, bits: 0 }))];
  }

  /** Papers holding every word of the query before the others (see allWordsBits), each part in re-ranked order. */
  function allWordsFirst(p: Plan, top: readonly { shortId: number; bits: number }[], ranked: SearchHit[]): SearchHit[] {
    const all = allWordsBits(p);
    if (all === 0) return ranked;
    const full = new Set<string>();
    for (const c of top) if ((c.bits & all) === all) full.add(state._documentIds.get(c.shortId)!);
    if (full.size === 0 || full.size === ranked.length) return ranked;
    return [...ranked.filter((h) => full.has(h.id)), ...ranked.filter((h) => !full.has(h.id))];
  }

  /** Up to `limit` title suggestions for what has been typed so far (autocomplete). */
  function suggest(prefix: string, limit = 25): { id: string; title: string }[] {
    if (!prefix.trim()) return [];
    try {
      return search(prefix, { limit: Math.min(limit, 25), prefix: true }).hits.map(({ id, title }) => ({ id, title }));
    } catch {
      return []; // half-typed filters ("after:20") are normal while typing
    }
  }

  /** Papers like this one: its title and most distinctive abstract terms as a query. */
  function similar(paper: Paper, limit = 10): SearchHit[] {
    const total = Math.max(ms.documentCount, 1);
    const terms = new Set([
      ...tokenize(paper.title),
      ...distinctiveTerms(paper.abstract, (t) => vocabulary.documentFrequency(t) + 1, total).slice(0, 12),
    ]);
    // Every term a word of its own (the scorer multiplies by the words a paper matches), scored
    // over every field as MiniSearch's OR query did, the abstract included.
    const known = [...terms].filter((t) => vocabulary.documentFrequency(t) > 0).slice(0, FREE_WORD_POSITIONS);
    if (known.length === 0) return [];
    const leaves = known.map((term, i) => ({ term, weight: 1, bit: 1 << i, fields: ALL_FIELD_IDS }));
    const self = state._idToShortId.get(paper.id);
    const found = scorer.score({ leaves, probes: [], required: [], words: [] }, (shortId) => shortId !== self, limit);
    return found.top.map((c) => hitOf(state._documentIds.get(c.shortId)!, c.score, state._storedFields.get(c.shortId) as Stored));
  }

  return {
    addAll,
    remove,
    search,
    suggest,
    similar,
    has: (id: string) => ms.has(id),
    get size() {
      return ms.documentCount;
    },
    /** Title and dates of an indexed paper, without a storage round trip. */
    summary(id: string): SearchHit | undefined {
      const s = stored(id);
      return s ? hitOf(id, 0, s) : undefined;
    },
    /** @internal for snapshots */
    miniSearch: ms,
    /** @internal for snapshots */
    fuzzyVocabulary,
    /** @internal for snapshots */
    primeLengths: scorer.primeLengths,
    /** @internal for snapshots and the memory benchmark */
    compact,
    /** @internal for buildPaperIndex */
    reserve,
  };
}

function* mapKeys<K>(entries: Iterable<[K, unknown]>): Generator<K> {
  for (const [key] of entries) yield key;
}

/**
 * Title terms of two or more papers: short prefixes complete from these, since the scan of
 * completions is capped and one-paper terms (names, typos in titles) would crowd out words.
 */
function* sharedTitleTerms(entries: Iterable<[string, number]>): Generator<string> {
  for (const [key, papers] of entries) if (papers >= 2) yield key;
}

/**
 * An index assembled from snapshot parts (see src/storage/index-snapshot.ts). The fuzzy
 * vocabulary is derived from the title postings rather than stored.
 */
export async function indexFromMiniSearch(
  ms: MiniSearch<IndexDoc>,
  vocabulary: SearchableMap<number>,
  compact: CompactFields,
): Promise<PaperIndex> {
  const index = wrapIndex(ms, vocabulary, compact);
  await index.primeLengths();
  return index;
}

/**
 * Build an index from scratch over every paper `batches()` yields, in two passes: the first
 * counts abstract terms and title letter triples over the whole library so their compact
 * postings are allocated once at their exact size (growing the pool as papers arrive copied it a
 * dozen times), the second indexes. Yields to the event loop between slices so a bot building
 * its index keeps heartbeating.
 */
export async function buildPaperIndex(
  batches: () => AsyncIterable<readonly Paper[]>,
  onProgress?: (done: number, pass: 'count' | 'index') => void,
): Promise<PaperIndex> {
  const counts = new Map<string, number>();
  const gramCounts = new Map<string, number>();
  let documents = 0;
  for await (const batch of batches()) {
    for (const slice of slices(batch, 500)) {
      countAbstractTerms(slice, counts);
      for (const paper of slice) for (const gram of new Set(titleGrams(paper.title))) gramCounts.set(gram, (gramCounts.get(gram) ?? 0) + 1);
      documents += slice.length;
      onProgress?.(documents, 'count');
      await yieldToEventLoop();
    }
  }
  const index = createPaperIndex();
  index.reserve('abstract', counts);
  index.reserve('grams', gramCounts);
  counts.clear();
  gramCounts.clear();
  let done = 0;
  for await (const batch of batches()) {
    for (const slice of slices(batch, 250)) {
      index.addAll(slice);
      done += slice.length;
      onProgress?.(done, 'index');
      await yieldToEventLoop();
    }
  }
  return index;
}

function* slices<T>(items: readonly T[], size: number): Generator<readonly T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
