import { isArxivId, titleId } from './paper-id.js';
import { mergePapers, paperChanged, type Paper } from './paper.js';
import { createSerialQueue } from './serial-queue.js';

/**
 * The storage a library needs: one namespace of keys → values. Implemented in src/storage
 * (SQLite/Keyv, and an in-memory map for tests). Every method either does what it says or throws;
 * a store never swallows a storage error.
 */
export interface KeyValueStore<T> {
  get(key: string): Promise<T | undefined>;
  set(key: string, value: T): Promise<void>;
  /** One result per key, in the order of `keys`; undefined where the key is absent. */
  getMany(keys: string[]): Promise<(T | undefined)[]>;
  setMany(entries: { key: string; value: T }[]): Promise<void>;
  deleteMany(keys: string[]): Promise<void>;
  /** Every entry once, in batches of at most `batchSize`; the order is not specified. */
  entries(batchSize: number): AsyncIterable<{ key: string; value: T }[]>;
  /**
   * Every entry whose key starts with `prefix`, ordered by key. The prefix ends with ':'
   * (prefixEnd), so it is the key range `prefix` ≤ key < the prefix with ';' for ':', which
   * every backend serves from an index: a record per key (a bookmark, a topic, a paper first
   * seen on a day) is listed by its group without a list value that writers would rewrite.
   */
  withPrefix(prefix: string): Promise<{ key: string; value: T }[]>;
  /** Every entry with `from` ≤ key < `to` (bytewise), ordered by key: several prefixes that sort together in one read. */
  range(from: string, to: string): Promise<{ key: string; value: T }[]>;
}

/** The key after every key that starts with `prefix` (which must end with ':'): the end of its range. */
export function prefixEnd(prefix: string): string {
  if (!prefix.endsWith(':') || prefix.length < 2) throw new RangeError(`a key prefix ends with ':' after at least one character, got ${JSON.stringify(prefix)}`);
  return `${prefix.slice(0, -1)};`;
}

/** Runs `work` so that its writes land together or not at all (a transaction where the store has them). */
export type Atomically = <R>(work: () => Promise<R>) => Promise<R>;

export type UpsertResult = {
  /** Papers that had no record before (after merging in any title-id record they replace). */
  added: Paper[];
  /** Papers whose stored record changed. */
  updated: Paper[];
  /** Records that were already stored and did not change. */
  unchanged: number;
  /** Title-id records merged into the real arXiv record and removed; `from` stays readable as an alias. */
  replaced: { from: string; to: string }[];
};

export type Library = {
  /** A paper by canonical id; a `title:` id that was merged into a real record finds that record. */
  get(idOrAlias: string): Promise<Paper | undefined>;
  getMany(ids: string[]): Promise<(Paper | undefined)[]>;
  /** Merge a batch into the library: one read and one write per store, whatever the batch size. */
  upsertMany(papers: Paper[]): Promise<UpsertResult>;
  count(): Promise<number>;
  /** Bumps on every upsert that added, changed or replaced a paper; a search index snapshot records it. */
  revision(): Promise<number>;
  batches(size: number): AsyncIterable<Paper[]>;
  /**
   * What changed after revision `from` up to and including `to`: the ids to (re)index and the
   * ids to drop. Undefined when the change log no longer reaches back that far (or never held
   * those revisions): the caller then rebuilds from the library instead.
   */
  changesSince(from: number, to: number): Promise<LibraryChanges | undefined>;
  /** Delete these papers (ids that are not stored are ignored); returns how many were deleted. */
  removeMany(ids: string[]): Promise<number>;
};

/** One library revision's change-log entry: papers written and title-id records merged away. */
export type LibraryChange = { ids: string[]; removed: string[] };
export type LibraryChanges = { ids: Set<string>; removed: Set<string> };

/**
 * Revisions the change log keeps. A scheduled run writes a few; an import one per 1,000 papers,
 * so this is weeks of runs or a few full-corpus imports (~15 KB an entry at most). A reader
 * further behind rebuilds its index from the library.
 */
export const CHANGE_LOG_KEEP = 2_000;
/** Entries read per store round trip when catching up. */
const CHANGE_READ_BATCH = 200;

export type LibraryStores = {
  papers: KeyValueStore<Paper>;
  /** `title:` id → real arXiv id. */
  aliases: KeyValueStore<string>;
  meta: KeyValueStore<unknown>;
  /**
   * Library revision → what it changed. Written in the same atomic step as the revision, so
   * another process's index (the bot beside a CLI import) can catch up on exactly what it lacks.
   */
  changes: KeyValueStore<LibraryChange>;
};

