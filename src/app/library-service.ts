import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { CliConfig } from '../config.js';
import { createLibrary, CHANGE_LOG_KEEP, type Library } from '../core/library.js';
import { bookmarkedPaperIds } from '../core/bookmarks.js';
import { paperChanged, type Paper } from '../core/paper.js';
import { UserFacingError } from '../core/errors.js';
import { buildPaperIndex, type PaperIndex } from '../core/search/paper-index.js';
import { createSerialQueue } from '../core/serial-queue.js';
import { describeSkip, type ImportFormat } from '../core/parsers/import-result.js';
import { openImportSource, type FormatChoice } from './import-file.js';
import { loadIndexSnapshot, saveIndexSnapshot } from '../storage/index-snapshot.js';
import { openStorage, type Storage } from '../storage/open-storage.js';
import { upgradeStoreLayout, type LayoutUpgrade } from '../storage/store-layout.js';
import { libraryStores, openStores, type Stores } from '../storage/stores.js';

/**
 * The library and its search index as one service, for the CLI and the bot alike: storage opened
 * from config, a library that is never empty (a fresh store gets the bundled sample papers, which
 * step aside once real papers arrive), and one way papers come in — `ingest` — whether from a file
 * (`paperboy import`) or from the scheduler's sources.
 *
 * The index follows the library through its change log: it knows the library revision it
 * reflects, and `syncIndex` applies exactly the revisions it lacks, whoever wrote them (this
 * process, or a CLI import beside the running bot). The snapshot on disk is a cache of that
 * state: saved in the background after changes, never awaited by ingestion, and a failed save is
 * logged and tried again after the next change.
 */

/** The bundled sample library, built from the seed page by scripts/build-seed.ts. */
export const SEED_FILE = fileURLToPath(new URL('../../data/seed-papers.jsonl', import.meta.url));

/** Papers per library.upsertMany call: one transaction each, so a crash loses at most one batch. */
const UPSERT_BATCH = 1000;
/** Papers per index slice between event-loop turns when updating the index in place. */
const INDEX_SLICE = 500;
/**
 * Above this share of the index, catching up rebuilds the index instead of updating it in place:
 * a bulk build picks each abstract's distinctive terms with exact document frequencies and is
 * faster per paper, while in-place updates only estimate them (see paper-index.ts).
 */
const REBUILD_SHARE = 0.2;
const SKIP_REASONS_SHOWN = 10;
/** The meta record listing the sample papers while they stand in for an empty library. */
const SAMPLE_KEY = 'sample';
/** A random id made once per store: an index snapshot names the library it was made from. */
const LIBRARY_ID_KEY = 'library-id';
/** Set once the sample question is settled for this store (see settleSample). */
const SAMPLE_SETTLED_KEY = 'sample-settled';
/**
 * A running bot saves the snapshot at most this often (a full-corpus save is a few seconds of
 * sliced work); a restart in between catches up from the change log.
 */
export const SNAPSHOT_EVERY_MS = 5 * 60_000;

export type ServiceEvent =
  | { type: 'seed'; file: string }
  | { type: 'store-upgraded'; upgrade: LayoutUpgrade }
  | { type: 'sample-removed'; papers: number }
  | { type: 'index-build'; reason: string; papers: number }
  | { type: 'index-progress'; pass: 'count' | 'index'; done: number; total: number }
  | { type: 'index-synced'; revision: number; indexed: number; removed: number }
  | { type: 'snapshot-saved'; revision: number; durationMs: number }
  | { type: 'snapshot-failed'; error: unknown };

/** Reading progress of an import; index work after it is reported as ServiceEvents. */
export type ImportProgress = { records: number; bytesRead: number; totalBytes: number };

export type ImportOptions = {
  format?: FormatChoice;
  /** The year of dates a Daily Papers page shows without one; default: the current year. */
  year?: number;
  onProgress?: (progress: ImportProgress) => void;
};

