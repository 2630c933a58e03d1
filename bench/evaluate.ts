import { performance } from 'node:perf_hooks';
import type { PaperIndex } from '../src/core/search/paper-index.js';
import { mulberry32 } from './random.js';
import type { QueryOutcome } from './stats.js';

export type SearchHits = { id: string; title: string }[];

/**
 * A query and its answer: `expectedId`, or every id in `relevantIds` when more than one paper
 * is right (all papers of an author, each id of a list). MRR counts the first relevant hit;
 * Recall@10 the share of min(10, relevant) found in the top 10.
 */
export type LabeledQuery = {
  class: string;
  text: string;
  expectedId: string;
  expectedTitle: string;
  relevantIds?: readonly string[];
};

/** Anything that answers a benchmark query with its top 10, best first; SQLite's driver answers asynchronously. */
export type SearchEngine = (query: LabeledQuery) => SearchHits | Promise<SearchHits>;

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
export async function evaluate(
  engine: SearchEngine,
  queries: readonly LabeledQuery[],
  { warmUp = true }: { warmUp?: boolean } = {},
): Promise<QueryOutcome[]> {
  const order = mulberry32(7).shuffle(queries);
  // Without the warm-up pass (FTS5 on the held-out set, where only relevance is read), times are cold.
  if (warmUp) for (const query of order) await tryRun(engine, query);
  const outcomes: QueryOutcome[] = [];
  for (const query of order) {
    const started = performance.now();
    // Awaited only when the engine answered with a promise, so a synchronous engine is timed
    // without a microtask hop.
    const answer = tryRun(engine, query);
    const result = answer instanceof Promise ? await answer : answer;
    const ms = performance.now() - started;
    if ('error' in result) {
      outcomes.push({ query, rank: undefined, recall: 0, ms, error: result.error });
      continue;
    }
    const relevant = new Set(query.relevantIds ?? [query.expectedId]);
    const top = result.hits.slice(0, TOP_K);
    const at = top.findIndex((h) => relevant.has(h.id));
    const found = new Set(top.filter((h) => relevant.has(h.id)).map((h) => h.id)).size;
    const first = result.hits[0];
    outcomes.push({
      query,
      rank: at >= 0 ? at + 1 : undefined,
      recall: found / Math.min(TOP_K, relevant.size),
      ...(first ? { first: { id: first.id, title: first.title } } : {}),
      ms,
    });
  }
  return outcomes;
}

type RunResult = { hits: SearchHits } | { error: string };

function tryRun(engine: SearchEngine, query: LabeledQuery): RunResult | Promise<RunResult> {
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
