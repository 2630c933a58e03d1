import type { Atomically, KeyValueStore } from './library.js';
import { createKeyedQueue } from './serial-queue.js';

/**
 * Each user's reading list: user id → paper ids, newest first. Only the user's own commands
 * read it (every answer about bookmarks is ephemeral), and `/bookmarks forget-me` deletes it.
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

/** Per user: the paper ids, and `via:<user>` → paper id → message id for those a 🔖 saved. */
export type BookmarkValue = string[] | Record<string, string>;

export type BookmarksOptions = {
  /**
   * The storage's transaction (`storage.atomically`): each add, remove and clear reads and
   * rewrites the user's list and `via:` map as one step across every process on the store (a 🔖
   * handled by one cluster while `/bookmarks remove` runs on another). Without it (a memory store
   * in tests) the steps are only ordered within this process.
   */
  atomically?: Atomically;
};

export function createBookmarks(store: KeyValueStore<BookmarkValue>, options: BookmarksOptions = {}): Bookmarks {
  const atomically = options.atomically ?? ((work) => work());
  // The queue outside, the transaction inside, as for topics and alerts: one user's reaction burst
  // (add, remove, add within a second) applies in the order it arrived here, and each step is one
  // transaction across processes, so no read-modify-write of the list loses another's change.
  const queue = createKeyedQueue();
  const serial = <R>(userId: string, work: () => Promise<R>) => queue(userId, () => atomically(work));
  const viaKey = (userId: string) => `via:${userId}`;

  async function read(userId: string): Promise<string[]> {
    return ((await store.get(userId)) as string[] | undefined) ?? [];
  }
  async function readVia(userId: string): Promise<Record<string, string>> {
    return ((await store.get(viaKey(userId))) as Record<string, string> | undefined) ?? {};
  }
  async function writeVia(userId: string, via: Record<string, string>): Promise<void> {
    if (Object.keys(via).length > 0) await store.set(viaKey(userId), via);
    else await store.deleteMany([viaKey(userId)]);
  }

  return {
    add: (userId, paperId, via) =>
      serial(userId, async () => {
        const ids = await read(userId);
        const sources = await readVia(userId);
        if (ids.includes(paperId)) {
          // Saved again by hand: no reaction owns it any more.
          if (!via && paperId in sources) {
            delete sources[paperId];
            await writeVia(userId, sources);
          }
          return false;
        }
        const kept = [paperId, ...ids].slice(0, MAX_BOOKMARKS);
        await store.set(userId, kept);
        const next = Object.fromEntries(Object.entries(sources).filter(([id]) => kept.includes(id)));
        if (via) next[paperId] = via.messageId;
        if (via || Object.keys(next).length !== Object.keys(sources).length) await writeVia(userId, next);
        return true;
      }),
    remove: (userId, paperId, via) =>
      serial(userId, async () => {
        const ids = await read(userId);
        if (!ids.includes(paperId)) return false;
        const sources = await readVia(userId);
        if (via && sources[paperId] !== via.messageId) return false;
        const rest = ids.filter((id) => id !== paperId);
        if (rest.length > 0) await store.set(userId, rest);
        else await store.deleteMany([userId]);
        if (paperId in sources) {
          delete sources[paperId];
          await writeVia(userId, sources);
        }
        return true;
      }),
    // One read needs no transaction; the queue still lets it see this process's earlier changes.
    list: (userId) => queue(userId, () => read(userId)),
    clear: (userId) =>
      serial(userId, async () => {
        const ids = await read(userId);
        await store.deleteMany([userId, viaKey(userId)]);
        return ids.length;
      }),
  };
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
