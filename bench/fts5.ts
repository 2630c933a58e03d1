import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { CorpusPaper } from './query-set.js';
import { TOP_K, type SearchEngine } from './evaluate.js';

/**
 * The baseline: SQLite FTS5 with its default unicode61 tokenizer and BM25, queried the plain way
 * (every typed word quoted, OR-ed together). Deliberately not tuned: it shows what a stock
 * full-text index gives on the same corpus and queries, so our numbers have a reference.
 */

export type Fts5Baseline = { engine: SearchEngine; buildMs: number; close(): void };

export function buildFts5Baseline(file: string, papers: Iterable<CorpusPaper>): Fts5Baseline {
  const db = new Database(file);
  const started = performance.now();
  db.exec('CREATE VIRTUAL TABLE papers_fts USING fts5(id UNINDEXED, title, abstract, authors)');
  const insert = db.prepare('INSERT INTO papers_fts (id, title, abstract, authors) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const p of papers) insert.run(p.id, p.title, p.abstract, p.authors.join(', '));
  })();
  const buildMs = performance.now() - started;

  const search = db.prepare<[string], { id: string; title: string }>(
    `SELECT id, title FROM papers_fts WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts) LIMIT ${TOP_K}`,
  );
  return {
    engine: (query) => {
      const match = toFts5Query(query.text);
      return match ? search.all(match) : [];
    },
    buildMs,
    close: () => db.close(),
  };
}

/** `HiFi-SR: super "res"` → `"HiFi-SR:" OR "super" OR """res"""`: each word a quoted string, OR-ed. */
export function toFts5Query(text: string): string {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => `"${word.replaceAll('"', '""')}"`)
    .join(' OR ');
}
