import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { CliConfig } from '../config.js';
import { createLibrary, type Library } from '../core/library.js';
import type { Paper } from '../core/paper.js';
import { buildPaperIndex, type PaperIndex } from '../core/search/paper-index.js';
import { describeSkip, type ImportFormat } from '../core/parsers/import-result.js';
import { openImportSource, type FormatChoice } from './import-file.js';
import { loadIndexSnapshot, saveIndexSnapshot } from '../storage/index-snapshot.js';
import { openStorage, type Storage } from '../storage/open-storage.js';

/**
 * The library and its search index as one service, for the CLI now and the bot later: storage
 * opened from config, a library that is never empty (a fresh store gets the bundled seed papers,
 * so a clone can search with no network), and an index that is loaded from its snapshot, rebuilt
 * when the snapshot is missing or older than the library, and kept current by imports.
 */

/** The bundled sample library, built from the seed page by scripts/build-seed.ts. */
export const SEED_FILE = fileURLToPath(new URL('../../data/seed-papers.jsonl', import.meta.url));

/** Papers per library.upsertMany call: one transaction each, so a crash loses at most one batch. */
const UPSERT_BATCH = 1000;
/** Papers per index slice between event-loop turns when updating the index in place. */
const INDEX_SLICE = 500;
/**
 * Above this share of the index, an import rebuilds the index instead of updating it in place:
 * a bulk build picks each abstract's distinctive terms with exact document frequencies and is
 * faster per paper, while in-place updates only estimate them (see paper-index.ts).
 */
const REBUILD_SHARE = 0.2;
const SKIP_REASONS_SHOWN = 10;

export type ServiceEvent =
  | { type: 'seed'; file: string }
  | { type: 'index-build'; reason: string; papers: number }
  | { type: 'index-progress'; pass: 'count' | 'index'; done: number; total: number };

/** Reading progress of an import; index work after it is reported as ServiceEvents. */
export type ImportProgress = { records: number; bytesRead: number; totalBytes: number };

export type ImportOptions = {
  format?: FormatChoice;
  /** The year of dates a Daily Papers page shows without one; default: the current year. */
  year?: number;
  onProgress?: (progress: ImportProgress) => void;
};

export type ImportSummary = {
  file: string;
  format: ImportFormat;
  added: number;
  /** Stored papers that the import changed (merged into). */
  updated: number;
  unchanged: number;
  skipped: number;
  /** The first skipped records, as "line 3: title missing"; `skipped` counts them all. */
  skipReasons: string[];
  index: { action: 'rebuilt' | 'updated' | 'unchanged'; documents?: number };
  /** The library revision after the import (the snapshot records it). */
  revision: number;
  durationMs: number;
};

export type IndexStatus = {
  file: string;
  /** Snapshot file size and modification time, when the file exists. */
  bytes?: number;
  modifiedAt?: Date;
  /** From a snapshot that matches the library. */
  documents?: number;
  createdAt?: string;
  /** Why the snapshot cannot be used as is ('missing', 'stale (…)', 'corrupt: …'); it is rebuilt on next use. */
  problem?: string;
};

export type LibraryService = {
  readonly storage: Storage;
  readonly library: Library;
  /** The search index for the library as it is now: kept in memory, loaded from the snapshot, or built and saved. */
  index(): Promise<PaperIndex>;
  importFile(file: string, options?: ImportOptions): Promise<ImportSummary>;
  indexStatus(): Promise<IndexStatus>;
  close(): Promise<void>;
};

export type LibraryServiceOptions = {
  /** Imported when the library is empty; null for none. Default: SEED_FILE (skipped if absent). */
  seedFile?: string | null;
  onEvent?: (event: ServiceEvent) => void;
};

