import { prefixEnd, type KeyValueStore } from './library.js';
import type { Paper } from './paper.js';
import { paperTerms, compileTopicQuery, topicVersion, type PaperTerms, type Topic } from './topics.js';
import type { Atomically } from './library.js';
import { createKeyedQueue } from './serial-queue.js';

/**
 * What the scheduler posts: the bookkeeping that makes posting idempotent, and the pure decision
 * of what each topic posts in a run.
 *
 * - `seen`: when the scheduler first saw each paper in a feed. A topic's new papers are those
 *   first seen after its `since`, so a crash after fetching loses nothing: the next run still
 *   finds them unposted.
 * - `posted`: channel id + versionless paper id → the message. A new version of a paper or the
 *   same paper from another source has the same key, so it is never posted twice.
 */

/** How far back a run looks for unposted papers; older ones were either posted or are backlog. */
export const RECENT_DAYS = 7;
export const BACKFILL = { hours: 24, max: 5 } as const;
/** Links in one digest message; beyond it, papers wait for the next run (never dropped). */
export const DIGEST_MAX = 30;

const DAY_MS = 86_400_000;

export type SeenPapers = {
  /** Record first sight of these papers at `at`; returns the ids seen for the first time. */
  markSeen(ids: readonly string[], at: number): Promise<string[]>;
  /** Papers first seen at or after `since` (within the last RECENT_DAYS days), with when. */
  recent(since: number, now: number): Promise<{ id: string; seenAt: number }[]>;
  /** When a feed first brought this paper; undefined when none ever did (/topic why). */
  firstSeen(id: string): Promise<number | undefined>;
};

/** When a paper was first seen: `paper:<id>` → ms, and the day's entry `day:<YYYY-MM-DD>:<id>` → ms. */
export type SeenValue = number;

/**
 * A key per paper seen, twice: `paper:<id>` answers "when was it first seen", and
 * `day:<YYYY-MM-DD>:<id>` puts it under its day, whose papers are listed by that key prefix.
 * Marking papers seen writes only their own keys, so two runs at once (a new ingestion leader
 * starting while the old one's run still merges) cannot drop each other's papers from a day, as
 * a day list rewritten by both could. `atomically` (the storage's transaction) keeps "first" exact
 * when both mark the same paper: the one that commits second finds it seen and does not report it.
 * Stores from before kept one list per day (`day:<YYYY-MM-DD>` → [id, ms][]); upgradeStoreLayout
 * (storage/store-layout.ts) turns those into keys.
 */
export function createSeenPapers(store: KeyValueStore<SeenValue>, options: { atomically?: Atomically } = {}): SeenPapers {
  const dayPrefix = (ms: number) => seenDayPrefix(new Date(ms).toISOString().slice(0, 10));
  const atomically = options.atomically ?? ((work) => work());
  return {
    markSeen(ids, at) {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return Promise.resolve([]);
      return atomically(async () => {
        const known = await store.getMany(unique.map((id) => `paper:${id}`));
        const fresh = unique.filter((_, i) => known[i] === undefined);
        if (fresh.length === 0) return [];
        const day = dayPrefix(at);
        await store.setMany(fresh.flatMap((id) => [{ key: `paper:${id}`, value: at }, { key: `${day}${id}`, value: at }]));
        return fresh;
      });
    },
    async firstSeen(id) {
      const at = await store.get(`paper:${id}`);
      return typeof at === 'number' ? at : undefined;
    },
    async recent(since, now) {
      const from = Math.max(since, now - RECENT_DAYS * DAY_MS);
      // The days' keys sort together (ISO dates), so from the first day's to the day after today's is one read.
      const first = dayPrefix(from);
      const entries = await store.range(first, prefixEnd(dayPrefix(now + DAY_MS)));
      return entries.flatMap((e) => {
        // `day:<YYYY-MM-DD>:<id>`: a key of another shape in the range (none is written) is not a paper.
        const id = e.key.slice(first.length);
        return e.key.length > first.length && e.key[first.length - 1] === ':' && typeof e.value === 'number' && e.value >= from ? [{ id, seenAt: e.value }] : [];
      });
    },
  };
}

/** The key prefix of the papers first seen on `day` (YYYY-MM-DD, UTC). */
export function seenDayPrefix(day: string): string {
  return `day:${day}:`;
}

