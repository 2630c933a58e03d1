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
    };
    return {
      store: wrapped,
      async close() {
        await storage.close();
        await prefix.drop();
      },
    };
  });
});
