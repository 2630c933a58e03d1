import MiniSearch, { type Query } from 'minisearch';
import SearchableMap from 'minisearch/SearchableMap';
import type { Paper } from '../paper.js';
import { normalizeTitleKey } from '../paper-id.js';
import { documentFrequency, fieldFrequency, internals, postingCount } from './minisearch-internals.js';
import { dateNumber, parseQuery, type ParsedQuery } from './query.js';
import { nameTerms, tokenize, type QueryWord } from './tokenize.js';

/**
 * The search index over the library: MiniSearch holding what it takes to find a paper, planned
 * queries on top of it, and a re-ranking of the best candidates.
 *
 * Goals: answers in a few milliseconds on 120k+ papers, typo tolerance, ids and URLs exact,
 * title-like queries land the paper first. Non-goals: full-text phrase search inside abstracts.
 *
 * What the index holds, and why (measured on the 122,860-paper corpus; see bench/):
 * - title: every term. Most queries are (parts of) titles.
 * - abstract: only the ABSTRACT_TERMS most distinctive terms of each abstract (tf·idf, among
 *   terms that occur in at least one other paper). Indexing whole abstracts costs ~900 MB of
 *   heap and turns every common word into a 60k-posting list; the distinctive terms are what
 *   people remember of an abstract.
 * - authors: surnames (given names are shared by thousands of authors and double the postings).
 * - categories, keywords (Hugging Face ai_keywords).
 */

export const ABSTRACT_TERMS = 24;

const FIELDS = ['title', 'abstract', 'authors', 'categories', 'keywords'] as const;
type Field = (typeof FIELDS)[number];
// MiniSearch numbers fields in the order given.
const TITLE_FIELD_ID = 0;
const AUTHORS_FIELD_ID = 2;
const ALL_FIELD_IDS: readonly number[] = FIELDS.map((_, i) => i);
/** MiniSearch's BM25+ defaults; our scorer uses the same. */
const BM25 = { k: 1.2, b: 0.7, d: 0.5 } as const;

/** The document MiniSearch sees. Pre-tokenised fields hold terms joined by single spaces. */
type IndexDoc = {
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

type Stored = { title: string; date: number; upvotes: number; categories: string; code: number };

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
    // Query terms are planned and normalised by this module; MiniSearch must take them verbatim.
    tokenize: (text: string) => [text],
    processTerm: (term: string) => term,
  },
};

export const SNAPSHOT_FORMAT = 'paperboy-index/2';

/** Field weights: a title hit says more than a surname, which says more than an abstract term. */
const BOOST: Record<Field, number> = { title: 3, authors: 2, abstract: 1, categories: 1, keywords: 1.5 };
const FIELD_BOOST: readonly number[] = FIELDS.map((f) => BOOST[f]);

export type SearchSort = 'relevance' | 'newest' | 'upvotes';

export type SearchHit = {
  id: string;
  title: string;
  score: number;
  /** yyyy-mm-dd, when known. */
  published?: string;
  upvotes?: number;
};

export type SearchOptions = {
  limit?: number;
  offset?: number;
  sort?: SearchSort;
  /** Treat the last word as still being typed (autocomplete). Without it, only an unknown last word is completed. */
  prefix?: boolean;
};
export type SearchPage = { hits: SearchHit[]; total: number; query: ParsedQuery };

type Expansion = { term: string; weight: number; word: number };

const CANDIDATES = 100;
/** Re-ranking weights (tuned with `npm run bench` on the corpus query set). */
const COVERAGE_WEIGHT = 2;
const TITLE_WEIGHT = 0.5;
/** Postings scored per query before the most common words leave retrieval (see plan()). */
const POSTINGS_BUDGET = 25_000;
const MAX_FUZZY_WORDS = 10;
const MAX_PREFIX_EXPANSIONS = 12;

export type PaperIndex = ReturnType<typeof wrapIndex>;

