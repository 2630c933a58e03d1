import { shortIdOf, tfOf, type CompactPostings, type PostingRange } from './compact-postings.js';
import { ABSTRACT_FIELD_ID, AUTHORS_FIELD_ID, FIELD_BOOST, FIELDS } from './index-document.js';
import type { MiniSearchInternals } from './minisearch-internals.js';
import { allWordsBits, FREE_WORD_BITS, QUERY_BUDGET, type Leaf, type Plan, type RequiredGroup } from './query-plan.js';
import { isNameKey } from './tokenize.js';
import { yieldToEventLoop } from './yield-to-event-loop.js';

/**
 * Scoring: BM25 over MiniSearch's postings (same formula and parameters as MiniSearch),
 * accumulating into typed arrays, then the best `n` candidates by a partial selection.
 * MiniSearch's own evaluation allocates a result object per posting per term and merges them
 * pairwise; on 20k postings that was ~20 ms, this loop is ~1 ms.
 *
 * The abstract field and the authors' name keys live in compact postings beside MiniSearch
 * (see index-document.ts); the scorer reads them as the same fields, with the same formula.
 * Name keys are scored without length normalisation: a paper with fifty authors is as much that
 * author's paper as one with two.
 */

/** The compact postings the scorer reads beside MiniSearch's. */
/** Postings kept in typed arrays: whole abstracts, author name keys, and titles' letter triples (title-grams.ts). */
export type CompactFields = { abstract: CompactPostings; names: CompactPostings; grams: CompactPostings };

/** MiniSearch's BM25+ defaults; our scorer uses the same. */
const BM25 = { k: 1.2, b: 0.7, d: 0.5 } as const;

export type Candidate = { shortId: number; score: number; bits: number };
/** What a query cost: postings visited, posting lookups, candidates kept and how many were sorted. */
export type ScoreWork = { postingsVisited: number; probes: number; candidates: number; candidatesSorted: number };
export type Scored = { top: Candidate[]; total: number; work: ScoreWork };

export type Bm25Scorer = ReturnType<typeof createBm25Scorer>;

