import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@redis/client';
import type { KeyvStoreAdapter } from 'keyv';
import type { Atomically } from '../core/library.js';
import type { Backend } from './backend.js';
import type { LeasePrimitive } from './lease.js';
import { StorageError } from './storage-error.js';
import { createWriteGate } from './write-gate.js';

/** Prepended to every key this storage writes; `?prefix=` in the URL sets another (several bots on one server). */
export const DEFAULT_REDIS_PREFIX = 'paperboy:';

/** The write lock expires this long after its last renewal, so a holder that dies frees it. */
const LOCK_TTL_MS = 30_000;
/** Renewed well before it expires. */
const LOCK_RENEW_MS = 10_000;
/** A waiter claims the next turn at the lock after this long (see ACQUIRE_SCRIPT)… */
const FAIR_AFTER_MS = 50;
/** …and holds the claim this long past its last try (tries are ≤ 200 ms apart), so a waiter that gave up or died frees it. */
const NEXT_CLAIM_MS = 1_000;
/** Fields per HSCAN call when iterating (a hint to the server, not a bound). */
const SCAN_COUNT = 1000;
/** Arguments per HSET/HDEL/ZADD/ZREM inside a script: Lua's unpack() is limited by its C stack (~8,000). */
const SCRIPT_CHUNK = 1000;
/**
 * Keys and arguments of one commit script (the lock, per namespace its hash and index, the
 * fields and values); see commit(). The index adds one key per namespace and no arguments
 * (ZADD's score/member pairs are built inside the script), so the bound is unchanged.
 */
const MAX_COMMIT_ARGUMENTS = 60_000;
/** Members per ZRANGE BYLEX page of a prefix listing, and fields per HMGET of their values. */
const PREFIX_PAGE = 1000;
/**
 * The store's layout, kept in `<prefix>layout`: 2 has an index (sorted set) beside every
 * namespace's hash. A store without it (written before the indexes) gets them built by upgradeIndexes (run at the bot's start, store-layout.ts).
 */
const LAYOUT = '2';

