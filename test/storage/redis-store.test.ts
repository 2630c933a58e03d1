import { createClient } from '@redis/client';
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
      range: (from: string, to: string) => storage.atomically(() => store.range(from, to)),
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

/** A raw client on the test server, and the key prefix a `createRedisPrefix` URL stands for. */
async function rawClient(serverUrl: string) {
  const client = createClient({ url: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

function prefixOf(url: string): string {
  return new URL(url).searchParams.get('prefix')!;
}

/** Every namespace's index (`ix:`) holds exactly its hash's (`ns:`) fields, and there is no index without a hash. */
async function expectIndexesInStep(client: Awaited<ReturnType<typeof rawClient>>, prefix: string): Promise<void> {
  const keysOf = async (kind: string) => {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}${kind}:*`, COUNT: 1000 })) keys.push(...batch);
    return [...new Set(keys)].map((key) => key.slice(`${prefix}${kind}:`.length)).sort();
  };
  const names = await keysOf('ns');
  expect(await keysOf('ix')).toEqual(names);
  for (const name of names) {
    const [hash, index] = [`${prefix}ns:${name}`, `${prefix}ix:${name}`];
    expect(await client.zCard(index)).toBe(await client.hLen(hash));
    expect(await client.zRange(index, 0, -1)).toEqual((await client.hKeys(hash)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  }
}

describeWithServer('Redis store: the prefix index beside each hash', await findRedis(), (serverUrl) => {
  it('builds the indexes of a store written before they existed when upgraded (two processes at once), and opening alone changes nothing', async () => {
    const prefix = createRedisPrefix(serverUrl);
    const raw = await rawClient(serverUrl);
    try {
      const storage = await openStorage(prefix.url);
      const bookmarks = storage.store<number>('bookmarks');
      await bookmarks.setMany(Array.from({ length: 2_500 }, (_, i) => ({ key: `u${i % 5}:${String(i).padStart(5, '0')}`, value: i })));
      await storage.store<number>('seen').setMany([{ key: 'd1:a', value: 1 }, { key: 'd2:b', value: 2 }]);
      await storage.close();
      // What the previous version left: the hashes alone, no layout marker.
      const ixKeys: string[] = [];
      for await (const batch of raw.scanIterator({ MATCH: `${prefixOf(prefix.url)}ix:*` })) ixKeys.push(...batch);
      expect(ixKeys.length).toBe(2);
      await raw.unlink([...ixKeys, `${prefixOf(prefix.url)}layout`]);

      // Opening (a CLI command, a migration's source) leaves the store as an older bot may still be writing it.
      const reader = await openStorage(prefix.url);
      await reader.store<number>('bookmarks').get('u3:00003');
      await reader.close();
      expect(await raw.exists([`${prefixOf(prefix.url)}layout`, `${prefixOf(prefix.url)}ix:bookmarks`])).toBe(0);

      const [first, second] = await Promise.all([openStorage(prefix.url), openStorage(prefix.url)]);
      await Promise.all([first.upgradeIndexes(), second.upgradeIndexes()]);
      try {
        const u3 = await first.store<number>('bookmarks').withPrefix('u3:');
        expect(u3).toHaveLength(500);
        expect(u3.every((e) => e.key.startsWith('u3:') && e.value % 5 === 3)).toBe(true);
        expect(u3.map((e) => e.key)).toEqual(u3.map((e) => e.key).sort());
        expect(await second.store<number>('seen').withPrefix('d2:')).toEqual([{ key: 'd2:b', value: 2 }]);
        expect(await raw.get(`${prefixOf(prefix.url)}layout`)).toBe('2');
        await expectIndexesInStep(raw, prefixOf(prefix.url));
      } finally {
        await first.close();
        await second.close();
      }
    } finally {
      raw.destroy();
      await prefix.drop();
    }
  });

  it('given an index that drifted from its hash (an older process wrote the hash alone), rebuilds it at the next upgrade and says which', async () => {
    const prefix = createRedisPrefix(serverUrl);
    const raw = await rawClient(serverUrl);
    try {
      const storage = await openStorage(prefix.url);
      try {
        expect(await storage.upgradeIndexes(['bookmarks', 'topics'])).toEqual([]);
        await storage.store<number>('bookmarks').setMany([{ key: '1:a', value: 1 }, { key: '1:b', value: 2 }]);
        await storage.store<number>('topics').setMany([{ key: 'topic:g:x', value: 1 }, { key: 'topic:g:y', value: 2 }]);
        // An older process: a bookmark added to the hash alone, a topic deleted from the hash alone.
        const p = prefixOf(prefix.url);
        await raw.hSet(`${p}ns:bookmarks`, 'bookmarks:1:c', JSON.stringify({ value: 3 }));
        await raw.hDel(`${p}ns:topics`, 'topics:topic:g:x');
        expect((await storage.store<number>('bookmarks').withPrefix('1:')).map((e) => e.key)).toEqual(['1:a', '1:b']);

        expect(await storage.upgradeIndexes(['bookmarks', 'topics', 'seen'])).toEqual(['bookmarks', 'topics']);
        expect((await storage.store<number>('bookmarks').withPrefix('1:')).map((e) => e.key)).toEqual(['1:a', '1:b', '1:c']);
        expect((await storage.store<number>('topics').withPrefix('topic:g:')).map((e) => e.key)).toEqual(['topic:g:y']);
        await expectIndexesInStep(raw, p);
        expect(await storage.upgradeIndexes(['bookmarks', 'topics', 'seen'])).toEqual([]);
      } finally {
        await storage.close();
      }
    } finally {
      raw.destroy();
      await prefix.drop();
    }
  });

  it('sees no drift in a namespace another process is writing at the same moment', async () => {
    const prefix = createRedisPrefix(serverUrl);
    const [starting, writer] = [await openStorage(prefix.url), await openStorage(prefix.url)];
    try {
      await starting.upgradeIndexes(['seen']);
      const seen = writer.store<number>('seen');
      let writing = true;
      const writes = (async () => {
        for (let i = 0; writing; i++) {
          await seen.setMany([{ key: `paper:${i}`, value: i }]);
          if (i % 2 === 1) await seen.deleteMany([`paper:${i - 1}`]);
        }
      })();
      const reports: string[][] = [];
      for (let i = 0; i < 100; i++) reports.push(await starting.upgradeIndexes(['seen']));
      writing = false;
      await writes;
      expect(reports.filter((names) => names.length > 0)).toEqual([]);
    } finally {
      await starting.close();
      await writer.close();
      await prefix.drop();
    }
  });

  it('builds only its own indexes when the prefix holds glob characters', async () => {
    const base = prefixOf(createRedisPrefix(serverUrl).url).slice(0, -1);
    const [mine, neighbour] = [`${base}*:`, `${base}x:`];
    const raw = await rawClient(serverUrl);
    try {
      await raw.hSet(`${neighbour}ns:things`, 'things:a', '1');
      await raw.hSet(`${mine}ns:things`, 'things:a', '1');
      const storage = await openStorage(`${serverUrl}/?prefix=${encodeURIComponent(mine)}`);
      await storage.upgradeIndexes();
      await storage.close();
      expect(await raw.zRange(`${mine}ix:things`, 0, -1)).toEqual(['things:a']);
      expect(await raw.exists(`${neighbour}ix:things`)).toBe(0);
    } finally {
      const keys: string[] = [];
      for await (const batch of raw.scanIterator({ MATCH: `${base}*` })) keys.push(...batch);
      if (keys.length > 0) await raw.unlink(keys);
      raw.destroy();
    }
  });

  it('keeps each index in step with its hash through every write path, committed or not', async () => {
    const prefix = createRedisPrefix(serverUrl);
    const raw = await rawClient(serverUrl);
    const storage = await openStorage(prefix.url);
    const inStep = () => expectIndexesInStep(raw, prefixOf(prefix.url));
    try {
      const a = storage.store<number>('a');
      const b = storage.store<number>('b');
      await a.setMany(Array.from({ length: 50 }, (_, i) => ({ key: `k:${i}`, value: i })));
      await b.setMany([{ key: 'x:1', value: 1 }, { key: 'x:2', value: 2 }]);
      await inStep();
      await a.deleteMany(['k:1', 'k:2', 'missing']);
      await inStep();
      await storage.namespace('b').clear();
      await inStep();
      await storage.atomically(async () => {
        await a.setMany([{ key: 'k:100', value: 100 }, { key: 'k:3', value: -3 }]);
        await a.deleteMany(['k:4', 'k:5']);
        await storage.store<number>('c').setMany([{ key: 'y:1', value: 1 }]);
        await b.setMany([{ key: 'x:3', value: 3 }]);
        await storage.namespace('b').clear();
      });
      await inStep();
      expect((await a.withPrefix('k:')).map((e) => e.key)).toContain('k:100');
      await expect(
        storage.atomically(async () => {
          await a.setMany([{ key: 'k:200', value: 200 }]);
          await a.deleteMany(['k:6']);
          await storage.store<number>('d').setMany([{ key: 'z:1', value: 1 }]);
          throw new Error('work failed');
        }),
      ).rejects.toThrow('work failed');
      await inStep();
      expect((await a.withPrefix('k:')).map((e) => e.key)).not.toContain('k:200');
      expect(await raw.hLen(`${prefixOf(prefix.url)}ns:a`)).toBe(47);
      await storage.atomically(() => storage.namespace('a').clear());
      await inStep();
      expect(await raw.exists([`${prefixOf(prefix.url)}ns:a`, `${prefixOf(prefix.url)}ix:a`])).toBe(0);
    } finally {
      await storage.close();
      raw.destroy();
      await prefix.drop();
    }
  });

  it('lists exactly one prefix\'s entries among 20,000 other fields of its namespace', async () => {
    const prefix = createRedisPrefix(serverUrl);
    const storage = await openStorage(prefix.url);
    try {
      const seen = storage.store<number>('seen');
      const others = Array.from({ length: 20_000 }, (_, i) => `p${i % 7}:${i}`);
      const neighbours = ['d', 'd:', 'd;', 'd;a', 'd9:x', 'da:x', 'c:x', 'dd:x'];
      const matches = Array.from({ length: 1_500 }, (_, i) => `d:${String(i).padStart(4, '0')}`);
      const all = [...others, ...neighbours, ...matches];
      for (let i = 0; i < all.length; i += 5_000) await seen.setMany(all.slice(i, i + 5_000).map((key, j) => ({ key, value: i + j })));
      const got = await seen.withPrefix('d:');
      // 'd:' itself is in the range; 'd', 'd;…', 'd9:', 'da:', 'dd:' are not.
      expect(got.map((e) => e.key)).toEqual(['d:', ...matches].sort());
      expect(got.every((e) => all[e.value] === e.key)).toBe(true);
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

