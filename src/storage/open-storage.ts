import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import type { Atomically, KeyValueStore } from '../core/library.js';
import type { Backend } from './backend.js';
import { createLease, type Lease, type LeasePrimitive } from './lease.js';
import { createKeyvStore } from './keyv-store.js';
import { openPostgres } from './postgres-store.js';
import { openRedis } from './redis-store.js';
import { createSqliteNamespace, type SqliteConnection } from './sqlite-namespace.js';
import { StorageError } from './storage-error.js';
import { createWriteGate } from './write-gate.js';

export { StorageError } from './storage-error.js';

/** A file under the process's working directory; `sqlite:///abs/path.sqlite` for an absolute path. */
export const DEFAULT_STORAGE_URL = 'sqlite://data/paperboy.sqlite';

export type Storage = {
  /** The Keyv of one namespace (same name → same instance). All namespaces share one connection. */
  namespace<T>(name: string): Keyv<T>;
  /** The same namespace as core's KeyValueStore. */
  store<T>(name: string): KeyValueStore<T>;
  /**
   * Runs `work` in one transaction: its writes, in any namespace, commit together or not at all,
   * and such blocks run one at a time, across processes too. SQLite: BEGIN IMMEDIATE on the
   * shared connection (other callers' writes wait; their reads see its uncommitted writes).
   * PostgreSQL: one connection in a transaction under an advisory lock (postgres-store.ts). Redis:
   * a lock with expiry, writes buffered and applied by one script at the end (redis-store.ts).
   */
  atomically: Atomically;
  /**
   * `atomically`, and the commit is on disk before it resolves (SQLite: synchronous=FULL for this
   * transaction, an fsync of the log at COMMIT). For the few writes that guard a send to Discord
   * (the outbox): under the default synchronous=NORMAL a power cut can undo the last commits, and
   * a pending record lost that way means the card is sent again once the nonce window is over.
   * A nested call joins the transaction already open, in that transaction's mode. PostgreSQL
   * commits are durable anyway (synchronous_commit = on, set for these); Redis's durability is the
   * server's appendfsync, and `durably` is `atomically` there.
   */
  durably: Atomically;
  /**
   * Builds what prefix listings need in a store an older version wrote (Redis: a sorted set of
   * each namespace's keys; nothing on SQLite and PostgreSQL), once: later calls read a mark, and on
   * Redis check that each of the namespaces `names` has an index the size of its hash (rebuilt
   * when not; those are returned). Part of upgradeStoreLayout, which only the bot's start runs:
   * opening a store (a CLI command, a migration's source) never changes it.
   */
  upgradeIndexes(names?: readonly string[]): Promise<string[]>;
  /** SQLite's `PRAGMA synchronous` on the shared connection now (undefined for other stores): what a commit would do. */
  synchronousMode(): Promise<SynchronousMode | undefined>;
  /**
   * True for PostgreSQL and Redis, which several bot processes share (one of them leads
   * ingestion under a lease); false for SQLite, one machine's file that one bot process owns.
   */
  readonly shared: boolean;
  /**
   * The lease `name` as `owner` holds or seeks it, expiring `ttlMs` after each acquire or renew
   * (lease.ts). Nothing is written until `acquire`.
   */
  lease(name: string, owner: string, ttlMs: number): Lease;
  /** Waits for pending writes, then closes the connection; any later call throws. */
  close(): Promise<void>;
};

export type StorageOptions = {
  /**
   * Sees every error Keyv emits (`where` is the namespace, or "connection"), e.g. to log it.
   * Errors are thrown to the caller either way: this is for logging, not handling.
   */
  onError?: (error: unknown, where: string) => void;
  /** How long a write waits for another process (a CLI import) holding the SQLite write lock. */
  busyTimeoutMs?: number;
  /** How long `atomically` waits for another process holding the Redis write lock. */
  lockWaitMs?: number;
};

export const SYNCHRONOUS_MODES = ['off', 'normal', 'full', 'extra'] as const;
export type SynchronousMode = (typeof SYNCHRONOUS_MODES)[number];

/**
 * Opens storage from a URL: `sqlite://path` (relative to the working directory; the parent
 * directory is created), `sqlite://:memory:`, `postgres://user@host/db` (the table is created), or
 * `redis://host:6379[/db][?prefix=paperboy:]`. Fails here, not on first use, when the store cannot
 * be opened.
 */
