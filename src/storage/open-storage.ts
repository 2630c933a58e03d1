import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import type { Atomically, KeyValueStore } from '../core/library.js';
import { createKeyvStore } from './keyv-store.js';
import { createSqliteNamespace, type SqliteConnection } from './sqlite-namespace.js';
import { StorageError } from './storage-error.js';
import { createSerialQueue } from '../core/serial-queue.js';

export { StorageError } from './storage-error.js';

/** A file under the process's working directory; `sqlite:///abs/path.sqlite` for an absolute path. */
export const DEFAULT_STORAGE_URL = 'sqlite://data/paperboy.sqlite';

export type Storage = {
  /** The Keyv of one namespace (same name → same instance). All namespaces share one connection. */
  namespace<T>(name: string): Keyv<T>;
  /** The same namespace as core's KeyValueStore. */
  store<T>(name: string): KeyValueStore<T>;
  /**
   * Runs `work` in one transaction (SQLite): its writes, in any namespace, commit together or not
   * at all, and writes from other callers wait until it ends. Reads made meanwhile on the shared
   * connection see its uncommitted writes. Adapters without transactions just run `work`.
   */
  atomically: Atomically;
  /**
   * `atomically`, and the commit is on disk before it resolves (SQLite: synchronous=FULL for this
   * transaction, an fsync of the log at COMMIT). For the few writes that guard a send to Discord
   * (the outbox): under the default synchronous=NORMAL a power cut can undo the last commits, and
   * a pending record lost that way means the card is sent again once the nonce window is over.
   * A nested call joins the transaction already open, in that transaction's mode.
   */
  durably: Atomically;
  /** SQLite's `PRAGMA synchronous` on the shared connection now (undefined for other stores): what a commit would do. */
  synchronousMode(): Promise<SynchronousMode | undefined>;
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
};

/** Adapters we know how to load but do not depend on; the error says which package to install. */
const ADAPTER_PACKAGES: Record<string, string> = {
  redis: '@keyv/redis',
  rediss: '@keyv/redis',
  postgres: '@keyv/postgres',
  postgresql: '@keyv/postgres',
};

export const SYNCHRONOUS_MODES = ['off', 'normal', 'full', 'extra'] as const;
export type SynchronousMode = (typeof SYNCHRONOUS_MODES)[number];

type Backend = {
  adapter(namespace: string): KeyvStoreAdapter;
  atomically: Atomically;
  durably: Atomically;
  synchronousMode(): Promise<SynchronousMode | undefined>;
  close(): Promise<void>;
};

/**
 * Opens storage from a URL: `sqlite://path` (relative to the working directory; the parent
 * directory is created), `sqlite://:memory:`, or `redis://…` / `postgres://…` when their Keyv
 * adapter package is installed. Fails here, not on first use, when the store cannot be opened.
 */
export async function openStorage(url: string = DEFAULT_STORAGE_URL, options: StorageOptions = {}): Promise<Storage> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  const report = (error: unknown, where: string) => options.onError?.(error, where);
  let backend: Backend;
  if (scheme === 'sqlite') backend = await openSqlite(url.slice('sqlite://'.length), options, report);
  else if (scheme !== undefined && scheme in ADAPTER_PACKAGES) backend = await openAdapterPackage(url, ADAPTER_PACKAGES[scheme]!);
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

/**
 * Serialises writes on the shared connection so a transaction (BEGIN … COMMIT, spread over many
 * awaits) never takes in another caller's write. Code running inside `exclusive` (tracked through
 * AsyncLocalStorage) passes straight through, so a transaction's own writes do not wait on it.
 */
function createWriteGate() {
  const holder = new AsyncLocalStorage<true>();
  const serial = createSerialQueue();
  return {
    holding: () => holder.getStore() === true,
    exclusive<R>(work: () => Promise<R>): Promise<R> {
      if (holder.getStore()) return work();
      return serial(() => holder.run(true, work));
    },
  };
}

async function openAdapterPackage(url: string, packageName: string): Promise<Backend> {
  // A variable specifier keeps TypeScript from requiring the package at compile time.
  const specifier: string = packageName;
  let Adapter: new (uri: string) => KeyvStoreAdapter;
  try {
    Adapter = ((await import(specifier)) as { default: typeof Adapter }).default;
  } catch (cause) {
    if ((cause as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw cause;
    const scheme = url.slice(0, url.indexOf(':'));
    throw new StorageError(`${scheme}:// storage needs the ${packageName} package: npm install ${packageName}`, {
      cause,
    });
  }
  // One adapter (and connection) per namespace: Keyv writes its namespace onto the adapter, so
  // namespaces cannot share one the way the SQLite ones share a connection.
  const adapters: KeyvStoreAdapter[] = [];
  return {
    adapter() {
      const adapter = new Adapter(url);
      adapters.push(adapter);
      return adapter;
    },
    // Keyv's API has no transactions across keys; batches are still single bulk calls. Durability
    // is the server's (PostgreSQL commits are fsynced; Redis as its appendfsync says).
    atomically: (work) => work(),
    durably: (work) => work(),
    synchronousMode: async () => undefined,
    async close() {
      await Promise.all(adapters.map((a) => a.disconnect?.()));
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
