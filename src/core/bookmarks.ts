import type { Atomically, KeyValueStore } from './library.js';
import { createKeyedQueue } from './serial-queue.js';

/**
 * Each user's reading list, a key per bookmark: `<user id>:<paper id>` → when it was saved and,
 * for a 🔖, the message that saved it. A user's list is the keys under `<user id>:`, newest first.
 * Saving or removing one paper writes that one key, so a 🔖 handled by one process and
 * `/bookmarks remove` on another never rewrite a list each read before the other wrote it. Only
 * the user's own commands read it (every answer about bookmarks is ephemeral), and
 * `/bookmarks forget-me` deletes it. Stores from before kept a list per user (`<user id>` → ids,
 * `via:<user id>` → paper id → message id); upgradeStoreLayout (storage/store-layout.ts) turns
 * those into keys.
 */

/** A reading list this long is a mistake or abuse; the oldest entries drop off past it. */
export const MAX_BOOKMARKS = 2000;

export type Bookmarks = {
  /**
   * Save a paper; true when it was not saved yet. `via` names the 🔖 reaction that saved it: only
   * removing that reaction may take the bookmark away again. Saved without `via` (the Bookmark
   * button), it belongs to the user, whichever way it was saved first.
   */
  add(userId: string, paperId: string, via?: BookmarkVia): Promise<boolean>;
  /**
   * Drop a paper; true when it was saved. With `via`, only if that reaction saved it: taking back
   * a 🔖 must not delete a bookmark made with the button or a 🔖 on another message.
   */
  remove(userId: string, paperId: string, via?: BookmarkVia): Promise<boolean>;
  /** Paper ids, newest first. */
  list(userId: string): Promise<string[]>;
  /** Drop every bookmark of the user; returns how many there were. */
  clear(userId: string): Promise<number>;
};

/** The reaction a bookmark came from: a 🔖 on this message. */
export type BookmarkVia = { messageId: string };

/** One bookmark: saved at `at` (ms; later saves of one user get later times), by a 🔖 on message `via` if one saved it. */
export type BookmarkRecord = { at: number; via?: string };

/** What the bookmarks namespace holds: records, and (until upgradeStoreLayout) the lists of stores from before. */
export type BookmarkValue = BookmarkRecord | string[] | Record<string, string>;

export type BookmarksOptions = {
  /**
   * The storage's transaction (`storage.atomically`): each add and remove reads and writes the one
   * bookmark's key, and the transaction makes that one step across processes (a 🔖 and the
   * Bookmark button for the same paper at once). Without it (a memory store in tests) the steps
   * are only ordered within this process.
   */
  atomically?: Atomically;
  now?: () => number;
};

/** The key of one bookmark; user ids are Discord snowflakes, so `<user id>:` holds only that user's. */
export function bookmarkKey(userId: string, paperId: string): string {
  return `${userPrefix(userId)}${paperId}`;
}

function userPrefix(userId: string): string {
  if (userId === '' || userId.includes(':')) throw new RangeError(`a user id has no ':' (got ${JSON.stringify(userId)})`);
  return `${userId}:`;
}

/** Is this stored value a bookmark record (not a list from before the upgrade)? */
export function isBookmarkRecord(value: BookmarkValue | undefined): value is BookmarkRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as BookmarkRecord).at === 'number';
}

export function createBookmarks(store: KeyValueStore<BookmarkValue>, options: BookmarksOptions = {}): Bookmarks {
  const atomically = options.atomically ?? ((work) => work());
  const now = options.now ?? Date.now;
  // The queue outside, the transaction inside, as for topics and alerts: one user's reaction burst
  // (add, remove, add within a second) applies in the order it arrived here.
  const queue = createKeyedQueue();
  const serial = <R>(userId: string, work: () => Promise<R>) => queue(userId, () => atomically(work));

  /** The user's bookmarks, newest first. */
  async function saved(userId: string): Promise<{ key: string; paperId: string; record: BookmarkRecord }[]> {
    const prefix = userPrefix(userId);
    const entries = await store.withPrefix(prefix);
    return entries
      .flatMap((e) => (isBookmarkRecord(e.value) ? [{ key: e.key, paperId: e.key.slice(prefix.length), record: e.value }] : []))
      .sort((a, b) => b.record.at - a.record.at || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  }

  return {
    add: (userId, paperId, via) =>
      serial(userId, async () => {
        const key = bookmarkKey(userId, paperId);
        const current = await store.get(key);
        if (isBookmarkRecord(current)) {
          // Saved again by hand: no reaction owns it any more.
          if (!via && current.via !== undefined) await store.set(key, { at: current.at });
          return false;
        }
        const list = await saved(userId);
        // Later than every bookmark already there, so "newest first" holds even within one millisecond.
        const at = Math.max(now(), (list[0]?.record.at ?? -1) + 1);
        await store.set(key, via ? { at, via: via.messageId } : { at });
        const over = list.slice(MAX_BOOKMARKS - 1);
        if (over.length > 0) await store.deleteMany(over.map((e) => e.key));
        return true;
      }),
    remove: (userId, paperId, via) =>
      serial(userId, async () => {
        const key = bookmarkKey(userId, paperId);
        const current = await store.get(key);
        if (!isBookmarkRecord(current)) return false;
        if (via && current.via !== via.messageId) return false;
        await store.deleteMany([key]);
        return true;
      }),
    // One read needs no transaction; the queue still lets it see this process's earlier changes.
    list: (userId) => queue(userId, async () => (await saved(userId)).map((e) => e.paperId)),
    clear: (userId) =>
      serial(userId, async () => {
        const list = await saved(userId);
        await store.deleteMany(list.map((e) => e.key));
        return list.length;
      }),
  };
}

/**
 * Every paper someone bookmarked (one pass over the namespace): from the keys, and from the lists
 * of a store not yet upgraded (a CLI import on it must not drop a sample paper someone saved).
 */
export async function bookmarkedPaperIds(store: KeyValueStore<BookmarkValue>): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const entries of store.entries(1000)) {
    for (const { key, value } of entries) {
      if (isBookmarkRecord(value)) ids.add(key.slice(key.indexOf(':') + 1));
      else if (Array.isArray(value) && !key.includes(':')) for (const id of value) if (typeof id === 'string') ids.add(id);
    }
  }
  return ids;
}

/**
 * Which paper a bot message carries: message id → paper id, written when the bot posts a card.
 * A 🔖 reaction on a message from before a restart arrives without the message (discord.js
 * does not fetch partials), so this map is the only way to know what was bookmarked.
 */
export type MessagePapers = {
  remember(messageId: string, paperId: string): Promise<void>;
  paperFor(messageId: string): Promise<string | undefined>;
};

export function createMessagePapers(store: KeyValueStore<string>): MessagePapers {
  return {
    remember: (messageId, paperId) => store.set(messageId, paperId),
    paperFor: (messageId) => store.get(messageId),
  };
}
