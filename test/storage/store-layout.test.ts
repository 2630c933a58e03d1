import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openLibraryService, type ServiceEvent } from '../../src/app/library-service.js';
import type { KeyValueStore } from '../../src/core/library.js';
import type { Topic } from '../../src/core/topics.js';
import { openStorage, type Storage } from '../../src/storage/open-storage.js';
import { STORE_LAYOUT, upgradeStoreLayout } from '../../src/storage/store-layout.js';
import { openBookmarks, openStores, openTopicStores } from '../../src/storage/stores.js';
import { describeWithServer, storeServers } from './servers.js';

/**
 * A store written by the version before a key per record (bookmark lists, a list of the papers
 * first seen each day, topic name lists) opens in this one with nothing lost, once, also when
 * two processes open it at the same moment.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-store-layout-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const DAY = Date.UTC(2026, 11, 5, 9);
const USERS = Array.from({ length: 30 }, (_, i) => String(400000000000000000n + BigInt(i)));
const topic = (guildId: string, name: string): Topic => ({
  guildId,
  name,
  query: name.toLowerCase(),
  channelId: `c-${guildId}`,
  maxPerRun: 3,
  digest: false,
  createdBy: 'u',
  createdAt: name.length,
  status: 'active',
});

/** What the previous version wrote, key by key, as it wrote it. */
async function writeOldLayout(storage: Storage): Promise<void> {
  const raw = <T>(name: string) => storage.store<T>(name) as KeyValueStore<T>;
  await raw<unknown>('bookmarks').setMany(
    USERS.flatMap((user, u) => [
      { key: user, value: [`2412.${u}0003`, `2412.${u}0002`, `title:abc${u}`] },
      { key: `via:${user}`, value: { [`2412.${u}0002`]: `msg-${u}` } },
    ]),
  );
  await raw<unknown>('seen').setMany([
    { key: 'paper:2412.00001', value: DAY },
    { key: 'paper:2412.00002', value: DAY + 5 },
    { key: 'day:2026-12-05', value: [['2412.00001', DAY], ['2412.00002', DAY + 5]] },
    { key: 'day:2026-11-01', value: [['2411.00009', DAY - 34 * 86_400_000]] },
  ]);
  const record = (state: 'pending' | 'sent', at: number) => ({ state, topic: 'ML', at, nonce: `n${at}` });
  await raw<unknown>('posted').setMany([
    { key: 'c1:2412.00001', value: record('pending', DAY) },
    { key: 'c1:2412.00002', value: record('pending', DAY + 1) },
    // Listed in the outbox but sent since: not pending any more.
    { key: 'c1:2412.00003', value: record('sent', DAY + 2) },
    { key: 'c10:2412.00009', value: record('pending', DAY + 3) },
    { key: 'outbox:c1', value: ['2412.00001', '2412.00002', '2412.00003'] },
    { key: 'outbox:c10', value: ['2412.00009'] },
  ]);
  await raw<unknown>('topics').setMany([
    { key: 'topic:g1:ml', value: topic('g1', 'ML') },
    { key: 'topic:g1:diffusion', value: topic('g1', 'Diffusion') },
    { key: 'topic:g2:robots', value: topic('g2', 'Robots') },
    { key: 'guild:g1', value: ['g1:ml', 'g1:diffusion'] },
    { key: 'guild:g2', value: ['g2:robots'] },
    { key: 'guilds', value: ['g1', 'g2'] },
  ]);
}

