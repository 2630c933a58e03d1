import { normalizePaper, PAPER_SOURCES, PaperError, type Paper, type PaperLinks, type PaperSource } from '../paper.js';
import { ImportFormatError, type ImportSkip, type ParseResult } from './import-result.js';
import { isoDay } from './source-fields.js';

/**
 * Paper records as JSON: the corpus lines `{id,title,abstract,authors,published,categories,
 * source,date_basis}` and our own Paper shape (so an export imports back unchanged).
 *
 * Hot path: the full corpus is 122,860 lines. Fields are only type-checked here, with plain
 * `typeof` tests, so normalizePaper can run on them; normalizePaper is the one validation
 * (ids, dates, URLs). A zod schema per record would validate twice and cost several µs more.
 */

type JsonObject = Record<string, unknown>;

const LINK_KEYS = ['arxiv', 'pdf', 'huggingface', 'code', 'project'] as const satisfies readonly (keyof PaperLinks)[];
const KNOWN_SOURCES = new Set<string>(PAPER_SOURCES);

/** One record → Paper, or a PaperError with a short reason ("title missing", "authors: expected an array"). */
export function parsePaperRecord(value: unknown): Paper {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PaperError('expected a JSON object');
  }
  const r = value as JsonObject;
  const id = requiredString(r, 'id');
  const title = requiredString(r, 'title');
  const published = optionalString(r, 'published');
  const publishedDay = published === undefined ? undefined : isoDay(published);
  if (published !== undefined && publishedDay === undefined) {
    throw new PaperError('published: expected a YYYY-MM-DD date');
  }
  return normalizePaper({
    id,
    title,
    // Our Paper calls it abstract; arXiv and HF call it summary.
    abstract: optionalString(r, 'abstract') ?? optionalString(r, 'summary'),
    authors: authorList(r.authors),
    published: publishedDay,
    categories: stringList(r, 'categories'),
    upvotes: optionalNumber(r, 'upvotes'),
    links: links(r.links),
    thumbnail: optionalString(r, 'thumbnail'),
    aiSummary: optionalString(r, 'aiSummary'),
    keywords: stringList(r, 'keywords'),
    comment: optionalString(r, 'comment'),
    githubStars: optionalNumber(r, 'githubStars'),
    sources: sources(r.sources),
  });
}

/**
 * JSON Lines, one record per line. Yields a paper or a skip note per non-blank line, in order;
 * line numbers are 1-based and count blank lines, so they match an editor's.
 */
export async function* parseJsonLines(
  lines: AsyncIterable<string>,
): AsyncGenerator<{ paper?: Paper; skip?: ImportSkip }> {
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    // A BOM can open line 1; the CR of CRLF files is JSON whitespace and needs nothing.
    const text = lineNumber === 1 ? line.replace(/^\uFEFF/, '') : line;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      yield { skip: { where: `line ${lineNumber}`, reason: 'not valid JSON' } };
      continue;
    }
    try {
      yield { paper: parsePaperRecord(value) };
    } catch (error) {
      if (!(error instanceof PaperError)) throw error;
      yield { skip: { where: `line ${lineNumber}`, reason: error.message } };
    }
  }
}

/** A JSON array of records (what an export with `--format json` writes). */
export function parseJsonRecords(text: string): ParseResult {
  const expected = 'a JSON array of paper records';
  let body: unknown;
  try {
    body = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ImportFormatError('jsonl', expected, (error as Error).message);
  }
  if (!Array.isArray(body)) throw new ImportFormatError('jsonl', expected, 'the top level is not an array');
  const result: ParseResult = { papers: [], skipped: [] };
  body.forEach((value, i) => {
    try {
      result.papers.push(parsePaperRecord(value));
    } catch (error) {
      if (!(error instanceof PaperError)) throw error;
      result.skipped.push({ where: `record ${i + 1}`, reason: error.message });
    }
  });
  return result;
}

function requiredString(r: JsonObject, key: string): string {
  const v = r[key];
  if (typeof v === 'string') {
    if (v.trim() === '') throw new PaperError(`${key} missing`);
    return v;
  }
  if (v === undefined || v === null) throw new PaperError(`${key} missing`);
  throw new PaperError(`${key}: expected a string`);
}

// null counts as absent: exports from other tools write "comment": null.
function optionalString(r: JsonObject, key: string): string | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new PaperError(`${key}: expected a string`);
  return v;
}

function optionalNumber(r: JsonObject, key: string): number | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number') throw new PaperError(`${key}: expected a number`);
  return v;
}

function stringList(r: JsonObject, key: string): string[] {
  const v = r[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new PaperError(`${key}: expected an array of strings`);
  for (const item of v) if (typeof item !== 'string') throw new PaperError(`${key}: expected an array of strings`);
  return v as string[];
}

/** Names as strings (corpus, Paper) or as `{ name }` objects (HF-style exports). */
function authorList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new PaperError('authors: expected an array');
  const names: string[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const a: unknown = v[i];
    if (typeof a === 'string') names[i] = a;
    else if (typeof a === 'object' && a !== null && typeof (a as { name?: unknown }).name === 'string') {
      names[i] = (a as { name: string }).name;
    } else throw new PaperError('authors: expected names');
  }
  return names;
}

function links(v: unknown): Partial<PaperLinks> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new PaperError('links: expected an object');
  const out: Partial<PaperLinks> = {};
  for (const key of LINK_KEYS) {
    const url = (v as JsonObject)[key];
    if (typeof url === 'string') out[key] = url;
  }
  return out;
}

/** The record's own sources when it lists known ones (a re-imported export keeps "hf", "arxiv"…), else jsonl. */
function sources(v: unknown): PaperSource[] {
  if (Array.isArray(v)) {
    const known = v.filter((s): s is PaperSource => typeof s === 'string' && KNOWN_SOURCES.has(s));
    if (known.length > 0) return known;
  }
  return ['jsonl'];
}
