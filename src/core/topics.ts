import { z } from 'zod';
import { UserFacingError } from './errors.js';
import type { KeyValueStore } from './library.js';
import type { Paper } from './paper.js';
import { filterSubjectOf, matchesQuery, type FilterSubject } from './search/query-filter.js';
import { dateNumber, parseQuery, QUERY_LIMITS, type ParsedQuery } from './search/query.js';
import { createSerialQueue } from './serial-queue.js';
import type { Atomically } from './library.js';

/**
 * Topics: a saved query bound to a channel. The scheduler posts every new paper matching a
 * topic's query into its channel, once.
 *
 * Matching is stricter than search ranking: a paper matches when every word of the query
 * occurs in its title, abstract, keywords, authors or categories (plurals and compound names
 * as in search, no typo tolerance: a topic's query is typed once, with care), every quoted
 * phrase occurs as a phrase in its title or abstract, and every filter holds. Filters mean
 * exactly what they mean in search: both call matchesFilters (src/core/search/query-filter.ts).
 */

export const TOPIC_NAME_MAX = 40;
export const MAX_PER_RUN_LIMIT = 20;
export const DEFAULT_MAX_PER_RUN = 5;
export const MAX_TOPICS_PER_GUILD = 50;

export const TOPIC_STATUSES = ['active', 'paused'] as const;

export const topicSchema = z.object({
  guildId: z.string(),
  /** As typed; matched case-insensitively (see topicKey). */
  name: z.string().min(1).max(TOPIC_NAME_MAX),
  query: z.string().min(1).max(300),
  channelId: z.string(),
  /** The role pinged by each post (members opt in with /follow). */
  roleId: z.string().optional(),
  /** Forum channels: add a forum tag for each category a post would carry and the forum lacks (needs Manage Channels). */
  createTags: z.boolean().optional(),
  maxPerRun: z.number().int().min(1).max(MAX_PER_RUN_LIMIT),
  /** Papers over maxPerRun go into one digest message (true) or wait for the next run (false). */
  digest: z.boolean(),
  createdBy: z.string(),
  /** ms since epoch. */
  createdAt: z.number(),
  status: z.enum(TOPIC_STATUSES),
  pausedReason: z.string().optional(),
  /** The server was told about the pause (told once per pause). */
  pauseNotified: z.boolean().optional(),
  /**
   * Papers first seen by the scheduler after this moment (ms) are the topic's new papers. Unset
   * until the topic's first run, which posts only a bounded backfill and then sets it.
   */
  since: z.number().optional(),
  lastPostAt: z.number().optional(),
  /**
   * Matches over max_per_run with the digest off (or full): `waiting` for a later run as of the
   * last run, and `expired` in all, those that left the RECENT_DAYS window unposted, counted up
   * to first sight `countedTo` (ms). Shown in /topic list: nothing is dropped silently.
   */
  backlog: z.object({ waiting: z.number().int().min(0), expired: z.number().int().min(0), countedTo: z.number() }).optional(),
  /** Bumped when the query or the channel changes: with createdAt it names this version (topicVersion). */
  revision: z.number().int().min(0).optional(),
});
export type Topic = z.infer<typeof topicSchema>;

export function topicKey(guildId: string, name: string): string {
  return `${guildId}:${name.trim().toLowerCase()}`;
}

/**
 * Which instance of a topic this is: a topic removed and added again under the same name, or
 * given a new query or channel, is another instance. Post records carry it, so that what an old
 * instance left pending is never posted under (or blocks) the new one.
 */
export function topicVersion(topic: Pick<Topic, 'createdAt' | 'revision'>): string {
  return `${topic.createdAt}.${topic.revision ?? 0}`;
}

