import { yieldToEventLoop } from './yield-to-event-loop.js';

/**
 * Postings of one field kept in typed arrays beside MiniSearch, for fields with many postings
 * (whole abstracts: 12.7 million on the 122,860-paper corpus) or many rare terms (author name
 * keys: ~500k terms of 1–3 papers). MiniSearch keeps a Map per term and field, ~40 bytes a
 * posting and ~250 bytes a term; here a posting is 4 bytes in one shared pool and a term an
 * entry in one Map plus 12 bytes of offsets.
 *
 * A posting is `shortId * 16 + min(tf, 15)` (a term frequency past 15 changes BM25 by under 1%),
 * so short ids stay below 2^28. A term's postings are one block of the pool in short-id order:
 * MiniSearch hands out short ids in increasing order, so adding a paper appends. A block that
 * is full moves to the end of the pool with room to grow; a bulk build reserves each term's
 * exact size from its count pass, and a snapshot load packs them, so only papers added later
 * leave gaps. Removed papers are flagged dead and their postings dropped by a vacuum that runs
 * in slices between other work.
 *
 * Until then a term's block still holds the postings of removed papers, so each term also keeps
 * its live count: the document frequency BM25 and the planner use, and what makes a term known.
 * Removing a paper only logs its short id; a term's count catches up with the log when next read,
 * by a binary search in its block per removal since (or a pass over the block, when shorter).
 */
export type CompactPostings = ReturnType<typeof createCompactPostings>;

const TF_BITS = 4;
const TF_MAX = (1 << TF_BITS) - 1;
const MAX_SHORT_ID = 2 ** (32 - TF_BITS) - 1;
/** Vacuum when dead postings reach this share of the pool (and VACUUM_MIN_DEAD in number). */
const VACUUM_SHARE = 0.05;
const VACUUM_MIN_DEAD = 20_000;
const SLICE_MS = 10;

export function shortIdOf(posting: number): number {
  return posting >>> TF_BITS;
}

export function tfOf(posting: number): number {
  return posting & TF_MAX;
}

/** A term's postings: pool[from, to). The view is valid until the next add or vacuum. */
export type PostingRange = { pool: Uint32Array; from: number; to: number };

/** What a snapshot holds of a store: its terms with their postings, and document lengths. */
export type CompactTermChunk = { terms: string[]; counts: number[]; postings: Uint32Array };
export type CompactLengthChunk = { shortIds: Uint32Array; lengths: Uint16Array };

