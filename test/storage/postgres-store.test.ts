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
  it.each(['Paper Store', 'order'])('keeps its table in the schema the search_path names (%s: quoted, a keyword), and reads and lists there', async (schemaName) => {
    const database = await createPostgresDatabase(adminUrl);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const schema = admin.escapeIdentifier(schemaName);
    try {
      await admin.query(`CREATE SCHEMA ${schema}`);
      const name = new URL(database.url).pathname.slice(1);
      await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(name)} SET search_path = ${schema}`);
      const storage = await openStorage(database.url);
      try {
        const store = storage.store<number>('bookmarks');
        await store.setMany([{ key: '1:a', value: 1 }, { key: '1:b', value: 2 }, { key: '2:a', value: 3 }]);
        await storage.atomically(() => store.deleteMany(['1:a']));
        expect(await store.withPrefix('1:')).toEqual([{ key: '1:b', value: 2 }]);
        const { rows } = await admin.query<{ schema: string; n: string }>(
          `SELECT table_schema AS schema, (SELECT count(*) FROM ${schema}.paperboy_kv)::text AS n FROM information_schema.tables WHERE table_name = 'paperboy_kv'`,
        );
        expect(rows).toEqual([{ schema: schemaName, n: '2' }]);
      } finally {
        await storage.close();
      }
    } finally {
      await admin.end();
      await database.drop();
    }
  });

  /**
   * A fresh database and a login role on it: `prepare` sets the role's rights as an admin, then
   * `use` gets the role's storage and every error it reported. Database and role go afterwards.
   */
  async function asLimitedRole(
    prepare: (admin: pg.Client, role: string, databaseUrl: string) => Promise<void>,
    use: (storage: Awaited<ReturnType<typeof openStorage>>, errors: unknown[]) => Promise<void>,
  ): Promise<void> {
    const database = await createPostgresDatabase(adminUrl);
    const role = `paperboy_limited_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await prepare(admin, role, database.url);
      const url = new URL(database.url);
      url.username = role;
      url.password = '';
      const errors: unknown[] = [];
      const storage = await openStorage(url.toString(), { onError: (error) => errors.push(error) });
      try {
        await use(storage, errors);
      } finally {
        await storage.close();
      }
    } finally {
      await admin.end();
      await database.drop();
      const server = new pg.Client({ connectionString: adminUrl });
      await server.connect();
      await server.query(`DROP ROLE IF EXISTS ${role}`).finally(() => server.end());
    }
  }

  it('opens for a role a DBA gave only the tables (no CREATE anywhere), and takes leases', async () => {
    await asLimitedRole(
      async (admin, role, databaseUrl) => {
        // The tables as the first (privileged) start created them; then a role with rights on their rows only.
        await (await openStorage(databaseUrl)).close();
        await admin.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
        await admin.query(`CREATE ROLE ${role} LOGIN`);
        await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON paperboy_kv, paperboy_leases TO ${role}`);
      },
      async (storage, errors) => {
        await storage.atomically(() => storage.store<number>('papers').set('p', 1));
        expect(await storage.lease('ingest', 'me', 1_000).acquire()).toBe(true);
        expect(await storage.store<number>('papers').withPrefix('p:')).toEqual([]);
        expect(errors).toEqual([]);
      },
    );
  });

  it('opens for a role that may not create schemas in the database, logs no error, and a namespace first used inside a transaction works', async () => {
    await asLimitedRole(
      async (admin, role) => {
        // PostgreSQL 15's defaults: no CREATE on the database or on public; the role's own schema ("$user", first in search_path).
        await admin.query(`CREATE ROLE ${role} LOGIN`);
        await admin.query(`CREATE SCHEMA ${role} AUTHORIZATION ${role}`);
        await admin.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
      },
      async (storage, errors) => {
        await storage.atomically(() => storage.store<number>('fresh').set('k', 1));
        await storage.store<number>('papers').set('p', 2);
        expect(await storage.store<number>('fresh').get('k')).toBe(1);
        expect(errors).toEqual([]);
      },
    );
  });
});
