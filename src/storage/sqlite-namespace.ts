import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter } from 'keyv';

/** The one table @keyv/sqlite creates (its default `table` option) and every namespace shares. */
export const SQLITE_TABLE = 'keyv';

/**
 * Rows per INSERT in `setMany`: two bound parameters each, under SQLite's limit of 32,766
 * parameters per statement (3.32+). A batch up to this size is one statement, hence one implicit
 * transaction; larger batches are several unless run inside `storage.atomically`.
 */
const MAX_ROWS_PER_STATEMENT = 10_000;

/** Rows per query when iterating a namespace. */
const PAGE_SIZE = 1000;

type Row = { key: string; value: string };

/** What a namespace needs from the shared SQLite connection (see open-storage.ts). */
export type SqliteConnection = {
  read(sql: string, ...params: unknown[]): Promise<Row[]>;
  /** Writes wait while a transaction of another caller is open on the connection. */
  write(sql: string, ...params: unknown[]): Promise<Row[]>;
};

/**
 * A Keyv storage adapter for one namespace of the shared SQLite table. Keys arrive from Keyv
 * already prefixed (`papers:2405.17399`).
 *
 * Why not hand one @keyv/sqlite adapter to every Keyv: Keyv writes its namespace onto the adapter
 * (`store.namespace = …`), and @keyv/sqlite 4.0.8 uses that field for `clear()` and `iterator()`,
 * so with a shared adapter the last Keyv created decides what every other one clears or iterates.
 * Its bulk methods are also slow: no `setMany` (Keyv then runs one autocommitted INSERT per key,
 * an fsync each), `getMany` matches rows with `Array.find` (quadratic), and `iterator()` pages
 * with `LIMIT 10 OFFSET n` (quadratic over a namespace). Here each namespace works on a key range
 * (`ns:` ≤ key < `ns;`, as ';' follows ':'), which the primary-key index serves directly, and every
 * bulk method is a single statement, so a batch is one implicit transaction.
 */
export function createSqliteNamespace(db: SqliteConnection, name: string): KeyvStoreAdapter {
  // Keyv's adapter type says `get` returns deserialized data, yet Keyv deserializes any string it
  // gets back, and @keyv/sqlite itself returns the stored string; this adapter does the same.
  return new SqliteNamespace(db, name) as unknown as KeyvStoreAdapter;
}

class SqliteNamespace extends EventEmitter {
  /** Keyv only builds `keyv.iterator` for adapters whose `opts.dialect` it knows. */
  readonly opts = { dialect: 'sqlite' } as const;
  /** Set by Keyv; the key range below uses the name given at construction. */
  namespace?: string;
  readonly #db: SqliteConnection;
  readonly #from: string;
  readonly #to: string;

  constructor(db: SqliteConnection, name: string) {
    super();
    this.#db = db;
    this.#from = `${name}:`;
    this.#to = `${name};`;
  }

  async get(key: string): Promise<string | undefined> {
    const rows = await this.#db.read(`SELECT value FROM ${SQLITE_TABLE} WHERE key = ?`, key);
    return rows[0]?.value;
  }

  async getMany(keys: string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const rows = await this.#db.read(
      `SELECT key, value FROM ${SQLITE_TABLE} WHERE key IN (SELECT value FROM json_each(?))`,
      JSON.stringify(keys),
    );
    const byKey = new Map(rows.map((row) => [row.key, row.value]));
    return keys.map((key) => byKey.get(key));
  }

  async has(key: string): Promise<boolean> {
    const rows = await this.#db.read(`SELECT key FROM ${SQLITE_TABLE} WHERE key = ?`, key);
    return rows.length > 0;
  }

  async set(key: string, value: string): Promise<void> {
    await this.#db.write(
      `INSERT INTO ${SQLITE_TABLE} (key, value) VALUES (?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      key,
      value,
    );
  }

  async setMany(entries: { key: string; value: string }[]): Promise<void> {
    // Bound parameters, not one JSON argument unpacked by json_each: that costs an extra
    // encode/escape of every (already serialized) value and measured about a quarter slower.
    for (let i = 0; i < entries.length; i += MAX_ROWS_PER_STATEMENT) {
      const chunk = entries.slice(i, i + MAX_ROWS_PER_STATEMENT);
      await this.#db.write(
        `INSERT INTO ${SQLITE_TABLE} (key, value) VALUES ${chunk.map(() => '(?,?)').join(',')}
         ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
        ...chunk.flatMap((e) => [e.key, e.value]),
      );
    }
  }

  async delete(key: string): Promise<boolean> {
    const rows = await this.#db.write(`DELETE FROM ${SQLITE_TABLE} WHERE key = ? RETURNING key`, key);
    return rows.length > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    if (keys.length === 0) return false;
    const rows = await this.#db.write(
      `DELETE FROM ${SQLITE_TABLE} WHERE key IN (SELECT value FROM json_each(?)) RETURNING key`,
      JSON.stringify(keys),
    );
    return rows.length > 0;
  }

  async clear(): Promise<void> {
    await this.#db.write(`DELETE FROM ${SQLITE_TABLE} WHERE key >= ? AND key < ?`, this.#from, this.#to);
  }

  /** Keyset paging: each page starts after the last key seen, so a page costs the same at any depth. */
  async *iterator(): AsyncGenerator<[string, string], void> {
    yield* this.#range(this.#from, this.#to);
  }

  /** The entries `from` ≤ key < `to`, within this namespace's range, ordered by key. */
  async entriesInRange(from: string, to: string): Promise<[string, string][]> {
    const found: [string, string][] = [];
    const start = from > this.#from ? from : this.#from;
    const end = to < this.#to ? to : this.#to;
    if (start >= end) return found;
    for await (const entry of this.#range(start, end)) found.push(entry);
    return found;
  }

  async *#range(from: string, to: string): AsyncGenerator<[string, string], void> {
    let after: string | undefined;
    for (;;) {
      const rows = await this.#db.read(
        after === undefined
          ? `SELECT key, value FROM ${SQLITE_TABLE} WHERE key >= ? AND key < ? ORDER BY key LIMIT ?`
          : `SELECT key, value FROM ${SQLITE_TABLE} WHERE key > ? AND key < ? ORDER BY key LIMIT ?`,
        after ?? from,
        to,
        PAGE_SIZE,
      );
      for (const row of rows) yield [row.key, row.value];
      if (rows.length < PAGE_SIZE) return;
      after = rows[rows.length - 1]!.key;
    }
  }

  /** The connection belongs to the storage (`storage.close()`); one namespace must not close it for all. */
  async disconnect(): Promise<void> {}
}
