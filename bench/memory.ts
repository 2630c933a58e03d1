/**
 * What the index costs in memory at the full corpus, and per paper, so growth can be planned:
 *
 *   node --expose-gc --import tsx bench/memory.ts [--corpus PATH] [--papers N]
 *
 * Builds the index over the corpus (streamed twice, as the bot builds it from its library), measures
 * heap and RSS after garbage collection, saves a snapshot, drops the index, loads the snapshot
 * and measures again (a restarted bot holds only the loaded index), then times a few queries.
 * Prints the sizes of the compact postings (whole abstracts, author name keys) and bytes per
 * paper. Takes a few minutes on the 122,860-paper corpus.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Paper } from '../src/core/paper.js';
import { buildPaperIndex, type PaperIndex } from '../src/core/search/paper-index.js';
import { loadIndexSnapshot, saveIndexSnapshot } from '../src/storage/index-snapshot.js';
import { readCorpus } from './corpus.js';

const BATCH = 2_000;
const MB = 2 ** 20;

type Memory = { heapMb: number; rssMb: number; externalMb: number; arrayBuffersMb: number };

function measure(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc: without it heap numbers include garbage');
  gc();
  gc();
  const m = process.memoryUsage();
  return { heapMb: m.heapUsed / MB, rssMb: m.rss / MB, externalMb: m.external / MB, arrayBuffersMb: m.arrayBuffers / MB };
}

function show(label: string, m: Memory, base: Memory, papers: number): void {
  const heap = (m.heapMb - base.heapMb) * MB;
  const outside = (m.arrayBuffersMb - base.arrayBuffersMb) * MB;
  console.log(
    `${label}: heap ${m.heapMb.toFixed(0)} MB, RSS ${m.rssMb.toFixed(0)} MB, array buffers ${m.arrayBuffersMb.toFixed(0)} MB; ` +
      `index ≈ ${((heap + outside) / MB).toFixed(0)} MB = ${((heap + outside) / papers).toFixed(0)} bytes/paper ` +
      `(${(heap / papers).toFixed(0)} on the heap, ${(outside / papers).toFixed(0)} in typed arrays)`,
  );
}

function compactStats(index: PaperIndex): string {
  const a = index.compact.abstract.stats();
  const n = index.compact.names.stats();
  const g = index.compact.grams.stats();
  return (
    `abstract: ${a.terms.toLocaleString('en-US')} terms, ${a.postings.toLocaleString('en-US')} pool entries in use of ${a.poolEntries.toLocaleString('en-US')}; ` +
    `name keys: ${n.terms.toLocaleString('en-US')} terms, ${n.postings.toLocaleString('en-US')} in use of ${n.poolEntries.toLocaleString('en-US')}; ` +
    `title letter triples: ${g.terms.toLocaleString('en-US')} triples, ${g.postings.toLocaleString('en-US')} in use of ${g.poolEntries.toLocaleString('en-US')}`
  );
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Queries of every kind the index answers, from one paper: title, author, abstract words, an abstract sentence. */
function queriesOf(p: Paper): string[] {
  const words = p.abstract.split(/\s+/).filter((w) => w.length > 3);
  return [p.title, p.authors[0] ?? 'Wang', words.slice(10, 13).join(' '), words.slice(20, 36).join(' ')];
}

/** The corpus's first `limit` papers in batches, read from disk on every call. */
function corpusBatches(file: string, limit: number, onPaper: (p: Paper, i: number) => void) {
  return async function* (): AsyncGenerator<Paper[]> {
    let batch: Paper[] = [];
    let i = 0;
    for await (const record of readCorpus(file)) {
      if (!record.paper) continue;
      if (i >= limit) break;
      onPaper(record.paper, i++);
      batch.push(record.paper);
      if (batch.length === BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { corpus: { type: 'string' }, papers: { type: 'string' } } });
  const corpus = values.corpus ?? path.resolve(import.meta.dirname, '../../shared/corpus/papers.jsonl.gz');
  const limit = values.papers ? Number(values.papers) : Infinity;
  const base = measure();
  const queries: string[] = [];
  let count = 0;
  const started = performance.now();
  let index: PaperIndex | undefined = await buildPaperIndex(
    corpusBatches(corpus, limit, (p, i) => {
      count = Math.max(count, i + 1);
      if (i % 800 === 0 && queries.length < 600) queries.push(...queriesOf(p));
    }),
  );
  console.log(`${count.toLocaleString('en-US')} papers; node ${process.version}, ${os.cpus().length} CPUs`);
  console.log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s; ${compactStats(index)}`);
  show('after build', measure(), base, count);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-memory-'));
  try {
    const file = path.join(dir, 'index.snapshot');
    const saveStarted = performance.now();
    await saveIndexSnapshot(index, file, { revision: 1 });
    console.log(`snapshot ${((await stat(file)).size / MB).toFixed(0)} MB written in ${((performance.now() - saveStarted) / 1000).toFixed(1)} s`);
    index = undefined;
    const empty = measure();

    let maxBlocked = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxBlocked = Math.max(maxBlocked, now - last - 5);
      last = now;
    }, 5);
    const loadStarted = performance.now();
    const loaded = await loadIndexSnapshot(file, { revision: 1 });
    clearInterval(timer);
    if (!loaded.index) throw new Error(`snapshot did not load: ${loaded.reason}`);
    console.log(`loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s, event loop blocked at most ${maxBlocked.toFixed(0)} ms`);
    show('after snapshot load (the index alone)', measure(), empty, count);

    const times: number[] = [];
    for (const q of [...queries, ...queries]) {
      const t = performance.now();
      loaded.index.search(q);
      times.push(performance.now() - t);
    }
    const warm = times.slice(queries.length).sort((a, b) => a - b);
    console.log(
      `${warm.length} queries warm: p50 ${percentile(warm, 50).toFixed(1)} ms, p99 ${percentile(warm, 99).toFixed(1)} ms, max ${warm.at(-1)!.toFixed(1)} ms`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
