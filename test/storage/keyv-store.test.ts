import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStorage } from '../../src/storage/open-storage.js';
import { describeKeyValueStoreContract } from './key-value-store-contract.js';

describeKeyValueStoreContract('Keyv on a SQLite file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-'));
  const storage = await openStorage(`sqlite://${path.join(dir, 'store.sqlite')}`);
  // A second namespace with the same keys must not leak into the one under test.
  await storage.store<unknown>('other').setMany([{ key: 'a', value: 'other' }, { key: 'key-1', value: 'other' }]);
  return {
    store: storage.store('things'),
    async close() {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeKeyValueStoreContract('Keyv on SQLite in memory', async () => {
  const storage = await openStorage('sqlite://:memory:');
  return { store: storage.store('things'), close: () => storage.close() };
});