/** What one ingest did to the library (the index follows through syncIndex). */
export type IngestResult = {
  added: Paper[];
  updated: Paper[];
  unchanged: number;
  /** Sample papers removed because real papers arrived (0 almost always). */
  sampleRemoved: number;
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
  /** Bundled sample papers removed because this import brought real ones. */
  sampleRemoved: number;
  index: { action: 'rebuilt' | 'updated' | 'unchanged'; documents?: number };
  /** Why the snapshot could not be saved (the import itself succeeded; the next start catches up). */
  snapshotError?: string;
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
  readonly stores: Stores;
  readonly library: Library;
  /** The search index, loaded (snapshot plus change log) or built on first call, then kept current. */
  index(): Promise<PaperIndex>;
  /** The index if it is ready, without waiting; undefined while it loads or builds. */
  currentIndex(): PaperIndex | undefined;
  /**
   * While the index is not ready: a clear answer for whoever asked to search. Commands read the
   * index through this, so an interaction during start-up gets "still loading", not a timeout.
   */
  readyIndex(): PaperIndex;
  /** Merge papers into the library (in transactions of UPSERT_BATCH). The index catches up in syncIndex. */
  ingest(papers: readonly Paper[]): Promise<IngestResult>;
  /** Apply to the in-memory index every library change it lacks; a no-op before the index is loaded. */
  syncIndex(): Promise<void>;
  importFile(file: string, options?: ImportOptions): Promise<ImportSummary>;
  indexStatus(): Promise<IndexStatus>;
  /** Save the snapshot now if the index is ahead of it; resolves with the error if that failed. */
  flushSnapshot(): Promise<unknown>;
  close(): Promise<void>;
};

export type LibraryServiceOptions = {
  /**
   * Bring a store an older version wrote to this version's layout first (store-layout.ts). The
   * bot's start does; CLI commands do not (they read the library, whose layout is unchanged, and
   * must not convert a store an older bot may still be writing).
   */
  upgradeStore?: boolean;
  /** Imported when the library is empty; null for none. Default: SEED_FILE (skipped if absent). */
  seedFile?: string | null;
  onEvent?: (event: ServiceEvent) => void;
  /** Minimum time between background snapshot saves; 0 saves after every change. */
  snapshotEveryMs?: number;
  now?: () => number;
};

