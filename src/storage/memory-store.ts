import { prefixEnd, type KeyValueStore } from '../core/library.js';

/**
 * KeyValueStore in a Map, for core tests and throwaway runs. Values are kept as JSON, like the
 * real stores keep them, so a caller that mutates a value after `set` (or a result of `get`)
 * does not change what is stored, and `undefined` fields vanish exactly as they do on disk.
 */
export function createMemoryStore<T>(): KeyValueStore<T> {
  const data = new Map<string, string>();
  const read = (key: string): T | undefined => {
    const raw = data.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  };
  const range = (from: string, to: string) =>
    [...data.keys()]
      .filter((key) => key >= from && key < to)
      .sort()
      .map((key) => ({ key, value: read(key)! }));
  return {
    async get(key) {
      return read(key);
    },
    async set(key, value) {
      data.set(key, JSON.stringify(value));
    },
    async getMany(keys) {
      return keys.map(read);
    },
    async setMany(entries) {
      for (const { key, value } of entries) data.set(key, JSON.stringify(value));
    },
    async deleteMany(keys) {
      for (const key of keys) data.delete(key);
    },
    withPrefix: async (prefix) => range(prefix, prefixEnd(prefix)),
    range: async (from, to) => range(from, to),
    async *entries(batchSize) {
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
      let batch: { key: string; value: T }[] = [];
      // A Map iterator stays valid while entries are added or deleted, like a cursor over a table.
      for (const [key, raw] of data) {
        batch.push({ key, value: JSON.parse(raw) as T });
        if (batch.length === batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
  };
}
