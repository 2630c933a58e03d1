import type { LabeledQuery } from './evaluate.js';
import { QUERY_CLASSES, type QueryClass } from './query-set.js';

/** What one query returned: the rank of the expected paper (1-based, within the top 10) and the time. */
export type QueryOutcome = {
  query: LabeledQuery;
  /** Of the first relevant paper; undefined: none in the top 10. */
  rank: number | undefined;
  /** Relevant papers in the top 10 over min(10, relevant papers): 0 or 1 for a one-answer query. */
  recall: number;
  /** The first result, to show what won over the expected paper. */
  first?: { id: string; title: string };
  ms: number;
  /** The engine threw (e.g. a title word read as a malformed filter). Counts as a miss. */
  error?: string;
};

export type Latency = { p50: number; p95: number; p99: number; max: number; mean: number };
export type Quality = { queries: number; mrr10: number; recall10: number };
export type ClassSummary = Quality & { latency: Latency };
export type EngineSummary<C extends string = QueryClass> = { overall: ClassSummary; byClass: Record<C, ClassSummary> };

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function latency(ms: readonly number[]): Latency {
  const sorted = [...ms].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
    mean: sorted.length > 0 ? sum / sorted.length : 0,
  };
}

export function quality(outcomes: readonly QueryOutcome[]): Quality {
  const n = outcomes.length;
  if (n === 0) return { queries: 0, mrr10: 0, recall10: 0 };
  let rr = 0;
  let found = 0;
  for (const o of outcomes) {
    found += o.recall;
    if (o.rank !== undefined) rr += 1 / o.rank;
  }
  return { queries: n, mrr10: rr / n, recall10: found / n };
}

function classSummary(outcomes: readonly QueryOutcome[]): ClassSummary {
  return { ...quality(outcomes), latency: latency(outcomes.map((o) => o.ms)) };
}

export function summarize(outcomes: readonly QueryOutcome[]): EngineSummary;
export function summarize<C extends string>(outcomes: readonly QueryOutcome[], classes: readonly C[]): EngineSummary<C>;
export function summarize(outcomes: readonly QueryOutcome[], classes: readonly string[] = QUERY_CLASSES): EngineSummary<string> {
  const byClass: Record<string, ClassSummary> = {};
  for (const c of classes) byClass[c] = classSummary(outcomes.filter((o) => o.query.class === c));
  return { overall: classSummary(outcomes), byClass };
}

/** Misses of one class, worst first: not found at all, then found further down. */
export function worstMisses(outcomes: readonly QueryOutcome[], queryClass: string, n: number): QueryOutcome[] {
  return outcomes
    .filter((o) => o.query.class === queryClass && o.rank !== 1)
    .sort((a, b) => (b.rank ?? 99) - (a.rank ?? 99))
    .slice(0, n);
}