export async function openLibraryService(
  config: Pick<CliConfig, 'storeUrl' | 'indexPath'>,
  options: LibraryServiceOptions = {},
): Promise<LibraryService> {
  const storage = await openStorage(config.storeUrl);
  const stores = openStores(storage);
  const emit = options.onEvent ?? (() => {});
  if (options.upgradeStore) {
    try {
      const upgrade = await upgradeStoreLayout(stores, storage);
      if (upgrade) emit({ type: 'store-upgraded', upgrade });
    } catch (error) {
      await storage.close().catch(() => undefined);
      throw error;
    }
  }
  const library = createLibrary(libraryStores(stores), { atomically: storage.atomically });
  const indexPath = config.indexPath;
  const now = options.now ?? Date.now;
  const snapshotEveryMs = options.snapshotEveryMs ?? SNAPSHOT_EVERY_MS;
  // Index work (load, catch up, save) one at a time: a save reads the index while it is written
  // line by line, so nothing may change it meanwhile.
  const indexQueue = createSerialQueue();
  let current: { index: PaperIndex; revision: number } | undefined;
  let loading: Promise<void> | undefined;
  let saved = { revision: -1, at: -Infinity };
  let saving: Promise<unknown> | undefined;
  let builds = 0;

  async function build(reason: string): Promise<{ index: PaperIndex; revision: number }> {
    // Read before the build: papers written during it are applied again by the next catch-up.
    const revision = await library.revision();
    const total = await library.count();
    builds++;
    emit({ type: 'index-build', reason, papers: total });
    const index = await buildPaperIndex(
      () => library.batches(UPSERT_BATCH),
      (done, pass) => emit({ type: 'index-progress', pass, done, total }),
    );
    return { index, revision };
  }

  const stampAt = (revision: number) => snapshotStamp(stores, revision);

  // The snapshot is a cache: whatever goes wrong reading it means a rebuild (reported through
  // the index-build event with the reason), never a failed command.
  async function readSnapshot(revision: number, oldest = revision): ReturnType<typeof loadIndexSnapshot> {
    try {
      return await loadIndexSnapshot(indexPath, { revision, oldest, stampAt });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { index: undefined, reason: code === 'ENOENT' ? 'missing' : `unreadable: ${(error as Error).message}` };
    }
  }

  /** Bring `current` up to the library's revision: in place from the change log, or by a rebuild. */
  async function catchUp(): Promise<void> {
    for (;;) {
      if (!current) return;
      const target = await library.revision();
      if (target === current.revision) return;
      const changes = await library.changesSince(current.revision, target);
      const limit = Math.floor(current.index.size * REBUILD_SHARE);
      if (!changes || changes.ids.size > limit) {
        const reason = changes
          ? `${formatCount(changes.ids.size)} papers new or changed, ${formatCount(current.index.size)} indexed`
          : `the change log no longer reaches revision ${current.revision}`;
        current = await build(reason);
        continue; // papers written during the build
      }
      current.index.remove([...changes.removed]);
      const ids = [...changes.ids];
      for (let i = 0; i < ids.length; i += INDEX_SLICE) {
        const papers = (await library.getMany(ids.slice(i, i + INDEX_SLICE))).filter((p): p is Paper => p !== undefined);
        current.index.addAll(papers);
        await new Promise((resolve) => setImmediate(resolve));
      }
      current.revision = target;
      emit({ type: 'index-synced', revision: target, indexed: ids.length, removed: changes.removed.size });
    }
  }

  async function load(): Promise<void> {
    const revision = await library.revision();
    // A snapshot a little behind (the bot saved it before a CLI import) is caught up from the log.
    const loaded = await readSnapshot(revision, Math.max(0, revision - CHANGE_LOG_KEEP + 1));
    if (loaded.index) {
      current = { index: loaded.index, revision: loaded.meta.revision };
      // What is on disk needs no second save; a catch-up just below saves soon after.
      saved = { revision: loaded.meta.revision, at: -Infinity };
    } else {
      current = await build(loaded.reason);
    }
    await catchUp();
  }

  /** Loads once; afterwards the index as it is now (a catch-up may have rebuilt it). */
  function loadIndex(): Promise<PaperIndex> {
    loading ??= indexQueue(load).then(scheduleSave, (error: unknown) => {
      loading = undefined; // the next caller tries again
      throw error;
    });
    return loading.then(() => current!.index);
  }

  async function syncIndex(): Promise<void> {
    if (!current) return;
    await indexQueue(catchUp);
    scheduleSave();
  }

  async function saveNow(): Promise<void> {
    if (!current || current.revision === saved.revision) return;
    const started = performance.now();
    const revision = current.revision;
    saved.at = now();
    await saveIndexSnapshot(current.index, indexPath, { revision, stamp: await stampAt(revision) });
    saved = { revision, at: saved.at };
    emit({ type: 'snapshot-saved', revision, durationMs: Math.round(performance.now() - started) });
  }

  /** A background save when the index is ahead of the snapshot; never awaited by ingestion. */
  function scheduleSave(): void {
    if (saving || !current || current.revision === saved.revision) return;
    if (now() - saved.at < snapshotEveryMs) return;
    saving = indexQueue(saveNow)
      .catch((error: unknown) => emit({ type: 'snapshot-failed', error }))
      .finally(() => (saving = undefined));
  }

  async function flushSnapshot(): Promise<unknown> {
    await saving;
    try {
      await indexQueue(saveNow);
      return undefined;
    } catch (error) {
      emit({ type: 'snapshot-failed', error });
      return error;
    }
  }

  /** The sample papers still standing in for an empty library, or undefined once they left. */
  async function sampleIds(): Promise<string[] | undefined> {
    const sample = (await stores.meta.get(SAMPLE_KEY)) as { ids?: unknown } | undefined;
    if (!sample) return undefined;
    return Array.isArray(sample.ids) ? sample.ids.filter((id): id is string => typeof id === 'string') : [];
  }

  /** Every paper someone bookmarked (one pass over the bookmarks; it happens once per library). */
  const bookmarkedIds = () => bookmarkedPaperIds(stores.bookmarks);

  async function stepSampleAside(): Promise<number> {
    const sample = await sampleIds();
    if (!sample) return 0;
    // A sample paper someone bookmarked stays: their list must not lose it.
    const bookmarked = await bookmarkedIds();
    const removed = await library.removeMany(sample.filter((id) => !bookmarked.has(id)));
    await stores.meta.deleteMany([SAMPLE_KEY]);
    if (removed > 0) emit({ type: 'sample-removed', papers: removed });
    return removed;
  }

  async function upsertAll(papers: readonly Paper[], result: IngestResult): Promise<void> {
    for (let i = 0; i < papers.length; i += UPSERT_BATCH) {
      const batch = await library.upsertMany(papers.slice(i, i + UPSERT_BATCH));
      result.added.push(...batch.added);
      result.updated.push(...batch.updated);
      result.unchanged += batch.unchanged;
    }
  }

  async function ingest(papers: readonly Paper[]): Promise<IngestResult> {
    const result: IngestResult = { added: [], updated: [], unchanged: 0, sampleRemoved: 0 };
    const sample = await sampleIds();
    if (sample) {
      // A sample paper that arrives from a real source is real from now on: it stays.
      const incoming = new Set(papers.map((p) => p.id));
      const kept = sample.filter((id) => !incoming.has(id));
      if (kept.length < sample.length) await stores.meta.set(SAMPLE_KEY, { ids: kept });
    }
    await upsertAll(papers, result);
    // The sample serves an empty library only: the first real paper sends it away.
    if (sample && result.added.length > 0) result.sampleRemoved = await stepSampleAside();
    return result;
  }

  async function importFile(file: string, importOptions: ImportOptions = {}): Promise<ImportSummary> {
    const started = performance.now();
    const onProgress = importOptions.onProgress;
    const source = await openImportSource(file, {
      format: importOptions.format ?? 'auto',
      year: importOptions.year ?? new Date().getUTCFullYear(),
    });
    const revisionBefore = await library.revision();
    let added = 0;
    let updated = 0;
    let unchanged = 0;
    let skipped = 0;
    let records = 0;
    let sampleRemoved = 0;
    const skipReasons: string[] = [];

    for await (const batch of source.batches(UPSERT_BATCH)) {
      for (const skip of batch.skipped) {
        if (skipReasons.length < SKIP_REASONS_SHOWN) skipReasons.push(describeSkip(skip));
      }
      skipped += batch.skipped.length;
      records += batch.papers.length + batch.skipped.length;
      const result = await ingest(batch.papers);
      added += result.added.length;
      updated += result.updated.length;
      unchanged += result.unchanged;
      sampleRemoved += result.sampleRemoved;
      onProgress?.({ records, bytesRead: source.bytesRead(), totalBytes: source.totalBytes });
    }

    const revision = await library.revision();
    let indexResult: ImportSummary['index'] = { action: 'unchanged' };
    let snapshotError: string | undefined;
    if (revision !== revisionBefore || !existsSync(indexPath)) {
      const buildsBefore = builds;
      const index = current ? (await syncIndex(), current.index) : await loadIndex();
      const rebuilt = builds > buildsBefore;
      indexResult = { action: rebuilt ? 'rebuilt' : 'updated', documents: index.size };
      const error = await flushSnapshot();
      if (error) snapshotError = error instanceof Error ? error.message : String(error);
    } else if (current) {
      indexResult = { action: 'unchanged', documents: current.index.size };
    }

    return {
      file,
      format: source.format,
      added,
      updated,
      unchanged,
      skipped,
      skipReasons,
      sampleRemoved,
      index: indexResult,
      ...(snapshotError ? { snapshotError } : {}),
      revision,
      durationMs: performance.now() - started,
    };
  }

  async function indexStatus(): Promise<IndexStatus> {
    await saving;
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
    // In one transaction: processes starting together on an empty shared store would otherwise
    // both seed, and the second would record an empty sample (the first had added every paper).
    if (seedFile !== null && existsSync(seedFile) && !(await sampleSettled())) await storage.atomically(() => settleSample(seedFile));
  } catch (error) {
    await storage.close();
    throw error;
  }

  /**
   * An empty library gets the sample, remembered under SAMPLE_KEY so the first real paper sends it
   * away. A library seeded before that key (and the change log) existed is checked once: the
   * sample records still exactly as bundled are marked the same way, and leave at once if real
   * papers are there.
   */
  async function sampleSettled(): Promise<boolean> {
    return (await library.count()) > 0 && (await stores.meta.get(SAMPLE_SETTLED_KEY)) !== undefined;
  }

  async function settleSample(file: string): Promise<void> {
    if (await sampleSettled()) return;
    const count = await library.count();
    const records: Paper[] = [];
    const sample = await openImportSource(file, { format: 'jsonl', year: new Date().getUTCFullYear() });
    for await (const batch of sample.batches(UPSERT_BATCH)) records.push(...batch.papers);
    if (count === 0) {
      emit({ type: 'seed', file });
      const result = await library.upsertMany(records);
      await stores.meta.set(SAMPLE_KEY, { ids: result.added.map((p) => p.id) });
    } else if ((await stores.meta.get(SAMPLE_KEY)) === undefined && (await stores.changes.get('1')) === undefined) {
      // No change log at all: a library written before it existed, whose sample was never marked.
      const stored = await library.getMany(records.map((p) => p.id));
      const untouched = records.filter((p, i) => stored[i] !== undefined && !paperChanged(stored[i]!, p)).map((p) => p.id);
      if (untouched.length > 0) {
        await stores.meta.set(SAMPLE_KEY, { ids: untouched });
        if (count > untouched.length) await stepSampleAside();
      }
    }
    await stores.meta.set(SAMPLE_SETTLED_KEY, true);
  }

  return {
    storage,
    stores,
    library,
    index: loadIndex,
    currentIndex: () => current?.index,
    readyIndex() {
      if (!current) throw new UserFacingError('Paperboy is still loading its library; try again in a minute.');
      return current.index;
    },
    ingest,
    syncIndex,
    importFile,
    indexStatus,
    flushSnapshot,
    async close() {
      await saving;
      await storage.close();
    },
  };
}

/**
 * What a snapshot of `revision` must carry to be this library's: the library's own id (made
 * once per store) and a digest of that revision's change-log entry, which another store, or a
 * restored backup that went another way, does not share. Whoever saves a snapshot of a library
 * (the service, the benchmark) stamps it with this.
 */
export async function snapshotStamp(stores: Pick<Stores, 'meta' | 'changes'>, revision: number): Promise<string> {
  let id = (await stores.meta.get(LIBRARY_ID_KEY)) as string | undefined;
  if (typeof id !== 'string') {
    id = randomUUID();
    await stores.meta.set(LIBRARY_ID_KEY, id);
  }
  const change = revision === 0 ? undefined : await stores.changes.get(String(revision));
  const digest = change === undefined ? `r${revision}` : createHash('sha256').update(JSON.stringify(change)).digest('base64url').slice(0, 16);
  return `${id}:${digest}`;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
