import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Paper } from '../src/core/paper.js';
import { buildPaperIndex } from '../src/core/search/paper-index.js';
import { evaluate, paperIndexEngine, type LabeledQuery, type SearchEngine } from './evaluate.js';
import { buildFts5Baseline } from './fts5.js';
import { generateHeldOutQueries, HELD_OUT_CLASSES, HELD_OUT_SEED } from './held-out.js';
import { generateQuerySet, QUERY_CLASSES, TUNING_SEED, type CorpusPaper } from './query-set.js';
import { fmt, missRow, type MissRow } from './report.js';
import { summarize, worstMisses, type EngineSummary, type QueryOutcome } from './stats.js';

/**
 * Relevance on two query sets: the TUNING set (the seed the engine's weights were tuned on) and
 * the HELD-OUT set (the same classes with another seed, plus the classes of bench/held-out.ts).
 * The held-out numbers are the honest ones; the gap between the two is how much tuning fitted
 * the generator rather than the queries.
 */

export const RELEVANCE_CLASSES = [...QUERY_CLASSES, ...HELD_OUT_CLASSES] as const;
export type RelevanceClass = (typeof RELEVANCE_CLASSES)[number];

export type RelevanceSets = { tuning: LabeledQuery[]; heldOut: LabeledQuery[] };

export function generateRelevanceSets(papers: readonly CorpusPaper[], perClass: number, heldOutSeed = HELD_OUT_SEED): RelevanceSets {
  return { tuning: generateQuerySet(papers, perClass, TUNING_SEED).queries, heldOut: generateHeldOutSet(papers, perClass, heldOutSeed) };
}

/** The tuning classes with the held-out seed, then the held-out classes. */
export function generateHeldOutSet(papers: readonly CorpusPaper[], perClass: number, seed = HELD_OUT_SEED): LabeledQuery[] {
  return [...generateQuerySet(papers, perClass, seed).queries, ...generateHeldOutQueries(papers, perClass, seed).queries];
}

/** Both sets' outcomes of one engine, per class. */
export function summarizeSets(tuning: readonly QueryOutcome[], heldOut: readonly QueryOutcome[]): SetSummaries {
  return { tuning: summarize(tuning, RELEVANCE_CLASSES), heldOut: summarize(heldOut, RELEVANCE_CLASSES) };
}

export type SetSummaries = { tuning: EngineSummary<RelevanceClass>; heldOut: EngineSummary<RelevanceClass> };
export type RelevanceReport = {
  seeds: { tuning: number; heldOut: number };
  ours: SetSummaries;
  fts5?: SetSummaries;
  /** Held-out misses of our engine, worst first, up to MISSES_PER_CLASS per class. */
  heldOutMisses: Record<string, MissRow[]>;
};

const MISSES_PER_CLASS = 20;
const MISSES_PRINTED = 3;

/** Runs one engine on both sets (each query twice unless `warmUp: false`, see evaluate) and summarises per class. */
export async function measureSets(engine: SearchEngine, sets: RelevanceSets, options: { warmUp?: boolean } = {}) {
  const tuning = await evaluate(engine, sets.tuning, options);
  const heldOut = await evaluate(engine, sets.heldOut, options);
  return { summaries: summarizeSets(tuning, heldOut), heldOutOutcomes: heldOut };
}

export function relevanceReport(ours: { summaries: SetSummaries; heldOutOutcomes: readonly QueryOutcome[] }, fts5?: SetSummaries, heldOutSeed = HELD_OUT_SEED): RelevanceReport {
  const heldOutMisses: Record<string, MissRow[]> = {};
  for (const c of RELEVANCE_CLASSES) heldOutMisses[c] = worstMisses(ours.heldOutOutcomes, c, MISSES_PER_CLASS).map(missRow);
  return { seeds: { tuning: TUNING_SEED, heldOut: heldOutSeed }, ours: ours.summaries, ...(fts5 ? { fts5 } : {}), heldOutMisses };
}

