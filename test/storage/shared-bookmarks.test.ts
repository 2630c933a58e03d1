import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/storage/open-storage.js';
import { openBookmarks, openStores } from '../../src/storage/stores.js';
import { describeWithServer, storeServers } from './servers.js';

/**
 * One user's bookmarks changed by two processes at once (two connections to one store): a 🔖
 * handled by one cluster while `/bookmarks remove` or the Bookmark button runs on another.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-shared-bookmarks-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const USER = '555555555555555555';
const paperIds = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}.${String(10000 + i)}`);

for (const server of await storeServers(tempDir)) {
  describeWithServer(`bookmarks shared by two processes on ${server.name}`, server.server, () => {
    async function twoProcesses(): Promise<[Storage, Storage]> {
      const store = await server.create();
      cleanups.push(store.drop);
      const a = await openStorage(store.url);
      cleanups.push(() => a.close());
      const b = await openStorage(store.url);
      cleanups.push(() => b.close());
      return [a, b];
    }
    const bookmarksOf = (storage: Storage) => openBookmarks(openStores(storage), storage);

    it('given 50 🔖 on one process and 50 Bookmark buttons on another for one user at once, keeps all 100', async () => {
      const [a, b] = await twoProcesses();
      const [A, B] = [bookmarksOf(a), bookmarksOf(b)];
      const byReaction = paperIds('2601', 50);
      const byButton = paperIds('2602', 50);
      const added = await Promise.all([
        ...byReaction.map((id, i) => A.add(USER, id, { messageId: `7${String(i).padStart(17, '0')}` })),
        ...byButton.map((id) => B.add(USER, id)),
      ]);
      expect(added.every(Boolean)).toBe(true);
      expect((await A.list(USER)).sort()).toEqual([...byReaction, ...byButton].sort());
      // Every reaction's ownership survived too: taking each 🔖 back removes exactly its paper.
      const removed = await Promise.all(byReaction.map((id, i) => B.remove(USER, id, { messageId: `7${String(i).padStart(17, '0')}` })));
      expect(removed.every(Boolean)).toBe(true);
      expect((await A.list(USER)).sort()).toEqual([...byButton].sort());
    }, 120_000);

    it('given one process adding while another removes other papers of the same user, applies every change', async () => {
      const [a, b] = await twoProcesses();
      const [A, B] = [bookmarksOf(a), bookmarksOf(b)];
      const before = paperIds('2601', 40);
      for (const id of before) await A.add(USER, id);
      const fresh = paperIds('2602', 40);
      const gone = before.filter((_, i) => i % 2 === 0);
      const results = await Promise.all(
        fresh.flatMap((id, i) => [A.add(USER, id), ...(i < gone.length ? [B.remove(USER, gone[i]!)] : [])]),
      );
      expect(results.every(Boolean)).toBe(true);
      const expected = [...before.filter((id) => !gone.includes(id)), ...fresh];
      expect((await B.list(USER)).sort()).toEqual(expected.sort());
    }, 120_000);

    it('given a 🔖 added and taken back on one process while the other adds by button, keeps the button’s papers and drops the reaction’s', async () => {
      const [a, b] = await twoProcesses();
      const [A, B] = [bookmarksOf(a), bookmarksOf(b)];
      const reacted = paperIds('2601', 30);
      const pressed = paperIds('2602', 30);
      const via = (i: number) => ({ messageId: `8${String(i).padStart(17, '0')}` });
      await Promise.all([
        // One person's burst on one process: each add, then its removal, in the order it arrived.
        ...reacted.flatMap((id, i) => [A.add(USER, id, via(i)), A.remove(USER, id, via(i))]),
        ...pressed.map((id) => B.add(USER, id)),
      ]);
      expect((await A.list(USER)).sort()).toEqual([...pressed].sort());
      expect(await b.store('bookmarks').get(`via:${USER}`)).toBeUndefined();
    }, 120_000);
  });
}
