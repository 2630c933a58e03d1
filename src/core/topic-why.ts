import { chooseForumTags, type ForumTagInfo } from './forum-tags.js';
import type { Paper } from './paper.js';
import { explainMismatch, filterSubjectOf, type MatchFailure } from './search/query-filter.js';
import { parseQuery } from './search/query.js';
import { BACKFILL, ownsRecord, RECENT_DAYS, sameTopicName, type PostRecord, type TopicPlan } from './topic-posts.js';
import type { Topic } from './topics.js';

/**
 * /topic why: for one paper and one topic, what the scheduler did with the paper and why, from
 * what it records (the library, first sight in a feed, the channel's post record) and what a run
 * would do now (its plan). Pure: the facts come in, the verdict goes out; the answer is rendered
 * in src/discord/render/topic-why.ts.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** What the runner recorded about a paper for a topic (TopicRunner.paperFacts). */
export type TopicPaperFacts = {
  /** When a feed first brought the paper; absent when none did (it came by an import). */
  seenAt?: number;
  /** The paper's post record in the topic's channel. */
  record?: PostRecord;
};

export type TopicWhy =
  /** The library does not hold it: no source has brought it (yet). */
  | { kind: 'not-fetched'; id: string }
  /** The topic's query does not match it: which items fail, and what the paper has. */
  | { kind: 'no-match'; paper: Paper; failures: MatchFailure[] }
  /** In the library by an import only; topics post what the feeds bring. */
  | { kind: 'not-from-feed'; paper: Paper }
  /** First seen before the topic started (or, before its first run, more than BACKFILL.hours ago). */
  | { kind: 'older'; paper: Paper; seenAt: number; since: number; firstRun: boolean }
  /**
   * Posted by this topic (as a card, or a line of a digest); by an earlier query or channel of it
   * when `earlier`. `version`: the id as asked names one arXiv version (`2405.17399v2`); the paper
   * is posted once, whichever version came (a new version is skipped as the same paper).
   */
  | { kind: 'posted'; paper: Paper; record: PostRecord & { state: 'sent' }; earlier: boolean; version?: string }
  /** Already in this channel under another topic's record: each paper goes into a channel once. */
  | { kind: 'duplicate'; paper: Paper; record: PostRecord; by: 'other-topic'; asked: string }
  | { kind: 'waiting'; paper: Paper; reason: WaitReason; seenAt?: number }
  /** Matched, but waited past RECENT_DAYS unposted (over max_per_run with the digest off). */
  | { kind: 'expired'; paper: Paper; seenAt: number };

/** `no-tag`: the topic's forum requires a tag on every post and none of its tags fits the paper. */
export const WAIT_REASONS = ['outbox', 'paused', 'first-run', 'over-max', 'next-run', 'no-tag'] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];

export type TopicWhyInput = {
  topic: Topic;
  /** The id as the admin gave it (a version, a URL, a `title:` id), for the answer to echo. */
  asked: string;
  /** The library's paper for it (versions and aliases resolved), if any. */
  paper: Paper | undefined;
  facts: TopicPaperFacts;
  now: number;
  /** What a run would do now; asked only when the paper matches, is new and unposted. */
  plan: () => Promise<TopicPlan>;
  /**
   * The topic's channel when it is a forum: whether it requires a tag on every post (REQUIRE_TAG),
   * its tags, and what the bot may do with them. Delivery leaves a paper no tag fits pending
   * (and logs it); /topic why says so instead of "the next run sends it".
   */
  forum?: ForumFacts;
};

export type ForumFacts = { requiresTag: boolean; tags: readonly ForumTagInfo[]; canApplyModerated: boolean; canCreateTags: boolean };

/** Whether a forum post of this paper would be refused for want of a tag (as forum-delivery.ts decides). */
function lacksTag(topic: Topic, paper: Paper, forum: ForumFacts | undefined): boolean {
  if (!forum?.requiresTag) return false;
  const choice = chooseForumTags(forum.tags, paper, { createMissing: topic.createTags === true && forum.canCreateTags, canApplyModerated: forum.canApplyModerated });
  return choice.apply.length === 0 && choice.create.length === 0;
}

/**
 * A version suffix (`2405.17399v3`, `…/abs/2405.17399v2`): the admin asked about one version of an
 * arXiv paper. A `title:` id has no versions (it is the paper's normalised title).
 */
const VERSION = /\d{4}\.\d{4,5}(v\d+)\b|\/\d{7}(v\d+)\b/i;

export async function explainTopicPaper(input: TopicWhyInput): Promise<TopicWhy> {
  const { topic, paper, facts, now } = input;
  if (!paper) return { kind: 'not-fetched', id: input.asked };
  const record = facts.record;
  const own = record && sameTopicName(record.topic, topic.name) ? record : undefined;
  if (own) {
    const record = own;
    if (record.state === 'sent') {
      // Its own post, however the id was typed. Asked by an arXiv version: the record is the
      // paper's (versionless), so any version of it was posted once and never posts again.
      const version = VERSION.test(input.asked) ? { version: input.asked } : {};
      return { kind: 'posted', paper, record: { ...record, state: 'sent' }, earlier: !ownsRecord(topic, record), ...version };
    }
    // Pending for this topic: the next run (after /topic resume, when paused) sends it, unless the
    // forum has no tag for it. A pending record of an earlier query or channel is dropped by the
    // next run: the paper is judged afresh.
    if (ownsRecord(topic, record)) {
      const reason = topic.status === 'paused' ? 'paused' : lacksTag(topic, paper, input.forum) ? 'no-tag' : 'outbox';
      return { kind: 'waiting', paper, reason, ...seen(facts) };
    }
  }
  const query = parseQuery(topic.query);
  const failures = explainMismatch(filterSubjectOf(paper), query);
  if (query.ids.length > 0 && !query.ids.includes(paper.id)) failures.unshift({ item: query.ids.join(', '), reason: 'the query names other papers' });
  if (failures.length > 0) return { kind: 'no-match', paper, failures };
  // Another topic posting into the same channel took it first (a paper goes into a channel once).
  if (record && !own) return { kind: 'duplicate', paper, record, by: 'other-topic', asked: input.asked };
  const seenAt = facts.seenAt;
  if (seenAt === undefined) return { kind: 'not-from-feed', paper };
  if (topic.since === undefined) {
    // The first run takes at most BACKFILL.max papers first seen in the BACKFILL.hours before it.
    if (seenAt < now - BACKFILL.hours * HOUR_MS) return { kind: 'older', paper, seenAt, since: now - BACKFILL.hours * HOUR_MS, firstRun: true };
    return { kind: 'waiting', paper, reason: topic.status === 'paused' ? 'paused' : 'first-run', seenAt };
  }
  // Strictly after, as planTopicRun takes them: what the first run saw was its backfill's to choose.
  if (seenAt <= topic.since) return { kind: 'older', paper, seenAt, since: topic.since, firstRun: false };
  if (seenAt < now - RECENT_DAYS * DAY_MS) return { kind: 'expired', paper, seenAt };
  if (topic.status === 'paused') return { kind: 'waiting', paper, reason: 'paused', seenAt };
  const plan = await input.plan();
  const deferred = plan.deferred.some((p) => p.id === paper.id);
  return { kind: 'waiting', paper, reason: deferred ? 'over-max' : lacksTag(topic, paper, input.forum) ? 'no-tag' : 'next-run', seenAt };
}

function seen(facts: TopicPaperFacts): { seenAt?: number } {
  return facts.seenAt === undefined ? {} : { seenAt: facts.seenAt };
}
