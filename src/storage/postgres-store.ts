import { AsyncLocalStorage } from 'node:async_hooks';
import type { KeyvStoreAdapter } from 'keyv';
import KeyvPostgres from '@keyv/postgres';
import pg from 'pg';
import type { Atomically } from '../core/library.js';
import { createSerialQueue } from '../core/serial-queue.js';
import type { Backend } from './backend.js';
import type { LeasePrimitive } from './lease.js';
import { StorageError } from './storage-error.js';

/**
 * The one table every namespace shares: keys as Keyv passes them (`papers:2405.17399`), values as
 * Keyv serialised them. Not @keyv/postgres's default `keyv` table, created here first: its key is a
 * VARCHAR(255) compared in the database's collation, where ':' and ';' may sort as if absent, so
 * the key range a namespace uses (below) would not hold; here the key column sorts bytewise
 * (COLLATE "C") and has no length limit.
 */
export const POSTGRES_TABLE = 'paperboy_kv';
/** Leases (lease.ts): one row per name, expiry in the server's clock. */
export const POSTGRES_LEASE_TABLE = 'paperboy_leases';

/**
 * The advisory lock every `atomically` takes (two int4 keys: "pape", 1). Advisory locks are per
 * database, so two databases on one server do not wait on each other.
 */
const WRITE_LOCK = [0x70617065, 1] as const;

/** Connections per process: one for the open transaction, the rest for reads and plain writes. */
const POOL_SIZE = 5;
/** Rows per INSERT in `setMany`; a bigger batch is several statements unless run inside `atomically`. */
const MAX_ROWS_PER_STATEMENT = 5000;
/** Rows per query when iterating a namespace. */
const PAGE_SIZE = 1000;

type Row = { key: string; value: string };
type Query = (sql: string, params?: unknown[]) => Promise<pg.QueryResult<Row>>;
/** The connection an `atomically` holds; `open` turns false at COMMIT/ROLLBACK. */
type Transaction = { client: pg.PoolClient; open: boolean };

/**
 * PostgreSQL: each namespace is a @keyv/postgres adapter (createPostgresNamespace), and the
 * connections are this storage's own `pg` pool: @keyv/postgres 2.x would send every statement to
 * a module-wide pool (one per process, whatever the URL), where a BEGIN and the statements after
 * it can land on different connections, so it could not run one transaction across namespaces.
 *
 * `atomically(work)`: one pooled connection runs BEGIN, takes a transaction-scoped advisory lock,
 * and every query `work` makes (tracked through AsyncLocalStorage, in any namespace) goes to that
 * connection until COMMIT, or ROLLBACK when `work` throws. The lock makes these transactions run
 * one at a time across every process on the database, as SQLite's write lock does: the library's
 * upsert reads, merges and writes several namespaces and bumps the revision, and row locks taken
 * only at the write would let two processes merge from the same read or log one revision twice.
 * Plain writes outside `atomically` are single statements, each atomic on its own.
 */
