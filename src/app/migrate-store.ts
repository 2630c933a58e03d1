import { existsSync } from 'node:fs';
import path from 'node:path';
import { openStorage, StorageError, type Storage } from '../storage/open-storage.js';
import { STORE_NAMES, type StoreName } from '../storage/stores.js';
import { DEFAULT_LEADER_LEASE_MS, INGEST_LEASE, processOwner } from './ingest-leader.js';

/**
 * `paperboy migrate`: every namespace of one store copied into another (SQLite → PostgreSQL or
 * Redis, typically), resumable and verified by counts.
 *
 * - Order: every namespace in STORE_NAMES, the library's `meta` (count, revision, library id)
 *   last, so a target that has it has the papers it counts.
 * - Resumable: a batch writes only the keys the target lacks or holds with another value, and a
 *   checkpoint in the target (namespace MIGRATION_NAMESPACE) lists the namespaces finished, which
 *   a rerun only counts, and copies again when the counts differ (the source changed after the
 *   interrupted run, or a write was lost). The checkpoint is removed once the counts agree.
 * - Refuses: a target that a bot uses (its ingestion lease is held: any bot on a shared store
 *   holds it, one of them at a time) and, without `resume`, a target that holds anything. While
 *   it copies, the migration itself holds that lease, so a bot started meanwhile does not ingest
 *   into a half-copied library and a second migration refuses. The lease is renewed before every
 *   write: a migration that lost it (stalled past its ttl, and a bot took over) stops before its
 *   next write instead of overwriting what the bot wrote.
 */

/** The one namespace outside STORE_NAMES: the migration's checkpoint, in the target only. */
export const MIGRATION_NAMESPACE = 'migration';
const CHECKPOINT_KEY = 'state';
/** Entries per read of the source and write to the target. */
const BATCH = 500;

/** The copy order: the library's counters after everything they describe. */
export const MIGRATION_ORDER: readonly StoreName[] = [...STORE_NAMES.filter((name) => name !== 'meta'), 'meta'];

export type NamespaceReport = {
  namespace: StoreName;
  /** Entries in the source and, after the run, in the target. */
  source: number;
  target: number;
  /** Entries written by this run, and entries the target already held with the same value. */
  copied: number;
  skipped: number;
  /** Finished in an earlier run (the checkpoint said so): not read again, only counted. */
  resumed: boolean;
};

export type MigrationReport = { namespaces: NamespaceReport[]; verified: boolean };

export type MigrationProgress = { namespace: StoreName; copied: number; skipped: number };

export type MigrateOptions = {
  from: string;
  to: string;
  /** Continue into a target that already holds data (an interrupted run). */
  resume?: boolean;
  onProgress?: (progress: MigrationProgress) => void;
  /** Renewal period of the lease the migration holds on the target (tests shorten it). */
  leaseTtlMs?: number;
};

type Checkpoint = { done: StoreName[] };

/** Thrown for a migration that must not start; the message says why and what to do. */
export class MigrationRefused extends Error {
  override name = 'MigrationRefused';
}