const STATS_KEY = 'library';
type LibraryStats = { count: number; revision: number };

const runDirectly: Atomically = (work) => work();

/**
 * The paper library. Invariants: one paper is one record; a record with a real arXiv id absorbs
 * the `title:` record of the same title, which then lives on only as an alias; the stored count
 * always equals the number of paper records (kept in meta, never computed by scanning).
 *
 * Every real paper also claims the alias of its own title id (first paper to claim a title keeps
 * it). That is what keeps a page record that arrives *after* the arXiv record from becoming a
 * second record for the same paper.
 *
 * Pass `atomically` (SQLite: a transaction) so that a crash mid-batch cannot leave a paper twice
 * or the count wrong; without it, upserts are still serialised within this process.
 */
export function createLibrary(
  stores: LibraryStores,
  options: { atomically?: Atomically } = {},
): Library {
  const { papers, aliases, meta, changes } = stores;
  const atomically = options.atomically ?? runDirectly;
  // Upserts read, merge and write back; two interleaved batches would lose each other's merges
  // and count changes, so they run one after another.
  const serial = createSerialQueue();

  async function readStats(): Promise<LibraryStats> {
    const raw = await meta.get(STATS_KEY);
    if (raw === undefined) return { count: 0, revision: 0 };
    if (!isStats(raw)) throw new Error(`library: meta record "${STATS_KEY}" is malformed`);
    return raw;
  }

  async function upsert(incoming: Paper[]): Promise<UpsertResult> {
    const result: UpsertResult = { added: [], updated: [], unchanged: 0, replaced: [] };
    if (incoming.length === 0) return result;

    const batch = new Map<string, Paper>();
    for (const paper of incoming) {
      const seen = batch.get(paper.id);
      batch.set(paper.id, seen ? mergePapers(seen, paper) : paper);
    }
    const reals = [...batch.values()].filter((p) => isArxivId(p.id));
    const titled = [...batch.values()].filter((p) => !isArxivId(p.id));
    const titleKeyOf = new Map(reals.map((p) => [p.id, titleId(p.title)]));

    const aliasKeys = unique([...titled.map((p) => p.id), ...titleKeyOf.values()]);
    const aliasOf = zip(aliasKeys, await aliases.getMany(aliasKeys));

    const paperKeys = unique([
      ...batch.keys(),
      ...titleKeyOf.values(),
      ...titled.flatMap((p) => aliasOf.get(p.id) ?? []),
    ]);
    const stored = zip(paperKeys, await papers.getMany(paperKeys));

    const next = new Map<string, Paper>(); // id → record to write
    const deletes: string[] = [];
    const newAliases: { key: string; value: string }[] = [];
    const claimedBy = new Map<string, string>(); // title id → real id claiming it in this batch

    for (const real of reals) {
      let merged = next.get(real.id) ?? stored.get(real.id);
      merged = merged ? mergePapers(merged, real) : real;
      const key = titleKeyOf.get(real.id)!;
      const owner = aliasOf.get(key) ?? claimedBy.get(key);
      if (owner === undefined || owner === real.id) {
        claimedBy.set(key, real.id);
        if (owner === undefined) newAliases.push({ key, value: real.id });
        const storedTitle = stored.get(key);
        if (storedTitle) {
          merged = mergePapers(merged, storedTitle);
          deletes.push(key);
          result.replaced.push({ from: key, to: real.id });
          stored.delete(key);
        }
        const batchTitle = batch.get(key);
        if (batchTitle) {
          merged = mergePapers(merged, batchTitle);
          batch.delete(key);
        }
      }
      next.set(real.id, merged);
    }

    for (const page of titled) {
      if (!batch.has(page.id)) continue; // absorbed by a real record above
      const target = aliasOf.get(page.id) ?? claimedBy.get(page.id);
      const targetRecord = target === undefined ? undefined : (next.get(target) ?? stored.get(target));
      if (target !== undefined && targetRecord) {
        next.set(target, mergePapers(targetRecord, page));
      } else {
        // No real record (yet): the page record stands on its own until its arXiv id shows up.
        const current = next.get(page.id) ?? stored.get(page.id);
        next.set(page.id, current ? mergePapers(current, page) : page);
      }
    }

    const writes: { key: string; value: Paper }[] = [];
    for (const [id, after] of next) {
      const before = stored.get(id);
      if (!before) result.added.push(after);
      else if (paperChanged(before, after)) result.updated.push(after);
      else {
        result.unchanged += 1;
        continue;
      }
      writes.push({ key: id, value: after });
    }

    const changed = writes.length > 0 || deletes.length > 0;
    if (!changed && newAliases.length === 0) return result;
    // Order matters only for stores without transactions: the merged record and the alias exist
    // before the title record goes, so a crash in between leaves a duplicate, never a loss.
    await papers.setMany(writes);
    await aliases.setMany(newAliases);
    await papers.deleteMany(deletes);
    if (changed) await recordChange(writes.map((w) => w.key), deletes, result.added.length - deletes.length);
    return result;
  }

  /** Bump the revision, adjust the count and log what changed: one step with the writes it describes. */
  async function recordChange(ids: string[], removed: string[], countDelta: number): Promise<void> {
    const stats = await readStats();
    const revision = stats.revision + 1;
    await changes.set(String(revision), { ids, removed } satisfies LibraryChange);
    await meta.set(STATS_KEY, { count: stats.count + countDelta, revision } satisfies LibraryStats);
    if (revision > CHANGE_LOG_KEEP) await changes.deleteMany([String(revision - CHANGE_LOG_KEEP)]);
  }

  async function remove(ids: string[]): Promise<number> {
    const present = zip(unique(ids), await papers.getMany(unique(ids)));
    if (present.size === 0) return 0;
    const gone = [...present.keys()];
    await papers.deleteMany(gone);
    await recordChange([], gone, -gone.length);
    return gone.length;
  }

  async function getMany(ids: string[]): Promise<(Paper | undefined)[]> {
    if (ids.length === 0) return [];
    const found = await papers.getMany(ids);
    const aliased = unique(ids.filter((id, i) => found[i] === undefined && !isArxivId(id)));
    if (aliased.length === 0) return found;
    const targetOf = zip(aliased, await aliases.getMany(aliased));
    const targets = unique([...targetOf.values()].filter((t): t is string => t !== undefined));
    const real = zip(targets, await papers.getMany(targets));
    return ids.map((id, i) => {
      if (found[i]) return found[i];
      const target = targetOf.get(id);
      return target === undefined ? undefined : real.get(target);
    });
  }

  return {
    async get(idOrAlias) {
      const [paper] = await getMany([idOrAlias]);
      return paper;
    },
    getMany,
    upsertMany(incoming) {
      return serial(() => atomically(() => upsert(incoming)));
    },
    removeMany(ids) {
      return serial(() => atomically(() => remove(ids)));
    },
    async count() {
      return (await readStats()).count;
    },
    async revision() {
      return (await readStats()).revision;
    },
    async *batches(size) {
      for await (const entries of papers.entries(size)) yield entries.map((e) => e.value);
    },
    async changesSince(from, to) {
      const result: LibraryChanges = { ids: new Set(), removed: new Set() };
      if (to - from > CHANGE_LOG_KEEP - 1) return undefined;
      for (let start = from + 1; start <= to; start += CHANGE_READ_BATCH) {
        const keys: string[] = [];
        for (let r = start; r <= Math.min(to, start + CHANGE_READ_BATCH - 1); r++) keys.push(String(r));
        const entries = await changes.getMany(keys);
        for (const entry of entries) {
          if (!entry) return undefined;
          // In revision order: a paper merged away after being written is dropped, and one
          // written again after that (a new title record) is indexed again.
          for (const id of entry.removed) {
            result.ids.delete(id);
            result.removed.add(id);
          }
          for (const id of entry.ids) {
            result.removed.delete(id);
            result.ids.add(id);
          }
        }
      }
      return result;
    },
  };
}

function isStats(value: unknown): value is LibraryStats {
  if (typeof value !== 'object' || value === null) return false;
  const { count, revision } = value as Record<string, unknown>;
  return Number.isInteger(count) && Number.isInteger(revision);
}

function unique(keys: string[]): string[] {
  return [...new Set(keys)];
}

/** keys[i] → values[i], leaving out absent values. */
function zip<T>(keys: string[], values: (T | undefined)[]): Map<string, T> {
  const map = new Map<string, T>();
  keys.forEach((key, i) => {
    const value = values[i];
    if (value !== undefined) map.set(key, value);
  });
  return map;
}
