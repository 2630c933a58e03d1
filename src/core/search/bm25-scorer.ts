import { FIELD_BOOST, FIELDS } from './index-document.js';
import type { MiniSearchInternals } from './minisearch-internals.js';
import type { Leaf } from './query-plan.js';
import { yieldToEventLoop } from './yield-to-event-loop.js';

/**
 * Scoring: BM25 over MiniSearch's postings (same formula and parameters as MiniSearch),
 * accumulating into typed arrays, then the best `n` candidates by a partial selection.
 * MiniSearch's own evaluation allocates a result object per posting per term and merges them
 * pairwise; on 20k postings that was ~20 ms, this loop is ~1 ms.
 */

/** MiniSearch's BM25+ defaults; our scorer uses the same. */
const BM25 = { k: 1.2, b: 0.7, d: 0.5 } as const;

export type Candidate = { shortId: number; score: number; bits: number };
export type Scored = { top: Candidate[]; total: number };

export type Bm25Scorer = ReturnType<typeof createBm25Scorer>;

export function createBm25Scorer(state: MiniSearchInternals) {
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

  /** The best `n` documents holding every `required` bit and passing `filter`, and how many did. */
  function score(leaves: readonly Leaf[], required: number, filter: ((shortId: number) => boolean) | undefined, n: number): Scored {
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
      const keep = (docBits & required) === required && (!filter || filter(docId));
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

  return { noteLengths, forget, primeLengths, score };
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
