import { createAlertStores, type AlertPosts, type AlertRecords, type Alerts, type AlertUser } from '../core/alerts.js';
import { createBookmarks, type Bookmarks, type BookmarkValue } from '../core/bookmarks.js';
import type { LibraryChange, LibraryStores } from '../core/library.js';
import type { Paper } from '../core/paper.js';
import { createPostedPapers, createSeenPapers, ownsRecord, type PostedPapers, type PostedValue, type SeenPapers, type SeenValue } from '../core/topic-posts.js';
import { createTopics, type Topic, type Topics } from '../core/topics.js';
import type { Validators } from '../feeds/http-fetch.js';
import type { KeyValueStore } from '../core/library.js';
import type { Storage } from './open-storage.js';

/**
 * Every namespace Paperboy keeps, with the type of its values: the one place a namespace name
 * is written. Code opens stores through `openStores`, never by a string of its own, so a
 * namespace cannot be opened twice with two different ideas of what it holds.
 */
export type StoreValues = {
  /** Paper id → the merged record. */
  papers: Paper;
  /** `title:` id → the real arXiv id it was merged into. */
  aliases: string;
  /** Library count and revision. */
  meta: unknown;
  /** Library revision → the ids it wrote and removed (the change log other processes catch up from). */
  changes: LibraryChange;
  /** Posted message id → paper id (🔖 on a card finds its paper without fetching the message). */
  messages: string;
  /** guild:name → topic, and guild → its topic names. */
  topics: Topic | string[];
  /** `paper:` id → first sight, and `day:` day `:` id → the same, listed by day (topic-posts.ts). */
  seen: SeenValue;
  /** channel:paper → post record, and `outbox:` channel `:` paper → queued at, while pending (topic-posts.ts). */
  posted: PostedValue;
  /** User id `:` paper id → when it was saved and the 🔖'd message that saved it (bookmarks.ts). */
  bookmarks: BookmarkValue;
  /** Feed URL → its ETag / Last-Modified, for conditional requests. */
  source_validators: Validators;
  /** Deploy target → hash of the commands last registered there. */
  deploys: string;
  /** `user:` user id → that member's personal alerts, time zone and DM pause state. */
  alerts: AlertUser;
  /** user:alert → paper id → what that alert delivered by DM (pending, then sent), the last few days only. */
  alert_posts: AlertPosts;
};

export type StoreName = keyof StoreValues;
export type Stores = { readonly [K in StoreName]: KeyValueStore<StoreValues[K]> };

export const STORE_NAMES = [
  'papers',
  'aliases',
  'meta',
  'changes',
  'messages',
  'topics',
  'seen',
  'posted',
  'bookmarks',
  'source_validators',
  'deploys',
  'alerts',
  'alert_posts',
] as const satisfies readonly StoreName[];

/** Every namespace of `storage`, typed. Opening is cheap: nothing is read until first use. */
export function openStores(storage: Pick<Storage, 'store'>): Stores {
  return Object.fromEntries(STORE_NAMES.map((name) => [name, storage.store(name)])) as unknown as Stores;
}

/** The stores a library needs, from the full set. */
export function libraryStores(stores: Stores): LibraryStores {
  return { papers: stores.papers, aliases: stores.aliases, meta: stores.meta, changes: stores.changes };
}

/**
 * Topics, the posted records and the seen papers, wired as they must be: a topic change is one
 * durable transaction (the runner writes its outbox inside one, and a pending record must be on
 * disk before the send it guards), a topic version that ends drops its pending posts in that
 * same transaction, and marking papers seen is a transaction (two processes' runs at once).
 */
export function openTopicStores(
  stores: Pick<Stores, 'topics' | 'posted' | 'seen'>,
  storage: Pick<Storage, 'atomically' | 'durably'>,
): { topics: Topics; posted: PostedPapers; seen: SeenPapers } {
  const posted = createPostedPapers(stores.posted, { atomically: storage.atomically });
  const topics = createTopics(stores.topics, {
    atomically: storage.durably,
    retire: async (ended) => void (await posted.dropPending(ended.channelId, (record) => ownsRecord(ended, record))),
  });
  return { topics, posted, seen: createSeenPapers(stores.seen, { atomically: storage.atomically }) };
}

/**
 * Members' alerts and what they delivered, wired as they must be: every change to a member's
 * record and every delivery record is one transaction of the storage (processes sharing a store
 * must not overwrite each other), and delivery records that guard a DM are durable.
 */
export function openAlertStores(stores: Pick<Stores, 'alerts' | 'alert_posts'>, storage: Pick<Storage, 'atomically' | 'durably'>): { users: Alerts; records: AlertRecords } {
  return createAlertStores(stores, { atomically: storage.atomically, durably: storage.durably });
}

/**
 * Each user's bookmarks, wired as they must be: every add, remove and clear is one transaction
 * of the storage, so a 🔖 handled by one process and `/bookmarks remove` or the Bookmark button on
 * another, for the same user at once, both land.
 */
export function openBookmarks(stores: Pick<Stores, 'bookmarks'>, storage: Pick<Storage, 'atomically'>): Bookmarks {
  return createBookmarks(stores.bookmarks, { atomically: storage.atomically });
}
