import { bookmarkKey, isBookmarkRecord, type BookmarkValue } from '../core/bookmarks.js';
import type { KeyValueStore } from '../core/library.js';
import { outboxPrefix, seenDayPrefix } from '../core/topic-posts.js';
import type { Storage } from './open-storage.js';
import { StorageError } from './storage-error.js';
import { STORE_NAMES, type Stores } from './stores.js';

/**
 * The layout this code writes, kept in meta under `layout`. 1 (no key): bookmarks, the papers
 * first seen each day and each guild's topic names were list values, rewritten whole by every
 * change, as were each channel's pending posts. 2: a key per bookmark (`<user>:<paper>`), per
 * paper seen on a day (`day:<YYYY-MM-DD>:<paper>`), per pending post (`outbox:<channel>:<paper>`)
 * and per topic, listed by key prefix.
 */
export const STORE_LAYOUT = 2;
const LAYOUT_KEY = 'layout';
const SCAN_BATCH = 1000;
/** Keys written per transaction while converting a list: well inside what one Redis commit carries. */
const CONVERT_CHUNK = 5000;

export type LayoutUpgrade = {
  from: number;
  to: number;
  /** Users whose bookmark list became a key per bookmark. */
  bookmarkLists: number;
  /** Days whose list of papers first seen became a key per paper. */
  dayLists: number;
  /** Channels whose outbox list became a key per pending post. */
  outboxLists: number;
  /** Topic name lists dropped (the topics themselves were already a key each). */
  topicLists: number;
  /** Redis: namespaces whose key index had drifted from their entries and was rebuilt (absent when none). */
  indexesRebuilt?: string[];
};

/**
 * Brings a store written by an earlier version to STORE_LAYOUT and returns what it converted
 * (undefined when there was nothing); a no-op (two reads) once the store is marked. Only the bot's start runs it (openLibraryService's `upgradeStore`): a CLI command or a
 * migration reading a store must not convert it under an older bot still writing lists. Every
 * bot process runs it, several at once on a shared store. A list becomes its keys in transactions
 * of at most CONVERT_CHUNK keys (a Redis transaction carries ~60,000 values), each reading the
 * keys first so that a record already in the new layout is never overwritten, and the list is
 * deleted last, in a transaction that finds it still there (so it counts once, whichever process
 * gets there first); a crash part way leaves the list for the next start, which writes the same
 * keys again. The layout is marked only when every list is done. Refuses a store marked with a
 * newer layout: this version would misread it.
 */
