import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import SearchableMap from 'minisearch/SearchableMap';
import type { CompactFields } from '../core/search/bm25-scorer.js';
import type { CompactPostings } from '../core/search/compact-postings.js';
import { internals, type FieldPostings } from '../core/search/minisearch-internals.js';
import {
  emptyCompactFields,
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
 *
 * The compact postings (whole abstracts, author name keys, title letter triples) follow MiniSearch's terms as lines
 * of terms, counts and their packed postings in base64 (little-endian uint32, as in memory):
 * 12.7 million abstract postings load as ~400 lines of ~200 KB, a copy each rather than a parse
 * of millions of numbers.
 */

/**
 * `stamp` says which library and which history the revision belongs to (see library-service.ts):
 * revision 5 of a trial store, or of a restored backup that went another way since, is not
 * revision 5 of this library.
 */
export type SnapshotMeta = { revision: number; documents: number; createdAt: string; stamp?: string };

type Header = SnapshotMeta & {
  format: string;
  nextId: number;
  fieldIds: Record<string, number>;
  /** Pool entries each compact field needs, so loading allocates each pool once. */
  compactPostings: Record<CompactField, number>;
  averageFieldLength: number[];
};
type DocRow = [shortId: number, id: string, fieldLengths: number[], stored: Record<string, unknown> | undefined];
type TermRow = [term: string, fields: [fieldId: number, postings: number[]][]];
/** Compact postings of one field: documents' lengths, or terms with their postings. */
type CompactLine = { field: CompactField; shortIds: string; lengths: string } | { field: CompactField; terms: string[]; counts: number[]; postings: string };
type CompactField = keyof CompactFields;
type End = { documents: number; terms: number; compactTerms: number };
type Line = { docs: DocRow[] } | { terms: TermRow[] } | { compact: CompactLine } | { end: End };
const COMPACT_FIELDS: readonly CompactField[] = ['abstract', 'names', 'grams'];
/** Postings per compact line: 128 KB of them before base64. */
const COMPACT_LINE_POSTINGS = 32 * 1024;

const SLICE_MS = 15;
const DOCS_PER_LINE = 2_000;
const TERM_LINE_BYTES = 128 * 1024;

export type LoadResult = { index: PaperIndex; meta: SnapshotMeta } | { index: undefined; reason: string };

/** Write the index to `path` atomically (temporary file, then rename). */
export async function saveIndexSnapshot(index: PaperIndex, path: string, meta: { revision: number; stamp?: string }): Promise<void> {
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
      ...(meta.stamp === undefined ? {} : { stamp: meta.stamp }),
      documents: state._documentCount,
      createdAt: new Date().toISOString(),
      nextId: state._nextId,
      fieldIds: state._fieldIds,
      averageFieldLength: state._avgFieldLength,
      compactPostings: Object.fromEntries(COMPACT_FIELDS.map((field) => [field, index.compact[field].stats().postings])) as Record<CompactField, number>,
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
    let compactTerms = 0;
    for (const field of COMPACT_FIELDS) compactTerms += await writeCompact(field, index.compact[field], write);
    await write({ end: { documents: state._documentCount, terms: termCount, compactTerms } });
    out.end();
    await once(out, 'finish');
    await rename(tmp, path);
  } catch (error) {
    out.destroy();
    await rm(tmp, { force: true });
    throw error;
  }
}

/** One compact field's lengths and postings as lines; returns the number of terms written. */
async function writeCompact(field: CompactField, store: CompactPostings, write: (line: Line) => Promise<void>): Promise<number> {
  for (const chunk of store.lengthChunks(COMPACT_LINE_POSTINGS)) {
    await write({ compact: { field, shortIds: base64(chunk.shortIds), lengths: base64(chunk.lengths) } });
  }
  let terms = 0;
  for (const chunk of store.termChunks(COMPACT_LINE_POSTINGS)) {
    await write({ compact: { field, terms: chunk.terms, counts: chunk.counts, postings: base64(chunk.postings) } });
    terms += chunk.terms.length;
  }
  return terms;
}

function base64(array: Uint32Array | Uint16Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

/** Decode base64 into a fresh typed array (a decoded Buffer may sit at any offset of its pool). */
function fromBase64<T extends Uint32Array | Uint16Array>(text: string, Type: new (n: number) => T, bytesPer: number): T {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % bytesPer !== 0) throw new Error('compact postings of a broken length');
  const array = new Type(bytes.length / bytesPer);
  new Uint8Array(array.buffer).set(bytes);
  return array;
}

/**
 * Which library revisions a snapshot may have: exactly `revision`, or from `oldest` up to it when
 * the caller can catch up on the changes in between (the library's change log).
 */
export type SnapshotExpectation = {
  revision: number;
  oldest?: number;
  /** The stamp the library gives the snapshot's revision; a snapshot with another stamp is refused. */
  stampAt?: (revision: number) => Promise<string>;
};

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
  const compact = emptyCompactFields();
  let header: Header | undefined;
  let end: End | undefined;
  let terms = 0;
  let compactTerms = 0;
  let sliceStart = performance.now();

  for await (const text of lines) {
    if (!text) continue;
    if (!header) {
      header = JSON.parse(text) as Header;
      if (header.format !== SNAPSHOT_FORMAT) return { index: undefined, reason: `format ${String(header.format)}, expected ${SNAPSHOT_FORMAT}` };
      if (header.revision > expected.revision || header.revision < (expected.oldest ?? expected.revision)) {
        return { index: undefined, reason: `stale (revision ${header.revision}, library ${expected.revision})` };
      }
      if (expected.stampAt && header.stamp !== (await expected.stampAt(header.revision))) {
        return { index: undefined, reason: `of another library, or of an earlier history of this one (revision ${header.revision})` };
      }
      if (JSON.stringify(header.fieldIds) !== JSON.stringify(state._fieldIds)) return { index: undefined, reason: 'built with other fields' };
      state._nextId = header.nextId;
      state._avgFieldLength = header.averageFieldLength;
      state._dirtCount = 0;
      for (const field of COMPACT_FIELDS) compact[field].expect(header.compactPostings?.[field] ?? 0);
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
    } else if ('compact' in line) {
      const c = line.compact;
      const store = compact[c.field];
      if (!store) throw new Error(`unknown compact field ${String(c.field)}`);
      if ('lengths' in c) {
        store.loadLengths({ shortIds: fromBase64(c.shortIds, Uint32Array, 4), lengths: fromBase64(c.lengths, Uint16Array, 2) });
      } else {
        store.loadTerms({ terms: c.terms, counts: c.counts, postings: fromBase64(c.postings, Uint32Array, 4) });
        compactTerms += c.terms.length;
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
  if (end.documents !== state._documentCount || end.terms !== terms || end.compactTerms !== compactTerms) {
    throw new Error(
      `counts differ (documents ${state._documentCount}/${end.documents}, terms ${terms}/${end.terms}, compact terms ${compactTerms}/${end.compactTerms})`,
    );
  }
  return {
    index: await indexFromMiniSearch(ms, vocabulary, compact),
    meta: { revision: header.revision, documents: header.documents, createdAt: header.createdAt, ...(header.stamp === undefined ? {} : { stamp: header.stamp }) },
  };
}