/** An empty index. */
export function createPaperIndex(): PaperIndex {
  return wrapIndex(new MiniSearch<IndexDoc>(PAPER_INDEX_OPTIONS), new SearchableMap<number>());
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

function wrapIndex(ms: MiniSearch<IndexDoc>, fuzzyVocabulary: SearchableMap<number>) {
  const state = internals(ms);

  function toDoc(paper: Paper, df: (term: string) => number, total: number): IndexDoc {
    return {
      id: paper.id,
      title: paper.title,
      abstract: distinctiveTerms(paper.abstract, df, total).join(' '),
      authors: [...new Set(paper.authors.flatMap((name) => nameTerms(surname(name))))].join(' '),
      categories: paper.categories.map((c) => c.toLowerCase()).join(' '),
      keywords: paper.keywords.join(' '),
      date: dateNumber(paper.published) ?? 0,
      upvotes: paper.upvotes ?? 0,
      code: paper.links.code ? 1 : 0,
    };
  }

  /** Keep the fuzzy vocabulary (title terms of at least two papers) current after adding titles. */
  function noteTitleTerms(title: string): void {
    for (const term of new Set(tokenize(title))) {
      const n = fieldFrequency(ms, term, TITLE_FIELD_ID);
      if (n >= 2) fuzzyVocabulary.set(term, n);
    }
  }

  /**
   * Add or replace papers. `counts`, when given, holds exact abstract term counts over the whole
   * library (bulk build); otherwise the batch and the index provide them.
   */
  function addAll(papers: readonly Paper[], counts?: TermCounts): void {
    const batchCounts = counts ? undefined : countAbstractTerms(papers);
    const total = counts ? counts.documents : ms.documentCount + papers.length;
    const df = counts
      ? (term: string) => counts.get(term) ?? 0
      : (term: string) => (batchCounts!.get(term) ?? 0) + documentFrequency(ms, term);
    for (const paper of papers) {
      if (ms.has(paper.id)) {
        forget(paper.id);
        ms.discard(paper.id);
      }
      ms.add(toDoc(paper, df, total));
      noteLengths(state._idToShortId.get(paper.id)!);
      noteTitleTerms(paper.title);
    }
  }

  function remove(ids: readonly string[]): void {
    for (const id of ids) {
      if (!ms.has(id)) continue;
      forget(id);
      ms.discard(id);
    }
  }

  function stored(id: string): Stored | undefined {
    return ms.getStoredFields(id) as Stored | undefined;
  }

  function hitOf(id: string, score: number, s: Stored): SearchHit {
    const hit: SearchHit = { id, title: s.title, score };
    if (s.date) hit.published = dateString(s.date);
    if (s.upvotes) hit.upvotes = s.upvotes;
    return hit;
  }

  // ---- query planning -------------------------------------------------------------------

  function expandWord(word: QueryWord, index: number, asPrefix: boolean, fuzzyBudget: { left: number }): Expansion[] {
    const out: Expansion[] = [];
    for (const term of word.terms) if (documentFrequency(ms, term) > 0) out.push({ term, weight: 1, word: index });
    // Surnames are indexed unstemmed ("Vlachos", not "vlacho"), so also try the word as typed.
    if (!word.terms.includes(word.word) && word.word.length >= 2 && documentFrequency(ms, word.word) > 0) {
      out.push({ term: word.word, weight: 1, word: index });
    }
    const primary = word.terms[0];
    if (!primary) return out;
    if (asPrefix) {
      for (const e of prefixExpansions(primary)) out.push({ ...e, word: index });
    }
    // A word is treated as a typo when the index hardly knows it. Correction looks only at
    // title terms shared by two or more papers: that vocabulary is ~30k terms, small enough
    // to search with edit distance 2 in about a millisecond.
    const df = documentFrequency(ms, primary);
    if (primary.length >= 4 && df <= 2 && fuzzyBudget.left > 0 && !/^\d+$/.test(primary)) {
      fuzzyBudget.left -= 1;
      const maxDistance = primary.length >= 8 ? 2 : 1;
      const found = [...fuzzyVocabulary.fuzzyGet(primary, maxDistance)]
        .filter(([term, [, distance]]) => distance > 0 && term !== primary)
        .sort((a, b) => a[1][1] - b[1][1] || b[1][0] - a[1][0])
        .slice(0, 3);
      for (const [term, [, distance]] of found) out.push({ term, weight: distance === 1 ? 0.75 : 0.55, word: index });
    }
    return out;
  }

  function prefixExpansions(prefix: string): { term: string; weight: number }[] {
    if (prefix.length < 2) return [];
    // Short prefixes fan out into thousands of terms: complete those from the (small) title
    // vocabulary, longer ones from the whole index.
    const source = prefix.length >= 4 ? state._index : fuzzyVocabulary;
    const found: { term: string; df: number }[] = [];
    let seen = 0;
    for (const [term] of source.atPrefix(prefix)) {
      if (term === prefix) continue;
      if (++seen > 2000) break;
      found.push({ term, df: documentFrequency(ms, term) });
    }
    found.sort((a, b) => b.df - a.df);
    return found
      .slice(0, MAX_PREFIX_EXPANSIONS)
      .map(({ term }) => ({ term, weight: 0.8 * (prefix.length / (prefix.length + 0.3 * (term.length - prefix.length))) }));
  }

  function leaf(e: Expansion, fields?: Field[]): Query {
    const boost: Record<string, number> = {};
    for (const f of fields ?? FIELDS) boost[f] = BOOST[f] * e.weight;
    return { queries: [e.term], boost, ...(fields ? { fields } : {}) } as unknown as Query;
  }

  function buildFilter(q: ParsedQuery): ((s: Stored) => boolean) | undefined {
    const conditions: ((s: Stored) => boolean)[] = [];
    if (q.after !== undefined) conditions.push((s) => s.date >= q.after!);
    if (q.before !== undefined) conditions.push((s) => s.date > 0 && s.date < q.before!);
    if (q.hasCode) conditions.push((s) => s.code === 1);
    if (q.categories.length > 0) {
      conditions.push((s) =>
        q.categories.every((c) => s.categories.split(' ').some((have) => have === c || have.startsWith(`${c}.`))),
      );
    }
    if (conditions.length === 0) return undefined;
    return (s) => conditions.every((c) => c(s));
  }

  type PlannedWord = { index: number; expansions: Expansion[]; cost: number };
  type Leaf = { term: string; weight: number; bit: number; fields: readonly number[] };
  type Plan = { leaves: Leaf[]; required: number; words: PlannedWord[] };

  function plan(q: ParsedQuery, prefix: boolean): Plan {
    const fuzzyBudget = { left: MAX_FUZZY_WORDS };
    const content = q.words.map((w, i) => ({ w, i })).filter(({ w }) => w.terms.length > 0);
    // A query of nothing but stopwords ("the who") searches them as plain words.
    const typed = content.length > 0 ? content : q.words.map((w, i) => ({ w: { word: w.word, terms: [w.word] }, i }));
    const lastIndex = q.words.length - 1;
    const words: PlannedWord[] = typed.map(({ w, i }) => {
      const last = q.lastWordIsPrefix && i === lastIndex && (prefix || documentFrequency(ms, w.terms[0] ?? '') === 0);
      const expansions = expandWord(w, i, last, fuzzyBudget);
      return { index: i, expansions, cost: expansions.reduce((n, e) => n + postingCount(ms, e.term), 0) };
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

  // ---- ranking ----------------------------------------------------------------------------

  // Per-document accumulators, reused across queries (the bot answers one query at a time on
  // one thread) and reset only where a query touched them.
  let scores = new Float64Array(0);
  let bits = new Uint32Array(0);

  // Field lengths copied out of MiniSearch's per-document arrays into one flat typed array, with
  // 0 for "not live". Scoring reads a length per posting; MiniSearch keeps each document's
  // lengths in its own heap object behind a Map, and chasing those cost ~500 ns a posting in
  // cache misses, this array ~50 ns.
  let flatLengths = new Uint16Array(0);
  let live = new Uint8Array(0);

  function ensureCapacity(size: number): void {
    if (live.length >= size) return;
    const capacity = Math.max(size, Math.ceil(live.length * 1.5), 1024);
    const grownLengths = new Uint16Array(capacity * FIELDS.length);
    grownLengths.set(flatLengths);
    flatLengths = grownLengths;
    const grownLive = new Uint8Array(capacity);
    grownLive.set(live);
    live = grownLive;
  }

  function noteLengths(shortId: number): void {
    ensureCapacity(shortId + 1);
    const lengths = state._fieldLength.get(shortId);
    if (!lengths) return;
    for (let f = 0; f < FIELDS.length; f++) flatLengths[shortId * FIELDS.length + f] = Math.min(lengths[f] ?? 0, 65_535);
    live[shortId] = 1;
  }

  function forget(id: string): void {
    const shortId = state._idToShortId.get(id);
    if (shortId !== undefined && shortId < live.length) live[shortId] = 0;
  }

  /** Copy the lengths of documents already in `ms` (a loaded snapshot), yielding every ~15 ms. */
  async function primeLengths(): Promise<void> {
    let sliceStart = performance.now();
    for (const shortId of state._documentIds.keys()) {
      noteLengths(shortId);
      if (performance.now() - sliceStart > 15) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
  }

  function addPostings(docs: Map<number, number>, fieldId: number, weight: number, avgLength: number, bit: number, touched: number[]) {
    const lengths = flatLengths;
    const alive = live;
    const s = scores;
    const b = bits;
    const stride = FIELDS.length;
    const k1 = BM25.k;
    const lengthFactor = BM25.b / avgLength;
    const base = 1 - BM25.b;
    for (const [docId, tf] of docs) {
      if (alive[docId] !== 1) continue; // discarded, not yet vacuumed
      const norm = tf + k1 * (base + lengthFactor * lengths[docId * stride + fieldId]!);
      if (b[docId] === 0) touched.push(docId);
      s[docId]! += weight * (BM25.d + (tf * (k1 + 1)) / norm);
      b[docId]! |= bit;
    }
  }

  /**
   * BM25 over MiniSearch's postings (same formula and parameters as MiniSearch), accumulating
   * into typed arrays. MiniSearch's own evaluation allocates a result object per posting per
   * term and merges them pairwise; on 20k postings that was ~20 ms, this loop is ~1 ms.
   */
  function score(leaves: Leaf[], required: number, filter: ((s: Stored) => boolean) | undefined, n: number) {
    if (scores.length < state._nextId) {
      scores = new Float64Array(state._nextId + 1024);
      bits = new Uint32Array(state._nextId + 1024);
    }
    const touched: number[] = [];
    const total = state._documentCount;
    for (const leaf of leaves) {
      const postings = state._index.get(leaf.term);
      if (!postings) continue;
      for (const fieldId of leaf.fields) {
        const docs = postings.get(fieldId);
        if (!docs) continue;
        const boost = FIELD_BOOST[fieldId]! * leaf.weight;
        const idf = Math.log(1 + (total - docs.size + 0.5) / (docs.size + 0.5));
        const avgLength = state._avgFieldLength[fieldId] || 1;
        addPostings(docs, fieldId, boost * idf, avgLength, leaf.bit, touched);
      }
    }
    const ids: number[] = [];
    const ranked: number[] = [];
    const matchedBits: number[] = [];
    for (const docId of touched) {
      const docBits = bits[docId]!;
      const keep = (docBits & required) === required && (!filter || filter(state._storedFields.get(docId) as Stored));
      if (keep) {
        ids.push(docId);
        matchedBits.push(docBits);
        // Like MiniSearch: more distinct words matched multiplies the score.
        ranked.push(scores[docId]! * popcount(docBits & ~required || docBits));
      }
      scores[docId] = 0;
      bits[docId] = 0;
    }
    const threshold = ranked.length > n ? nthLargest(Float64Array.from(ranked), n) : -Infinity;
    const top: Candidate[] = [];
    for (let i = 0; i < ids.length; i++) if (ranked[i]! >= threshold) top.push({ shortId: ids[i]!, score: ranked[i]!, bits: matchedBits[i]! });
    top.sort((a, b) => b.score - a.score);
    return { top: top.slice(0, n), total: ids.length };
  }

  type Candidate = { shortId: number; score: number; bits: number };

  /**
   * The final order of the best candidates: BM25 (normalised to the best), plus how many of
   * the query's words the paper has anywhere and in its title (a paper with every word in its
   * abstract beats one with a single word in its title), exact-title and title-similarity
   * bonuses for title-like queries, a bonus for titles starting with what is being typed, and
   * recency and upvotes as tie-breakers.
   */
  function rerank(q: ParsedQuery, p: Plan, top: Candidate[], typing: boolean): SearchHit[] {
    const best = top[0]?.score || 1;
    const contentWords = Math.max(1, p.words.length + q.phrases.length);
    const wordsOf = new Map<string, number[]>();
    for (const w of p.words) {
      for (const e of w.expansions) {
        const list = wordsOf.get(e.term);
        if (list) list.push(w.index);
        else wordsOf.set(e.term, [w.index]);
      }
    }
    const queryKey = normalizeTitleKey(q.text);
    const longQuery = q.words.length + q.phrases.length >= 3;
    const queryGrams = longQuery ? bigrams(queryKey) : undefined;
    const phraseKeys = q.phrases.map((ph) => ` ${ph.map((w) => w.word).join(' ')} `);
    return top
      .map(({ shortId, score: raw, bits: docBits }) => {
        const s = state._storedFields.get(shortId) as Stored;
        const inTitle = new Set<number>();
        for (const term of tokenize(s.title)) for (const w of wordsOf.get(term) ?? []) inTitle.add(w);
        const matched = new Set(inTitle);
        for (const w of p.words) if (docBits & bitOf(w.index)) matched.add(w.index);
        const titleKey = normalizeTitleKey(s.title);
        let score = raw / best + COVERAGE_WEIGHT * (matched.size / contentWords) + TITLE_WEIGHT * (inTitle.size / contentWords);
        if (typing && queryKey) {
          if (titleKey.startsWith(queryKey)) score += 1.5;
          else if (` ${titleKey}`.includes(` ${queryKey}`)) score += 0.6;
        }
        if (queryKey && titleKey === queryKey) score += 3;
        else if (queryGrams) score += 1.2 * similarity(queryGrams, titleKey);
        for (const key of phraseKeys) if (` ${titleKey} `.includes(key)) score += 0.5;
        score += 0.03 * recency(s.date) + 0.03 * Math.min(1, Math.log10(1 + s.upvotes) / 3);
        return hitOf(state._documentIds.get(shortId)!, score, s);
      })
      .sort((a, b) => b.score - a.score);
  }

  /** Filters alone ("cat:cs.CL after:2025-06"): every paper that passes, newest first. */
  function filterOnly(filter: (s: Stored) => boolean): SearchHit[] {
    const hits: SearchHit[] = [];
    for (const [shortId, s] of state._storedFields) {
      if (s && filter(s as Stored)) hits.push(hitOf(state._documentIds.get(shortId)!, 0, s as Stored));
    }
    return hits.sort((a, b) => (b.published ?? '').localeCompare(a.published ?? ''));
  }

  function search(input: string, options: SearchOptions = {}): SearchPage {
    const q = parseQuery(input);
    const limit = Math.max(1, Math.min(options.limit ?? 10, 100));
    const offset = Math.max(0, options.offset ?? 0);
    const filter = buildFilter(q);

    const exact: SearchHit[] = [];
    for (const id of q.ids) {
      const s = stored(id);
      if (s && (!filter || filter(s))) exact.push(hitOf(id, Number.MAX_SAFE_INTEGER, s));
    }
    const p = plan(q, options.prefix ?? false);
    let ranked: SearchHit[] = [];
    let total = 0;
    if (p.leaves.length > 0) {
      const found = score(p.leaves, p.required, filter, CANDIDATES);
      ranked = rerank(q, p, found.top, (options.prefix ?? false) && q.lastWordIsPrefix);
      total = found.total;
    } else if (filter && exact.length === 0) {
      ranked = filterOnly(filter);
      total = ranked.length;
    }
    const exactIds = new Set(exact.map((h) => h.id));
    let hits = [...exact, ...ranked.filter((h) => !exactIds.has(h.id))];
    total += exact.filter((h) => !ranked.some((r) => r.id === h.id)).length;
    if (options.sort && options.sort !== 'relevance' && hits.length > 0) hits = resort(hits, options.sort, exact.length);
    // `total` counts what can be paged to: the re-ranked candidates (or every filter match).
    return { hits: hits.slice(offset, offset + limit), total: hits.length, query: q };
  }

  /** Newest / most upvoted among the relevant results (those within reach of the best score). */
  function resort(hits: SearchHit[], sort: SearchSort, pinned: number): SearchHit[] {
    const head = hits.slice(0, pinned);
    const rest = hits.slice(pinned);
    const cutoff = (rest[0]?.score ?? 0) * 0.5;
    const relevant = rest.filter((h) => h.score >= cutoff || h.score === 0);
    const key = sort === 'newest' ? (h: SearchHit) => h.published ?? '' : (h: SearchHit) => String(h.upvotes ?? 0).padStart(9, '0');
    relevant.sort((a, b) => key(b).localeCompare(key(a)));
    return [...head, ...relevant];
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
      ...distinctiveTerms(paper.abstract, (t) => documentFrequency(ms, t) + 1, total).slice(0, 12),
    ]);
    const expansions = [...terms].filter((t) => documentFrequency(ms, t) > 0).map((term, word) => ({ term, weight: 1, word }));
    if (expansions.length === 0) return [];
    const results = ms.search({ combineWith: 'OR', queries: expansions.map((e) => leaf(e)) } as unknown as Query, {
      filter: (r) => r.id !== paper.id,
    });
    return results.slice(0, limit).map((r) => hitOf(r.id as string, r.score, r as unknown as Stored));
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
    primeLengths,
  };
}

/**
 * An index assembled from snapshot parts (see src/storage/index-snapshot.ts). The fuzzy
 * vocabulary is derived from the title postings rather than stored.
 */
export async function indexFromMiniSearch(ms: MiniSearch<IndexDoc>, vocabulary: SearchableMap<number>): Promise<PaperIndex> {
  const index = wrapIndex(ms, vocabulary);
  await index.primeLengths();
  return index;
}

export function emptyMiniSearch(): MiniSearch<IndexDoc> {
  return new MiniSearch<IndexDoc>(PAPER_INDEX_OPTIONS);
}

export { TITLE_FIELD_ID };

function surname(name: string): string {
  const parts = name.trim().split(/\s+/);
  return parts[parts.length - 1] ?? '';
}

/** The `n` abstract terms with the highest tf·idf among those known from at least one other paper. */
function distinctiveTerms(abstract: string, df: (term: string) => number, total: number, n = ABSTRACT_TERMS): string[] {
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

function bitOf(wordIndex: number): number {
  return 1 << Math.min(wordIndex, 23);
}

function popcount(n: number): number {
  let v = n - ((n >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0xf0f0f0f) * 0x1010101) >>> 24;
}

function isNumber(term: string): boolean {
  const c = term.charCodeAt(0);
  return c >= 48 && c <= 57 && /^\d+$/.test(term);
}

function dateString(n: number): string {
  const s = String(n);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

// 0 for 2020 or earlier, 1 for 2027 on; only a tie-breaker between equally relevant papers.
function recency(date: number): number {
  if (!date) return 0;
  return Math.min(1, Math.max(0, (Math.floor(date / 10_000) - 2020 + ((date / 100) % 100) / 12) / 7));
}

/** Character bigrams of a string with their counts. */
function bigrams(text: string): Map<string, number> {
  const grams = new Map<string, number>();
  for (let i = 0; i + 1 < text.length; i++) {
    const g = text.slice(i, i + 2);
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  return grams;
}

/**
 * Dice coefficient of character bigrams (0..1): how much a long query reads like a title,
 * robust to typos in every word. Cheaper than edit distance by two orders of magnitude.
 */
function similarity(query: Map<string, number>, title: string): number {
  let querySize = 0;
  for (const n of query.values()) querySize += n;
  const left = new Map(query);
  let shared = 0;
  for (let i = 0; i + 1 < title.length; i++) {
    const g = title.slice(i, i + 2);
    const n = left.get(g);
    if (n) {
      shared++;
      left.set(g, n - 1);
    }
  }
  const total = querySize + Math.max(0, title.length - 1);
  return total === 0 ? 0 : (2 * shared) / total;
}

/** The n-th largest value (1-based) by quickselect; reorders `values`. */
function nthLargest(values: Float64Array, n: number): number {
  const k = values.length - n; // index of the answer in ascending order
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k]!;
}

/** Gives the event loop a turn; long index work calls it between slices of about 30 ms. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Build an index from scratch over every paper `batches()` yields, in two passes: the first
 * counts abstract terms over the whole library so each paper's distinctive terms are chosen
 * with exact document frequencies, the second indexes. Yields to the event loop between
 * slices so a bot building its index keeps heartbeating.
 */
export async function buildPaperIndex(
  batches: () => AsyncIterable<readonly Paper[]>,
  onProgress?: (done: number, pass: 'count' | 'index') => void,
): Promise<PaperIndex> {
  const counts = new Map<string, number>();
  let documents = 0;
  for await (const batch of batches()) {
    for (const slice of slices(batch, 500)) {
      countAbstractTerms(slice, counts);
      documents += slice.length;
      onProgress?.(documents, 'count');
      await yieldToEventLoop();
    }
  }
  const index = createPaperIndex();
  const termCounts: TermCounts = { get: (t) => counts.get(t), documents };
  let done = 0;
  for await (const batch of batches()) {
    for (const slice of slices(batch, 250)) {
      index.addAll(slice, termCounts);
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