export async function upgradeStoreLayout(
  stores: Pick<Stores, 'meta' | 'bookmarks' | 'seen' | 'posted' | 'topics'>,
  storage: Pick<Storage, 'atomically' | 'upgradeIndexes'>,
  now: () => number = Date.now,
): Promise<LayoutUpgrade | undefined> {
  // Redis's key indexes first: every listing below and after needs them.
  const indexesRebuilt = await storage.upgradeIndexes(STORE_NAMES);
  const marked = await stores.meta.get(LAYOUT_KEY);
  if (typeof marked === 'number' && marked > STORE_LAYOUT) {
    throw new StorageError(`this store was written by a newer Paperboy (store layout ${marked}; this version knows ${STORE_LAYOUT}): run the newer version`);
  }
  const upgrade: LayoutUpgrade = {
    from: typeof marked === 'number' ? marked : 1,
    to: STORE_LAYOUT,
    bookmarkLists: 0,
    dayLists: 0,
    outboxLists: 0,
    topicLists: 0,
    ...(indexesRebuilt.length > 0 ? { indexesRebuilt } : {}),
  };
  if (marked === STORE_LAYOUT) return upgrade.indexesRebuilt ? upgrade : undefined;

  /** Writes `entries` where the key holds nothing yet, chunk by chunk, then deletes `lists`; true when this call deleted them. */
  async function convert(store: KeyValueStore<unknown>, entries: { key: string; value: unknown }[], lists: string[]): Promise<boolean> {
    for (let i = 0; i < entries.length; i += CONVERT_CHUNK) {
      const chunk = entries.slice(i, i + CONVERT_CHUNK);
      const stillThere = await storage.atomically(async () => {
        // Another process may have converted the list since it was read here, and people may have
        // changed the records since (a bookmark removed): then nothing of this read is written.
        if ((await store.getMany(lists)).every((value) => value === undefined)) return false;
        const existing = await store.getMany(chunk.map((e) => e.key));
        await store.setMany(chunk.filter((_, j) => existing[j] === undefined));
        return true;
      });
      if (!stillThere) return false;
    }
    return storage.atomically(async () => {
      const present = (await store.getMany(lists)).some((value) => value !== undefined);
      if (present) await store.deleteMany(lists);
      return present;
    });
  }

  // Bookmarks: `<user>` → ids newest first, `via:<user>` → paper → message.
  const bookmarks = stores.bookmarks as unknown as KeyValueStore<unknown>;
  const users = await keysWhere(bookmarks, (key, value) => (Array.isArray(value) && !key.includes(':') ? key : key.startsWith('via:') && !key.slice(4).includes(':') && !Array.isArray(value) && !isBookmarkRecord(value as BookmarkValue) ? key.slice(4) : undefined));
  // Older than anything saved from now on (new bookmarks get at least `now()`), in the list's order.
  const base = now() - 1;
  for (const user of users) {
    const [list, via] = await bookmarks.getMany([user, `via:${user}`]);
    const ids = Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string' && id !== '') : [];
    const sources = via && typeof via === 'object' && !Array.isArray(via) ? (via as Record<string, unknown>) : {};
    const entries = ids.map((id, i) => {
      const message = sources[id];
      return { key: bookmarkKey(user, id), value: typeof message === 'string' ? { at: base - i, via: message } : { at: base - i } };
    });
    if (await convert(bookmarks, entries, [user, `via:${user}`])) upgrade.bookmarkLists++;
  }

  // Papers first seen: `day:<YYYY-MM-DD>` → [id, ms][].
  const seen = stores.seen as unknown as KeyValueStore<unknown>;
  const days = await keysWhere(seen, (key, value) => (Array.isArray(value) && /^day:\d{4}-\d{2}-\d{2}$/.test(key) ? key : undefined));
  for (const dayKey of days) {
    const list = await seen.get(dayKey);
    const prefix = seenDayPrefix(dayKey.slice('day:'.length));
    const entries = (Array.isArray(list) ? list : []).flatMap((entry: unknown) =>
      Array.isArray(entry) && typeof entry[0] === 'string' && entry[0] !== '' && typeof entry[1] === 'number' ? [{ key: `${prefix}${entry[0]}`, value: entry[1] }] : [],
    );
    if (await convert(seen, entries, [dayKey])) upgrade.dayLists++;
  }

  // Outboxes: `outbox:<channel>` → the channel's pending paper ids.
  const posted = stores.posted as unknown as KeyValueStore<unknown>;
  const outboxes = await keysWhere(posted, (key, value) => (Array.isArray(value) && /^outbox:[^:]+$/.test(key) ? key : undefined));
  for (const listKey of outboxes) {
    const list = await posted.get(listKey);
    const channelId = listKey.slice('outbox:'.length);
    const ids = (Array.isArray(list) ? list : []).filter((id): id is string => typeof id === 'string' && id !== '');
    const entries: { key: string; value: number }[] = [];
    for (let i = 0; i < ids.length; i += CONVERT_CHUNK) {
      const chunk = ids.slice(i, i + CONVERT_CHUNK);
      const records = await posted.getMany(chunk.map((id) => `${channelId}:${id}`));
      // Only what is still pending: the list could name a record that was sent or dropped since.
      chunk.forEach((id, j) => {
        const record = records[j] as { state?: unknown; at?: unknown } | undefined;
        if (record?.state === 'pending') entries.push({ key: `${outboxPrefix(channelId)}${id}`, value: typeof record.at === 'number' ? record.at : 0 });
      });
    }
    if (await convert(posted, entries, [listKey])) upgrade.outboxLists++;
  }

  // Topics: the `guilds` list and each `guild:<id>` list of topic keys.
  const topicLists = await keysWhere(stores.topics as unknown as KeyValueStore<unknown>, (key, value) => (Array.isArray(value) && (key === 'guilds' || key.startsWith('guild:')) ? key : undefined));
  await stores.topics.deleteMany(topicLists);
  upgrade.topicLists = topicLists.length;

  await stores.meta.set(LAYOUT_KEY, STORE_LAYOUT);
  // A new store, or one another process converted meanwhile, is only marked: nothing to report.
  return upgrade.bookmarkLists + upgrade.dayLists + upgrade.outboxLists + upgrade.topicLists > 0 || upgrade.indexesRebuilt ? upgrade : undefined;
}

/** One pass over a namespace: the keys `pick` names (deduplicated, in the order first named). */
async function keysWhere<T>(store: KeyValueStore<T>, pick: (key: string, value: T) => string | undefined): Promise<string[]> {
  const found = new Set<string>();
  for await (const batch of store.entries(SCAN_BATCH)) {
    for (const { key, value } of batch) {
      const picked = pick(key, value);
      if (picked !== undefined) found.add(picked);
    }
  }
  return [...found];
}
