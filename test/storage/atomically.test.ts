import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@redis/client';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/storage/open-storage.js';
import { createRedisPrefix, describeWithServer, findRedis, storeServers } from './servers.js';

/** `atomically` and `durably` as every backend must keep them (open-storage.test.ts has SQLite's own). */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-atomic-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function open(url: string, options?: Parameters<typeof openStorage>[1]): Promise<Storage> {
  const storage = await openStorage(url, options);
  cleanups.push(() => storage.close());
  return storage;
}

for (const server of await storeServers(tempDir)) {
  describeWithServer(`atomically on ${server.name}`, server.server, () => {
    async function fresh(): Promise<{ url: string; storage: Storage }> {
      const store = await server.create();
      cleanups.push(store.drop);
      return { url: store.url, storage: await open(store.url) };
    }

    it('commits writes to several namespaces together, and the work reads its own writes', async () => {
      const { storage } = await fresh();
      const a = storage.store<number>('a');
      const seen = await storage.atomically(async () => {
        await a.setMany([{ key: 'k', value: 1 }]);
        await storage.store<number>('b').set('k', 2);
        await a.deleteMany(['k']);
        await a.set('k', 3);
        return a.getMany(['k', 'missing']);
      });
      expect(seen).toEqual([3, undefined]);
      expect(await a.get('k')).toBe(3);
      expect(await storage.store<number>('b').get('k')).toBe(2);
    });

    it('rolls back every write when the work throws, and rethrows its error', async () => {
      const { storage } = await fresh();
      const a = storage.store<number>('a');
      await a.set('kept', 0);
      for (const run of [storage.atomically, storage.durably]) {
        await expect(
          run(async () => {
            await a.setMany([{ key: 'k', value: 1 }]);
            await a.deleteMany(['kept']);
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
      }
      expect(await a.getMany(['k', 'kept'])).toEqual([undefined, 0]);
    });

    it('runs a nested call inside the outer transaction', async () => {
      const { storage } = await fresh();
      const a = storage.store<number>('a');
      await expect(
        storage.atomically(async () => {
          await storage.durably(() => a.set('inner', 1));
          throw new Error('outer fails');
        }),
      ).rejects.toThrow('outer fails');
      expect(await a.get('inner')).toBeUndefined();
    });

    it('runs the blocks of two connections (two processes) one after the other', async () => {
      const { url, storage: first } = await fresh();
      const second = await open(url);
      const counter = (storage: Storage) => storage.store<number>('meta');
      // A read-modify-write with a pause in the middle: interleaved, both would read the same value.
      const bump = (storage: Storage) =>
        storage.atomically(async () => {
          const value = (await counter(storage).get('n')) ?? 0;
          await new Promise((resolve) => setTimeout(resolve, 5));
          await counter(storage).set('n', value + 1);
        });
      await Promise.all(Array.from({ length: 10 }, (_, i) => bump(i % 2 === 0 ? first : second)));
      expect(await counter(first).get('n')).toBe(10);
    });

    it('lists a namespace inside a block with the block’s own writes', async () => {
      const { storage } = await fresh();
      const a = storage.store<number>('a');
      await a.setMany([{ key: 'x', value: 1 }, { key: 'y', value: 2 }]);
      const listed = await storage.atomically(async () => {
        await a.deleteMany(['x']);
        await a.set('z', 3);
        const entries: [string, number][] = [];
        for await (const batch of a.entries(10)) for (const { key, value } of batch) entries.push([key, value]);
        return entries.sort();
      });
      expect(listed).toEqual([['y', 2], ['z', 3]]);
    });
  });
}

describeWithServer('the Redis write lock', await findRedis(), (serverUrl) => {
  async function fresh() {
    const prefix = createRedisPrefix(serverUrl);
    cleanups.push(prefix.drop);
    const lockKey = `${decodeURIComponent(prefix.url.split('prefix=')[1]!)}lock`;
    const raw = createClient({ url: serverUrl });
    raw.on('error', () => undefined);
    await raw.connect();
    cleanups.push(async () => raw.destroy());
    return { url: prefix.url, lockKey, raw };
  }

  it('waits for a lock left by a process that died until it expires, then proceeds', async () => {
    const { url, lockKey, raw } = await fresh();
    const storage = await open(url);
    await raw.set(lockKey, 'dead-process', { condition: 'NX', expiration: { type: 'PX', value: 300 } });
    const started = Date.now();
    const holder = await storage.atomically(async () => {
      await storage.store<number>('a').set('k', 1);
      return raw.get(lockKey);
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(holder).not.toBe('dead-process');
    expect(await raw.get(lockKey)).toBeNull();
    expect(await storage.store<number>('a').get('k')).toBe(1);
    expect(await raw.get(lockKey)).toBeNull();
  });

  it('lets a waiting process in at the next release when another takes the lock back-to-back (an import), instead of starving it', async () => {
    const { url } = await fresh();
    // Two stores on one server, each with its own connection and lock: two processes as far as the lock can tell.
    const importer = await open(url);
    const member = await open(url);
    let batches = 0;
    let importing = true;
    const importRun = (async () => {
      // 40 blocks of 50 ms, each taking the lock again the moment it released it: 2 s in all.
      for (let i = 0; i < 40; i++) {
        await importer.atomically(async () => {
          await importer.store<number>('papers').set(`p${i}`, i);
          await new Promise((resolve) => setTimeout(resolve, 50));
        });
        batches++;
      }
      importing = false;
    })();
    await new Promise((resolve) => setTimeout(resolve, 120));
    const started = Date.now();
    await member.atomically(() => member.store<string[]>('bookmarks').set('u', ['p']));
    const waited = Date.now() - started;
    const stillImporting = importing;
    await importRun;
    // Before: the waiter polled a lock that was free only between two commands of the importer,
    // and waited for the whole import (~2 s). Now: about one block plus one poll.
    expect(stillImporting).toBe(true);
    expect(waited).toBeLessThan(1_000);
    expect(batches).toBe(40);
    expect(await member.store<string[]>('bookmarks').get('u')).toEqual(['p']);
  });

  it('gives up with a clear error when the lock stays held past lockWaitMs', async () => {
    const { url, lockKey, raw } = await fresh();
    await raw.set(lockKey, 'busy-process', { expiration: { type: 'PX', value: 10_000 } });
    const storage = await open(url, { lockWaitMs: 200 });
    await expect(storage.atomically(() => storage.store<number>('a').set('k', 1))).rejects.toThrow(/write lock stayed held/);
    expect(await raw.get(lockKey)).toBe('busy-process');
  });

  it('writes nothing when the lock was taken over before the commit (the lock fences the commit)', async () => {
    const { url, lockKey, raw } = await fresh();
    const storage = await open(url);
    const a = storage.store<number>('a');
    await expect(
      storage.atomically(async () => {
        await a.set('k', 1);
        // As if this process stalled past the TTL and another one took the lock meanwhile.
        await raw.set(lockKey, 'another-process');
      }),
    ).rejects.toThrow(/lock expired before this transaction committed; nothing was written/);
    expect(await a.get('k')).toBeUndefined();
    // The other holder's lock is left alone.
    expect(await raw.get(lockKey)).toBe('another-process');
  });
});
