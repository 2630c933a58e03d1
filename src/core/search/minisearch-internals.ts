import type MiniSearch from 'minisearch';
import type SearchableMap from 'minisearch/SearchableMap';

/**
 * The parts of MiniSearch 7.2's instance state that the paper index reads directly. MiniSearch
 * has no public API for a term's document frequency, for walking its vocabulary, or for
 * (de)serialising without one giant JSON string (JSON.parse of the 100 MB corpus index blocks
 * the event loop for seconds, and discord.js heartbeats on that loop). Everything that touches
 * these fields lives here, in paper-index.ts, bm25-scorer.ts and the snapshot I/O;
 * test/core/search/minisearch-internals.test.ts fails if a MiniSearch upgrade changes them. minisearch is pinned to an exact version for this.
 */
export type FieldPostings = Map<number, Map<number, number>>; // fieldId → (shortId → term frequency)

export type MiniSearchInternals = {
  _index: SearchableMap<FieldPostings>;
  _documentIds: Map<number, string>;
  _idToShortId: Map<string, number>;
  _fieldIds: Record<string, number>;
  _fieldLength: Map<number, number[]>;
  _avgFieldLength: number[];
  _storedFields: Map<number, Record<string, unknown> | undefined>;
  _documentCount: number;
  _nextId: number;
  _dirtCount: number;
};

export function internals(ms: MiniSearch): MiniSearchInternals {
  return ms as unknown as MiniSearchInternals;
}

/** Number of live documents holding `term` in any field (discarded documents may still count until vacuumed). */
export function documentFrequency(ms: MiniSearch, term: string): number {
  const postings = internals(ms)._index.get(term);
  if (!postings) return 0;
  let n = 0;
  for (const docs of postings.values()) n = Math.max(n, docs.size);
  return n;
}

/** Number of documents holding `term` in one field. */
export function fieldFrequency(ms: MiniSearch, term: string, fieldId: number): number {
  return internals(ms)._index.get(term)?.get(fieldId)?.size ?? 0;
}

/** Total postings of a term across fields: the work MiniSearch does to score it. */
export function postingCount(ms: MiniSearch, term: string): number {
  const postings = internals(ms)._index.get(term);
  if (!postings) return 0;
  let n = 0;
  for (const docs of postings.values()) n += docs.size;
  return n;
}
