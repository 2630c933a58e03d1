import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import SearchableMap from 'minisearch/SearchableMap';
import { internals, type FieldPostings } from '../core/search/minisearch-internals.js';
import {
  emptyMiniSearch,
  indexFromMiniSearch,
  SNAPSHOT_FORMAT,
  TITLE_FIELD_ID,
  yieldToEventLoop,
  type PaperIndex,
} from '../core/search/paper-index.js';

/**
 * The search index on disk, so a restart does not rebuild it (a rebuild of the 122k-paper
 * corpus takes about a minute).
 *
 * Format: JSON lines. A header, then documents in chunks, then terms in chunks of about
 * 256 KB, then an end marker with counts (a truncated file is detected, not half-loaded).
 * MiniSearch's own toJSON/loadJSON would produce and parse one 100 MB string, blocking the
 * event loop for seconds; line by line, no single step takes more than a few tens of ms,
 * and loading yields whenever a slice has run for SLICE_MS.
 */

export type SnapshotMeta = { revision: number; documents: number; createdAt: string };

type Header = SnapshotMeta & {
  format: string;
  nextId: number;
  fieldIds: Record<string, number>;
  averageFieldLength: number[];
};
type DocRow = [shortId: number, id: string, fieldLengths: number[], stored: Record<string, unknown> | undefined];
type TermRow = [term: string, fields: [fieldId: number, postings: number[]][]];
type Line = { docs: DocRow[] } | { terms: TermRow[] } | { end: { documents: number; terms: number } };

const SLICE_MS = 15;
const DOCS_PER_LINE = 2_000;
const TERM_LINE_BYTES = 128 * 1024;

export type LoadResult = { index: PaperIndex; meta: SnapshotMeta } | { index: undefined; reason: string };

/** Write the index to `path` atomically (temporary file, then rename). */
export async function saveIndexSnapshot(index: PaperIndex, path: string, meta: { revision: number }): Promise<void> {
  const state = internals(index.miniSearch);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(tmp, { encoding: 'utf8' });
  let sliceStart = performance.now();
  const write = async (value: Header | Line) => {
    if (!out.write(`${JSON.stringify(value)}\n`)) await once(out, 'drain');
    if (performance.now() - sliceStart > SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  };
  try {
    await write({
      format: SNAPSHOT_FORMAT,
      revision: meta.revision,
      documents: state._documentCount,
      createdAt: new Date().toISOString(),
      nextId: state._nextId,
      fieldIds: state._fieldIds,
      averageFieldLength: state._avgFieldLength,
    });
    let docs: DocRow[] = [];
    for (const [shortId, id] of state._documentIds) {
      docs.push([shortId, id, state._fieldLength.get(shortId) ?? [], state._storedFields.get(shortId)]);
      if (docs.length === DOCS_PER_LINE) {
        await write({ docs });
        docs = [];
      }
    }
    if (docs.length > 0) await write({ docs });

    // Postings of discarded documents are left out: MiniSearch removes them lazily.
    let terms: TermRow[] = [];
    let bytes = 0;
    let termCount = 0;
    for (const [term, fields] of state._index) {
      const row: TermRow = [term, []];
      for (const [fieldId, postings] of fields) {
        const flat: number[] = [];
        for (const [docId, tf] of postings) if (state._documentIds.has(docId)) flat.push(docId, tf);
        if (flat.length > 0) row[1].push([fieldId, flat]);
      }
      if (row[1].length === 0) continue;
      terms.push(row);
      termCount++;
      bytes += term.length + 8 + row[1].reduce((n, [, flat]) => n + flat.length * 4, 0);
      if (bytes >= TERM_LINE_BYTES) {
        await write({ terms });
        terms = [];
        bytes = 0;
      }
    }
    if (terms.length > 0) await write({ terms });
    await write({ end: { documents: state._documentCount, terms: termCount } });
    out.end();
    await once(out, 'finish');
    await rename(tmp, path);
  } catch (error) {
    out.destroy();
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Which library revisions a snapshot may have: exactly `revision`, or from `oldest` up to it when
 * the caller can catch up on the changes in between (the library's change log).
 */
export type SnapshotExpectation = { revision: number; oldest?: number };

/**
 * Load a snapshot. Returns a reason instead of an index when the file is missing, belongs to
 * another library revision or format, or is damaged; the caller rebuilds from the library.
 */
export async function loadIndexSnapshot(path: string, expected: SnapshotExpectation): Promise<LoadResult> {
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  // events.once rejects when 'error' fires first: that is the "cannot open" answer.
  const failure = await once(input, 'open').then(
    () => undefined,
    (error: NodeJS.ErrnoException) => error,
  );
  if (failure) {
    input.destroy();
    return { index: undefined, reason: failure.code === 'ENOENT' ? 'missing' : `unreadable: ${failure.code ?? failure.message}` };
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    return await readSnapshot(lines, expected);
  } catch (error) {
    return { index: undefined, reason: `corrupt: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    lines.close();
    input.destroy();
  }
}

async function readSnapshot(lines: AsyncIterable<string>, expected: SnapshotExpectation): Promise<LoadResult> {
  const ms = emptyMiniSearch();
  const state = internals(ms);
  const vocabulary = new SearchableMap<number>();
  let header: Header | undefined;
  let end: { documents: number; terms: number } | undefined;
  let terms = 0;
  let sliceStart = performance.now();

  for await (const text of lines) {
    if (!text) continue;
    if (!header) {
      header = JSON.parse(text) as Header;
      if (header.format !== SNAPSHOT_FORMAT) return { index: undefined, reason: `format ${String(header.format)}, expected ${SNAPSHOT_FORMAT}` };
      if (header.revision > expected.revision || header.revision < (expected.oldest ?? expected.revision)) {
        return { index: undefined, reason: `stale (revision ${header.revision}, library ${expected.revision})` };
      }
      if (JSON.stringify(header.fieldIds) !== JSON.stringify(state._fieldIds)) return { index: undefined, reason: 'built with other fields' };
      state._nextId = header.nextId;
      state._avgFieldLength = header.averageFieldLength;
      state._dirtCount = 0;
      continue;
    }
    if (end) throw new Error('data after the end marker');
    const line = JSON.parse(text) as Line;
    if ('docs' in line) {
      for (const [shortId, id, lengths, stored] of line.docs) {
        state._documentIds.set(shortId, id);
        state._idToShortId.set(id, shortId);
        state._fieldLength.set(shortId, lengths);
        if (stored) state._storedFields.set(shortId, stored);
      }
    } else if ('terms' in line) {
      for (const [term, fields] of line.terms) {
        const data: FieldPostings = new Map();
        for (const [fieldId, flat] of fields) {
          const postings = new Map<number, number>();
          for (let i = 0; i + 1 < flat.length; i += 2) postings.set(flat[i]!, flat[i + 1]!);
          data.set(fieldId, postings);
          if (fieldId === TITLE_FIELD_ID) vocabulary.set(term, postings.size);
        }
        state._index.set(term, data);
        terms++;
      }
    } else if ('end' in line) {
      end = line.end;
    }
    if (performance.now() - sliceStart > SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  if (!header) return { index: undefined, reason: 'empty file' };
  if (!end) throw new Error('truncated (no end marker)');
  state._documentCount = state._documentIds.size;
  if (end.documents !== state._documentCount || end.terms !== terms) {
    throw new Error(`counts differ (documents ${state._documentCount}/${end.documents}, terms ${terms}/${end.terms})`);
  }
  return {
    index: await indexFromMiniSearch(ms, vocabulary),
    meta: { revision: header.revision, documents: header.documents, createdAt: header.createdAt },
  };
}