export function createCompactPostings() {
  // Term → id, ids in insertion order (so iterating the Map walks ids in order).
  const termIds = new Map<string, number>();
  let start = new Int32Array(1024);
  let count = new Int32Array(1024);
  let capacity = new Int32Array(1024);
  // Per term: live postings as of removal log entry `seen` (every removal before it is counted).
  let live = new Int32Array(1024);
  let seen = new Int32Array(1024);
  // Short ids of removed documents, in removal order (emptied by a vacuum that no removal overlaps).
  let removals = new Int32Array(1024);
  let removalCount = 0;
  let pool = new Uint32Array(1 << 16);
  let used = 0;
  // Per short id: the field's length in terms (0 = not in this store), distinct terms, dead flag.
  let lengths = new Uint16Array(1024);
  let distinct = new Uint16Array(1024);
  let dead = new Uint8Array(1024);
  let liveDocuments = 0;
  let totalLength = 0;
  let deadPostings = 0;
  let vacuuming = false;

  function growTerms(size: number): void {
    if (size <= start.length) return;
    const n = Math.max(size, start.length * 2);
    start = grow(start, n);
    count = grow(count, n);
    capacity = grow(capacity, n);
    live = grow(live, n);
    seen = grow(seen, n);
  }

  function growDocuments(size: number): void {
    if (size <= lengths.length) return;
    const n = Math.max(size, Math.ceil(lengths.length * 1.5));
    lengths = grow(lengths, n);
    distinct = grow(distinct, n);
    dead = grow(dead, n);
  }

  function allocate(size: number): number {
    if (used + size > pool.length) pool = grow(pool, Math.max(used + size, Math.ceil(pool.length * 1.5)));
    const at = used;
    used += size;
    return at;
  }

  function idOf(term: string): number {
    let id = termIds.get(term);
    if (id === undefined) {
      id = termIds.size;
      termIds.set(term, id);
      growTerms(id + 1);
      seen[id] = removalCount;
    }
    return id;
  }

  /** Room for `n` more postings of `term`, reserved up front (a bulk build knows every term's count). */
  function reserve(term: string, n: number): void {
    const id = idOf(term);
    ensureRoom(id, n);
  }

  function ensureRoom(id: number, extra: number): void {
    const need = count[id]! + extra;
    if (need <= capacity[id]!) return;
    const cap = Math.max(need, capacity[id]! + (capacity[id]! >> 1) + 2);
    if (start[id]! + capacity[id]! === used && capacity[id]! > 0) {
      // The last block of the pool grows in place.
      allocate(cap - capacity[id]!);
    } else {
      const at = allocate(cap);
      pool.copyWithin(at, start[id]!, start[id]! + count[id]!);
      start[id] = at;
    }
    capacity[id] = cap;
  }

  /** Index a document's terms (with repeats: their counts are the term frequencies). */
  function add(shortId: number, documentTerms: readonly string[]): void {
    if (shortId > MAX_SHORT_ID) throw new Error(`compact postings: short id ${shortId} is past ${MAX_SHORT_ID}`);
    growDocuments(shortId + 1);
    if (documentTerms.length === 0) return;
    const tf = new Map<string, number>();
    for (const term of documentTerms) tf.set(term, (tf.get(term) ?? 0) + 1);
    for (const [term, n] of tf) {
      const id = idOf(term);
      ensureRoom(id, 1);
      pool[start[id]! + count[id]!] = shortId * (TF_MAX + 1) + Math.min(n, TF_MAX);
      count[id]! += 1;
      live[id]! += 1;
    }
    lengths[shortId] = Math.min(documentTerms.length, 65_535);
    distinct[shortId] = Math.min(tf.size, 65_535);
    liveDocuments++;
    totalLength += lengths[shortId]!;
  }

  /** Stop finding a document; its postings go at the next vacuum. */
  function remove(shortId: number): void {
    if (shortId >= lengths.length || dead[shortId] === 1 || lengths[shortId] === 0) return;
    dead[shortId] = 1;
    liveDocuments--;
    totalLength -= lengths[shortId]!;
    deadPostings += distinct[shortId]!;
    if (removalCount === removals.length) removals = grow(removals, removalCount * 2);
    removals[removalCount++] = shortId;
    if (!vacuuming && deadPostings >= VACUUM_MIN_DEAD && deadPostings >= used * VACUUM_SHARE) void vacuum();
  }

  /** Drop dead postings, term by term in place, yielding every SLICE_MS. */
  async function vacuum(): Promise<void> {
    vacuuming = true;
    const removalsBefore = removalCount;
    try {
      let sliceStart = performance.now();
      for (let id = 0; id < termIds.size; id++) {
        const from = start[id]!;
        const to = from + count[id]!;
        let out = from;
        for (let i = from; i < to; i++) {
          const posting = pool[i]!;
          if (dead[posting >>> TF_BITS] !== 1) pool[out++] = posting;
        }
        deadPostings -= to - out;
        count[id] = out - from;
        // Every removal so far has left this block: what is left is live.
        live[id] = out - from;
        seen[id] = removalCount;
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
      }
      deadPostings = Math.max(0, deadPostings);
      if (removalCount === removalsBefore) {
        // No removal came during the vacuum: every term has seen the whole log, which can go.
        seen.fill(0, 0, termIds.size);
        removalCount = 0;
      }
    } finally {
      vacuuming = false;
    }
  }

  /** A term's live count, brought up to date with the removals logged since it was last read. */
  function liveCount(id: number): number {
    const pending = removalCount - seen[id]!;
    if (pending === 0 || live[id] === 0) {
      seen[id] = removalCount;
      return live[id]!;
    }
    const from = start[id]!;
    const to = from + count[id]!;
    if (pending * Math.log2(to - from + 2) >= to - from) {
      let n = 0;
      for (let i = from; i < to; i++) if (dead[pool[i]! >>> TF_BITS] !== 1) n++;
      live[id] = n;
    } else {
      let n = live[id]!;
      for (let j = seen[id]!; j < removalCount; j++) if (holds(from, to, removals[j]!)) n--;
      live[id] = n;
    }
    seen[id] = removalCount;
    return live[id]!;
  }

  /** Whether pool[from, to) holds a posting of `shortId` (binary search: blocks are in short-id order). */
  function holds(from: number, to: number, shortId: number): boolean {
    let lo = from;
    let hi = to - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const id = pool[mid]! >>> TF_BITS;
      if (id === shortId) return true;
      if (id < shortId) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** A term's postings, undefined when no live document holds it. */
  function range(term: string): PostingRange | undefined {
    const id = termIds.get(term);
    if (id === undefined || liveCount(id) === 0) return undefined;
    return { pool, from: start[id]!, to: start[id]! + count[id]! };
  }

  /** Live documents holding the term (removed ones no longer count, vacuumed or not). */
  function documentFrequency(term: string): number {
    const id = termIds.get(term);
    return id === undefined ? 0 : liveCount(id);
  }

  /** The term frequency of `term` in a live document, 0 when it has none: binary search in its block. */
  function termFrequency(r: PostingRange, shortId: number): number {
    if (dead[shortId] === 1) return 0;
    let lo = r.from;
    let hi = r.to - 1;
    const p = r.pool;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const id = p[mid]! >>> TF_BITS;
      if (id === shortId) return p[mid]! & TF_MAX;
      if (id < shortId) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** Terms with their live postings, about `maxPostings` per chunk, for a snapshot. */
  function* termChunks(maxPostings: number): Generator<CompactTermChunk> {
    let chunkTerms: string[] = [];
    let counts: number[] = [];
    let buffer = new Uint32Array(maxPostings);
    let filled = 0;
    for (const [term, id] of termIds) {
      let n = 0;
      const from = start[id]!;
      const to = from + count[id]!;
      if (filled + (to - from) > buffer.length) {
        if (filled > 0) yield { terms: chunkTerms, counts, postings: buffer.subarray(0, filled) };
        chunkTerms = [];
        counts = [];
        buffer = new Uint32Array(Math.max(maxPostings, to - from));
        filled = 0;
      }
      for (let i = from; i < to; i++) {
        const posting = pool[i]!;
        if (dead[posting >>> TF_BITS] === 1) continue;
        buffer[filled++] = posting;
        n++;
      }
      if (n === 0) continue;
      chunkTerms.push(term);
      counts.push(n);
    }
    if (filled > 0) yield { terms: chunkTerms, counts, postings: buffer.subarray(0, filled) };
  }

  /** Live documents' lengths, `maxDocuments` per chunk, for a snapshot. */
  function* lengthChunks(maxDocuments: number): Generator<CompactLengthChunk> {
    let ids: number[] = [];
    let lens: number[] = [];
    for (let shortId = 0; shortId < lengths.length; shortId++) {
      if (lengths[shortId] === 0 || dead[shortId] === 1) continue;
      ids.push(shortId);
      lens.push(lengths[shortId]!);
      if (ids.length === maxDocuments) {
        yield { shortIds: Uint32Array.from(ids), lengths: Uint16Array.from(lens) };
        ids = [];
        lens = [];
      }
    }
    if (ids.length > 0) yield { shortIds: Uint32Array.from(ids), lengths: Uint16Array.from(lens) };
  }

  /** Load a chunk written by termChunks: each term's postings become one packed block. */
  function loadTerms(chunk: CompactTermChunk): void {
    let offset = 0;
    for (let t = 0; t < chunk.terms.length; t++) {
      const n = chunk.counts[t]!;
      const id = idOf(chunk.terms[t]!);
      ensureRoom(id, n);
      pool.set(chunk.postings.subarray(offset, offset + n), start[id]! + count[id]!);
      count[id]! += n;
      live[id]! += n;
      offset += n;
    }
    // Distinct terms per document, which removing one counts as dead postings.
    const postings = chunk.postings;
    for (let i = 0; i < postings.length; i++) {
      const shortId = postings[i]! >>> TF_BITS;
      if (shortId >= distinct.length) growDocuments(shortId + 1);
      if (distinct[shortId]! < 65_535) distinct[shortId]! += 1;
    }
  }

  function loadLengths(chunk: CompactLengthChunk): void {
    for (let i = 0; i < chunk.shortIds.length; i++) {
      const shortId = chunk.shortIds[i]!;
      growDocuments(shortId + 1);
      lengths[shortId] = chunk.lengths[i]!;
      liveDocuments++;
      totalLength += chunk.lengths[i]!;
    }
  }

  /** Reserve the pool for `postings` more entries in one allocation (before loading or building). */
  function expect(postings: number): void {
    if (used + postings > pool.length) pool = grow(pool, used + postings);
  }

  return {
    reserve,
    expect,
    add,
    remove,
    vacuum,
    range,
    documentFrequency,
    termFrequency,
    length: (shortId: number) => (shortId < lengths.length && dead[shortId] !== 1 ? lengths[shortId]! : 0),
    averageLength: () => (liveDocuments > 0 ? totalLength / liveDocuments : 1),
    termChunks,
    lengthChunks,
    loadTerms,
    loadLengths,
    /** Sizes, for the memory benchmark: terms, pool entries in use (dead postings and room to grow included) and allocated. */
    stats: () => ({ terms: termIds.size, postings: used, poolEntries: pool.length, deadPostings, liveDocuments }),
  };
}

function grow<T extends Int32Array | Uint32Array | Uint16Array | Uint8Array>(array: T, size: number): T {
  const grown = new (array.constructor as new (n: number) => T)(size);
  grown.set(array);
  return grown;
}
