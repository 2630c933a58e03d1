import { createReadStream, type ReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import { UserFacingError } from '../core/errors.js';
import type { Paper } from '../core/paper.js';
import { parseArxivAtom } from '../core/parsers/arxiv-atom.js';
import { parseArxivListing } from '../core/parsers/arxiv-rss.js';
import { parseDailyPapersPage } from '../core/parsers/daily-papers-page.js';
import { detectFormat } from '../core/parsers/detect-format.js';
import { parseHfDailyPapers } from '../core/parsers/hf-daily-papers.js';
import {
  IMPORT_FORMATS,
  ImportFormatError,
  type ImportFormat,
  type ImportSkip,
  type ParseResult,
} from '../core/parsers/import-result.js';
import { parseJsonLines, parseJsonRecords } from '../core/parsers/paper-records.js';
import { MAX_LINE_BYTES, readLines } from './read-lines.js';

/**
 * An import file opened for reading: plain or gzip (recognised by its magic bytes, whatever its
 * name), its format given or detected from the first 64 KB. JSON Lines are streamed record by
 * record (the corpus is 207 MB); the other formats are single documents and are read whole.
 */

export const FORMAT_CHOICES = ['auto', ...IMPORT_FORMATS] as const;
export type FormatChoice = (typeof FORMAT_CHOICES)[number];

/**
 * What one import reads at most, so a hostile or broken file ends with a clear message instead of
 * a RangeError or an exhausted heap. The real corpus (papers.jsonl.gz: 68 MB compressed, 207 MB
 * of JSON Lines, longest line 56 KB) stays far inside all three.
 */
export const IMPORT_LIMITS = {
  /** A longer JSON line is skipped as a malformed record; the lines around it still import. */
  maxLineBytes: MAX_LINE_BYTES,
  /** Decompressed bytes of a streamed .gz file: a gzip bomb stops here instead of running forever. */
  maxDecompressedBytes: 1024 * 1024 * 1024,
  /** JSON arrays, Atom/RSS XML and page text are parsed as one string, several times its size in memory. */
  maxDocumentBytes: 256 * 1024 * 1024,
} as const;
export type ImportLimits = { [K in keyof typeof IMPORT_LIMITS]: number };

/** How much of the (decompressed) start of a file detectFormat sees. */
const HEAD_BYTES = 64 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b] as const;

const FORMAT_HELP = [
  'hf (Hugging Face Daily Papers JSON)',
  'arxiv (arXiv API Atom)',
  'rss (arXiv RSS/Atom listing)',
  'page (Daily Papers page text)',
  'jsonl (paper records, one JSON object per line)',
].join(', ');

export type PaperBatch = { papers: Paper[]; skipped: ImportSkip[] };

export type ImportSource = {
  file: string;
  format: ImportFormat;
  gzipped: boolean;
  /** Size of the file on disk (compressed size for gzip). */
  totalBytes: number;
  /** Bytes of the file read so far, on the same scale as totalBytes. */
  bytesRead(): number;
  /** The papers in batches of up to `size`, each with the records skipped since the previous batch. Read once. */
  batches(size: number): AsyncIterable<PaperBatch>;
};

export type ImportSourceOptions = {
  format?: FormatChoice;
  /** The year of dates a Daily Papers page shows without one. */
  year: number;
  /** Lower limits than IMPORT_LIMITS (tests use a few MB instead of building a gigabyte). */
  limits?: Partial<ImportLimits>;
};

