import type { KeyValueStore } from './library.js';
import { createKeyedQueue } from './serial-queue.js';

/**
 * Each user's reading list: user id → paper ids, newest first. Only the user's own commands
 * read it (every answer about bookmarks is ephemeral), and `/bookmarks forget-me` deletes it.
 */

/** A reading list this long is a mistake or abuse; the oldest entries drop off past it. */
export const MAX_BOOKMARKS = 2000;

export type Bookmarks = {
  /** Save a paper; true when it was not saved yet. */
  add(userId: string, paperId: string): Promise<boolean>;
  /** Drop a paper; true when it was saved. */
  remove(userId: string, paperId: string): Promise<boolean>;
  /** Paper ids, newest first. */
  list(userId: string): Promise<string[]>;
  /** Drop every bookmark of the user; returns how many there were. */
  clear(userId: string): Promise<number>;
};

export function createBookmarks(store: KeyValueStore<string[]>): Bookmarks {
  // Reactions arrive in bursts (add, remove, add within a second); without serialising per user,
  // two read-modify-write cycles on one list would lose one of the changes.
  const serial = createKeyedQueue();

  async function read(userId: string): Promise<string[]> {
    return (await store.get(userId)) ?? [];
  }

  return {
    add: (userId, paperId) =>
      serial(userId, async () => {
        const ids = await read(userId);
        if (ids.includes(paperId)) return false;
        await store.set(userId, [paperId, ...ids].slice(0, MAX_BOOKMARKS));
        return true;
      }),
    remove: (userId, paperId) =>
      serial(userId, async () => {
        const ids = await read(userId);
        if (!ids.includes(paperId)) return false;
        const rest = ids.filter((id) => id !== paperId);
        if (rest.length > 0) await store.set(userId, rest);
        else await store.deleteMany([userId]);
        return true;
      }),
    list: (userId) => serial(userId, () => read(userId)),
    clear: (userId) =>
      serial(userId, async () => {
        const ids = await read(userId);
        if (ids.length > 0) await store.deleteMany([userId]);
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
