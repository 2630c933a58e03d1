import { performance } from 'node:perf_hooks';
import type { PaperIndex } from '../src/core/search/paper-index.js';
import type { BenchQuery } from './query-set.js';
import { mulberry32 } from './random.js';
import type { QueryOutcome } from './stats.js';

export type SearchHits = { id: string; title: string }[];

/** Anything that answers a benchmark query with its top 10, best first; SQLite's driver answers asynchronously. */
export type SearchEngine = (query: BenchQuery) => SearchHits | Promise<SearchHits>;

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
export async function evaluate(engine: SearchEngine, queries: readonly BenchQuery[]): Promise<QueryOutcome[]> {
  const order = mulberry32(7).shuffle(queries);
  for (const query of order) await tryRun(engine, query);
  const outcomes: QueryOutcome[] = [];
  for (const query of order) {
    const started = performance.now();
    // Awaited only when the engine answered with a promise, so a synchronous engine is timed
    // without a microtask hop.
    const answer = tryRun(engine, query);
    const result = answer instanceof Promise ? await answer : answer;
    const ms = performance.now() - started;
    if ('error' in result) {
      outcomes.push({ query, rank: undefined, ms, error: result.error });
      continue;
    }
    const at = result.hits.findIndex((h) => h.id === query.expectedId);
    const first = result.hits[0];
    outcomes.push({
      query,
      rank: at >= 0 && at < TOP_K ? at + 1 : undefined,
      ...(first ? { first: { id: first.id, title: first.title } } : {}),
      ms,
    });
  }
  return outcomes;
}

type RunResult = { hits: SearchHits } | { error: string };

function tryRun(engine: SearchEngine, query: BenchQuery): RunResult | Promise<RunResult> {
  try {
    const hits = engine(query);
    return hits instanceof Promise ? hits.then((h) => ({ hits: h }), failed) : { hits };
  } catch (error) {
    return failed(error);
  }
}

function failed(error: unknown): RunResult {
  return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}