export async function openImportSource(file: string, options: ImportSourceOptions): Promise<ImportSource> {
  const name = path.basename(file);
  const limits: ImportLimits = { ...IMPORT_LIMITS, ...options.limits };
  const totalBytes = await fileSize(file);
  const gzipped = await startsWithGzipMagic(file);
  const head = await readHead(file, gzipped);
  const format =
    options.format === undefined || options.format === 'auto'
      ? detectFormat(head, name.replace(/\.gz$/i, ''))
      : options.format;
  if (!format) {
    throw new UserFacingError(`cannot tell what kind of file ${name} is.`, `Pass --format with one of: ${FORMAT_HELP}.`);
  }

  const start = head.replace(/^\uFEFF/, '').trimStart();
  if (format === 'jsonl' && !start.startsWith('[')) {
    // A file that cannot be JSON Lines fails here with one message, not with one skip per line.
    if (start !== '' && !start.startsWith('{')) throw notJsonLines('the first line is not a JSON object');
    return streamedSource(file, format, gzipped, totalBytes, limits);
  }
  // A gzip file larger than the limit compressed is larger still decompressed.
  if (totalBytes > limits.maxDocumentBytes) throw documentTooLarge(file, limits.maxDocumentBytes, '');
  return wholeSource(file, format, gzipped, totalBytes, options.year, limits);
}

function streamedSource(
  file: string,
  format: ImportFormat,
  gzipped: boolean,
  totalBytes: number,
  limits: ImportLimits,
): ImportSource {
  let raw: ReadStream | undefined;
  return {
    file,
    format,
    gzipped,
    totalBytes,
    bytesRead: () => raw?.bytesRead ?? 0,
    async *batches(size) {
      raw = createReadStream(file, { highWaterMark: 1 << 20 });
      // pipeline destroys every stage when one fails, so a corrupt gzip ends the loop with its error.
      const bytes = gzipped ? pipeline(raw, createGunzip(), () => {}) : raw;
      let batch: PaperBatch = { papers: [], skipped: [] };
      const reason = `longer than ${megabytes(limits.maxLineBytes)}, the most one record may have`;
      // readLines reports a dropped line before yielding the '' that stands in for it, so its skip
      // lands in the batch that is open when parseJsonLines moves past that line.
      const lines = readLines(gzipped ? capDecompressed(bytes, file, limits.maxDecompressedBytes) : bytes, {
        maxLineBytes: limits.maxLineBytes,
        onOverlong: (line) => batch.skipped.push({ where: `line ${line}`, reason }),
      });
      try {
        for await (const record of parseJsonLines(requireJsonStart(lines))) {
          if (record.paper) batch.papers.push(record.paper);
          else if (record.skip) batch.skipped.push(record.skip);
          if (batch.papers.length >= size) {
            yield batch;
            batch = { papers: [], skipped: [] };
          }
        }
      } catch (error) {
        throw gzipped && isZlibError(error) ? corruptGzip(file, error) : error;
      } finally {
        bytes.destroy();
        raw.destroy();
      }
      if (batch.papers.length > 0 || batch.skipped.length > 0) yield batch;
    },
  };
}

/** The decompressed chunks, failing once more than `max` bytes came out. */
async function* capDecompressed(chunks: Readable, file: string, max: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of chunks as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) throw decompressedTooLarge(file, max);
    yield chunk;
  }
}

/** Lines that must open with JSON: how many leading non-JSON lines mean "this is not JSON Lines". */
const LEADING_LINES_CHECKED = 10;

/**
 * Passes lines through, but fails the import when the file does not start as JSON Lines (a
 * pretty-printed JSON document, a text file with a "{" somewhere at the top): one clear error
 * instead of a summary with every line "not valid JSON". Only the first few lines are parsed
 * twice; a stray bad line inside a real JSONL file is still just skipped.
 */
async function* requireJsonStart(lines: AsyncIterable<string>): AsyncGenerator<string> {
  let checked = 0;
  let valid = false;
  for await (const line of lines) {
    if (!valid && line.trim() !== '') {
      try {
        JSON.parse(line);
        valid = true;
      } catch {
        if (++checked === LEADING_LINES_CHECKED) throw notJsonLines(`its first ${checked} lines are not JSON`);
      }
    }
    yield line;
  }
  if (!valid && checked > 0) throw notJsonLines('no line is JSON');
}

function notJsonLines(detail: string): ImportFormatError {
  return new ImportFormatError('jsonl', 'one JSON object per line', detail);
}

