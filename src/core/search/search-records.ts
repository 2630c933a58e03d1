import type { Paper } from '../paper.js';
import { FILTER_ONLY_RESULTS, type PaperIndex, type SearchOptions, type SearchPage } from './paper-index.js';
import { filterSubjectOf, matchesQuery, needsRecordCheck } from './query-filter.js';
import { parseQuery } from './query.js';

/**
 * Search with the last word on phrases the index cannot decide. The index keeps abstracts as
 * terms without positions, so for an excluded phrase (`-"language models"`) or an abstract:
 * phrase it can only tell that the words are there, and answers so as to keep the paper (see
 * FilterSubject.hasPhrase): its results are then a superset of what a topic would take. Here the
 * candidates are checked against the paper records themselves with the matcher topics use
 * (filterSubjectOf), so `/paper search` and a topic decide alike.
 *
 * Cost: only for such queries, one index search for every candidate (at most 100 re-ranked; a
 * filter-only query's newest, at most FILTER_ONLY_RESULTS), then the records read RECORD_SLICE
 * at a time until the page is full. A filter-only query's `total` is then an upper bound (the
 * candidates past the page are not read). Autocomplete (suggest) stays on the index alone: its
 * answers are titles to pick from, and a superset there costs nothing.
 */
export const RECORD_SLICE = 100;

export type PaperRecords = (ids: string[]) => Promise<(Paper | undefined)[]>;

export async function searchWithRecords(index: PaperIndex, records: PaperRecords, input: string, options: SearchOptions = {}): Promise<SearchPage> {
  const query = parseQuery(input);
  if (!needsRecordCheck(query)) return index.search(input, options);
  const limit = Math.max(1, Math.min(options.limit ?? 10, 100));
  const offset = Math.max(0, options.offset ?? 0);
  const all = index.search(input, { ...options, offset: 0, limit: FILTER_ONLY_RESULTS, all: true });
  const kept: SearchPage['hits'] = [];
  let checked = 0;
  while (checked < all.hits.length && kept.length < offset + limit) {
    const slice = all.hits.slice(checked, checked + RECORD_SLICE);
    const papers = await records(slice.map((h) => h.id));
    slice.forEach((hit, i) => {
      const paper = papers[i];
      if (paper && matchesQuery(filterSubjectOf(paper), query, 'search')) kept.push(hit);
    });
    checked += slice.length;
  }
  return { hits: kept.slice(offset, offset + limit), total: kept.length + (all.hits.length - checked), query: all.query, work: all.work };
}