export async function openPostgres(url: string, report: (error: unknown, where: string) => void): Promise<Backend> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: 10_000 });
  // An idle pooled connection that drops (server restart) emits here; without a listener the process would exit.
  pool.on('error', (error) => report(error, 'connection'));
  const current = new AsyncLocalStorage<Transaction>();
  // One transaction at a time from this process: the others would only hold pooled connections
  // while they wait on the advisory lock, starving reads.
  const serial = createSerialQueue();
  let closed = false;

  const query: Query = async (sql, params) => {
    if (closed) throw new StorageError('PostgreSQL store is closed');
    const transaction = current.getStore();
    return transaction?.open ? transaction.client.query<Row>(sql, params) : pool.query<Row>(sql, params);
  };

  // The schema unqualified names resolve to (search_path), named in @keyv/postgres's statements.
  let schema = 'public';
  try {
    await inTransaction(async (client) => {
      // Quoted only where PostgreSQL needs it (capitals, spaces, keywords such as "order"):
      // @keyv/postgres writes the schema into its statements as given.
      const { rows } = (await client.query('SELECT quote_ident(current_schema()) AS schema')) as unknown as { rows: { schema: string | null }[] };
      const current = rows[0]?.schema;
      if (!current) throw new Error('no schema of the search_path exists: create one, or set search_path for this user');
      schema = current;
      // Created only when missing: CREATE … IF NOT EXISTS needs the CREATE privilege even when the
      // table is there, and a role a DBA gave only the tables (PostgreSQL 15 gives no one CREATE
      // on public) must still open the store.
      const tables = [
        [`${schema}.${POSTGRES_TABLE}`, '(key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL)'],
        [`${schema}.${POSTGRES_LEASE_TABLE}`, '(name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)'],
      ] as const;
      for (const [table, columns] of tables) {
        const found = (await client.query('SELECT to_regclass($1) IS NOT NULL AS found', [table])) as unknown as { rows: { found: boolean }[] };
        if (!found.rows[0]?.found) await client.query(`CREATE TABLE IF NOT EXISTS ${table} ${columns}`);
      }
    }, false);
  } catch (cause) {
    await pool.end().catch(() => undefined);
    // pg's messages name the host and user at most, never the password.
    throw new StorageError(`cannot open the PostgreSQL store: ${describe(cause)}`, { cause });
  }

  /** BEGIN, the write lock, `work`, COMMIT on one pooled connection; ROLLBACK if anything throws. */
  async function inTransaction<R>(work: (client: pg.PoolClient) => Promise<R>, durable: boolean): Promise<R> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...WRITE_LOCK]);
      // The server default is already "on" (COMMIT returns once the WAL is flushed); this keeps
      // the guard writes durable on a server configured with synchronous_commit = off.
      if (durable) await client.query('SET LOCAL synchronous_commit = on');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        // A connection that cannot roll back is not handed out again.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  function transaction(durable: boolean): Atomically {
    return (work) => {
      // A nested call joins the transaction already open, in that transaction's mode.
      if (current.getStore()?.open) return work();
      return serial(() => {
        if (closed) throw new StorageError('PostgreSQL store is closed');
        return inTransaction(async (client) => {
          const state: Transaction = { client, open: true };
          try {
            return await current.run(state, work);
          } finally {
            // Work that outlives its transaction (a promise it did not await) falls back to the pool.
            state.open = false;
          }
        }, durable);
      });
    };
  }

  return {
    adapter: (name) => createPostgresNamespace(query, name, schema),
    atomically: transaction(false),
    leases: createPostgresLeases(query, `${schema}.${POSTGRES_LEASE_TABLE}`),
    // PostgreSQL commits are durable by default; see inTransaction for the server set to "off".
    durably: transaction(true),
    synchronousMode: async () => undefined,
    async close() {
      // Let queued transactions finish first, as SQLite's close does.
      await serial(async () => {
        closed = true;
      });
      await pool.end();
    },
  };
}

/**
 * Leases as single statements outside any transaction, timed by the server (clock_timestamp(), not
 * now(): the statement's own moment). Taking one is `INSERT … ON CONFLICT DO UPDATE … WHERE`: two
 * processes inserting the same free name meet on the primary key, the second waits for the first
 * to commit and then finds the row no longer expired and not its own, so it gets no row back.
 */
function createPostgresLeases(query: Query, table: string): LeasePrimitive {
  const expiry = `clock_timestamp() + $3 * interval '1 millisecond'`;
  return {
    async acquire(name, owner, ttlMs) {
      const { rowCount } = await query(
        `INSERT INTO ${table} AS lease (name, owner, expires_at) VALUES ($1, $2, ${expiry})
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE lease.owner = excluded.owner OR lease.expires_at <= clock_timestamp()
         RETURNING owner`,
        [name, owner, ttlMs],
      );
      return (rowCount ?? 0) > 0;
    },
    async renew(name, owner, ttlMs) {
      const { rowCount } = await query(
        `UPDATE ${table} SET expires_at = ${expiry}
         WHERE name = $1 AND owner = $2 AND expires_at > clock_timestamp()`,
        [name, owner, ttlMs],
      );
      return (rowCount ?? 0) > 0;
    },
    async release(name, owner) {
      await query(`DELETE FROM ${table} WHERE name = $1 AND owner = $2`, [name, owner]);
    },
    async holder(name) {
      const { rows } = (await query(
        `SELECT owner, CEIL(EXTRACT(EPOCH FROM (expires_at - clock_timestamp())) * 1000)::float8 AS ms
         FROM ${table} WHERE name = $1 AND expires_at > clock_timestamp()`,
        [name],
      )) as unknown as { rows: { owner: string; ms: number }[] };
      const row = rows[0];
      return row ? { owner: row.owner, expiresInMs: row.ms } : undefined;
    },
  };
}

