import { QUERY_CLASSES, type QueryClass } from './query-set.js';
import type { ColdStartRun, SnapshotLoad } from './cold-start.js';
import type { EngineSummary, QueryOutcome } from './stats.js';
import type { WorstCaseResult } from './worst-case.js';
import { HELD_OUT_CLASSES } from './held-out.js';
import type { RelevanceReport } from './relevance.js';

/** Everything one run measured; printed as text and written as JSON to bench/out/last.json. */
export type BenchReport = {
  startedAt: string;
  node: string;
  machine: { cpus: number; totalMemoryMb: number };
  corpus: { file: string; records: number; papers: number; skipped: number };
  import: { ms: number; recordsPerSecond: number };
  build: { ms: number; documents: number };
  /** Right after the build, with the built index. */
  memory: Memory;
  /** With the index loaded from the snapshot instead (absent when it did not load). */
  memoryAfterLoad?: Memory;
  snapshot: { bytes: number; ms: number };
  coldStart: { query: string; runs: ColdStartRun[]; worstMs: number };
  snapshotLoad: SnapshotLoad;
  querySet: { perClass: number; total: number; generated: Record<QueryClass, number>; autocompleteSharedPrefix: number };
  ours: EngineSummary;
  fts5: EngineSummary & { buildMs: number };
  /** Latency and work of the most expensive query shapes (bench/worst-case.ts). */
  worstCases: WorstCaseResult[];
  /** Tuning vs held-out relevance per class, ours and FTS5 (bench/relevance.ts). */
  relevance: RelevanceReport;
  targets: Target[];
  /** Our worst misses per class (up to MISSES_KEPT each), for tuning the engine. */
  misses: Record<QueryClass, MissRow[]>;
};

export type Memory = { heapUsedMb: number; rssMb: number; externalMb: number; gcExposed: boolean };
export type Target = { name: string; value: number; limit: number; unit: string; higherIsBetter: boolean; pass: boolean };
export type MissRow = { query: string; expectedId: string; expectedTitle: string; rank: number | null; first?: { id: string; title: string }; error?: string };

export const MISSES_KEPT = 50;
const MISSES_PRINTED = 5;

export function missRow(o: QueryOutcome): MissRow {
  return {
    query: o.query.text,
    expectedId: o.query.expectedId,
    expectedTitle: o.query.expectedTitle,
    rank: o.rank ?? null,
    ...(o.first ? { first: o.first } : {}),
    ...(o.error ? { error: o.error } : {}),
  };
}

/** The goals of the search issue. */
export function evaluateTargets(r: Omit<BenchReport, 'targets' | 'misses'>): Target[] {
  const atLeast = (name: string, value: number, limit: number, unit = '') =>
    ({ name, value, limit, unit, higherIsBetter: true, pass: value >= limit }) satisfies Target;
  const atMost = (name: string, value: number, limit: number, unit: string) =>
    ({ name, value, limit, unit, higherIsBetter: false, pass: value <= limit }) satisfies Target;
  const coldStartValid = r.coldStart.runs.every((run) => run.answered && !run.rebuiltIndex);
  const heldOutClasses = [...QUERY_CLASSES, ...HELD_OUT_CLASSES].map((name) => ({ name, ...r.relevance.ours.heldOut.byClass[name] }));
  const worstHeldOut = heldOutClasses.filter((c) => c.queries > 0).sort((a, b) => a.mrr10 - b.mrr10)[0] ?? { name: 'none', mrr10: 0 };
  return [
    atLeast('MRR@10 overall', r.ours.overall.mrr10, 0.95),
    atLeast('MRR@10 typo-title', r.ours.byClass['typo-title'].mrr10, 0.9),
    atLeast('MRR@10 id-url', r.ours.byClass['id-url'].mrr10, 1),
    atLeast('held-out MRR@10 overall', r.relevance.ours.heldOut.overall.mrr10, 0.95),
    atLeast(`held-out MRR@10 worst class (${worstHeldOut.name})`, worstHeldOut.mrr10, 0.9),
    atLeast('held-out MRR@10 id-link', r.relevance.ours.heldOut.byClass['id-link'].mrr10, 1),
    atMost('query latency p99', r.ours.overall.latency.p99, 25, 'ms'),
    atMost('query latency max', r.ours.overall.latency.max, 100, 'ms'),
    atMost('heap with the corpus indexed', r.memory.heapUsedMb, 500, 'MB'),
    // A cold start that rebuilt the index or answered wrongly did not measure what it should: a miss.
    atMost('CLI cold start (worst run)', coldStartValid ? r.coldStart.worstMs : Infinity, 10_000, 'ms'),
    // Same for a load that returned no index: nothing was measured.
    atMost(
      'event loop blocked while loading',
      r.snapshotLoad.problem ? Infinity : Math.max(r.snapshotLoad.maxBlockedMs, r.snapshotLoad.histogramMaxMs),
      100,
      'ms',
    ),
    atMost('import', r.import.ms, 60_000, 'ms'),
  ];
}