export async function openLibraryService(
  config: Pick<CliConfig, 'storeUrl' | 'indexPath'>,
  options: LibraryServiceOptions = {},
): Promise<LibraryService> {
  const storage = await openStorage(config.storeUrl);
  const library = createLibrary(
    { papers: storage.store('papers'), aliases: storage.store('aliases'), meta: storage.store('meta') },
    { atomically: storage.atomically },
  );
  const indexPath = config.indexPath;
  const emit = options.onEvent ?? (() => {});
  let current: { index: PaperIndex; revision: number } | undefined;

  async function buildAndSave(reason: string): Promise<PaperIndex> {
    const revision = await library.revision();
    const total = await library.count();
    emit({ type: 'index-build', reason, papers: total });
    const index = await buildPaperIndex(
      () => library.batches(UPSERT_BATCH),
      (done, pass) => emit({ type: 'index-progress', pass, done, total }),
    );
    await saveIndexSnapshot(index, indexPath, { revision });
    current = { index, revision };
    return index;
  }

  /** The index at exactly `revision`, from memory or the snapshot; undefined (and why) when neither has it. */
  async function indexAt(revision: number): Promise<{ index: PaperIndex } | { index: undefined; reason: string }> {
    if (current?.revision === revision) return { index: current.index };
    const loaded = await readSnapshot(revision);
    if (loaded.index) current = { index: loaded.index, revision };
    return loaded;
  }

  // The snapshot is a cache: whatever goes wrong reading it means a rebuild (reported through
  // the index-build event with the reason), never a failed command.
  async function readSnapshot(revision: number): ReturnType<typeof loadIndexSnapshot> {
    try {
      return await loadIndexSnapshot(indexPath, { revision });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { index: undefined, reason: code === 'ENOENT' ? 'missing' : `unreadable: ${(error as Error).message}` };
    }
  }

  async function index(): Promise<PaperIndex> {
    const found = await indexAt(await library.revision());
    return found.index ?? buildAndSave(found.reason);
  }

  async function importFile(file: string, importOptions: ImportOptions = {}): Promise<ImportSummary> {
    const started = performance.now();
    const onProgress = importOptions.onProgress;
    const source = await openImportSource(file, {
      format: importOptions.format ?? 'auto',
      year: importOptions.year ?? new Date().getUTCFullYear(),
    });
    const countBefore = await library.count();
    const revisionBefore = await library.revision();
    const rebuildAbove = Math.floor(countBefore * REBUILD_SHARE);

    let added = 0;
    let updated = 0;
    let unchanged = 0;
    let skipped = 0;
    let records = 0;
    let writes = 0; // upserts that changed the library, each bumping its revision once
    const skipReasons: string[] = [];
    const removed = new Set<string>();
    // What the index must take in; dropped once a rebuild is certain, so a corpus-sized import
    // does not also hold every paper in memory.
    let changed: Map<string, Paper> | undefined = countBefore === 0 ? undefined : new Map();

    for await (const batch of source.batches(UPSERT_BATCH)) {
      for (const skip of batch.skipped) {
        if (skipReasons.length < SKIP_REASONS_SHOWN) skipReasons.push(describeSkip(skip));
      }
      skipped += batch.skipped.length;
      records += batch.papers.length + batch.skipped.length;
      const result = await library.upsertMany(batch.papers);
      added += result.added.length;
      updated += result.updated.length;
      unchanged += result.unchanged;
      if (result.added.length + result.updated.length + result.replaced.length > 0) writes++;
      if (changed) {
        for (const paper of [...result.added, ...result.updated]) changed.set(paper.id, paper);
        for (const { from } of result.replaced) {
          removed.add(from);
          changed.delete(from);
        }
        if (changed.size > rebuildAbove) changed = undefined;
      }
      onProgress?.({ records, bytesRead: source.bytesRead(), totalBytes: source.totalBytes });
    }

    const revision = await library.revision();

    /** The index with this import's changes applied in place, or why it has to be rebuilt instead. */
    const updateInPlace = async (): Promise<PaperIndex | string> => {
      if (!changed) {
        return countBefore === 0
          ? 'the library was empty'
          : `large import: ${formatCount(added + updated)} papers new or changed, ${formatCount(countBefore)} before`;
      }
      // Changes another process made meanwhile are not in `changed`.
      if (revision !== revisionBefore + writes) return 'the library changed during the import';
      // A missing or stale snapshot needs a build anyway, and a build reads the library as it is now.
      const before = await indexAt(revisionBefore);
      if (!before.index) return `index snapshot ${before.reason}`;
      await updateIndex(before.index, [...removed], [...changed.values()]);
      await saveIndexSnapshot(before.index, indexPath, { revision });
      current = { index: before.index, revision };
      return before.index;
    };

    let indexResult: ImportSummary['index'];
    if (revision === revisionBefore) {
      indexResult = { action: 'unchanged', documents: current?.revision === revision ? current.index.size : undefined };
    } else {
      const outcome = await updateInPlace();
      indexResult =
        typeof outcome === 'string'
          ? { action: 'rebuilt', documents: (await buildAndSave(outcome)).size }
          : { action: 'updated', documents: outcome.size };
    }

    return {
      file,
      format: source.format,
      added,
      updated,
      unchanged,
      skipped,
      skipReasons,
      index: indexResult,
      revision,
      durationMs: performance.now() - started,
    };
  }

  async function indexStatus(): Promise<IndexStatus> {
    const status: IndexStatus = { file: indexPath };
    try {
      const info = await stat(indexPath);
      status.bytes = info.size;
      status.modifiedAt = info.mtime;
    } catch {
      return { ...status, problem: 'missing' };
    }
    const loaded = await readSnapshot(await library.revision());
    if (!loaded.index) return { ...status, problem: loaded.reason };
    return { ...status, documents: loaded.meta.documents, createdAt: loaded.meta.createdAt };
  }

  const seedFile = options.seedFile === undefined ? SEED_FILE : options.seedFile;
  try {
    if (seedFile !== null && existsSync(seedFile) && (await library.count()) === 0) {
      emit({ type: 'seed', file: seedFile });
      await importFile(seedFile, { format: 'jsonl' });
    }
  } catch (error) {
    await storage.close();
    throw error;
  }

  return { storage, library, index, importFile, indexStatus, close: () => storage.close() };
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Applies an import's changes in slices, giving the event loop a turn between them. */
async function updateIndex(index: PaperIndex, removed: string[], papers: Paper[]): Promise<void> {
  index.remove(removed);
  for (let i = 0; i < papers.length; i += INDEX_SLICE) {
    index.addAll(papers.slice(i, i + INDEX_SLICE));
    await new Promise((resolve) => setImmediate(resolve));
  }
}
