import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open-storage.js';
import { describeKeyValueStoreContract } from './key-value-store-contract.js';
import { createRedisPrefix, describeWithServer, findRedis } from './servers.js';

describeWithServer('Redis store', await findRedis(), (serverUrl) => {
  describeKeyValueStoreContract('Keyv on Redis', async () => {
    const prefix = createRedisPrefix(serverUrl);
    const storage = await openStorage(prefix.url);
    await storage.store<unknown>('other').setMany([{ key: 'a', value: 'other' }, { key: 'key-1', value: 'other' }]);
    await storage.store<unknown>('things2').setMany([{ key: 'a', value: 'other' }]);
    return {
      store: storage.store('things'),
      async close() {
        await storage.close();
        await prefix.drop();
      },
    };
  });

  describeKeyValueStoreContract('Keyv on Redis, inside atomically (writes buffered until commit)', async () => {
    const prefix = createRedisPrefix(serverUrl);
    const storage = await openStorage(prefix.url);
    const store = storage.store<never>('things');
    // Every call runs in its own block, so reads see what earlier blocks committed.
    const wrapped = {
      get: (key: string) => storage.atomically(() => store.get(key)),
      set: (key: string, value: never) => storage.atomically(() => store.set(key, value)),
      getMany: (keys: string[]) => storage.atomically(() => store.getMany(keys)),
      setMany: (entries: { key: string; value: never }[]) => storage.atomically(() => store.setMany(entries)),
      deleteMany: (keys: string[]) => storage.atomically(() => store.deleteMany(keys)),
      entries: (batchSize: number) => store.entries(batchSize),
      withPrefix: (prefix: string) => storage.atomically(() => store.withPrefix(prefix)),
    };
    return {
      store: wrapped,
      async close() {
        await storage.close();
        await prefix.drop();
      },
    };
  });

  it('lists a prefix inside a block with the block\'s own pending writes and deletes', async () => {
    const prefix = createRedisPrefix(serverUrl);
    const storage = await openStorage(prefix.url);
    try {
      const store = storage.store<number>('grouped');
      await store.setMany([{ key: 'g:a', value: 1 }, { key: 'g:b', value: 2 }, { key: 'h:a', value: 3 }]);
      const inside = await storage.atomically(async () => {
        await store.set('g:c', 4);
        await store.set('g:a', 10);
        await store.deleteMany(['g:b']);
        return store.withPrefix('g:');
      });
      expect(inside).toEqual([{ key: 'g:a', value: 10 }, { key: 'g:c', value: 4 }]);
      expect(await store.withPrefix('g:')).toEqual(inside);
    } finally {
      await storage.close();
      await prefix.drop();
    }
  });

  it('commits a block of 20,000 writes, and refuses one of 70,000 with a clear error and nothing written', async () => {
    const prefix = createRedisPrefix(serverUrl);
    const storage = await openStorage(prefix.url);
    try {
      const store = storage.store<number>('bulk');
      const entries = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ key: `${tag}${i}`, value: i }));
      await storage.atomically(() => store.setMany(entries(20_000, 'a')));
      expect(await store.getMany(['a0', 'a19999'])).toEqual([0, 19_999]);
      await expect(storage.atomically(() => store.setMany(entries(70_000, 'b')))).rejects.toThrow(/more than one commit can carry.*nothing was written/);
      expect(await store.getMany(['b0'])).toEqual([undefined]);
    } finally {
      await storage.close();
      await prefix.drop();
    }
  }, 60_000);
});

describe('a malformed redis:// URL', () => {
  it('is refused without the password anywhere in the error or its cause', async () => {
    const error = await openStorage('redis://admin:hunter2@[bad').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const seen = JSON.stringify(error, Object.getOwnPropertyNames(error as object)) + String((error as Error).cause ?? '');
    expect(seen).not.toContain('hunter2');
  });
});