export async function openStorage(url: string = DEFAULT_STORAGE_URL, options: StorageOptions = {}): Promise<Storage> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  const report = (error: unknown, where: string) => options.onError?.(error, where);
  let backend: Backend;
  if (scheme === 'sqlite') backend = await openSqlite(url.slice('sqlite://'.length), options, report);
  else if (scheme === 'postgres' || scheme === 'postgresql') backend = await openPostgres(url, report);
  else if (scheme === 'redis' || scheme === 'rediss') backend = await openRedis(url, report, { lockWaitMs: options.lockWaitMs });
  else {
    // Only the scheme is echoed: the rest of a storage URL may hold a password.
    throw new StorageError(
      `unsupported storage URL${scheme ? ` scheme "${scheme}://"` : ''}: use sqlite://path, redis://… or postgres://…`,
    );
  }

  const keyvs = new Map<string, Keyv<unknown>>();
  const stores = new Map<string, KeyValueStore<unknown>>();
  let closed: Promise<void> | undefined;

  function namespace<T>(name: string): Keyv<T> {
    if (!/^[a-z][a-z0-9_-]*$/i.test(name)) {
      // A ':' would make one namespace's key range contain another's ("a:b:key" is inside "a:").
      throw new StorageError(`invalid namespace "${name}": use letters, digits, '_' and '-'`);
    }
    let keyv = keyvs.get(name);
    if (!keyv) {
      keyv = new Keyv<unknown>({
        store: backend.adapter(name),
        namespace: name,
        // Keyv 5 swallows adapter errors unless told otherwise: `get` returns undefined and `set`
        // returns false. Its event emitter, unlike Node's, drops 'error' events nobody listens to.
        throwOnErrors: true,
        // Plain JSON: @keyv/serialize walks every value in JavaScript to escape strings that start
        // with ':' and revive Buffers, neither of which we store, at several times the cost.
        serialize: JSON.stringify,
        deserialize: JSON.parse,
      });
      keyv.on('error', (error: unknown) => report(error, name));
      keyvs.set(name, keyv);
    }
    return keyv as Keyv<T>;
  }

  return {
    namespace,
    store<T>(name: string): KeyValueStore<T> {
      let store = stores.get(name);
      if (!store) {
        store = createKeyvStore(namespace<unknown>(name));
        stores.set(name, store);
      }
      return store as KeyValueStore<T>;
    },
    atomically: (work) => backend.atomically(work),
    durably: (work) => backend.durably(work),
    synchronousMode: () => backend.synchronousMode(),
    upgradeIndexes: async (names = []) => (await backend.upgradeIndexes?.(names)) ?? [],
    shared: scheme !== 'sqlite',
    lease: (name, owner, ttlMs) => createLease(backend.leases, name, owner, ttlMs),
    close() {
      closed ??= backend.close();
      return closed;
    },
  };
}

