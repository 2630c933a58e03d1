import pg from 'pg';
import { expect, it } from 'vitest';
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

describeWithServer('PostgreSQL store in a schema of its own', await findPostgres(), (adminUrl) => {
  it('keeps its table in the schema the search_path names, also one that needs quoting, and reads and lists there', async () => {
    const database = await createPostgresDatabase(adminUrl);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query('CREATE SCHEMA "Paper Store"');
      const name = new URL(database.url).pathname.slice(1);
      await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(name)} SET search_path = "Paper Store"`);
      const storage = await openStorage(database.url);
      try {
        const store = storage.store<number>('bookmarks');
        await store.setMany([{ key: '1:a', value: 1 }, { key: '1:b', value: 2 }, { key: '2:a', value: 3 }]);
        await storage.atomically(() => store.deleteMany(['1:a']));
        expect(await store.withPrefix('1:')).toEqual([{ key: '1:b', value: 2 }]);
        const { rows } = await admin.query<{ schema: string; n: string }>(
          `SELECT table_schema AS schema, (SELECT count(*) FROM "Paper Store".paperboy_kv)::text AS n FROM information_schema.tables WHERE table_name = 'paperboy_kv'`,
        );
        expect(rows).toEqual([{ schema: 'Paper Store', n: '2' }]);
      } finally {
        await storage.close();
      }
    } finally {
      await admin.end();
      await database.drop();
    }
  });
});