/** Validate a topic name and query as a user typed them; throws UserFacingError saying what is wrong. */
export function checkTopicInput(name: string, query: string): { name: string; query: string } {
  const cleanName = name.trim().replace(/\s+/g, ' ');
  if (!cleanName || cleanName.length > TOPIC_NAME_MAX) {
    throw new UserFacingError(`A topic name has 1–${TOPIC_NAME_MAX} characters.`);
  }
  if (/[:<>@#`]/.test(cleanName)) throw new UserFacingError('A topic name cannot contain : < > @ # or backticks.');
  const cleanQuery = query.trim();
  const parsed = parseQuery(cleanQuery); // throws UserFacingError on a malformed filter
  // Search reads unclear syntax forgivingly; a topic runs for months on what it was given, so
  // it says what is unclear instead of guessing.
  if (parsed.problems.length > 0) {
    throw new UserFacingError(`That query is not clear: ${parsed.problems[0]}`, 'A topic takes its query exactly as written: fix it and try again.');
  }
  // Search drops words past its limit with a note; a topic would match more than was asked.
  if (parsed.notes.length > 0) throw new UserFacingError(`A topic's query has at most ${QUERY_LIMITS.words} words.`, parsed.notes[0]);
  // A paper with no words, category or author still matching (only exclusions, dates or
  // has:code) means the query would take in nearly every paper.
  if (parsed.ids.length === 0 && matchesQuery(BLANK_PAPER, parsed, 'exact')) {
    throw new UserFacingError('That query would match nothing or everything.', 'Give it words or a category, e.g. `diffusion cat:cs.CV`.');
  }
  return { name: cleanName, query: cleanQuery };
}

/**
 * A paper with nothing in it that passes every date and has:code filter: a query it matches
 * narrows nothing but dates and code links.
 */
const BLANK_PAPER: FilterSubject = {
  // NaN compares false with everything: it is neither before an after: bound nor at or past a before: bound.
  date: Number.NaN,
  hasCode: true,
  categories: [],
  hasAuthorTerm: () => false,
  hasTerm: () => false,
  hasPhrase: () => false,
};

/** A paper as topic queries read it, tokenised once and shared by every topic's matcher. */
export type PaperTerms = {
  paper: Paper;
  date: number;
  /** The paper as queries read it (query-filter.ts). */
  filters: FilterSubject;
};

export function paperTerms(paper: Paper): PaperTerms {
  return { paper, date: dateNumber(paper.published) ?? 0, filters: filterSubjectOf(paper) };
}

export type TopicMatcher = (paper: PaperTerms) => boolean;

/**
 * A topic's query as a predicate over papers: the query's expression in `exact` mode (every word,
 * phrase, group and filter, as /paper search reads them; see query-filter.ts), and the papers it
 * names, when it names any.
 */
export function compileTopicQuery(query: string): TopicMatcher {
  const q: ParsedQuery = parseQuery(query);
  return (p) => (q.ids.length === 0 || q.ids.includes(p.paper.id)) && matchesQuery(p.filters, q, 'exact');
}

/** Topics of all guilds, keyed by topicKey. */
export type Topics = {
  get(guildId: string, name: string): Promise<Topic | undefined>;
  list(guildId: string): Promise<Topic[]>;
  all(): Promise<Topic[]>;
  save(topic: Topic): Promise<void>;
  /**
   * Read, change and write one topic in one step (queued with save/remove, one transaction where
   * the store has them), so a runner writing lastPostAt cannot bring back a topic an admin just
   * removed or undo a pause. `change` returns undefined to leave the topic as it is; it may write
   * elsewhere too (the runner's outbox), and those writes commit with the topic or not at all.
   */
  update(guildId: string, name: string, change: (current: Topic) => Topic | undefined | Promise<Topic | undefined>): Promise<Topic | undefined>;
  remove(guildId: string, name: string): Promise<boolean>;
};

export type TopicsOptions = {
  /** A transaction (SQLite) around each change: the topic and what `retire` writes commit together. */
  atomically?: Atomically;
  /**
   * Called inside the change that ends a topic version (removed, or a new query or channel) with
   * the version that ends: its pending posts in its channel are dropped here, in the same step.
   */
  retire?: (ended: Topic) => Promise<void>;
};

/**
 * Topics in a key-value store, a key each: `topic:<guild>:<name>` (topicKey). A guild's topics
 * are the keys under `topic:<guild>:`, all topics those under `topic:`, so adding or removing one
 * writes that one key and never rewrites a list another process may be rewriting too. Stores from
 * before kept a `guild:<id>` list of topic keys and a `guilds` list beside them; nothing reads
 * those any more (upgradeStoreLayout in storage/store-layout.ts deletes them).
 */
export function createTopics(store: KeyValueStore<Topic | string[]>, options: TopicsOptions = {}): Topics {
  const queue = createSerialQueue();
  const atomically = options.atomically ?? ((work) => work());
  const retire = options.retire ?? (async () => {});
  // The queue outside, the transaction inside: the order every store user follows (see topic-posts.ts).
  // A change reads and writes one topic's key; the transaction makes that step and what `retire`
  // writes (the ended version's outbox) one, across processes.
  const serial = <R>(work: () => Promise<R>) => queue(() => atomically(work));

  async function read(guildId: string, name: string): Promise<Topic | undefined> {
    const topic = await store.get(`topic:${topicKey(guildId, name)}`);
    return topic && !Array.isArray(topic) ? topic : undefined;
  }

  /** The topics under a key prefix, oldest first (the order they were added, as /topic list shows them). */
  async function listed(prefix: string): Promise<Topic[]> {
    const topics = (await store.withPrefix(prefix)).map((e) => e.value).filter((t): t is Topic => !Array.isArray(t));
    return topics.sort((a, b) => a.createdAt - b.createdAt);
  }

  const list = (guildId: string) => listed(`topic:${guildId}:`);

  return {
    get: read,
    list,
    all: () => listed('topic:'),
    save: (topic) => serial(async () => void (await saveNow(await read(topic.guildId, topic.name), topic))),
    update: (guildId, name, change) =>
      serial(async () => {
        const current = await read(guildId, name);
        if (!current) return undefined;
        const next = await change(current);
        return next ? saveNow(current, next) : undefined;
      }),
    remove: (guildId, name) =>
      serial(async () => {
        const current = await read(guildId, name);
        if (!current) return false;
        await store.deleteMany([`topic:${topicKey(guildId, name)}`]);
        await retire(current);
        return true;
      }),
  };

  /** Writes `next` over `current`; a new query or channel is a new version and ends the old one. */
  async function saveNow(current: Topic | undefined, next: Topic): Promise<Topic> {
    let topic = next;
    if (current && current.createdAt === next.createdAt && (current.query !== next.query || current.channelId !== next.channelId)) {
      topic = { ...next, revision: Math.max(current.revision ?? 0, next.revision ?? 0) + 1 };
    }
    await writeTopic(topic);
    if (current && topicVersion(current) !== topicVersion(topic)) await retire(current);
    return topic;
  }

  async function writeTopic(topic: Topic): Promise<void> {
    await store.set(`topic:${topicKey(topic.guildId, topic.name)}`, topicSchema.parse(topic));
  }
}