export type PostRecord = {
  /** `pending` from just before the send until Discord accepted it. */
  state: 'pending' | 'sent';
  messageId?: string;
  topic: string;
  /**
   * The topic version (topicVersion) that planned it. A name alone is not enough: a topic removed
   * and added again, or edited to a new query or channel, must not inherit the old one's outbox.
   * Absent in records written before versions existed; those go by the name.
   */
  topicVersion?: string;
  at: number;
  /** Posted as a link in a digest message rather than as its own card. */
  digest?: boolean;
  /** Hash of the card as last sent, to edit the message when the paper's facts change. */
  cardHash?: string;
  /** The deterministic nonce the send used (Discord deduplicates a retried send by it). */
  nonce: string;
  /**
   * Forum posts only (thread creation has no nonce): when a post was last about to be created.
   * A pending record with it may already have its post in the forum, which is looked up first.
   */
  attemptedAt?: number;
  /** Forum posts only: the name the post was created with, to find it again. */
  threadName?: string;
};

export type PostedPapers = {
  getMany(channelId: string, paperIds: readonly string[]): Promise<(PostRecord | undefined)[]>;
  set(channelId: string, paperId: string, record: PostRecord): Promise<void>;
  setMany(channelId: string, records: { paperId: string; record: PostRecord }[]): Promise<void>;
  /**
   * Papers still `pending` in a channel, however old: a topic paused for days keeps its outbox,
   * and the run after `/topic resume` sends it (pending records are never planned again).
   */
  pendingIds(channelId: string): Promise<string[]>;
  /**
   * Forget the pending records of a channel that `which` picks (a topic version that ended):
   * the records go and the outbox no longer lists them, so the papers are free for other topics.
   * Returns the paper ids dropped.
   */
  dropPending(channelId: string, which: (record: PostRecord) => boolean): Promise<string[]>;
};

/**
 * Scale-out: who sends a channel's pending posts. Two processes can deliver the same channel at
 * once (a leader's run still going while a new one starts, a server changing cluster), and both
 * would send the same pending record; a forum post has no nonce for Discord to deduplicate. A
 * post is sent only by the process that claimed it, after reading its record again under the claim.
 */
export type PostClaims = {
  /** Claims these posts for this process, held until released (or until a while after the process died); returns the paper ids it now holds. */
  claim(channelId: string, paperIds: readonly string[]): Promise<Set<string>>;
  /** Frees this process's claims (once the send is recorded, or not attempted). */
  release(channelId: string, paperIds: readonly string[]): Promise<void>;
};

/**
 * Whether a record was planned by this topic: this version of it. Records written before topics
 * had versions go by name, and only when written after the topic was created, so an old topic's
 * leftovers never surface under a new topic of the same name.
 */
export function ownsRecord(topic: Topic, record: PostRecord): boolean {
  if (record.topicVersion !== undefined) return record.topicVersion === topicVersion(topic) && sameTopicName(record.topic, topic.name);
  return record.at >= topic.createdAt && sameTopicName(record.topic, topic.name);
}

/** Topic names match case-insensitively, ignoring surrounding spaces (as topicKey does). */
export function sameTopicName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** What the posted namespace holds: a record per channel and paper, an outbox key per pending post (ms queued), and (until upgradeStoreLayout) the outbox lists of stores from before. */
export type PostedValue = PostRecord | number | string[];

/**
 * Post records, a key each: `<channel>:<paper>` → the record, and while it is pending also
 * `outbox:<channel>:<paper>` → when it was queued, so a channel's outbox is listed by that prefix
 * (however long the channel's history) and writing one post's record never rewrites a list.
 * A record and its outbox key change in one transaction (`atomically`, where the store has one).
 * Stores from before kept `outbox:<channel>` → ids; upgradeStoreLayout turns those into keys.
 */
