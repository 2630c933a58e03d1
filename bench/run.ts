import { snapshotStamp } from '../src/app/library-service.js';
import { libraryStores, openStores } from '../src/storage/stores.js';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLibrary, type Library } from '../src/core/library.js';
import { buildPaperIndex, type PaperIndex } from '../src/core/search/paper-index.js';
import { saveIndexSnapshot } from '../src/storage/index-snapshot.js';
import { openStorage, type Storage } from '../src/storage/open-storage.js';
import { measureColdStart, measureSnapshotLoad, type ColdStartRun } from './cold-start.js';
import { loadCorpus, readCorpus } from './corpus.js';
import { evaluate, paperIndexEngine } from './evaluate.js';
import { buildFts5Baseline } from './fts5.js';
import { runTopicBenchmarks } from './topics.js';
import { benchClusters, formatClusterResult, type ClusterBenchResult } from './clusters.js';
import { generateQuerySet, QUERY_CLASSES, worstCaseQueries, type QueryClass, type QuerySet } from './query-set.js';
import { formatWorstCases, runWorstCases } from './worst-case.js';
import { formatHeldOutMisses, formatRelevance, generateHeldOutSet, relevanceReport, runRelevanceOnly, summarizeSets } from './relevance.js';
import {
  evaluateTargets,
  fmt,
  formatComparison,
  formatMisses,
  formatRatios,
  formatTargets,
  heading,
  missRow,
  MISSES_KEPT,
  type BenchReport,
  type MissRow,
} from './report.js';
import { summarize, worstMisses } from './stats.js';

/**
 * `npm run bench [-- --corpus PATH] [-- --queries N]`: import, index, snapshot, cold start,
 * search quality and latency against SQLite FTS5, all on one corpus in a temporary directory.
 * Prints a report and writes it as JSON to bench/out/last.json (the query set goes to
 * bench/out/queries.jsonl, to replay or inspect).
 */

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_CORPUS = path.resolve(REPO_ROOT, '../shared/corpus/papers.jsonl.gz');
const OUT_DIR = path.join(REPO_ROOT, 'bench/out');
const BIN = path.join(REPO_ROOT, 'bin/paperboy.js');
const DEFAULT_PER_CLASS = 300;
const UPSERT_BATCH = 1000;
const COLD_START_RUNS = 3;

type Args = {
  corpus: string;
  perClass: number;
  worstCasesOnly: boolean;
  /** `--papers N`: the corpus's first N papers only (Infinity: all). */
  papers: number;
  /** `--only relevance`: the relevance sets on an in-memory index, nothing else; `--only clusters`: the scale-out section alone. */
  only?: 'relevance' | 'clusters';
  /** `--fts5` with `--only relevance`: FTS5 on the same queries too. */
  fts5: boolean;
  /** `--held-out-seed N` with `--only relevance`: generate the held-out set from another seed (a development split). */
  heldOutSeed?: number;
};

/** A problem with the input (missing corpus, bad option): one line, exit status 1. */
class BenchError extends Error {}

