import { performance } from 'node:perf_hooks';
import sqlite3 from 'sqlite3';
import type { CorpusPaper } from './query-set.js';
import { TOP_K, type SearchEngine } from './evaluate.js';

/**
 * The baseline: SQLite FTS5 with its default unicode61 tokenizer and BM25, queried the plain way
 * (every typed word quoted, OR-ed together, the last one as a prefix). Deliberately not tuned: it
 * shows what a stock full-text index gives on the same corpus and queries, so our numbers have a
 * reference. Fair, not crippled: the id is an indexed column (a pasted id or link finds its
 * paper through its digits) and the last word is a prefix query, as autocomplete needs.
 *
 * It runs on `sqlite3`, the driver @keyv/sqlite already installs (its bundled SQLite has FTS5),
 * so the benchmark costs no second native build in `npm ci`. That driver is asynchronous: each
 * query's time includes one hop to libuv's thread pool and back, tens of microseconds, small
 * next to FTS5's own time on OR queries over the corpus.
 */

export type Fts5Baseline = { engine: SearchEngine; buildMs: number; close(): Promise<void> };

/** Rows per INSERT: each statement takes a JSON array of rows, so the build is not one round trip per paper. */
const INSERT_ROWS = 5000;

export async function buildFts5Baseline(file: string, papers: Iterable<CorpusPaper>): Promise<Fts5Baseline> {
  const db = await openDatabase(file);
  const started = performance.now();
  await exec(db, 'CREATE VIRTUAL TABLE papers_fts USING fts5(id, title, abstract, authors)');
  const insert = db.prepare(
    `INSERT INTO papers_fts (id, title, abstract, authors)
     SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]')
     FROM json_each(?)`,
  );
  await exec(db, 'BEGIN');
  let rows: string[][] = [];
  for (const p of papers) {
    rows.push([p.id, p.title, p.abstract, p.authors.join(', ')]);
    if (rows.length === INSERT_ROWS) {
      await run(insert, JSON.stringify(rows));
      rows = [];
    }
  }
  if (rows.length > 0) await run(insert, JSON.stringify(rows));
  await exec(db, 'COMMIT');
  await finalize(insert);
  const buildMs = performance.now() - started;

  const search = db.prepare(
    `SELECT id, title FROM papers_fts WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts) LIMIT ${TOP_K}`,
  );
  return {
    engine: (query) => {
      const match = toFts5Query(query.text);
      return match ? all<{ id: string; title: string }>(search, match) : [];
    },
    buildMs,
    close: async () => {
      await finalize(search);
      await new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/**
 * `HiFi-SR: super "res` → `"HiFi" OR "SR" OR "super" OR "res"*`: the words as unicode61 splits
 * them (so `2509.11253;` asks for 2509 and 11253, as the id column holds them), each quoted,
 * OR-ed, the last one a prefix.
 */
export function toFts5Query(text: string): string {
  const words = text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return words.map((word, i) => `"${word}"${i === words.length - 1 ? '*' : ''}`).join(' OR ');
}

function openDatabase(file: string): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(db)));
  });
}

function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(sql, (error) => (error ? reject(error) : resolve())));
}

function run(statement: sqlite3.Statement, param: string): Promise<void> {
  return new Promise((resolve, reject) => statement.run([param], (error) => (error ? reject(error) : resolve())));
}

function all<T>(statement: sqlite3.Statement, param: string): Promise<T[]> {
  return new Promise((resolve, reject) => statement.all<T>([param], (error, rows) => (error ? reject(error) : resolve(rows))));
}

function finalize(statement: sqlite3.Statement): Promise<void> {
  return new Promise((resolve, reject) => statement.finalize((error) => (error ? reject(error) : resolve())));
}