/** One row per class: tuning │ held-out (ours), then FTS5's on the same queries when it ran. */
export function formatRelevance(report: RelevanceReport): string {
  const head = ['class', 'tuning n', 'MRR@10', 'R@10', '│', 'held-out n', 'MRR@10', 'R@10'];
  if (report.fts5) head.push('│', 'FTS5 tune MRR', 'R@10', '│', 'FTS5 held MRR', 'R@10');
  const rows = [head];
  const cells = (s: EngineSummary<RelevanceClass>['overall'] | undefined, withN: boolean) =>
    !s || s.queries === 0 ? [...(withN ? ['—'] : []), '—', '—'] : [...(withN ? [String(s.queries)] : []), fmt.score(s.mrr10), fmt.score(s.recall10)];
  const row = (name: string, pick: (x: EngineSummary<RelevanceClass>) => EngineSummary<RelevanceClass>['overall'] | undefined) => {
    const r = [name, ...cells(pick(report.ours.tuning), true), '│', ...cells(pick(report.ours.heldOut), true)];
    if (report.fts5) r.push('│', ...cells(pick(report.fts5.tuning), false), '│', ...cells(pick(report.fts5.heldOut), false));
    return r;
  };
  for (const c of RELEVANCE_CLASSES) rows.push(row(c, (x) => x.byClass[c]));
  rows.push(row('overall', (x) => x.overall));
  const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
  return rows.map((r) => r.map((cell, k) => (k === 0 ? cell.padEnd(widths[k]!) : cell.padStart(widths[k]!))).join('  ')).join('\n');
}

export function formatHeldOutMisses(report: RelevanceReport): string {
  const out: string[] = [];
  for (const c of RELEVANCE_CLASSES) {
    const rows = report.heldOutMisses[c] ?? [];
    if (rows.length === 0) continue;
    out.push(`${c}:`);
    for (const m of rows.slice(0, MISSES_PRINTED)) {
      out.push(`  [${m.rank === null ? 'not in top 10' : `rank ${m.rank}`}] ${JSON.stringify(m.query)} → ${m.expectedId} ${clip(m.expectedTitle)}`);
      out.push(`      first: ${m.error ? `error ${m.error}` : m.first ? `${m.first.id} ${clip(m.first.title)}` : '(no results)'}`);
    }
  }
  return out.length > 0 ? out.join('\n') : 'none';
}

function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export type RelevanceOnlyOptions = {
  papers: readonly Paper[];
  perClass: number;
  /** Another seed for the held-out classes: a development split to work against, so the reported seed stays unseen. */
  heldOutSeed?: number;
  fts5: boolean;
  print: (text: string) => void;
  note: (text: string) => void;
};

/**
 * `--only relevance`: the corpus's first N papers indexed in memory (no store, snapshot, cold
 * start or topics), both query sets run on it, and FTS5 too with `--fts5`.
 */
export async function runRelevanceOnly(options: RelevanceOnlyOptions): Promise<RelevanceReport & { timings: Record<string, number> }> {
  const { papers, perClass, print, note } = options;
  const heldOutSeed = options.heldOutSeed ?? HELD_OUT_SEED;
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    const result = await work();
    timings[name] = performance.now() - started;
    return result;
  };
  note('generating the tuning and held-out query sets');
  const sets = await time('generateMs', () => generateRelevanceSets(papers, perClass, heldOutSeed));
  note(`building the index over ${fmt.count(papers.length)} papers`);
  const index = await time('buildMs', () =>
    buildPaperIndex(async function* () {
      yield papers;
    }),
  );
  note(`running ${fmt.count(sets.tuning.length + sets.heldOut.length)} queries on our index`);
  const ours = await time('oursMs', () => measureSets(paperIndexEngine(index), sets));
  let fts5: SetSummaries | undefined;
  if (options.fts5) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-relevance-'));
    try {
      note('building FTS5 and running the same queries');
      const baseline = await buildFts5Baseline(path.join(dir, 'fts5.sqlite'), papers);
      fts5 = (await time('fts5Ms', () => measureSets(baseline.engine, sets, { warmUp: false }))).summaries;
      await baseline.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const report = relevanceReport(ours, fts5, heldOutSeed);
  print(`relevance on the first ${fmt.count(papers.length)} papers, up to ${perClass} queries per class; tuning seed ${TUNING_SEED}, held-out seed ${heldOutSeed}`);
  print(formatRelevance(report));
  print('\nheld-out misses (ours), up to 3 per class:');
  print(formatHeldOutMisses(report));
  print(`\n${Object.entries(timings).map(([k, ms]) => `${k.replace(/Ms$/, '')} ${fmt.ms(ms)}`).join(', ')}`);
  return { ...report, timings };
}
