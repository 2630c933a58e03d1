import type Keyv from 'keyv';
import { prefixEnd, type KeyValueStore } from '../core/library.js';
import { StorageError } from './storage-error.js';

/**
 * Core's KeyValueStore on one Keyv namespace. Works with any Keyv adapter; the speed of the bulk
 * methods is the adapter's (see sqlite-namespace.ts for SQLite). The Keyv must be created with
 * `throwOnErrors: true` (openStorage does), otherwise Keyv turns a failed write into `false`.
 */
export function createKeyvStore<T>(keyv: Keyv<T>): KeyValueStore<T> {
  const where = `namespace "${keyv.namespace ?? ''}"`;
  async function range(from: string, to: string): Promise<{ key: string; value: T }[]> {
    // Keyv has no range listing; Paperboy's adapters (SQLite, PostgreSQL, Redis) each serve one
    // from their key index. Keys arrive as Keyv stored them (`ns:key`), values serialized.
    const adapter = keyv.store as Partial<RangeListing>;
    if (typeof adapter.entriesInRange !== 'function') throw new StorageError(`${where}: this storage adapter cannot list a key range`);
    const namespacePrefix = keyv.namespace ? `${keyv.namespace}:` : '';
    const rows = await adapter.entriesInRange(`${namespacePrefix}${from}`, `${namespacePrefix}${to}`);
    const found: { key: string; value: T }[] = [];
    for (const [key, raw] of rows) {
      const data = (await keyv.deserializeData(raw)) as { value?: T; expires?: number } | undefined;
      // Paperboy writes no expiring values; one that did expire is treated as gone, as Keyv's get does.
      if (data === undefined || (typeof data.expires === 'number' && Date.now() > data.expires)) continue;
      found.push({ key: key.slice(namespacePrefix.length), value: data.value as T });
    }
    return found;
  }
  return {
    async get(key) {
      return (await keyv.get(key)) as T | undefined;
    },
    async set(key, value) {
      // Keyv reports an adapter that declined the write as `false` rather than an error.
      if ((await keyv.set(key, value)) === false) throw new StorageError(`${where}: write of "${key}" failed`);
    },
    async getMany(keys) {
      if (keys.length === 0) return [];
      return (await keyv.getMany(keys)) as (T | undefined)[];
    },
    async setMany(entries) {
      if (entries.length === 0) return;
      const results: unknown = await keyv.setMany(entries);
      if (Array.isArray(results) && results.includes(false)) {
        throw new StorageError(`${where}: ${results.filter((ok) => ok === false).length} writes failed`);
      }
    },
    async deleteMany(keys) {
      if (keys.length === 0) return;
      await keyv.deleteMany(keys);
    },
    withPrefix: async (prefix) => range(prefix, prefixEnd(prefix)),
    range,
    async *entries(batchSize) {
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
      if (!keyv.iterator) throw new StorageError(`${where}: this storage adapter cannot list its entries`);
      let batch: { key: string; value: T }[] = [];
      for await (const [key, value] of keyv.iterator(undefined) as AsyncGenerator<[string, T]>) {
        batch.push({ key, value });
        if (batch.length === batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
  };
}

/** What Paperboy's Keyv adapters add: the raw entries `from` ≤ key < `to` within their namespace, ordered by key. */
export type RangeListing = {
  entriesInRange(from: string, to: string): Promise<[key: string, raw: string][]>;
};
