import { openStorage } from '../../src/storage/open-storage.js';
import { describeKeyValueStoreContract } from './key-value-store-contract.js';
import { createPostgresDatabase, describeWithServer, findPostgres } from './servers.js';

describeWithServer('PostgreSQL store', await findPostgres(), (adminUrl) => {
  describeKeyValueStoreContract('Keyv on PostgreSQL', async () => {
    const database = await createPostgresDatabase(adminUrl);
    const storage = await openStorage(database.url);
    // A second namespace with the same keys, and one whose name extends this one's, must not leak in.
    await storage.store<unknown>('other').setMany([{ key: 'a', value: 'other' }, { key: 'key-1', value: 'other' }]);
    await storage.store<unknown>('things2').setMany([{ key: 'a', value: 'other' }]);
    return {
      store: storage.store('things'),
      async close() {
        await storage.close();
        await database.drop();
      },
    };
  });
});