function parseBenchArgs(argv: string[]): Args {
  let values: { corpus?: string; queries?: string; 'worst-cases'?: boolean; papers?: string; only?: string; fts5?: boolean; 'held-out-seed'?: string };
  try {
    ({ values } = parseArgs({
      // `npm run bench -- --corpus X -- --queries N` passes the second `--` through; it means nothing here.
      args: argv.filter((a) => a !== '--'),
      options: {
        corpus: { type: 'string' },
        queries: { type: 'string' },
        'worst-cases': { type: 'boolean' },
        papers: { type: 'string' },
        only: { type: 'string' },
        fts5: { type: 'boolean' },
        'held-out-seed': { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new BenchError(
      `${(error as Error).message} (usage: npm run bench -- [--corpus PATH] [--papers N] [--queries N] [--worst-cases | --only relevance [--fts5] | --only clusters])`,
    );
  }
  const perClass = values.queries === undefined ? DEFAULT_PER_CLASS : Number(values.queries);
  if (!Number.isInteger(perClass) || perClass < 1) throw new BenchError('--queries must be a whole number ≥ 1 (queries per class)');
  const papers = values.papers === undefined ? Infinity : Number(values.papers);
  if (papers !== Infinity && (!Number.isInteger(papers) || papers < 1)) throw new BenchError('--papers must be a whole number ≥ 1');
  if (values.only !== undefined && values.only !== 'relevance' && values.only !== 'clusters') {
    throw new BenchError(`--only ${values.only}: the stages run alone are "relevance" and "clusters"`);
  }
  const heldOutSeed = values['held-out-seed'] === undefined ? undefined : Number(values['held-out-seed']);
  if (heldOutSeed !== undefined && !Number.isInteger(heldOutSeed)) throw new BenchError('--held-out-seed must be a whole number');
  return {
    ...(heldOutSeed !== undefined ? { heldOutSeed } : {}),
    corpus: values.corpus ? path.resolve(values.corpus) : DEFAULT_CORPUS,
    perClass,
    worstCasesOnly: values['worst-cases'] ?? false,
    papers,
    ...(values.only ? { only: values.only as 'relevance' | 'clusters' } : {}),
    fts5: values.fts5 ?? false,
  };
}

/** Progress goes to stderr, the report to stdout. */
function note(message: string): void {
  process.stderr.write(`… ${message}\n`);
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Collects garbage when node runs with --expose-gc (npm run bench does), so heap numbers are live data. */
function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  gc();
  gc();
  return true;
}

function measureMemory(): BenchReport['memory'] {
  const gcExposed = collectGarbage();
  const m = process.memoryUsage();
  return { heapUsedMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20, externalMb: m.external / 2 ** 20, gcExposed };
}

// ---- stages -------------------------------------------------------------------------------

async function importCorpus(file: string, library: Library, limit: number) {
  const started = performance.now();
  let records = 0;
  let skipped = 0;
  let batch = [];
  for await (const record of readCorpus(file)) {
    if (records - skipped >= limit) break;
    records++;
    if (!record.paper) {
      skipped++;
      continue;
    }
    batch.push(record.paper);
    if (batch.length === UPSERT_BATCH) {
      await library.upsertMany(batch);
      batch = [];
      if (records % 20_000 < UPSERT_BATCH) note(`imported ${fmt.count(records)} records`);
    }
  }
  if (batch.length > 0) await library.upsertMany(batch);
  const ms = performance.now() - started;
  return { ms, records, skipped, papers: await library.count(), sample: await anyPaper(library) };
}

/** Any one paper, for the cold-start query (its exact title must find it). */
async function anyPaper(library: Library): Promise<{ id: string; title: string } | undefined> {
  for await (const batch of library.batches(1)) {
    const paper = batch[0];
    if (paper) return { id: paper.id, title: paper.title };
  }
  return undefined;
}

async function coldStarts(dir: string, storeUrl: string, indexPath: string, sample: { id: string; title: string }) {
  const runs: ColdStartRun[] = [];
  for (let i = 0; i < COLD_START_RUNS; i++) {
    runs.push(await measureColdStart({ binPath: BIN, cwd: dir, storeUrl, indexPath, query: sample.title, expectedId: sample.id }));
  }
  return { query: sample.title, runs, worstMs: Math.max(...runs.map((r) => r.ms)) };
}

async function writeQuerySet(set: QuerySet): Promise<void> {
  await mkdir(OUT_DIR, { recursive: true });
  await writeFile(path.join(OUT_DIR, 'queries.jsonl'), set.queries.map((q) => JSON.stringify(q)).join('\n') + '\n');
}

// ---- the run ------------------------------------------------------------------------------

async function runBenchmark(args: Args, dir: string): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const storeUrl = `sqlite://${path.join(dir, 'library.sqlite')}`;
  const indexPath = path.join(dir, 'paperboy.index');
  print(`paperboy benchmark — corpus ${args.corpus}`);
  print(`node ${process.version}, ${os.cpus().length} CPUs, ${fmt.count(Math.round(os.totalmem() / 2 ** 20))} MB RAM, work dir ${dir}`);

  // 1. Import
  note('importing the corpus');
  const storage: Storage = await openStorage(storeUrl);
  const stores = openStores(storage);
  const library = createLibrary(libraryStores(stores), { atomically: storage.atomically });
  const imported = await importCorpus(args.corpus, library, args.papers);
  if (!imported.sample) throw new BenchError(`no papers in ${args.corpus}`);
  const importReport = { ms: imported.ms, recordsPerSecond: imported.records / (imported.ms / 1000) };
  print(heading('1. import'));
  print(`${fmt.count(imported.records)} records (${fmt.count(imported.papers)} papers, ${fmt.count(imported.skipped)} skipped) in ${fmt.ms(imported.ms)}: ${fmt.count(Math.round(importReport.recordsPerSecond))} records/s`);

  // 2. Index build and memory
  note('building the index');
  const buildStarted = performance.now();
  let index: PaperIndex | undefined = await buildPaperIndex(() => library.batches(UPSERT_BATCH));
  const build = { ms: performance.now() - buildStarted, documents: index.size };
  const memory = measureMemory();
  print(heading('2. index build'));
  print(`${fmt.count(build.documents)} documents in ${fmt.ms(build.ms)}`);
  print(`heap ${memory.heapUsedMb.toFixed(0)} MB, RSS ${memory.rssMb.toFixed(0)} MB, external ${memory.externalMb.toFixed(0)} MB${memory.gcExposed ? ' (after gc)' : ' (no --expose-gc: heap includes garbage)'}`);

  // 3. Snapshot
  note('saving the snapshot');
  const revision = await library.revision();
  const saveStarted = performance.now();
  // Stamped as the library service stamps it, so the CLI's cold start loads it instead of rebuilding.
  await saveIndexSnapshot(index, indexPath, { revision, stamp: await snapshotStamp(stores, revision) });
  const snapshot = { ms: performance.now() - saveStarted, bytes: (await stat(indexPath)).size };
  print(heading('3. snapshot'));
  print(`${fmt.mb(snapshot.bytes)} written in ${fmt.ms(snapshot.ms)}`);

  // 4. Cold start
  note(`cold-starting the CLI ${COLD_START_RUNS} times`);
  const coldStart = await coldStarts(dir, storeUrl, indexPath, imported.sample);
  // The built index goes before the in-process load, as a restarting bot has no index in memory:
  // holding both, the load's garbage collections took 500+ ms that no real start-up sees.
  index = undefined;
  collectGarbage();
  note('loading the snapshot in process');
  const load = await measureSnapshotLoad(indexPath, revision);
  const snapshotLoad = load.measurement;
  // From here on the queries run on the loaded index, what a restarted bot searches. If the
  // snapshot did not load (say, src/ changed its format mid-run), they run on a rebuilt one.
  index = load.index ?? (await buildPaperIndex(() => library.batches(UPSERT_BATCH)));
  const memoryAfterLoad = load.index ? measureMemory() : undefined;
  await storage.close();
  print(heading('4. cold start'));
  for (const [i, run] of coldStart.runs.entries()) {
    const problems = [!run.answered && 'the first answer lacked the expected paper', run.rebuiltIndex && 'the CLI rebuilt the index'].filter(Boolean);
    print(`CLI run ${i + 1}: first answer after ${fmt.ms(run.ms)}${problems.length > 0 ? `  (INVALID: ${problems.join(', ')})` : ''}`);
  }
  print(
    `in-process snapshot load: ${fmt.ms(snapshotLoad.loadMs)}, event loop blocked at most ${fmt.ms(snapshotLoad.maxBlockedMs)} ` +
      `(delay histogram max ${fmt.ms(snapshotLoad.histogramMaxMs)}; process CPU during that gap ${fmt.ms(snapshotLoad.cpuInLongestGapMs)})${snapshotLoad.problem ? `  NOT LOADED: ${snapshotLoad.problem}; queries run on a rebuilt index` : ''}`,
  );
  if (memoryAfterLoad) print(`heap with the loaded index: ${memoryAfterLoad.heapUsedMb.toFixed(0)} MB, RSS ${memoryAfterLoad.rssMb.toFixed(0)} MB`);

  // 5–7. Queries, then both engines on them. FTS5 is built first, while the corpus is in memory,
  // so the corpus can be dropped before anything is timed.
  note('generating the query set');
  let papers = await loadCorpus(args.corpus, args.papers);
  const querySet = generateQuerySet(papers, args.perClass);
  const heldOut = generateHeldOutSet(papers, args.perClass);
  const worstCases = worstCaseQueries(papers);
  await writeQuerySet(querySet);
  note('building the FTS5 baseline');
  const fts5 = await buildFts5Baseline(path.join(dir, 'fts5.sqlite'), papers);
  papers = [];
  collectGarbage();

  note(`running ${fmt.count(querySet.queries.length)} queries on our index`);
  const ourOutcomes = await evaluate(paperIndexEngine(index), querySet.queries);
  const ours = summarize(ourOutcomes);
  note(`running ${fmt.count(heldOut.length)} held-out queries on our index`);
  const ourHeldOut = await evaluate(paperIndexEngine(index), heldOut);
  note(`running ${worstCases.length} worst-case queries on our index`);
  const worstCaseResults = runWorstCases(index, worstCases);
  index = undefined;
  collectGarbage();
  note('running them on FTS5');
  const ftsOutcomes = await evaluate(fts5.engine, querySet.queries);
  const ftsSummary = { ...summarize(ftsOutcomes), buildMs: fts5.buildMs };
  note('running the held-out queries on FTS5');
  const ftsHeldOut = await evaluate(fts5.engine, heldOut, { warmUp: false });
  await fts5.close();
  const relevance = relevanceReport(
    { summaries: summarizeSets(ourOutcomes, ourHeldOut), heldOutOutcomes: ourHeldOut },
    summarizeSets(ftsOutcomes, ftsHeldOut),
  );

  print(heading('5–7. search quality and latency: ours │ SQLite FTS5 BM25'));
  print(`${fmt.count(querySet.queries.length)} queries (seeded), up to ${args.perClass} per class; ` + QUERY_CLASSES.map((c) => `${c} ${querySet.generated[c]}`).join(', '));
  print(`autocomplete prefixes are shared by ${querySet.autocompleteSharedPrefix.toFixed(2)} corpus titles on average (prefixes shared by > 10 titles are lengthened or skipped)`);
  print(`FTS5 build: ${fmt.ms(fts5.buildMs)} (our index: ${fmt.ms(build.ms)})\n`);
  print(formatComparison(ours, ftsSummary));
  print('');
  print(formatRatios(ours, ftsSummary));
  print(heading('7b. worst-case queries (ours, full corpus)'));
  print(formatWorstCases(worstCaseResults));
  print(heading('7c. relevance: tuning set │ held-out set │ FTS5 on both'));
  print(`tuning seed ${relevance.seeds.tuning}; held-out seed ${relevance.seeds.heldOut} and the classes of bench/held-out.ts (MRR on the first relevant paper, R@10 of min(10, relevant))`);
  print(formatRelevance(relevance));
  print('\nheld-out misses (ours), up to 3 per class:');
  print(formatHeldOutMisses(relevance));

  const misses = {} as Record<QueryClass, MissRow[]>;
  for (const c of QUERY_CLASSES) misses[c] = worstMisses(ourOutcomes, c, MISSES_KEPT).map(missRow);

  const partial = {
    startedAt,
    node: process.version,
    machine: { cpus: os.cpus().length, totalMemoryMb: Math.round(os.totalmem() / 2 ** 20) },
    corpus: { file: args.corpus, records: imported.records, papers: imported.papers, skipped: imported.skipped },
    import: importReport,
    build,
    memory,
    ...(memoryAfterLoad ? { memoryAfterLoad } : {}),
    snapshot,
    coldStart,
    snapshotLoad,
    querySet: {
      perClass: args.perClass,
      total: querySet.queries.length,
      generated: querySet.generated,
      autocompleteSharedPrefix: querySet.autocompleteSharedPrefix,
    },
    ours,
    fts5: ftsSummary,
    worstCases: worstCaseResults,
    relevance,
  };
  const report: BenchReport = { ...partial, targets: evaluateTargets(partial), misses };

  print(heading('8. targets'));
  print(formatTargets(report.targets));
  print(heading('worst misses (ours), up to 5 per class'));
  print(formatMisses(misses, ours));
  return report;
}

/**
 * `--worst-cases`: only section 7b, on an index built straight from the corpus (no store, no
 * snapshot, no FTS5): a few minutes instead of the whole run, for work on query cost.
 */
async function runWorstCasesOnly(args: Args): Promise<void> {
  note('loading the corpus and building the index');
  const papers = await loadCorpus(args.corpus, args.papers);
  const worstCases = worstCaseQueries(papers);
  const index = await buildPaperIndex(async function* () {
    yield papers;
  });
  print(heading(`7b. worst-case queries (ours, ${fmt.count(index.size)} papers)`));
  print(formatWorstCases(runWorstCases(index, worstCases)));
}

/** `--only relevance`: tuning and held-out relevance on the first `--papers` papers; seconds at 10,000. */
async function runRelevanceStage(args: Args): Promise<void> {
  note(`loading ${args.papers === Infinity ? 'the corpus' : `the first ${fmt.count(args.papers)} papers`}`);
  const papers = await loadCorpus(args.corpus, args.papers);
  if (papers.length === 0) throw new BenchError(`no papers in ${args.corpus}`);
  const report = await runRelevanceOnly({ papers, perClass: args.perClass, fts5: args.fts5, print, note, ...(args.heldOutSeed !== undefined ? { heldOutSeed: args.heldOutSeed } : {}) });
  await mkdir(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `relevance-${papers.length}.json`);
  await writeFile(file, `${JSON.stringify({ startedAt: new Date().toISOString(), corpus: args.corpus, papers: papers.length, perClass: args.perClass, ...report }, null, 2)}\n`);
  print(`report written to ${path.relative(process.cwd(), file)}`);
}

/**
 * Section 10: the cluster manager with 2 and 4 clusters, 200 servers × 3 topics, 1,000 posts
 * through its one REST proxy against Discord's limits, on PostgreSQL (bench/clusters.ts).
 */
async function runClusterBenchmarks(): Promise<ClusterBenchResult[]> {
  print(heading('10. scale-out: clusters on PostgreSQL, one REST proxy'));
  const results: ClusterBenchResult[] = [];
  for (const clusters of [2, 4]) {
    const result = await benchClusters(clusters, 200, 1000);
    for (const line of formatClusterResult(result)) print(line);
    results.push(result);
  }
  return results;
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (!existsSync(args.corpus)) {
    throw new BenchError(`corpus not found: ${args.corpus} (pass --corpus PATH to a papers .jsonl or .jsonl.gz file)`);
  }
  if (args.worstCasesOnly) return runWorstCasesOnly(args);
  if (args.only === 'relevance') return runRelevanceStage(args);
  if (args.only === 'clusters') {
    await runClusterBenchmarks();
    return;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-bench-'));
  try {
    const report = await runBenchmark(args, dir);
    print(heading('9. topic channels'));
    const topics = await runTopicBenchmarks({ print });
    const clusters = await runClusterBenchmarks();
    await mkdir(OUT_DIR, { recursive: true });
    await writeFile(path.join(OUT_DIR, 'last.json'), `${JSON.stringify({ ...report, topics, clusters }, null, 2)}\n`);
    print(`\nreport written to ${path.relative(process.cwd(), path.join(OUT_DIR, 'last.json'))}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  if (!(error instanceof BenchError)) throw error;
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 1;
}