function wholeSource(
  file: string,
  format: ImportFormat,
  gzipped: boolean,
  totalBytes: number,
  year: number,
  limits: ImportLimits,
): ImportSource {
  let read = 0;
  return {
    file,
    format,
    gzipped,
    totalBytes,
    bytesRead: () => read,
    async *batches(size) {
      const text = await readText(file, gzipped, limits.maxDocumentBytes);
      read = totalBytes;
      const { papers, skipped } = parseWhole(format, text, year);
      yield { papers: papers.slice(0, size), skipped };
      for (let i = size; i < papers.length; i += size) yield { papers: papers.slice(i, i + size), skipped: [] };
    },
  };
}

function parseWhole(format: ImportFormat, text: string, year: number): ParseResult {
  switch (format) {
    case 'hf':
      return parseHfDailyPapers(text);
    case 'arxiv':
      return parseArxivAtom(text);
    case 'rss':
      return parseArxivListing(text);
    case 'page':
      return parseDailyPapersPage(text, { year });
    case 'jsonl':
      // Only a JSON array of records gets here; JSON Lines are streamed.
      return parseJsonRecords(text);
  }
}

async function fileSize(file: string): Promise<number> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    throw unreadable(file, error);
  }
  if (!info.isFile()) throw new UserFacingError(`${file} is not a file.`);
  return info.size;
}

async function startsWithGzipMagic(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw unreadable(file, error);
  });
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === GZIP_MAGIC[0] && buffer[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/** The first HEAD_BYTES of the file's text (decompressed), for format detection. */
async function readHead(file: string, gzipped: boolean): Promise<string> {
  const raw = createReadStream(file, gzipped ? {} : { end: HEAD_BYTES - 1 });
  const bytes = gzipped ? pipeline(raw, createGunzip(), () => {}) : raw;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of bytes as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= HEAD_BYTES) break;
    }
  } catch (error) {
    throw gzipped && isZlibError(error) ? corruptGzip(file, error) : unreadable(file, error);
  } finally {
    bytes.destroy();
    raw.destroy();
  }
  // A multi-byte character cut at the end decodes to U+FFFD, which no detector looks at.
  return Buffer.concat(chunks).subarray(0, HEAD_BYTES).toString('utf8');
}

async function readText(file: string, gzipped: boolean, maxBytes: number): Promise<string> {
  const buffer = await readFile(file);
  // The size was checked when the source was opened; a file that grew since is refused all the same.
  if (!gzipped) {
    if (buffer.length > maxBytes) throw documentTooLarge(file, maxBytes, '');
    return buffer.toString('utf8');
  }
  try {
    // zlib stops inflating at maxOutputLength, so a gzip bomb never gets its memory.
    return (await promisify(gunzip)(buffer, { maxOutputLength: maxBytes })).toString('utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw documentTooLarge(file, maxBytes, ' decompressed');
    throw corruptGzip(file, error);
  }
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('Z_');
}

function corruptGzip(file: string, error: unknown): UserFacingError {
  const why = (error as Error).message;
  return new UserFacingError(`${path.basename(file)} starts like a gzip file but cannot be decompressed (${why}).`);
}

function decompressedTooLarge(file: string, max: number): UserFacingError {
  return new UserFacingError(
    `${path.basename(file)} decompresses to more than ${megabytes(max)}, the most an import reads from a .gz file.`,
    'If the file is genuine, decompress it yourself and import the plain file: JSON Lines are read line by line.',
  );
}

function documentTooLarge(file: string, max: number, decompressed: string): UserFacingError {
  return new UserFacingError(
    `${path.basename(file)} is larger than ${megabytes(max)}${decompressed}, the most an import reads as one document.`,
    'Convert it to JSON Lines (one paper record per line), which are read line by line.',
  );
}

/** "4 MB", "1024 MB": limits are whole mebibytes; the unit is spelled MB as the CLI's sizes are. */
function megabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
};

function unreadable(file: string, error: unknown): UserFacingError {
  const code = (error as { code?: unknown }).code;
  const why = (typeof code === 'string' && FILE_ERRORS[code]) || (error as Error).message;
  return new UserFacingError(`cannot read ${file}: ${why}.`);
}