for (const server of await storeServers(tempDir)) {
  describeWithServer(`a store from before a key per record, on ${server.name}`, server.server, () => {
    async function open(): Promise<{ url: string; storage: Storage }> {
      const store = await server.create();
      cleanups.push(store.drop);
      const storage = await openStorage(store.url);
      cleanups.push(() => storage.close());
      return { url: store.url, storage };
    }

    it('turns every list into keys, keeps order and reactions, and marks the store so the next start reads only the mark', async () => {
      const { storage } = await open();
      await writeOldLayout(storage);
      const stores = openStores(storage);
      const upgrade = await upgradeStoreLayout(stores, storage, () => 1_000_000);
      expect(upgrade).toEqual({ from: 1, to: STORE_LAYOUT, bookmarkLists: USERS.length, dayLists: 2, outboxLists: 2, topicLists: 3 });

      const bookmarks = openBookmarks(stores, storage);
      expect(await bookmarks.list(USERS[3]!)).toEqual(['2412.30003', '2412.30002', 'title:abc3']);
      // The 🔖 that saved a bookmark still owns it: another message's reaction cannot take it away.
      expect(await bookmarks.remove(USERS[3]!, '2412.30002', { messageId: 'msg-4' })).toBe(false);
      expect(await bookmarks.remove(USERS[3]!, '2412.30002', { messageId: 'msg-3' })).toBe(true);
      // A bookmark saved after the upgrade is the newest.
      await bookmarks.add(USERS[3]!, '2501.00001');
      expect(await bookmarks.list(USERS[3]!)).toEqual(['2501.00001', '2412.30003', 'title:abc3']);

      const { seen, topics, posted } = openTopicStores(stores, storage);
      expect(await posted.pendingIds('c1')).toEqual(['2412.00001', '2412.00002']);
      expect(await posted.pendingIds('c10')).toEqual(['2412.00009']);
      await posted.set('c1', '2412.00001', { ...(await posted.getMany('c1', ['2412.00001']))[0]!, state: 'sent', messageId: 'm' });
      expect(await posted.pendingIds('c1')).toEqual(['2412.00002']);
      expect(await storage.store<unknown>('posted').getMany(['outbox:c1', 'outbox:c10'])).toEqual([undefined, undefined]);
      expect((await seen.recent(DAY - 1, DAY + 86_400_000)).sort((a, b) => a.seenAt - b.seenAt)).toEqual([
        { id: '2412.00001', seenAt: DAY },
        { id: '2412.00002', seenAt: DAY + 5 },
      ]);
      expect((await topics.list('g1')).map((t) => t.name)).toEqual(['ML', 'Diffusion']);
      expect((await topics.all()).map((t) => t.name).sort()).toEqual(['Diffusion', 'ML', 'Robots']);

      // No list is left behind.
      const raw = storage.store<unknown>('topics');
      expect(await raw.getMany(['guilds', 'guild:g1', 'guild:g2'])).toEqual([undefined, undefined, undefined]);
      expect(await storage.store<unknown>('seen').getMany(['day:2026-12-05', 'day:2026-11-01'])).toEqual([undefined, undefined]);
      expect(await storage.store<unknown>('bookmarks').getMany([USERS[0]!, `via:${USERS[0]}`])).toEqual([undefined, undefined]);
      expect(await upgradeStoreLayout(stores, storage)).toBeUndefined();
    });

    it('given two processes opening it at once, each list is converted once and nothing is lost', async () => {
      const { url, storage } = await open();
      await writeOldLayout(storage);
      const other = await openStorage(url);
      cleanups.push(() => other.close());
      const results = await Promise.all([upgradeStoreLayout(openStores(storage), storage), upgradeStoreLayout(openStores(other), other)]);
      const total = (field: 'bookmarkLists' | 'dayLists' | 'outboxLists') => results.reduce((sum, r) => sum + (r?.[field] ?? 0), 0);
      expect(total('bookmarkLists')).toBe(USERS.length);
      expect(total('dayLists')).toBe(2);
      expect(total('outboxLists')).toBe(2);
      for (const [u, user] of USERS.entries()) {
        expect(await openBookmarks(openStores(other), other).list(user)).toEqual([`2412.${u}0003`, `2412.${u}0002`, `title:abc${u}`]);
      }
    });

    it('given a process that read the lists just before another converted them, brings back nothing removed since', async () => {
      const { url, storage } = await open();
      await writeOldLayout(storage);
      const other = await openStorage(url);
      cleanups.push(() => other.close());
      let release!: () => void;
      let reached!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const atGate = new Promise<void>((resolve) => (reached = resolve));
      let first = true;
      // The other process has read the first user's lists and is about to write them when this one runs.
      const held: typeof other = {
        ...other,
        atomically: async (work) => {
          if (first) {
            first = false;
            reached();
            await gate;
          }
          return other.atomically(work);
        },
      };
      const slow = upgradeStoreLayout(openStores(other), held);
      await atGate;
      await upgradeStoreLayout(openStores(storage), storage);
      const bookmarks = openBookmarks(openStores(storage), storage);
      expect(await bookmarks.remove(USERS[0]!, '2412.00003')).toBe(true);
      release();
      expect(await slow).toBeUndefined();
      expect(await bookmarks.list(USERS[0]!)).toEqual(['2412.00002', 'title:abc0']);
    });

    it('is converted by the bot\'s start only: a CLI command opening the library leaves an older bot\'s lists alone', async () => {
      const { url, storage } = await open();
      await writeOldLayout(storage);
      const dir = await tempDir();
      const config = { storeUrl: url, indexPath: path.join(dir, 'paperboy.index') };
      const cli = await openLibraryService(config, { seedFile: null });
      await cli.close();
      expect(await storage.store<unknown>('bookmarks').get(USERS[0]!)).toHaveLength(3);
      expect(await storage.store<unknown>('meta').get('layout')).toBeUndefined();
      const events: ServiceEvent[] = [];
      const bot = await openLibraryService(config, { seedFile: null, upgradeStore: true, onEvent: (e) => events.push(e) });
      await bot.close();
      expect(events).toContainEqual({ type: 'store-upgraded', upgrade: expect.objectContaining({ bookmarkLists: USERS.length }) });
      expect(await storage.store<unknown>('bookmarks').get(USERS[0]!)).toBeUndefined();
      expect(await storage.store<unknown>('meta').get('layout')).toBe(STORE_LAYOUT);
    });

    it('converts a day list larger than one transaction carries, in parts', async () => {
      const { storage } = await open();
      const ids = Array.from({ length: 31_000 }, (_, i) => `2412.${String(i).padStart(5, '0')}`);
      await storage.store<unknown>('seen').set('day:2026-12-05', ids.map((id, i) => [id, DAY + i]));
      const stores = openStores(storage);
      expect(await upgradeStoreLayout(stores, storage)).toMatchObject({ dayLists: 1 });
      const recent = await openTopicStores(stores, storage).seen.recent(DAY - 1, DAY + 86_400_000);
      expect(recent).toHaveLength(31_000);
      expect(recent.find((e) => e.id === '2412.30999')).toEqual({ id: '2412.30999', seenAt: DAY + 30_999 });
    });

    it('refuses a store a newer version marked, naming what to do', async () => {
      const { storage } = await open();
      await storage.store<unknown>('meta').set('layout', STORE_LAYOUT + 1);
      await expect(upgradeStoreLayout(openStores(storage), storage)).rejects.toThrow(/newer Paperboy.*run the newer version/);
    });
  });
}
