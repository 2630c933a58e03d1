import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/storage/open-storage.js';
import { openStores, openTopicStores } from '../../src/storage/stores.js';
import { describeWithServer, storeServers } from './servers.js';

/** Topic bookkeeping written by two processes at once (two connections to one store). */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-shared-topics-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

for (const server of await storeServers(tempDir)) {
  describeWithServer(`topic bookkeeping shared by two processes on ${server.name}`, server.server, () => {
    async function twoProcesses(): Promise<[Storage, Storage]> {
      const store = await server.create();
      cleanups.push(store.drop);
      const a = await openStorage(store.url);
      cleanups.push(() => a.close());
      const b = await openStorage(store.url);
      cleanups.push(() => b.close());
      return [a, b];
    }

    it('given two runs marking papers seen at once, keeps every paper in recent() (the old leader still merging as a new one starts)', async () => {
      const [a, b] = await twoProcesses();
      const seenA = openTopicStores(openStores(a), a).seen;
      const seenB = openTopicStores(openStores(b), b).seen;
      const now = Date.parse('2026-12-06T12:00:00Z');
      const expected: string[] = [];
      for (let round = 0; round < 10; round++) {
        const ids = (p: string) => Array.from({ length: 3 }, (_, i) => `${p}${round}.${i}`);
        expected.push(...ids('a'), ...ids('b'));
        await Promise.all([seenA.markSeen(ids('a'), now + round), seenB.markSeen(ids('b'), now + round)]);
      }
      const recent = new Set((await seenA.recent(now - 1, now + 100)).map((e) => e.id));
      expect(expected.filter((id) => !recent.has(id))).toEqual([]);
    });

    it('given both processes marking the same paper at once, reports it first seen by exactly one', async () => {
      const [a, b] = await twoProcesses();
      const seenA = openTopicStores(openStores(a), a).seen;
      const seenB = openTopicStores(openStores(b), b).seen;
      const now = Date.parse('2026-12-06T12:00:00Z');
      const [fromA, fromB] = await Promise.all([seenA.markSeen(['2612.00001'], now), seenB.markSeen(['2612.00001'], now + 1)]);
      expect(fromA.length + fromB.length).toBe(1);
      expect((await seenA.recent(now - 1, now + 10)).map((e) => e.id)).toEqual(['2612.00001']);
    });
  });
}
