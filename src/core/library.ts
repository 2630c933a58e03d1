import { isArxivId, titleId } from './paper-id.js';
import { mergePapers, paperChanged, type Paper } from './paper.js';

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
};

export type LibraryStores = {
  papers: KeyValueStore<Paper>;
  /** `title:` id → real arXiv id. */
  aliases: KeyValueStore<string>;
  meta: KeyValueStore<unknown>;
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
  const { papers, aliases, meta } = stores;
  const atomically = options.atomically ?? runDirectly;
  // Upserts read, merge and write back; two interleaved batches would lose each other's merges
  // and count changes, so they run one after another.
  let queue: Promise<unknown> = Promise.resolve();

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
    if (changed) {
      const stats = await readStats();
      await meta.set(STATS_KEY, {
        count: stats.count + result.added.length - deletes.length,
        revision: stats.revision + 1,
      } satisfies LibraryStats);
    }
    return result;
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
      const run = queue.then(() => atomically(() => upsert(incoming)));
      queue = run.catch(() => undefined);
      return run;
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