export async function migrateStore(options: MigrateOptions): Promise<MigrationReport> {
  if (sameStore(options.from, options.to)) throw new MigrationRefused('--from and --to name the same store');
  checkSqliteSourceExists(options.from);
  const source = await openStorage(options.from);
  try {
    const target = await openStorage(options.to);
    try {
      return await migrateOpen(source, target, options);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

async function migrateOpen(source: Storage, target: Storage, options: MigrateOptions): Promise<MigrationReport> {
  const ttlMs = options.leaseTtlMs ?? DEFAULT_LEADER_LEASE_MS;
  // Only bots on a shared store take the lease (a SQLite bot always leads): asking a SQLite
  // source would also write its lease table into the file being copied.
  const sourceBot = source.shared ? await source.lease(INGEST_LEASE, 'migrate-probe', ttlMs).holder() : undefined;
  if (sourceBot) throw new MigrationRefused(`a bot is running on the source store (${sourceBot.owner} leads ingestion): stop it first, so the copy is of one moment`);
  const lease = target.lease(INGEST_LEASE, processOwner('migrate'), ttlMs);
  if (!(await lease.acquire())) {
    const holder = await lease.holder();
    if (holder?.owner.startsWith('migrate:')) {
      throw new MigrationRefused(
        `another migration into the target is running (${holder.owner}); if it was killed, its hold expires within ${Math.ceil(holder.expiresInMs / 1000)} s: rerun then with --resume`,
      );
    }
    throw new MigrationRefused(`the target store is in use (${holder?.owner ?? 'another process'} holds its ingestion lease): stop every bot on it first`);
  }
  let lost = false;
  const renew = setInterval(() => {
    lease.renew().then((held) => void (held || (lost = true)), () => undefined);
  }, Math.max(50, Math.floor(ttlMs / 3)));
  renew.unref();
  /** Before each write to the target: still ours (renewed now), or stop. */
  const holdLease = async () => {
    if (!lost && (await lease.renew())) return;
    lost = true;
    throw new StorageError('the migration lost its lease on the target (it stalled or the store did not answer for too long, and another process may hold it now): stop every bot on the target, then rerun with --resume');
  };
  try {
    const checkpoints = target.store<Checkpoint>(MIGRATION_NAMESPACE);
    const checkpoint = (await checkpoints.get(CHECKPOINT_KEY)) ?? { done: [] };
    if (!options.resume) {
      const used = await usedNamespaces(target);
      if (used.length > 0 || checkpoint.done.length > 0) {
        throw new MigrationRefused(
          `the target store is not empty (${used.length > 0 ? `it holds ${used.join(', ')}` : 'an earlier migration was interrupted'}): add --resume to continue an interrupted migration into it`,
        );
      }
    }

    const namespaces: NamespaceReport[] = [];
    for (const namespace of MIGRATION_ORDER) {
      await holdLease();
      let resumed = checkpoint.done.includes(namespace);
      let counts = { source: 0, copied: 0, skipped: 0 };
      let targetCount: number | undefined;
      if (resumed) {
        counts.source = await countEntries(source, namespace);
        targetCount = await countEntries(target, namespace);
        // Finished before, yet the counts differ: copied again (only what differs is written).
        if (counts.source !== targetCount) resumed = false;
      }
      if (!resumed) {
        counts = await copyNamespace(source, target, namespace, options.onProgress, holdLease);
        if (!checkpoint.done.includes(namespace)) {
          checkpoint.done.push(namespace);
          await holdLease();
          await checkpoints.set(CHECKPOINT_KEY, checkpoint);
        }
      }
      namespaces.push({ namespace, ...counts, target: resumed && targetCount !== undefined ? targetCount : await countEntries(target, namespace), resumed });
    }
    const verified = namespaces.every((n) => n.source === n.target);
    if (verified) {
      await holdLease();
      await checkpoints.deleteMany([CHECKPOINT_KEY]);
    }
    return { namespaces, verified };
  } finally {
    clearInterval(renew);
    await lease.release().catch(() => undefined);
  }
}

/** Copies what the target lacks or holds differently; returns the source's count as it read it. */
async function copyNamespace(
  source: Storage,
  target: Storage,
  namespace: StoreName,
  onProgress: MigrateOptions['onProgress'],
  holdLease: () => Promise<void>,
): Promise<{ source: number; copied: number; skipped: number }> {
  const from = source.store<unknown>(namespace);
  const to = target.store<unknown>(namespace);
  let read = 0;
  let copied = 0;
  let skipped = 0;
  for await (const batch of from.entries(BATCH)) {
    read += batch.length;
    const present = await to.getMany(batch.map((entry) => entry.key));
    const missing = batch.filter((entry, i) => present[i] === undefined || JSON.stringify(present[i]) !== JSON.stringify(entry.value));
    if (missing.length > 0) {
      await holdLease();
      await to.setMany(missing);
    }
    copied += missing.length;
    skipped += batch.length - missing.length;
    onProgress?.({ namespace, copied, skipped });
  }
  return { source: read, copied, skipped };
}

async function countEntries(storage: Storage, namespace: string): Promise<number> {
  let count = 0;
  for await (const batch of storage.store<unknown>(namespace).entries(1000)) count += batch.length;
  return count;
}

async function usedNamespaces(storage: Storage): Promise<StoreName[]> {
  const used: StoreName[] = [];
  for (const namespace of MIGRATION_ORDER) {
    for await (const _batch of storage.store<unknown>(namespace).entries(1)) {
      used.push(namespace);
      break;
    }
  }
  return used;
}

/** openStorage creates a missing SQLite file; as a source that would be an empty copy of a typo. */
function checkSqliteSourceExists(url: string): void {
  if (!/^sqlite:\/\//i.test(url)) return;
  const location = url.slice('sqlite://'.length);
  if (location === ':memory:') throw new MigrationRefused('an in-memory SQLite store has nothing to migrate');
  if (location !== '' && !existsSync(path.resolve(location))) throw new MigrationRefused(`no SQLite database at ${path.resolve(location)}`);
}

function sameStore(a: string, b: string): boolean {
  const normal = (url: string) => (/^sqlite:\/\//i.test(url) ? `sqlite:${path.resolve(url.slice('sqlite://'.length))}` : url.trim().replace(/\/+$/, ''));
  return normal(a) === normal(b);
}
