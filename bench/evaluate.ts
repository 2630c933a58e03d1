import { performance } from 'node:perf_hooks';
import type { PaperIndex } from '../src/core/search/paper-index.js';
import type { BenchQuery } from './query-set.js';
import { mulberry32 } from './random.js';
import type { QueryOutcome } from './stats.js';

/** Anything that answers a benchmark query with its top 10, best first. */
export type SearchEngine = (query: BenchQuery) => { id: string; title: string }[];

export const TOP_K = 10;

/** Our index as the product uses it: search for whole queries, suggest (autocomplete) for prefixes. */
export function paperIndexEngine(index: PaperIndex): SearchEngine {
  return (query) =>
    query.class === 'autocomplete' ? index.suggest(query.text, TOP_K) : index.search(query.text, { limit: TOP_K }).hits;
}

/**
 * Runs every query twice: once untimed so JIT compilation and caches settle, then timed. Times
 * are wall-clock per call (performance.now), so a GC pause during a query counts against it,
 * as it would for a user. Queries run in a fixed shuffled order, not class by class, so pauses
 * and warm-up effects spread over all classes instead of landing on whichever runs first.
 */
export function evaluate(engine: SearchEngine, queries: readonly BenchQuery[]): QueryOutcome[] {
  const order = mulberry32(7).shuffle(queries);
  for (const query of order) tryRun(engine, query);
  return order.map((query) => {
    const started = performance.now();
    const result = tryRun(engine, query);
    const ms = performance.now() - started;
    if ('error' in result) return { query, rank: undefined, ms, error: result.error };
    const at = result.hits.findIndex((h) => h.id === query.expectedId);
    const first = result.hits[0];
    return {
      query,
      rank: at >= 0 && at < TOP_K ? at + 1 : undefined,
      ...(first ? { first: { id: first.id, title: first.title } } : {}),
      ms,
    };
  });
}

function tryRun(engine: SearchEngine, query: BenchQuery): { hits: { id: string; title: string }[] } | { error: string } {
  try {
    return { hits: engine(query) };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}
