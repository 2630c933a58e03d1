import { bookmarkKey, isBookmarkRecord, type BookmarkValue } from '../core/bookmarks.js';
import type { KeyValueStore } from '../core/library.js';
import { outboxPrefix, seenDayPrefix } from '../core/topic-posts.js';
import type { Storage } from './open-storage.js';
import { StorageError } from './storage-error.js';
import type { Stores } from './stores.js';

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
};

/**
 * Brings a store written by an earlier version to STORE_LAYOUT; a no-op (one read) once it is
 * there. Every process that opens the store runs it, several at once on a shared store: each
 * list is converted in one transaction that reads it again first, so a list converted by another
 * process is skipped, and the layout is marked only when every list is done (a crash part way
 * leaves the rest for the next start). Values already in the new layout are never overwritten.
 * Refuses a store marked with a newer layout: this version would misread it.
 */
export async function upgradeStoreLayout(
  stores: Pick<Stores, 'meta' | 'bookmarks' | 'seen' | 'posted' | 'topics'>,
  storage: Pick<Storage, 'atomically'>,
  now: () => number = Date.now,
): Promise<LayoutUpgrade | undefined> {
  const marked = await stores.meta.get(LAYOUT_KEY);
  if (marked === STORE_LAYOUT) return undefined;
  if (typeof marked === 'number' && marked > STORE_LAYOUT) {
    throw new StorageError(`this store was written by a newer Paperboy (store layout ${marked}; this version knows ${STORE_LAYOUT}): run the newer version`);
  }
  const upgrade: LayoutUpgrade = { from: typeof marked === 'number' ? marked : 1, to: STORE_LAYOUT, bookmarkLists: 0, dayLists: 0, outboxLists: 0, topicLists: 0 };

  // Bookmarks: `<user>` → ids newest first, `via:<user>` → paper → message.
  const bookmarks = stores.bookmarks;
  const users = await keysWhere(bookmarks, (key, value) => (Array.isArray(value) && !key.includes(':') ? key : key.startsWith('via:') && !isBookmarkRecord(value) ? key.slice(4) : undefined));
  // Older than anything saved from now on (new bookmarks get at least `now()`), in the list's order.
  const base = now() - 1;
  for (const user of users) {
    const converted = await storage.atomically(async () => {
      const [list, via] = (await bookmarks.getMany([user, `via:${user}`])) as [unknown, unknown];
      if (list === undefined && via === undefined) return false;
      const ids = Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string' && id !== '') : [];
      const sources = via && typeof via === 'object' && !Array.isArray(via) ? (via as Record<string, unknown>) : {};
      const keys = ids.map((id) => bookmarkKey(user, id));
      const existing = await bookmarks.getMany(keys);
      const writes = ids.flatMap((id, i) => {
        if (isBookmarkRecord(existing[i])) return [];
        const message = sources[id];
        return [{ key: keys[i]!, value: typeof message === 'string' ? { at: base - i, via: message } : { at: base - i } }];
      });
      await bookmarks.setMany(writes);
      await bookmarks.deleteMany([user, `via:${user}`]);
      return true;
    });
    if (converted) upgrade.bookmarkLists++;
  }

  // Papers first seen: `day:<YYYY-MM-DD>` → [id, ms][].
  const seen = stores.seen as unknown as KeyValueStore<unknown>;
  const days = await keysWhere(seen, (key, value) => (Array.isArray(value) && /^day:\d{4}-\d{2}-\d{2}$/.test(key) ? key : undefined));
  for (const dayKey of days) {
    const converted = await storage.atomically(async () => {
      const list = await seen.get(dayKey);
      if (!Array.isArray(list)) return false;
      const prefix = seenDayPrefix(dayKey.slice('day:'.length));
      const entries = list.flatMap((entry: unknown) =>
        Array.isArray(entry) && typeof entry[0] === 'string' && entry[0] !== '' && typeof entry[1] === 'number' ? [{ key: `${prefix}${entry[0]}`, value: entry[1] }] : [],
      );
      await seen.setMany(entries);
      await seen.deleteMany([dayKey]);
      return true;
    });
    if (converted) upgrade.dayLists++;
  }

  // Outboxes: `outbox:<channel>` → the channel's pending paper ids.
  const posted = stores.posted as unknown as KeyValueStore<unknown>;
  const outboxes = await keysWhere(posted, (key, value) => (Array.isArray(value) && /^outbox:[^:]+$/.test(key) ? key : undefined));
  for (const listKey of outboxes) {
    const converted = await storage.atomically(async () => {
      const list = await posted.get(listKey);
      if (!Array.isArray(list)) return false;
      const channelId = listKey.slice('outbox:'.length);
      const ids = list.filter((id): id is string => typeof id === 'string' && id !== '');
      const records = await posted.getMany(ids.map((id) => `${channelId}:${id}`));
      // Only what is still pending: the list could name a record that was sent or dropped since.
      await posted.setMany(
        ids.flatMap((id, i) => {
          const record = records[i] as { state?: unknown; at?: unknown } | undefined;
          return record?.state === 'pending' ? [{ key: `${outboxPrefix(channelId)}${id}`, value: typeof record.at === 'number' ? record.at : 0 }] : [];
        }),
      );
      await posted.deleteMany([listKey]);
      return true;
    });
    if (converted) upgrade.outboxLists++;
  }

  // Topics: the `guilds` list and each `guild:<id>` list of topic keys.
  const topicLists = await keysWhere(stores.topics as unknown as KeyValueStore<unknown>, (key, value) => (Array.isArray(value) && (key === 'guilds' || key.startsWith('guild:')) ? key : undefined));
  await stores.topics.deleteMany(topicLists);
  upgrade.topicLists = topicLists.length;

  await stores.meta.set(LAYOUT_KEY, STORE_LAYOUT);
  return upgrade;
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
