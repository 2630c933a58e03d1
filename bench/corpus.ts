import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Paper } from '../src/core/paper.js';
import { parseJsonLines } from '../src/core/parsers/paper-records.js';
import { readLines } from '../src/app/read-lines.js';

/** The corpus file (JSON Lines, plain or gzip) as parsed records, streamed: the full file is 207 MB. */
export async function* readCorpus(file: string): AsyncGenerator<{ paper?: Paper; skip?: unknown }> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const bytes = (await isGzip(file)) ? raw.pipe(createGunzip()) : raw;
  try {
    yield* parseJsonLines(readLines(bytes));
  } finally {
    bytes.destroy();
    raw.destroy();
  }
}

/** The corpus's papers in memory (for the query generator and the FTS5 baseline): all, or the first `limit`. */
export async function loadCorpus(file: string, limit = Infinity): Promise<Paper[]> {
  const papers: Paper[] = [];
  for await (const record of readCorpus(file)) {
    if (papers.length >= limit) break;
    if (record.paper) papers.push(record.paper);
  }
  return papers;
}

// By magic bytes, not by name: a renamed file should still work.
async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}