/**
 * A Keyv storage adapter for one namespace of the shared table: @keyv/postgres's adapter, given
 * this storage's connections. Its `connect()` would open a module-wide pool (one per process,
 * whatever the URL) where a BEGIN and the statements after it land on different connections;
 * overridden, every statement goes through `query`, so inside `atomically` it joins the
 * transaction's connection. Its reads and single writes (get, getMany, has, set, delete,
 * deleteMany) are used as they are. Overridden besides: `setMany` (one statement may not update a
 * row twice, and a huge batch is cut into statements), `clear` and `iterator` (the library matches
 * `LIKE 'ns:%'`, where '_' in a namespace name is a wildcard, and its iterator turns a failed page
 * into an 'error' event and a silently shorter listing), and `entriesInRange` (Paperboy's
 * key-range listing, which Keyv lacks). A namespace is the key range `ns:` ≤ key < `ns;` (';' follows
 * ':'), served by the primary-key index in bytewise order (COLLATE "C").
 */
function createPostgresNamespace(query: Query, name: string, schema: string): KeyvStoreAdapter {
  const run = async (sql: string, values?: unknown[]) => (await query(sql, values)).rows;
  const table = `${schema}.${POSTGRES_TABLE}`;
  const from = `${name}:`;
  const to = `${name};`;

  async function* range(start: string, end: string): AsyncGenerator<[string, string], void> {
    let after: string | undefined;
    for (;;) {
      const { rows } = await query(
        after === undefined
          ? `SELECT key, value FROM ${table} WHERE key >= $1 AND key < $2 ORDER BY key LIMIT $3`
          : `SELECT key, value FROM ${table} WHERE key > $1 AND key < $2 ORDER BY key LIMIT $3`,
        [after ?? start, end, PAGE_SIZE],
      );
      for (const row of rows) yield [row.key, row.value];
      if (rows.length < PAGE_SIZE) return;
      after = rows[rows.length - 1]!.key;
    }
  }

  class PaperboyPostgres extends KeyvPostgres {
    // Called once, by the library's constructor, whose `query` is then what this returns. The
    // constructor's own first statement, CREATE [SCHEMA …;] TABLE IF NOT EXISTS, is not sent:
    // openPostgres created the table, and the database checks CREATE privileges before it checks
    // existence (a role without them would log an error per namespace, and inside a transaction
    // abort it). Paperboy itself sends no CREATE through an adapter.
    override async connect(): Promise<(sql: string, values?: unknown[]) => Promise<Row[]>> {
      return async (sql, values) => (/^\s*CREATE\s/i.test(sql) ? [] : run(sql, values));
    }

    override async setMany(entries: { key: string; value: unknown }[]): Promise<void> {
      // A key given twice keeps its last value, as a sequence of sets would.
      const last = new Map(entries.map((e) => [e.key, e.value]));
      const keys = [...last.keys()];
      for (let i = 0; i < keys.length; i += MAX_ROWS_PER_STATEMENT) {
        const chunk = keys.slice(i, i + MAX_ROWS_PER_STATEMENT);
        await super.setMany(chunk.map((key) => ({ key, value: last.get(key) })));
      }
    }

    override async clear(): Promise<void> {
      await query(`DELETE FROM ${table} WHERE key >= $1 AND key < $2`, [from, to]);
    }

    /** Keyset paging over the namespace's key range: a page costs the same at any depth. */
    override async *iterator(): AsyncGenerator<string[], void> {
      for await (const entry of range(from, to)) yield entry;
    }

    /** The entries `start` ≤ key < `end`, within this namespace's range, ordered by key. */
    async entriesInRange(start: string, end: string): Promise<[string, string][]> {
      const found: [string, string][] = [];
      const lower = start > from ? start : from;
      const upper = end < to ? end : to;
      if (lower >= upper) return found;
      for await (const entry of range(lower, upper)) found.push(entry);
      return found;
    }

    /** The pool belongs to the storage (`storage.close()`); one namespace must not close it for all. */
    override async disconnect(): Promise<void> {}
  }

  return new PaperboyPostgres({ table: POSTGRES_TABLE, schema, iterationLimit: PAGE_SIZE }) as unknown as KeyvStoreAdapter;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