export function createBm25Scorer(state: MiniSearchInternals, compact: CompactFields) {
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

  /** Start scoring a document MiniSearch has just added. */
  function noteLengths(shortId: number): void {
    ensureCapacity(shortId + 1);
    const lengths = state._fieldLength.get(shortId);
    if (!lengths) return;
    for (let f = 0; f < FIELDS.length; f++) flatLengths[shortId * FIELDS.length + f] = Math.min(lengths[f] ?? 0, 65_535);
    flatLengths[shortId * FIELDS.length + ABSTRACT_FIELD_ID] = compact.abstract.length(shortId);
    live[shortId] = 1;
  }

  /** Stop scoring a document about to be discarded (MiniSearch removes its postings lazily). */
  function forget(id: string): void {
    const shortId = state._idToShortId.get(id);
    if (shortId !== undefined && shortId < live.length) live[shortId] = 0;
  }

  /** Copy the lengths of documents already in MiniSearch (a loaded snapshot), yielding every ~15 ms. */
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

  /** addPostings over compact postings; `b` is 0 for name keys (no length normalisation). */
  function addCompact(r: PostingRange, fieldId: number, weight: number, avgLength: number, b: number, bit: number, touched: number[]) {
    const lengths = flatLengths;
    const alive = live;
    const s = scores;
    const bitsOf = bits;
    const pool = r.pool;
    const stride = FIELDS.length;
    const k1 = BM25.k;
    const lengthFactor = b / avgLength;
    const base = 1 - b;
    for (let i = r.from; i < r.to; i++) {
      const posting = pool[i]!;
      const docId = shortIdOf(posting);
      if (alive[docId] !== 1) continue;
      const tf = tfOf(posting);
      const norm = tf + k1 * (base + lengthFactor * lengths[docId * stride + fieldId]!);
      if (bitsOf[docId] === 0) touched.push(docId);
      s[docId]! += weight * (BM25.d + (tf * (k1 + 1)) / norm);
      bitsOf[docId]! |= bit;
    }
  }

  /**
   * Where a term's postings in one field are: MiniSearch's Map, or a range of compact postings
   * (the abstract; name keys in the authors field) with the BM25 length parameters of that field.
   */
  type FieldSource =
    | { docs: Map<number, number>; size: number; avgLength: number; b: number }
    | { range: PostingRange; store: CompactPostings; size: number; avgLength: number; b: number };

  function sourceOf(term: string, fieldId: number, postings = state._index.get(term)): FieldSource | undefined {
    if (fieldId === ABSTRACT_FIELD_ID) {
      const range = compact.abstract.range(term);
      // The size is the live count: the range may still hold postings of removed papers.
      return range && { range, store: compact.abstract, size: compact.abstract.documentFrequency(term), avgLength: compact.abstract.averageLength(), b: BM25.b };
    }
    if (fieldId === AUTHORS_FIELD_ID && isNameKey(term)) {
      const range = compact.names.range(term);
      return range && { range, store: compact.names, size: compact.names.documentFrequency(term), avgLength: 1, b: 0 };
    }
    const docs = postings?.get(fieldId);
    return docs && { docs, size: docs.size, avgLength: state._avgFieldLength[fieldId] || 1, b: BM25.b };
  }

  /** A document's term frequency in a source, 0 when it has none. */
  function tfIn(source: FieldSource, docId: number): number {
    return 'docs' in source ? (source.docs.get(docId) ?? 0) : source.store.termFrequency(source.range, docId);
  }

  /** A probed leaf's postings per field, found once per query (a radix-tree lookup is not cheap). */
  type ProbeField = { source: FieldSource; fieldId: number; weight: number; lengthFactor: number };

  function resolveProbe(leaf: Leaf): ProbeField[] {
    const fields: ProbeField[] = [];
    const postings = state._index.get(leaf.term);
    for (const fieldId of leaf.fields) {
      const source = sourceOf(leaf.term, fieldId, postings);
      if (!source) continue;
      const weight = FIELD_BOOST[fieldId]! * leaf.weight * idf(source.size);
      fields.push({ source, fieldId, weight, lengthFactor: source.b / source.avgLength });
    }
    return fields;
  }

  /** What a leaf adds to one document's score: the sum addPostings would make, by lookup. */
  function probe(fields: readonly ProbeField[], docId: number, work: ScoreWork): number {
    let sum = 0;
    for (const { source, fieldId, weight, lengthFactor } of fields) {
      work.probes++;
      const tf = tfIn(source, docId);
      if (tf === 0) continue;
      const norm = tf + BM25.k * (1 - source.b + lengthFactor * flatLengths[docId * FIELDS.length + fieldId]!);
      sum += weight * (BM25.d + (tf * (BM25.k + 1)) / norm);
    }
    return sum;
  }

  /** The postings that satisfy a probed required group: any of its terms in any of its fields. */
  function resolveGroup(group: RequiredGroup): FieldSource[] {
    const lists: FieldSource[] = [];
    for (const term of group.terms) {
      const postings = state._index.get(term);
      for (const fieldId of group.fields) {
        const source = sourceOf(term, fieldId, postings);
        if (source) lists.push(source);
      }
    }
    return lists;
  }

  function holdsGroup(lists: readonly FieldSource[], docId: number, work: ScoreWork): boolean {
    for (const source of lists) {
      work.probes++;
      if (tfIn(source, docId) > 0) return true;
    }
    return false;
  }

  function idf(documentsWithTerm: number): number {
    return Math.log(1 + (state._documentCount - documentsWithTerm + 0.5) / (documentsWithTerm + 0.5));
  }

  /**
   * The best `n` documents that hold every required group and pass `filter`, and how many did.
   * The plan bounds the work: the postings of its leaves, then per candidate left its probes;
   * only the best `n` are sorted (quickselect finds the cut-off).
   */
  function score(plan: Plan, filter: ((shortId: number) => boolean) | undefined, n: number): Scored {
    if (scores.length < state._nextId) {
      scores = new Float64Array(state._nextId + 1024);
      bits = new Uint32Array(state._nextId + 1024);
    }
    const work: ScoreWork = { postingsVisited: 0, probes: 0, candidates: 0, candidatesSorted: 0 };
    const touched: number[] = [];
    for (const leaf of plan.leaves) {
      const postings = state._index.get(leaf.term);
      for (const fieldId of leaf.fields) {
        const source = sourceOf(leaf.term, fieldId, postings);
        if (!source) continue;
        const weight = FIELD_BOOST[fieldId]! * leaf.weight * idf(source.size);
        work.postingsVisited += 'docs' in source ? source.docs.size : source.range.to - source.range.from;
        if ('docs' in source) addPostings(source.docs, fieldId, weight, source.avgLength, leaf.bit, touched);
        else addCompact(source.range, fieldId, weight, source.avgLength, source.b, leaf.bit, touched);
      }
    }
    let requiredBits = 0;
    for (const g of plan.required) requiredBits |= g.bit;
    const probed = plan.required.filter((g) => g.bit === 0).map(resolveGroup);
    const probes = plan.probes.map(resolveProbe);
    // Words left out of retrieval, probed on the candidates that hold every retrieved free word.
    let retrievedBits = 0;
    for (const leaf of plan.leaves) retrievedBits |= leaf.bit & FREE_WORD_BITS;
    const wordProbes = (plan.wordProbes ?? []).map((leaf) => ({ bit: leaf.bit, fields: resolveProbe(leaf) })).filter((w) => w.fields.length > 0);
    const wordProbeLimit = work.probes + QUERY_BUDGET.wordProbes;
    const ids: number[] = [];
    const ranked: number[] = [];
    const matchedBits: number[] = [];
    for (const docId of touched) {
      let docBits = bits[docId]!;
      const keep =
        (docBits & requiredBits) === requiredBits && probed.every((g) => holdsGroup(g, docId, work)) && (!filter || filter(docId));
      if (keep) {
        let sum = scores[docId]!;
        for (const fields of probes) sum += probe(fields, docId, work);
        if (wordProbes.length > 0 && retrievedBits !== 0 && (docBits & retrievedBits) === retrievedBits && work.probes < wordProbeLimit) {
          for (const w of wordProbes) {
            const add = probe(w.fields, docId, work);
            if (add > 0) {
              sum += add;
              docBits |= w.bit;
            }
          }
        }
        ids.push(docId);
        matchedBits.push(docBits);
        // Like MiniSearch: more distinct words matched multiplies the score (phrase words and
        // author terms, which every result has, count only when no free word matched).
        ranked.push(sum * (popcount(docBits & FREE_WORD_BITS) || plan.required.length));
      }
      scores[docId] = 0;
      bits[docId] = 0;
    }
    work.candidates = ids.length;
    const top = keepAllWords(plan, ids, ranked, matchedBits, n);
    work.candidatesSorted = top.length;
    top.sort((a, b) => b.score - a.score);
    return { top, total: ids.length, work };
  }

  /** Whether a document holds `term` in `fieldId`, with the postings found once (filters test many documents). */
  function termTest(term: string, fieldId: number): (docId: number) => boolean {
    const source = sourceOf(term, fieldId);
    return source ? (docId) => tfIn(source, docId) > 0 : () => false;
  }

  return { noteLengths, forget, primeLengths, score, termTest };
}