/** Renew the lock only while `token` still holds it. */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Release the lock only while `token` still holds it (a late release must not free someone else's). */
/**
 * Take the write lock (KEYS[1]) for ARGV[1] for ARGV[2] ms unless another waiter is next in line
 * (KEYS[2]); a waiter that has waited FAIR_AFTER_MS claims that place for ARGV[3] ms (renewed at
 * each try), so a process taking the lock back-to-back (an import's batches) lets it in at its
 * next release instead of starving it. Returns 1 when taken.
 */
const ACQUIRE_SCRIPT = `
local next = redis.call('GET', KEYS[2])
if next and next ~= ARGV[1] then return 0 end
if ARGV[3] ~= '0' then redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3]) end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  if next == ARGV[1] or ARGV[3] ~= '0' then redis.call('DEL', KEYS[2]) end
  return 1
end
return 0`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Take a lease (KEYS[1]) for ARGV[1] for ARGV[2] ms: SET NX PX when it is free (an expired lease
 * is gone: Redis deleted the key), extended when ARGV[1] already holds it. One script, so nothing
 * runs between the check and the write.
 */
const LEASE_ACQUIRE_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** The lease's holder and its time left, read together. */
const LEASE_HOLDER_SCRIPT = `
local owner = redis.call('GET', KEYS[1])
if not owner then return false end
return { owner, redis.call('PTTL', KEYS[1]) }`;

/**
 * Apply a transaction's buffered writes, only while its token still holds the lock: the lock
 * is the fence, so a holder that stalled past the TTL (and lost the lock to another process)
 * cannot overwrite that process's work. KEYS[1] is the lock, then per namespace its hash and its
 * index (KEYS[2], KEYS[3], then KEYS[4], KEYS[5]…); per namespace, ARGV holds the number of fields
 * to set, the number to delete, the field/value pairs, then the fields to delete. Each chunk of
 * fields goes to the hash and its index together (ZADD takes score/member pairs, built here from
 * the fields, so the index adds no arguments to the call). A script runs without interruption, so
 * its writes land together.
 */
const COMMIT_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('PAPERBOY_LOCK_LOST') end
local a = 2
for k = 2, #KEYS, 2 do
  local hash, index = KEYS[k], KEYS[k + 1]
  local nset, ndel = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  a = a + 2
  for i = 0, nset - 1, ${SCRIPT_CHUNK / 2} do
    local n = math.min(${SCRIPT_CHUNK / 2}, nset - i)
    redis.call('HSET', hash, unpack(ARGV, a + 2 * i, a + 2 * (i + n) - 1))
    local members = {}
    for j = 0, n - 1 do
      members[2 * j + 1] = 0
      members[2 * j + 2] = ARGV[a + 2 * (i + j)]
    end
    redis.call('ZADD', index, unpack(members))
  end
  a = a + 2 * nset
  for i = 0, ndel - 1, ${SCRIPT_CHUNK} do
    local n = math.min(${SCRIPT_CHUNK}, ndel - i)
    redis.call('HDEL', hash, unpack(ARGV, a + i, a + i + n - 1))
    redis.call('ZREM', index, unpack(ARGV, a + i, a + i + n - 1))
  end
  a = a + ndel
end
return 1`;

/**
 * Index the fields ARGV of the hash KEYS[1] in its sorted set KEYS[2] (score 0), those still in
 * the hash: a field deleted since the build read it stays out (its delete's ZREM has already run),
 * and one deleted after this script is removed from both by that delete. Returns how many.
 */
const INDEX_SCRIPT = `
local members = {}
for i = 1, #ARGV do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    members[#members + 1] = 0
    members[#members + 1] = ARGV[i]
  end
end
if #members > 0 then redis.call('ZADD', KEYS[2], unpack(members)) end
return #members / 2`;

/** Remove from the index (KEYS[2]) the members in ARGV whose field the hash (KEYS[1]) no longer holds. */
const PRUNE_SCRIPT = `
local gone = {}
for i = 1, #ARGV do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then gone[#gone + 1] = ARGV[i] end
end
if #gone > 0 then redis.call('ZREM', KEYS[2], unpack(gone)) end
return #gone`;

type Client = ReturnType<typeof createClient>;
/** An open `atomically`: its writes, per hash (field → value, or null for a delete), until commit. */
type Transaction = { writes: Map<string, Map<string, string | null>>; open: boolean };

export type RedisOptions = {
  /** How long `atomically` waits for another process's write lock before it gives up. */
  lockWaitMs?: number;
};

/**
 * Redis through `@redis/client` (the client @keyv/redis wraps), one hash per namespace
 * (`<prefix>ns:<name>`, fields are Keyv's keys): a namespace's batch is one HMGET/HSET/HDEL and
 * listing it is an HSCAN of that hash alone, where @keyv/redis keeps a string key per entry and
 * lists a namespace by SCANning the whole keyspace.
 *
 * Beside each hash, its index: a sorted set `<prefix>ix:<name>` whose members are the hash's
 * fields, all at score 0, so ZRANGE … BYLEX serves one key prefix (`withPrefix`: a user's
 * bookmarks, a day's first-seen papers) in O(log N + matches) instead of an HSCAN MATCH that walks
 * the whole hash. Measured at 100,000 fields with 500 matching: 57 ms by HSCAN MATCH, ~1 ms by the
 * index. It costs memory and write time: MEMORY USAGE ~12 MB for the index beside ~9.8 MB for the
 * hash, and setMany of 100,000 fields in batches of 5,000 takes ~0.4 s instead of ~0.3 s. Every
 * write changes both in one MULTI or script, so the index's members are always the hash's fields.
 * A store written before the indexes existed (`<prefix>layout` is not 2) gets them built by
 * `upgradeIndexes` (buildIndexes; ~0.5 s for a namespace of 100,000 fields), which only the bot's
 * start runs (store-layout.ts): a CLI command or a migration reading the store leaves it as it is,
 * so an older bot still running on it is not left writing hashes beside a marked index.
 *
 * Redis has no transaction that spans a read, an await and a write, so `atomically(work)` is
 * built from two pieces. A lock (`SET <prefix>lock token NX PX 30000`, renewed every 10 s while
 * held, released by a compare-and-delete script) makes these blocks run one at a time across
 * every process on the store. Inside the block, writes are buffered (reads see them) and applied
 * at the end by one Lua script that first checks the lock is still this block's: all of them or,
 * if `work` throws or the lock was lost, none. Plain writes outside `atomically` go straight to
 * the server; within this process they wait while a block is open, as on SQLite.
 *
 * Durability is the server's: with `appendonly yes` and `appendfsync always` a reply means the
 * write is on disk; with the default `everysec` the last second can be lost; with no AOF, since
 * the last RDB save. `durably` therefore runs the work as `atomically` does and adds nothing.
 */
export async function openRedis(url: string, report: (error: unknown, where: string) => void, options: RedisOptions = {}): Promise<Backend> {
  const { clientUrl, prefix } = parseRedisUrl(url);
  const lockKey = `${prefix}lock`;
  const nextKey = `${prefix}lock:next`;
  const layoutKey = `${prefix}layout`;
  const hashOf = (name: string) => `${prefix}ns:${name}`;
  const indexOf = (name: string) => `${prefix}ix:${name}`;
  /** The index beside a hash `<prefix>ns:<name>` (a transaction's writes are kept by hash). */
  const indexOfHash = (hash: string) => indexOf(hash.slice(hashOf('').length));
  const lockWaitMs = options.lockWaitMs ?? 60_000;
  let connected = false;
  const client: Client = createClient({
    url: clientUrl,
    // Fail a command at once while the server is unreachable instead of queueing it unboundedly.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 10_000,
      // At open, give up (openStorage fails fast); later, reconnect with a growing pause.
      reconnectStrategy: (retries, cause) => (connected ? Math.min(100 * 2 ** retries, 5_000) : cause),
    },
  });
  client.on('error', (error: unknown) => report(error, 'connection'));
  try {
    await client.connect();
    connected = true;
  } catch (cause) {
    // A refused first connection has already closed the client (the reconnect strategy gave up).
    if (client.isOpen) client.destroy();
    // The client's messages name the host and port, never the password.
    throw new StorageError(`cannot open the Redis store: ${describe(cause)}`, { cause });
  }

  const current = new AsyncLocalStorage<Transaction>();
  const gate = createWriteGate();
  let closed = false;
  const use = (): Client => {
    if (closed) throw new StorageError('Redis store is closed');
    return client;
  };
  const open = (): Transaction | undefined => {
    const transaction = gate.holding() ? current.getStore() : undefined;
    return transaction?.open ? transaction : undefined;
  };

  async function acquire(): Promise<string> {
    const token = randomUUID();
    const deadline = Date.now() + lockWaitMs;
    const started = Date.now();
    for (let pause = 5; ; pause = Math.min(pause * 2, 200)) {
      const claim = Date.now() - started >= FAIR_AFTER_MS ? NEXT_CLAIM_MS : 0;
      const taken = await use().eval(ACQUIRE_SCRIPT, { keys: [lockKey, nextKey], arguments: [token, String(LOCK_TTL_MS), String(claim)] });
      if (taken === 1) return token;
      if (Date.now() > deadline) throw new StorageError(`the Redis write lock stayed held by another process for over ${lockWaitMs} ms`);
      await sleep(pause / 2 + Math.random() * pause);
    }
  }

  async function commit(token: string, transaction: Transaction): Promise<void> {
    const keys = [lockKey];
    const args = [token];
    for (const [hash, writes] of transaction.writes) {
      const sets: string[] = [];
      const deletes: string[] = [];
      for (const [field, value] of writes) {
        if (value === null) deletes.push(field);
        else sets.push(field, value);
      }
      keys.push(hash, indexOfHash(hash));
      args.push(String(sets.length / 2), String(deletes.length));
      for (const field of sets) args.push(field);
      for (const field of deletes) args.push(field);
    }
    if (keys.length === 1) return;
    // The client spreads a script's arguments onto the call stack: far past this it overflows.
    // Paperboy's own blocks are a 1,000-paper batch (a few thousand arguments).
    const size = keys.length + args.length;
    if (size > MAX_COMMIT_ARGUMENTS) {
      throw new StorageError(`a Redis transaction of ${size.toLocaleString('en-US')} values is more than one commit can carry (${MAX_COMMIT_ARGUMENTS.toLocaleString('en-US')}); nothing was written: write in smaller batches`);
    }
    try {
      await use().eval(COMMIT_SCRIPT, { keys, arguments: args });
    } catch (cause) {
      if (!String((cause as Error).message).includes('PAPERBOY_LOCK_LOST')) throw cause;
      throw new StorageError('the Redis write lock expired before this transaction committed; nothing was written', { cause });
    }
  }

  /**
   * Runs `work` holding the write lock, renewed every LOCK_RENEW_MS meanwhile and released after;
   * `lost()` turns true once a renewal finds another process holding it (this one stalled past
   * the TTL). Blocks (`atomically`) and the first index build take it.
   */
  async function holdingLock<R>(work: (lock: { token: string; lost(): boolean }) => Promise<R>): Promise<R> {
    const token = await acquire();
    let lost = false;
    const renew = setInterval(() => {
      use()
        .eval(RENEW_SCRIPT, { keys: [lockKey], arguments: [token, String(LOCK_TTL_MS)] })
        .then((renewed) => void (renewed === 1 || (lost = true)))
        .catch((error: unknown) => report(error, 'connection'));
    }, LOCK_RENEW_MS);
    renew.unref();
    try {
      return await work({ token, lost: () => lost });
    } finally {
      clearInterval(renew);
      await use()
        .eval(RELEASE_SCRIPT, { keys: [lockKey], arguments: [token] })
        .catch((error: unknown) => report(error, 'connection'));
    }
  }

  /**
   * Makes one namespace's index hold exactly its hash's fields: every field added (INDEX_SCRIPT
   * skips one deleted since it was read) and every member without its field removed (PRUNE_SCRIPT).
   * Writes by this version keep both in step themselves, so this may run beside them.
   */
  async function indexNamespace(hash: string, index: string): Promise<void> {
    const inBatches = (script: string, items: string[]) => {
      const batches: Promise<unknown>[] = [];
      for (let i = 0; i < items.length; i += SCRIPT_CHUNK / 2) batches.push(use().eval(script, { keys: [hash, index], arguments: items.slice(i, i + SCRIPT_CHUNK / 2) }));
      return Promise.all(batches);
    };
    let cursor = '0';
    do {
      const page = await use().hScan(hash, cursor, { COUNT: SCAN_COUNT });
      cursor = String(page.cursor);
      await inBatches(INDEX_SCRIPT, page.entries.map((entry) => entry.field));
    } while (cursor !== '0');
    cursor = '0';
    do {
      const page = await use().zScan(index, cursor, { COUNT: SCAN_COUNT });
      cursor = String(page.cursor);
      await inBatches(PRUNE_SCRIPT, page.members.map((member) => member.value));
    } while (cursor !== '0');
  }

  /**
   * Builds the index of every namespace of a store written before indexes existed, then marks the
   * layout, holding the write lock (a second process waits, then finds the marker set). The SCAN
   * of the keyspace runs once per store (the marker stays). On a marked store, each namespace in
   * `names` whose index and hash differ in size (an older process wrote the hash alone, or a backup
   * of one of them was restored) is repaired and named in the result; two O(1) reads a namespace
   * when they agree. Only a difference in size is seen: an older process that deleted one entry
   * and added another leaves both sizes equal and the new entry out of listings (reads by key are
   * unaffected), which is why older processes must be stopped first; a full comparison would read
   * every paper at every start.
   * Processes of the older version must be stopped first: they write the hash alone.
   */
  async function buildIndexes(names: readonly string[]): Promise<string[]> {
    if ((await use().get(layoutKey)) === LAYOUT) {
      // Both sizes in one MULTI: a write of another process between two separate reads would look like drift.
      const sizes = await Promise.all(names.map((name) => use().multi().hLen(hashOf(name)).zCard(indexOf(name)).exec()));
      const drifted = names.filter((_, i) => Number(sizes[i]![0]) !== Number(sizes[i]![1]));
      // No lock: the repair's scripts are atomic batch by batch and current writers change both
      // sides at once, so it is right beside them, and a start does not wait on a long batch.
      for (const name of drifted) await indexNamespace(hashOf(name), indexOf(name));
      return drifted;
    }
    const pattern = `${escapeGlob(hashOf(''))}*`;
    // A new store (no namespace yet) has nothing to index: it is marked without waiting for the
    // write lock, which another process may hold for a long batch.
    let anyHash = false;
    for await (const hashes of use().scanIterator({ MATCH: pattern, COUNT: SCAN_COUNT })) {
      if (hashes.length > 0) {
        anyHash = true;
        break;
      }
    }
    if (!anyHash) {
      await use().set(layoutKey, LAYOUT);
      return [];
    }
    await holdingLock(async () => {
      if ((await use().get(layoutKey)) === LAYOUT) return;
      for await (const hashes of use().scanIterator({ MATCH: pattern, COUNT: SCAN_COUNT })) {
        for (const hash of hashes) await indexNamespace(hash, indexOfHash(hash));
      }
      await use().set(layoutKey, LAYOUT);
    });
    return [];
  }

  const atomically: Atomically = (work) => {
    // A nested call joins the block already open.
    if (open()) return work();
    return gate.exclusive(() =>
      holdingLock(async (lock) => {
        const transaction: Transaction = { writes: new Map(), open: true };
        try {
          const result = await current.run(transaction, work);
          // Work that outlives the block (a promise it did not await) writes straight through from here on.
          transaction.open = false;
          if (lock.lost()) throw new StorageError('the Redis write lock was lost while this transaction ran; nothing was written');
          await commit(lock.token, transaction);
          return result;
        } finally {
          transaction.open = false;
          transaction.writes.clear();
        }
      }),
    );
  };

  const connection: RedisConnection = {
    use,
    open,
    write: (work) => gate.exclusive(work),
  };

  // Leases live beside the namespaces' hashes (`<prefix>lease:<name>`), one string key with expiry
  // each; RENEW_SCRIPT and RELEASE_SCRIPT are the write lock's compare-and-renew/-delete.
  const leaseKey = (name: string) => `${prefix}lease:${name}`;
  const leases: LeasePrimitive = {
    async acquire(name, owner, ttlMs) {
      return (await use().eval(LEASE_ACQUIRE_SCRIPT, { keys: [leaseKey(name)], arguments: [owner, String(ttlMs)] })) === 1;
    },
    async renew(name, owner, ttlMs) {
      return (await use().eval(RENEW_SCRIPT, { keys: [leaseKey(name)], arguments: [owner, String(ttlMs)] })) === 1;
    },
    async release(name, owner) {
      await use().eval(RELEASE_SCRIPT, { keys: [leaseKey(name)], arguments: [owner] });
    },
    async holder(name) {
      const found = (await use().eval(LEASE_HOLDER_SCRIPT, { keys: [leaseKey(name)], arguments: [] })) as [string, number] | null;
      return found && found[1] > 0 ? { owner: found[0], expiresInMs: found[1] } : undefined;
    },
  };


  return {
    adapter: (name) => new RedisNamespace(connection, hashOf(name), indexOf(name), name) as unknown as KeyvStoreAdapter,
    atomically,
    async upgradeIndexes(names) {
      try {
        return await buildIndexes(names);
      } catch (cause) {
        throw new StorageError(`building the Redis store's key indexes failed: ${describe(cause)}`, { cause });
      }
    },
    leases,
    durably: atomically,
    synchronousMode: async () => undefined,
    async close() {
      await gate.exclusive(async () => {
        closed = true;
      });
      await client.close();
    },
  };
}

type RedisConnection = {
  use(): Client;
  /** The block this call runs in, if any. */
  open(): Transaction | undefined;
  /** Waits while a block of another caller in this process is open. */
  write<R>(work: () => Promise<R>): Promise<R>;
};

/** A Keyv storage adapter for one namespace: one Redis hash whose fields are Keyv's keys, and its index (a sorted set of those fields). */
class RedisNamespace extends EventEmitter {
  /** Keyv only builds `keyv.iterator` for adapters whose `opts.dialect` it knows. */
  readonly opts = { dialect: 'redis' } as const;
  /** Set by Keyv. */
  namespace?: string;
  readonly #db: RedisConnection;
  readonly #hash: string;
  readonly #index: string;
  readonly #from: string;
  readonly #to: string;

  constructor(db: RedisConnection, hash: string, index: string, name: string) {
    super();
    this.#db = db;
    this.#hash = hash;
    this.#index = index;
    this.#from = `${name}:`;
    this.#to = `${name};`;
  }

  /** This block's pending writes to this hash (created on first write). */
  #pending(transaction: Transaction): Map<string, string | null> {
    let writes = transaction.writes.get(this.#hash);
    if (!writes) transaction.writes.set(this.#hash, (writes = new Map()));
    return writes;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.getMany([key]))[0];
  }

  async getMany(keys: string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const pending = this.#db.open()?.writes.get(this.#hash);
    const missing = pending ? keys.filter((key) => !pending.has(key)) : keys;
    const stored = missing.length > 0 ? await this.#db.use().hmGet(this.#hash, missing) : [];
    const byKey = new Map(missing.map((key, i) => [key, stored[i] ?? undefined]));
    return keys.map((key) => (pending?.has(key) ? (pending.get(key) ?? undefined) : byKey.get(key)));
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async set(key: string, value: string): Promise<void> {
    await this.setMany([{ key, value }]);
  }

  async setMany(entries: { key: string; value: string }[]): Promise<void> {
    if (entries.length === 0) return;
    const transaction = this.#db.open();
    if (transaction) {
      const pending = this.#pending(transaction);
      for (const { key, value } of entries) pending.set(key, value);
      return;
    }
    const fields = entries.map((e) => [e.key, e.value] as [string, string]);
    const members = entries.map((e) => ({ score: 0, value: e.key }));
    await this.#db.write(() => this.#db.use().multi().hSet(this.#hash, fields).zAdd(this.#index, members).exec());
  }

  async delete(key: string): Promise<boolean> {
    return this.deleteMany([key]);
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    if (keys.length === 0) return false;
    const transaction = this.#db.open();
    if (transaction) {
      const pending = this.#pending(transaction);
      const before = await this.getMany(keys);
      for (const key of keys) pending.set(key, null);
      return before.some((value) => value !== undefined);
    }
    const [removed] = await this.#db.write(() => this.#db.use().multi().hDel(this.#hash, keys).zRem(this.#index, keys).exec());
    return Number(removed) > 0;
  }

  async clear(): Promise<void> {
    const transaction = this.#db.open();
    if (transaction) {
      const pending = this.#pending(transaction);
      for await (const [key] of this.iterator()) pending.set(key, null);
      return;
    }
    await this.#db.write(async () => void (await this.#db.use().unlink([this.#hash, this.#index])));
  }

  /**
   * HSCAN until the cursor comes back to 0, in memory bounded by a page: HSCAN may return a
   * field twice when the hash is resized during the scan, and every reader of a listing (index
   * builds, scans of bookmarks) takes a repeat as the same entry again. Inside a block, its
   * pending writes replace what is stored and new fields are listed at the end; only those are
   * remembered.
   */
  async *iterator(): AsyncGenerator<[string, string], void> {
    const pending = this.#db.open()?.writes.get(this.#hash);
    const listedPending = new Set<string>();
    let cursor = '0';
    do {
      const page = await this.#db.use().hScan(this.#hash, cursor, { COUNT: SCAN_COUNT });
      cursor = String(page.cursor);
      const onPage = new Set<string>();
      for (const { field, value } of page.entries) {
        if (onPage.has(field)) continue;
        onPage.add(field);
        if (pending?.has(field)) listedPending.add(field);
        const current = pending?.has(field) ? pending.get(field) : value;
        if (current !== null && current !== undefined && field.startsWith(this.#from)) yield [field, current];
      }
    } while (cursor !== '0');
    for (const [field, value] of pending ?? []) {
      if (!listedPending.has(field) && value !== null) yield [field, value];
    }
  }

  /**
   * The entries `from` ≤ key < `to` of this namespace, from the index: ZRANGEBYLEX pages of
   * PREFIX_PAGE members, each page starting after the last member of the one before (O(log N) to
   * find, where LIMIT's offset would skip from the start each time), and an HMGET of their values;
   * a field deleted between the two is left out. Inside a block its pending writes replace what is
   * stored. Sorted here by JavaScript's string order (SQLite and PostgreSQL return byte order, as
   * the index does; the two differ only for characters above U+FFFF, and no caller depends on it).
   */
  async entriesInRange(from: string, to: string): Promise<[string, string][]> {
    const lower = from > this.#from ? from : this.#from;
    const upper = to < this.#to ? to : this.#to;
    if (lower >= upper) return [];
    const pending = this.#db.open()?.writes.get(this.#hash);
    const found = new Map<string, string>();
    for (let start = `[${lower}`; ; ) {
      // ZRANGEBYLEX, not ZRANGE … BYLEX: the same reply, and Redis before 6.2 has only this one.
      const fields = await this.#db.use().zRangeByLex(this.#index, start, `(${upper}`, { LIMIT: { offset: 0, count: PREFIX_PAGE } });
      if (fields.length === 0) break;
      const values = await this.#db.use().hmGet(this.#hash, fields);
      fields.forEach((field, i) => {
        const value = values[i];
        if (value !== null && value !== undefined) found.set(field, value);
      });
      if (fields.length < PREFIX_PAGE) break;
      start = `(${fields[fields.length - 1]}`;
    }
    for (const [field, value] of pending ?? []) {
      if (field < lower || field >= upper) continue;
      if (value === null) found.delete(field);
      else found.set(field, value);
    }
    return [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The client belongs to the storage (`storage.close()`); one namespace must not close it for all. */
  async disconnect(): Promise<void> {}
}

/**
 * Takes Paperboy's own `prefix` parameter off the URL (the client would not know it). A database
 * number in the path (`redis://host:6379/2`) is the client's.
 */
function parseRedisUrl(url: string): { clientUrl: string; prefix: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // No cause: URL's TypeError carries the whole input, password included.
    throw new StorageError('invalid redis:// URL');
  }
  const prefix = parsed.searchParams.get('prefix') ?? DEFAULT_REDIS_PREFIX;
  parsed.searchParams.delete('prefix');
  return { clientUrl: parsed.toString(), prefix };
}

/** `text` as a SCAN/HSCAN MATCH pattern that matches only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