async function openSqlite(
  location: string,
  options: StorageOptions,
  report: (error: unknown, where: string) => void,
): Promise<Backend> {
  if (location === '') throw new StorageError('sqlite:// URL without a path (use sqlite://data/paperboy.sqlite)');
  const file = location === ':memory:' ? location : path.resolve(location);
  if (file !== ':memory:') {
    try {
      await mkdir(path.dirname(file), { recursive: true });
    } catch (cause) {
      throw new StorageError(`cannot create the directory for SQLite database ${file}: ${describe(cause)}`, { cause });
    }
  }

  // @keyv/sqlite opens one sqlite3 connection per adapter instance (its `connect` option is
  // overwritten in the constructor), so this one instance is the connection every namespace uses.
  const sqlite = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: options.busyTimeoutMs ?? 5000 });
  sqlite.on('error', (error: unknown) => report(error, 'connection'));
  const gate = createWriteGate();
  let closed = false;
  const query = async (sql: string, ...params: unknown[]) => {
    if (closed) throw new StorageError(`SQLite database ${file} is closed`);
    return (await sqlite.query(sql, ...params)) as { key: string; value: string }[];
  };
  const connection: SqliteConnection = {
    read: query,
    write: (sql, ...params) => gate.exclusive(() => query(sql, ...params)),
  };

  try {
    // WAL + synchronous=NORMAL: a commit appends to the log without an fsync (fsyncs happen at
    // checkpoints); a power cut can lose the last commits but never corrupts the file. Writes
    // that must survive one (the outbox before a send) go through `durably`.
    await query('PRAGMA journal_mode = WAL');
    await query('PRAGMA synchronous = NORMAL');
  } catch (cause) {
    await sqlite.close().catch(() => undefined);
    throw new StorageError(`cannot open SQLite database ${file}: ${describe(cause)}`, { cause });
  }

  async function inTransaction<R>(work: () => Promise<R>): Promise<R> {
    await query('BEGIN IMMEDIATE');
    try {
      const result = await work();
      await query('COMMIT');
      return result;
    } catch (error) {
      // SQLite has already rolled back after some errors (disk full, I/O); then ROLLBACK
      // fails too, and the original error is the one worth throwing.
      await query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  const transaction: Atomically = (work) => gate.exclusive(() => inTransaction(work));

  // FULL only around these commits: an import's batches stay on NORMAL (see bench/durable-writes.ts).
  // The mode is per connection, and the gate keeps every other write out until it is set back.
  const durableTransaction: Atomically = (work) =>
    gate.exclusive(async () => {
      await query('PRAGMA synchronous = FULL');
      try {
        return await inTransaction(work);
      } finally {
        await query('PRAGMA synchronous = NORMAL').catch((error: unknown) => report(error, 'connection'));
      }
    });

  return {
    adapter: (name) => createSqliteNamespace(connection, name),
    leases: createSqliteLeases(connection),
    // A nested call joins the transaction already open (SQLite has no nested BEGIN).
    atomically: (work) => (gate.holding() ? work() : transaction(work)),
    durably: (work) => (gate.holding() ? work() : durableTransaction(work)),
    async synchronousMode() {
      const rows = (await query('PRAGMA synchronous')) as unknown as { synchronous: number }[];
      return SYNCHRONOUS_MODES[rows[0]?.synchronous ?? -1];
    },
    async close() {
      await gate.exclusive(async () => {
        closed = true;
      });
      await sqlite.close();
    },
  };
}

/** Where SQLite keeps leases; created on first use, so a store no lease ever touched stays as it was. */
const SQLITE_LEASE_TABLE = 'paperboy_leases';

/**
 * Leases in a table of their own, each step one statement: a write statement holds SQLite's
 * write lock (other processes wait in busy_timeout), so reading the row and replacing it are one
 * transaction. Expiry in this machine's epoch milliseconds: every process on the file shares its clock.
 */
function createSqliteLeases(connection: SqliteConnection): LeasePrimitive {
  let table: Promise<unknown> | undefined;
  const ready = () =>
    (table ??= connection
      .write(`CREATE TABLE IF NOT EXISTS ${SQLITE_LEASE_TABLE} (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL)`)
      .catch((error: unknown) => {
        table = undefined;
        throw error;
      }));
  return {
    async acquire(name, owner, ttlMs) {
      await ready();
      const now = Date.now();
      const rows = await connection.write(
        `INSERT INTO ${SQLITE_LEASE_TABLE} (name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE ${SQLITE_LEASE_TABLE}.owner = excluded.owner OR ${SQLITE_LEASE_TABLE}.expires_at <= ?
         RETURNING owner`,
        name,
        owner,
        now + ttlMs,
        now,
      );
      return rows.length > 0;
    },
    async renew(name, owner, ttlMs) {
      await ready();
      const now = Date.now();
      const rows = await connection.write(
        `UPDATE ${SQLITE_LEASE_TABLE} SET expires_at = ? WHERE name = ? AND owner = ? AND expires_at > ? RETURNING owner`,
        now + ttlMs,
        name,
        owner,
        now,
      );
      return rows.length > 0;
    },
    async release(name, owner) {
      await ready();
      await connection.write(`DELETE FROM ${SQLITE_LEASE_TABLE} WHERE name = ? AND owner = ?`, name, owner);
    },
    async holder(name) {
      await ready();
      const now = Date.now();
      const rows = (await connection.read(
        `SELECT owner, expires_at FROM ${SQLITE_LEASE_TABLE} WHERE name = ? AND expires_at > ?`,
        name,
        now,
      )) as unknown as { owner: string; expires_at: number }[];
      const row = rows[0];
      return row ? { owner: row.owner, expiresInMs: row.expires_at - now } : undefined;
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