/**
 * The `n` best candidates, those holding every word of the query (allWordsBits) taken first:
 * the paper with all of a few everyday words in its abstract can score below a hundred papers
 * with two of them in the title, and only candidates can be put first.
 */
function keepAllWords(plan: Plan, ids: number[], ranked: number[], matchedBits: number[], n: number): Candidate[] {
  const all = allWordsBits(plan);
  if (all === 0 || ids.length <= n) return bestOf(ids, ranked, matchedBits, n);
  const full: number[] = [];
  for (let i = 0; i < ids.length; i++) if ((matchedBits[i]! & all) === all) full.push(i);
  if (full.length === 0) return bestOf(ids, ranked, matchedBits, n);
  const pick = (indices: readonly number[]) => [indices.map((i) => ids[i]!), indices.map((i) => ranked[i]!), indices.map((i) => matchedBits[i]!)] as const;
  const top = bestOf(...pick(full), n);
  if (top.length >= n) return top;
  const fullSet = new Set(full);
  const rest = ids.map((_, i) => i).filter((i) => !fullSet.has(i));
  return [...top, ...bestOf(...pick(rest), n - top.length)];
}

/**
 * The `n` best candidates, unsorted: those above the n-th best score, then ties at it in the
 * order found (what a stable sort of all of them would keep). Thousands of equal scores (an
 * author filter alone) are neither all collected nor sorted.
 */
function bestOf(ids: readonly number[], ranked: readonly number[], matchedBits: readonly number[], n: number): Candidate[] {
  const top: Candidate[] = [];
  const take = (i: number) => top.push({ shortId: ids[i]!, score: ranked[i]!, bits: matchedBits[i]! });
  if (ranked.length <= n) {
    for (let i = 0; i < ids.length; i++) take(i);
    return top;
  }
  const threshold = nthLargest(Float64Array.from(ranked), n);
  for (let i = 0; i < ids.length; i++) if (ranked[i]! > threshold) take(i);
  for (let i = 0; i < ids.length && top.length < n; i++) if (ranked[i] === threshold) take(i);
  return top;
}

function popcount(n: number): number {
  let v = n - ((n >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0xf0f0f0f) * 0x1010101) >>> 24;
}

/** The n-th largest value (1-based) by quickselect; reorders `values`. */
export function nthLargest(values: Float64Array, n: number): number {
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