// ---- text ---------------------------------------------------------------------------------

export const fmt = {
  count: (n: number) => n.toLocaleString('en-US'),
  ms: (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`),
  mb: (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`,
  score: (x: number) => x.toFixed(3),
  ratio: (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—'),
};

export function heading(title: string): string {
  return `\n== ${title} ${'='.repeat(Math.max(0, 74 - title.length))}`;
}

function table(rows: string[][], alignLeft = 1): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c < alignLeft ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

/** Quality and latency per class, ours next to FTS5. */
export function formatComparison(ours: EngineSummary, fts5: EngineSummary): string {
  const rows = [['class', 'n', 'MRR@10', 'R@10', 'p50', 'p95', 'p99', 'max', '│', 'FTS5 MRR', 'R@10', 'p50', 'p99', 'max']];
  const row = (name: string, a: EngineSummary['overall'], b: EngineSummary['overall']) => [
    name,
    String(a.queries),
    fmt.score(a.mrr10),
    fmt.score(a.recall10),
    fmt.ms(a.latency.p50),
    fmt.ms(a.latency.p95),
    fmt.ms(a.latency.p99),
    fmt.ms(a.latency.max),
    '│',
    fmt.score(b.mrr10),
    fmt.score(b.recall10),
    fmt.ms(b.latency.p50),
    fmt.ms(b.latency.p99),
    fmt.ms(b.latency.max),
  ];
  for (const c of QUERY_CLASSES) rows.push(row(c, ours.byClass[c], fts5.byClass[c]));
  rows.push(row('overall', ours.overall, fts5.overall));
  return table(rows);
}

/** ours / FTS5: below 1 means we are faster; above 1 means our MRR is higher. */
export function formatRatios(ours: EngineSummary, fts5: EngineSummary): string {
  const l = (k: 'p50' | 'p95' | 'p99' | 'max') => `${k} ${fmt.ratio(ours.overall.latency[k] / fts5.overall.latency[k])}`;
  const mrr = (c: QueryClass) => `${c} ${fmt.ratio(ours.byClass[c].mrr10 / fts5.byClass[c].mrr10)}`;
  return [
    `latency ours/FTS5 (lower is better):  ${['p50', 'p95', 'p99', 'max'].map((k) => l(k as 'p50')).join('   ')}`,
    `MRR@10 ours/FTS5 (higher is better):  overall ${fmt.ratio(ours.overall.mrr10 / fts5.overall.mrr10)}`,
    `  ${QUERY_CLASSES.map(mrr).join('   ')}`,
  ].join('\n');
}

export function formatTargets(targets: Target[]): string {
  return targets
    .map((t) => {
      const op = t.higherIsBetter ? '≥' : '≤';
      // Scores with 4 decimals, so 0.9496 does not print as a failing "0.950 ≥ 0.95".
      const show = (x: number) => (!Number.isFinite(x) ? 'invalid run' : t.unit === 'ms' ? fmt.ms(x) : t.unit === 'MB' ? `${x.toFixed(0)} MB` : x.toFixed(4));
      const limit = t.unit === '' ? String(t.limit) : `${t.limit} ${t.unit}`;
      return `${t.pass ? 'PASS' : 'MISS'}  ${`${t.name} ${op} ${limit}`.padEnd(46)} ${show(t.value)}`;
    })
    .join('\n');
}

export function formatMisses(misses: Record<QueryClass, MissRow[]>, summary: EngineSummary): string {
  const out: string[] = [];
  for (const c of QUERY_CLASSES) {
    const rows = misses[c];
    if (rows.length === 0) continue;
    const s = summary.byClass[c];
    const notFound = Math.round(s.queries * (1 - s.recall10));
    out.push(`${c}: MRR@10 ${fmt.score(s.mrr10)}, ${notFound} of ${s.queries} not in the top 10`);
    for (const m of rows.slice(0, MISSES_PRINTED)) {
      const rank = m.rank === null ? 'not in top 10' : `rank ${m.rank}`;
      out.push(`  [${rank}] query: ${JSON.stringify(m.query)}`);
      out.push(`      expected: ${m.expectedId}  ${clip(m.expectedTitle)}`);
      if (m.error) out.push(`      error:    ${m.error}`);
      else out.push(`      first:    ${m.first ? `${m.first.id}  ${clip(m.first.title)}` : '(no results)'}`);
    }
  }
  return out.length > 0 ? out.join('\n') : 'none: every expected paper came first';
}

function clip(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
