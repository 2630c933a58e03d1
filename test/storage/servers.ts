import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import pg from 'pg';
import { describe, it } from 'vitest';

/**
 * The PostgreSQL and Redis servers the storage tests run against (127.0.0.1, trust auth), as on
 * the development machine and in CI, where `.ci/run` starts them. Each test gets its own database
 * or key prefix and removes it afterwards.
 */
const POSTGRES_ADMIN_URLS = ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://root@127.0.0.1:5432/postgres'] as const;
const REDIS_URL = 'redis://127.0.0.1:6379';

export type Server = { available: true; url: string } | { available: false; reason: string };

let postgres: Promise<Server> | undefined;
let redis: Promise<Server> | undefined;

/** The first admin URL that answers (the user differs between machines). */
export function findPostgres(): Promise<Server> {
  postgres ??= (async () => {
    const reasons: string[] = [];
    for (const url of POSTGRES_ADMIN_URLS) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return { available: true, url } as const;
      } catch (error) {
        reasons.push((error as Error).message);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    return { available: false, reason: `PostgreSQL on 127.0.0.1:5432 does not answer (${reasons.join('; ')})` } as const;
  })();
  return postgres;
}

export function findRedis(): Promise<Server> {
  redis ??= (async () => {
    const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return { available: true, url: REDIS_URL } as const;
    } catch (error) {
      return { available: false, reason: `Redis on 127.0.0.1:6379 does not answer (${(error as Error).message})` } as const;
    } finally {
      client.destroy();
    }
  })();
  return redis;
}

/**
 * `describe` when the server answers. When it does not: in CI (CI=true) one failing test that
 * says so, never a silent skip; elsewhere a skipped block whose title gives the reason.
 */
export function describeWithServer(name: string, server: Server, body: (url: string) => void): void {
  if (server.available) {
    describe(name, () => body(server.url));
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has its server running (CI=true: .ci/run starts PostgreSQL and Redis)', () => {
        throw new Error(server.reason);
      });
    });
  } else {
    describe.skip(`${name} (skipped: ${server.reason}; CI=true makes this a failure)`, () => body(''));
  }
}

/** A fresh database `paperboy_test_<random>` and a way to drop it. */
export async function createPostgresDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `paperboy_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        // WITH (FORCE) ends connections a failed test left open (PostgreSQL 13+).
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A fresh key prefix on the Redis server and a way to delete every key under it. */
export function createRedisPrefix(serverUrl: string): { url: string; drop(): Promise<void> } {
  const prefix = `paperboy-test-${randomBytes(6).toString('hex')}:`;
  return {
    url: `${serverUrl}/?prefix=${encodeURIComponent(prefix)}`,
    async drop() {
      const client = createClient({ url: serverUrl });
      client.on('error', () => undefined);
      await client.connect();
      try {
        const keys: string[] = [];
        for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) keys.push(...batch);
        if (keys.length > 0) await client.unlink(keys);
      } finally {
        client.destroy();
      }
    },
  };
}

/** Every backend the storage tests run on: a fresh, empty store URL and a way to remove it. */
export type StoreServer = { name: string; server: Server; create(): Promise<{ url: string; drop(): Promise<void> }> };

export async function storeServers(sqliteDir: () => Promise<string>): Promise<StoreServer[]> {
  const postgresServer = await findPostgres();
  const redisServer = await findRedis();
  return [
    {
      name: 'SQLite',
      server: { available: true, url: 'sqlite://' },
      async create() {
        return { url: `sqlite://${await sqliteDir()}/store.sqlite`, drop: async () => {} };
      },
    },
    {
      name: 'PostgreSQL',
      server: postgresServer,
      create: () => createPostgresDatabase((postgresServer as { url: string }).url),
    },
    {
      name: 'Redis',
      server: redisServer,
      create: async () => createRedisPrefix((redisServer as { url: string }).url),
    },
  ];
}
