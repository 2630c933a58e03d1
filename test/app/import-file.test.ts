import { open, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/core/errors.js';
import type { ImportSkip } from '../../src/core/parsers/import-result.js';
import type { Paper } from '../../src/core/paper.js';
import { IMPORT_LIMITS, openImportSource, type ImportSourceOptions } from '../../src/app/import-file.js';

const MB = 1024 * 1024;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'paperboy-import-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (n: number) => JSON.stringify({ id: `2401.${10000 + n}`, title: `Paper number ${n}` });

/** Every paper and skip of a file, read the way the library service reads it. */
async function readAll(file: string, options: Partial<ImportSourceOptions> = {}): Promise<{ papers: Paper[]; skipped: ImportSkip[] }> {
  const source = await openImportSource(file, { year: 2025, ...options });
  const papers: Paper[] = [];
  const skipped: ImportSkip[] = [];
  for await (const batch of source.batches(1000)) {
    papers.push(...batch.papers);
    skipped.push(...batch.skipped);
  }
  return { papers, skipped };
}

/** Writes `parts` one after another without holding the whole file in memory. */
async function writeParts(name: string, parts: Iterable<string | Buffer>): Promise<string> {
  const file = path.join(dir, name);
  const handle = await open(file, 'w');
  try {
    for (const part of parts) await handle.write(typeof part === 'string' ? Buffer.from(part) : part);
  } finally {
    await handle.close();
  }
  return file;
}

/** `size` bytes of `fill`, in 1 MB pieces. */
function* filler(size: number, fill: string): Generator<Buffer> {
  const piece = Buffer.alloc(MB, fill);
  for (let left = size; left > 0; left -= MB) yield left >= MB ? piece : piece.subarray(0, left);
}

/**
 * A gzip bomb: `start`, then `size` bytes of spaces. gzip members may be concatenated, so one
 * compressed megabyte of spaces (about 1 KB) repeated gives any decompressed size cheaply.
 */
function gzipBomb(start: string, size: number): Buffer {
  const member = gzipSync(Buffer.alloc(MB, ' '));
  return Buffer.concat([gzipSync(start), ...Array.from({ length: size / MB }, () => member)]);
}

describe('openImportSource, JSON Lines limits', () => {
  it('given one 50 MB line and no newline, skips it as a malformed record with its line number', async () => {
    const file = await writeParts('one-line.jsonl', [`{"id":"2401.10001","title":"Huge","abstract":"`, ...filler(50 * MB, 'x')]);
    const { papers, skipped } = await readAll(file);
    expect(papers).toEqual([]);
    expect(skipped).toEqual([{ where: 'line 1', reason: `longer than ${IMPORT_LIMITS.maxLineBytes / MB} MB, the most one record may have` }]);
  });

  it('given a good line after an overlong one, imports the good lines and counts the long one', async () => {
    const long = `{"id":"2401.10002","title":"Long","abstract":"${'y'.repeat(IMPORT_LIMITS.maxLineBytes)}"}`;
    const file = await writeParts('mixed.jsonl', [`${record(1)}\n`, `${long}\n`, `${record(3)}\n`, long, '\n', record(5)]);
    const { papers, skipped } = await readAll(file);
    expect(papers.map((p) => p.id)).toEqual(['2401.10001', '2401.10003', '2401.10005']);
    expect(skipped.map((s) => s.where)).toEqual(['line 2', 'line 4']);
  });

  it('keeps a multi-byte character split across read chunks whole', async () => {
    // 1 MB read chunks: put a 4-byte character across the first boundary.
    const title = `${'a'.repeat(MB - 30)}🦜 parrots`;
    const file = await writeParts('split.jsonl', [`${JSON.stringify({ id: '2401.10001', title })}\n`, record(2)]);
    const { papers } = await readAll(file);
    expect(papers).toHaveLength(2);
    expect(papers[0]!.title).toMatch(/^a+🦜 parrots$/u);
    expect(papers[1]!.title).toBe('Paper number 2');
  });
});

describe('openImportSource, decompression and document limits', () => {
  it('given a gzip bomb of JSON Lines, stops at the decompressed limit with a message naming it', async () => {
    const file = await writeParts('bomb.jsonl.gz', [gzipBomb(`${record(1)}\n`, 256 * MB)]);
    const error = await readAll(file, { limits: { maxDecompressedBytes: 32 * MB } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toBe('bomb.jsonl.gz decompresses to more than 32 MB, the most an import reads from a .gz file.');
  });

  it('given a gzip bomb read as one document, stops at the document limit', async () => {
    const file = await writeParts('bomb.json.gz', [gzipBomb('[', 64 * MB)]);
    const error = await readAll(file, { format: 'hf', limits: { maxDocumentBytes: 8 * MB } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toBe('bomb.json.gz is larger than 8 MB decompressed, the most an import reads as one document.');
  });

  it('given a plain document over the limit, refuses it before reading', async () => {
    const file = await writeParts('big.json', ['[', ...filler(9 * MB, ' '), ']']);
    const error = await openImportSource(file, { year: 2025, format: 'hf', limits: { maxDocumentBytes: 8 * MB } })
      .then((source) => source.batches(1000)[Symbol.asyncIterator]().next())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toBe('big.json is larger than 8 MB, the most an import reads as one document.');
    expect((error as UserFacingError).hint).toMatch(/JSON Lines/);
  });

  it('allows the full corpus: the limits sit well above its 207 MB and 56 KB longest line', () => {
    expect(IMPORT_LIMITS.maxDecompressedBytes).toBeGreaterThan(4 * 207 * MB);
    expect(IMPORT_LIMITS.maxLineBytes).toBeGreaterThan(50 * 56 * 1024);
  });
});