export function createPostedPapers(store: KeyValueStore<PostedValue>, options: { atomically?: Atomically } = {}): PostedPapers {
  const key = (channelId: string, paperId: string) => `${channelId}:${paperId}`;
  const outboxKey = (channelId: string, paperId: string) => `${outboxPrefix(channelId)}${paperId}`;
  // The transaction (where the store has one) is taken before the queue, as a topic change takes
  // it before calling dropPending: one order for both, so neither waits on the other. The queue
  // keeps one channel's writes from this process in the order they were made.
  const queue = createKeyedQueue();
  const atomically = options.atomically ?? ((work) => work());
  const serial = <R>(channelId: string, work: () => Promise<R>) => atomically(() => queue(channelId, work));
  const pendingIds = async (channelId: string) => {
    const prefix = outboxPrefix(channelId);
    return (await store.withPrefix(prefix)).map((e) => e.key.slice(prefix.length));
  };

  async function write(channelId: string, records: { paperId: string; record: PostRecord }[]): Promise<void> {
    await serial(channelId, async () => {
      const sent = records.filter(({ record }) => record.state === 'sent').map(({ paperId }) => outboxKey(channelId, paperId));
      await store.setMany([
        ...records.map(({ paperId, record }) => ({ key: key(channelId, paperId), value: record })),
        ...records.filter(({ record }) => record.state === 'pending').map(({ paperId, record }) => ({ key: outboxKey(channelId, paperId), value: record.at })),
      ]);
      await store.deleteMany(sent);
    });
  }

  return {
    getMany: (channelId, paperIds) => store.getMany(paperIds.map((id) => key(channelId, id))) as Promise<(PostRecord | undefined)[]>,
    set: (channelId, paperId, record) => write(channelId, [{ paperId, record }]),
    setMany: (channelId, records) => write(channelId, records),
    pendingIds,
    dropPending: (channelId, which) =>
      serial(channelId, async () => {
        const outbox = await pendingIds(channelId);
        if (outbox.length === 0) return [];
        const records = (await store.getMany(outbox.map((id) => key(channelId, id)))) as (PostRecord | undefined)[];
        const dropped = outbox.filter((_, i) => {
          const record = records[i];
          return record === undefined || (record.state === 'pending' && which(record));
        });
        if (dropped.length === 0) return [];
        await store.deleteMany(dropped.flatMap((id) => [key(channelId, id), outboxKey(channelId, id)]));
        return dropped;
      }),
  };
}

/** The key prefix of a channel's outbox: its pending posts. */
export function outboxPrefix(channelId: string): string {
  return `outbox:${channelId}:`;
}

export type Candidate = PaperTerms & { seenAt: number };

export function toCandidates(papers: readonly Paper[], seenAt: ReadonlyMap<string, number>): Candidate[] {
  return papers.flatMap((paper) => {
    const at = seenAt.get(paper.id);
    return at === undefined ? [] : [{ ...paperTerms(paper), seenAt: at }];
  });
}

export type TopicPlan = {
  /** Posted as cards this run, oldest first. */
  posts: Paper[];
  /** Listed in one digest message this run. */
  digest: Paper[];
  /** Matched but left for the next run (digest off, or the digest is full). */
  deferred: Paper[];
  /** Set when this run is the topic's first: from now on only papers seen later are new. */
  since?: number;
};

/**
 * What one topic posts in one run. `candidates` are recently seen papers; `alreadyPosted` the
 * ids among them already posted (or pending) in the topic's channel.
 *
 * A topic's first run is a bounded backfill: the newest BACKFILL.max matches seen in the last
 * BACKFILL.hours, never the whole library. After it, every match first seen since then is
 * posted, oldest first, at most maxPerRun as cards; the rest go into a digest (or wait).
 */
export function planTopicRun(topic: Topic, candidates: readonly Candidate[], alreadyPosted: ReadonlySet<string>, now: number): TopicPlan {
  const matches = compileTopicQuery(topic.query);
  const unposted = candidates.filter((c) => !alreadyPosted.has(c.paper.id) && matches(c));
  let chosen: Candidate[];
  let since: number | undefined;
  if (topic.since === undefined) {
    // Without a digest, papers beyond maxPerRun would wait for a later run, but a later run only
    // takes papers seen after `since`: the backfill must fit in this run.
    const limit = topic.digest ? BACKFILL.max : Math.min(BACKFILL.max, topic.maxPerRun);
    chosen = unposted
      .filter((c) => c.seenAt >= now - BACKFILL.hours * 3_600_000)
      .sort((a, b) => b.date - a.date || b.seenAt - a.seenAt || compareIds(b.paper.id, a.paper.id))
      .slice(0, limit);
    since = now;
  } else {
    // Strictly after: the first run sets `since` to its own `now`, which is also when it saw the
    // papers it fetched; those were the backfill's to choose from, not new for the next run.
    chosen = unposted.filter((c) => c.seenAt > topic.since!);
  }
  const ordered = chosen.sort((a, b) => a.date - b.date || a.seenAt - b.seenAt || compareIds(a.paper.id, b.paper.id)).map((c) => c.paper);
  const posts = ordered.slice(0, topic.maxPerRun);
  const rest = ordered.slice(topic.maxPerRun);
  const digest = topic.digest ? rest.slice(0, DIGEST_MAX) : [];
  const deferred = rest.slice(digest.length);
  return since === undefined ? { posts, digest, deferred } : { posts, digest, deferred, since };
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
