import { UserFacingError } from '../core/errors.js';
import type { Library } from '../core/library.js';
import type { Paper } from '../core/paper.js';
import type { Clock } from '../core/search-sessions.js';
import type { IngestResult } from './library-service.js';
import { ownsRecord, planTopicRun, sameTopicName, RECENT_DAYS, toCandidates, type Candidate, type PostClaims, type PostedPapers, type PostRecord, type SeenPapers, type TopicPlan } from '../core/topic-posts.js';
import { topicVersion, type Topic, type Topics } from '../core/topics.js';
import type { TopicRunner, TopicRunReport } from '../discord/bot-context.js';
import type { Logger } from '../logger.js';
import { fetchAllSources, logSourceOutcome } from '../feeds/fetch-all.js';
import type { Source } from '../feeds/source.js';
import { delayUntilNextRun, type PollSchedule } from '../core/poll-interval.js';
import { digestNonce, postNonce, type CardEdit, type DeliveryResult, type PendingPost, type TopicDelivery } from '../core/topic-delivery-port.js';
import { groupBy } from '../core/group-by.js';
import { countRecentMatches } from '../core/topic-match-count.js';
import type { AlertRunner } from './alert-runner.js';

/**
 * The scheduler: every POLL_INTERVAL, one cycle of
 *
 *   fetch every source → ingest into the library → note first sight
 *   → for each active topic: plan (new matches not yet in its channel) → outbox → post → save
 *   → bring the search index up to the library (this run's papers and any CLI import's)
 *
 * It decides what to post and talks to Discord only through the TopicDelivery port, so it runs
 * (and is tested) without a discord.js client. Time comes from the injected clock and timers.
 *
 * Never two cycles at once: runNow answers undefined while one runs (a /topic refresh during a
 * scheduled run does not start a second). Topics are worked on per channel: the channels in
 * parallel (Discord's limits are per channel, so this is what makes a run as fast as they
 * allow), the topics of one channel one after another (so two topics matching the same paper
 * post it once).
 */

/** Papers tokenised for matching between event-loop turns (~30 ms of work). */
const CANDIDATE_SLICE = 200;
/**
 * Channels worked on at once. Each posts about one card a second (5 per 5 s) with a reaction,
 * so ~25 channels fill Discord's global 50 requests/s; more would only queue in discord.js.
 */
const CHANNEL_CONCURRENCY = 32;
/** setTimeout cannot wait longer than 2^31-1 ms; longer waits (monthly cron) re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const DAY_MS = 86_400_000;
/** Papers another process changed that one run of a process that does not lead looks at for card edits. */
const MAX_FOLLOWED_CHANGES = 2_000;

/** The timer functions the schedule uses; tests pass a manual implementation driven by their clock. */
export type Timers = {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

/** Node's timers, unref'd (a pending wait never keeps the process alive): the one real implementation. */
export const REAL_TIMERS: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type TopicRunnerDeps = {
  delivery: TopicDelivery;
  library: Library;
  /** The one ingest path (the CLI import uses it too): merge papers into the library. */
  ingest: (papers: readonly Paper[]) => Promise<IngestResult>;
  /** Bring the search index up to the library; called at the end of every run. */
  syncIndex: () => Promise<void>;
  /**
   * Scale-out: whether this process is the ingestion leader (src/app/ingest-leader.ts), asked at
   * the start of each run. Only the leader fetches the sources and merges; another process runs
   * with no sources and delivers what the leader stored. Default: always (one process).
   */
  leads?: () => boolean;
  topics: Topics;
  seen: SeenPapers;
  posted: PostedPapers;
  sources: readonly Source[];
  logger: Logger;
  clock: Clock;
  timers?: Timers;
  interval: PollSchedule;
  /**
   * Scale-out: whether this process's shards own a server (src/core/shard-of.ts). Every cluster
   * reads every topic from the shared store; each delivers only its own servers' topics.
   * Default: every server (one process).
   */
  ownsGuild?: (guildId: string) => boolean;
  /**
   * Personal alerts by DM, run after the topics on the same candidates. Only where this process
   * leads (`leads`): a member is not tied to a server, so with several processes exactly one DMs.
   */
  alerts?: AlertRunner;
  /**
   * Scale-out: a pending post is sent only under this process's claim (src/storage/post-claims.ts),
   * so two processes delivering one channel at once never both send it. Default: no claims (one process).
   */
  claims?: PostClaims;
};

export type ScheduledTopicRunner = TopicRunner & {
  /** Run once now, then on the schedule. */
  start(): void;
  /** No further runs; a running cycle stops at its next safe point (never between a send and its record). */
  stop(): Promise<void>;
};

type TopicOutcome = TopicRunReport['topics'][number];

export function createTopicRunner(deps: TopicRunnerDeps): ScheduledTopicRunner {
  const { library, topics, seen, posted, clock, delivery } = deps;
  const timers = deps.timers ?? REAL_TIMERS;
  const logger = deps.logger.child({ job: 'topics' });

  let running: Promise<TopicRunReport> | undefined;
  let abort: AbortController | undefined;
  let timer: unknown;
  let started = false;
  let stopped = false;
  // Only refreshes count: the first /topic refresh after a scheduled run is fine.
  let lastRefreshAt: number | undefined;

  async function runNow(reason: 'schedule' | 'refresh' | 'startup'): Promise<TopicRunReport | undefined> {
    if (running || stopped) return undefined;
    abort = new AbortController();
    const run = cycle(reason, abort.signal);
    running = run;
    try {
      return await run;
    } catch (error) {
      if (stopped) logger.info({ reason, err: error }, 'topic run ended by shutdown');
      else logger.error({ reason, err: error }, 'topic run failed');
      throw error;
    } finally {
      running = undefined;
      if (reason === 'refresh') lastRefreshAt = clock.now();
    }
  }

  async function cycle(reason: string, signal: AbortSignal): Promise<TopicRunReport> {
    const startedAt = clock.now();
    const began = performance.now();
    const report: TopicRunReport = { startedAt, durationMs: 0, sources: [], added: 0, updated: 0, topics: [] };
    const finish = () => {
      report.durationMs = Math.round(performance.now() - began);
      return report;
    };

    const leading = deps.leads?.() ?? true;
    const changedByLeader = await changedElsewhere(leading);
    const fetched = await untilAborted(fetchAllSources(leading ? deps.sources : [], logger), signal);
    if (!fetched) return finish();
    report.sources = fetched.results.map((r) => ({ name: r.name, ok: r.ok, papers: r.papers.length, ...(r.error ? { error: r.error } : {}) }));

    const merged = await merge(fetched.results);
    report.added = merged.added;
    report.updated = merged.updated.size;
    // Every paper a source listed counts as seen now, including ones the library already had
    // (a bundled or imported paper that shows up in today's feed is news to the topics).
    const fetchedIds = [...new Set(fetched.papers.map((p) => p.id))];
    const canonical = (await library.getMany(fetchedIds)).flatMap((p) => (p ? [p.id] : []));
    await seen.markSeen(canonical, startedAt);
    // Only now that the papers are stored and marked seen: a 304 next time must not hide papers
    // that never reached the topics.
    await fetched.commit();
    if (signal.aborted) return finish();

    const candidates = await recentCandidates(startedAt);
    const updatedIds = [...merged.updated, ...changedByLeader];
    const updated = updatedIds.length > 0 ? await papersById(updatedIds) : new Map<string, Paper>();
    const all = await topics.all();
    const ownsGuild = deps.ownsGuild ?? (() => true);
    const byChannel = groupBy(
      all.filter((t) => t.status === 'active' && ownsGuild(t.guildId)),
      (t) => t.channelId,
    );
    const edited = new Set<string>();
    await forEachLimited([...byChannel.values()], CHANNEL_CONCURRENCY, async (channelTopics) => {
      const channelId = channelTopics[0]!.channelId;
      try {
        await dropOrphans(
          channelId,
          all.filter((t) => t.channelId === channelId),
        );
      } catch (error) {
        logger.error({ channelId, err: error }, 'could not clear pending posts of removed topics');
      }
      for (const topic of channelTopics) {
        if (signal.aborted) return;
        try {
          report.topics.push(await runTopic(topic, candidates, updated, startedAt, signal, edited));
        } catch (error) {
          // A storage failure in one topic's bookkeeping: its outbox (if written) retries next run.
          logger.error({ guildId: topic.guildId, topic: topic.name, err: error }, 'topic failed this run');
        }
      }
    });
    if (deps.alerts && (deps.leads?.() ?? true) && !signal.aborted) {
      try {
        await deps.alerts.run(candidates, startedAt, signal);
      } catch (error) {
        logger.error({ err: error }, 'alerts failed this run');
      }
    }
    // After posting, so a slow index (or a snapshot save it waits behind) never holds posts up.
    await deps.syncIndex();
    logger.info(
      { reason, durationMs: Math.round(performance.now() - began), added: report.added, updated: report.updated, topics: report.topics.length },
      'topic run done',
    );
    return finish();
  }

  /** The library revision up to which this process (while it does not lead) has looked for changes. */
  let changesSeenTo: number | undefined;

  /**
   * Scale-out: the papers the ingestion leader (another process) changed since this process's
   * previous run, from the library's change log, so that their cards in the servers this process
   * delivers to are edited as the leader's own merges are in its servers (an edit happens only
   * where a card was sent and its content changed). A process that leads knows its own merges.
   */
  async function changedElsewhere(leading: boolean): Promise<string[]> {
    if (leading) {
      changesSeenTo = undefined;
      return [];
    }
    const revision = await library.revision();
    const from = changesSeenTo;
    const changes = from === undefined || from >= revision ? undefined : await library.changesSince(from, revision);
    changesSeenTo = revision;
    return changes ? [...changes.ids].slice(-MAX_FOLLOWED_CHANGES) : [];
  }

  /** Ingest each source's papers into the library; one log line per source. */
  async function merge(results: Awaited<ReturnType<typeof fetchAllSources>>['results']) {
    const added = new Set<string>();
    const updated = new Set<string>();
    for (const source of results) {
      const result = await deps.ingest(source.papers);
      for (const paper of result.added) added.add(paper.id);
      // A paper one source added and another enriched in this same run is new, not updated.
      for (const paper of result.updated) if (!added.has(paper.id)) updated.add(paper.id);
      logSourceOutcome(logger, source.name, { new: result.added.length, updated: result.updated.length, skipped: source.skipped.length });
    }
    return { added: added.size, updated };
  }

  async function recentCandidates(now: number): Promise<Candidate[]> {
    const recent = await seen.recent(now - RECENT_DAYS * DAY_MS, now);
    const seenAt = new Map(recent.map((e) => [e.id, e.seenAt]));
    const papers = (await library.getMany([...seenAt.keys()])).filter((p): p is Paper => p !== undefined);
    // Tokenising a paper takes ~0.15 ms; three days of arXiv listings are a few thousand papers,
    // so the work is sliced to keep the event loop (gateway heartbeats, interactions) free.
    const candidates: Candidate[] = [];
    for (let i = 0; i < papers.length; i += CANDIDATE_SLICE) {
      candidates.push(...toCandidates(papers.slice(i, i + CANDIDATE_SLICE), seenAt));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return candidates;
  }

  /**
   * Pending records in a channel that no topic there owns (its topic was removed, moved or given
   * a new query, and the change's own clean-up did not happen, e.g. a crash or an older version):
   * dropped, so they neither block other topics' posts of the same papers nor surface later under
   * a new topic of the same name. Paused topics keep theirs: they are sent after /topic resume.
   */
  async function dropOrphans(channelId: string, channelTopics: readonly Topic[]): Promise<void> {
    const dropped = await posted.dropPending(channelId, (record) => !channelTopics.some((t) => ownsRecord(t, record)));
    if (dropped.length > 0) logger.info({ channelId, papers: dropped.length }, 'dropped pending posts of topics that no longer exist');
  }

  async function papersById(ids: string[]): Promise<Map<string, Paper>> {
    const papers = await library.getMany(ids);
    return new Map(papers.flatMap((p) => (p ? [[p.id, p] as const] : [])));
  }

  async function runTopic(
    topic: Topic,
    candidates: readonly Candidate[],
    updated: ReadonlyMap<string, Paper>,
    now: number,
    signal: AbortSignal,
    edited: Set<string>,
  ): Promise<TopicOutcome> {
    const log = logger.child({ guildId: topic.guildId, topic: topic.name, channelId: topic.channelId });
    const outcome: TopicOutcome = { guildId: topic.guildId, name: topic.name, posted: 0, digested: 0, deferred: 0, edited: 0 };
    const channelId = topic.channelId;
    const byId = new Map(candidates.map((c) => [c.paper.id, c.paper]));
    for (const [id, paper] of updated) byId.set(id, paper);
    // The channel's outbox too, however old (a topic resumed after days still sends it).
    const outboxIds = (await posted.pendingIds(channelId)).filter((id) => !byId.has(id));
    for (const [id, paper] of await papersById(outboxIds)) byId.set(id, paper);
    const ids = [...byId.keys()];
    const records = new Map<string, PostRecord>();
    (await posted.getMany(channelId, ids)).forEach((record, i) => record && records.set(ids[i]!, record));

    // A first run whose outbox was written but whose `since` was not (a store without
    // transactions, and a crash in between) already chose its backfill: it goes on from there
    // instead of choosing a second one.
    const planned = topic.since === undefined ? earliestOwnRecord(topic, records.values()) : undefined;
    // Pending and sent both count as posted: pending is already promised to this channel.
    let plan: TopicPlan;
    try {
      plan = planTopicRun(planned === undefined ? topic : { ...topic, since: planned }, candidates, new Set(records.keys()), now);
    } catch (error) {
      // A query saved under older, looser rules (more filters than the parser now allows, say)
      // would fail every run while /topic list showed it active: pause it and say why instead.
      if (!(error instanceof UserFacingError)) throw error;
      const reason = `its query is no longer valid: ${error.message} Fix it with /topic edit, then /topic resume.`;
      outcome.paused = reason;
      await pause(topic, reason, undefined);
      log.warn({ reason }, 'topic paused');
      return outcome;
    }
    outcome.deferred = plan.deferred.length;
    const since = plan.since ?? planned;

    // The outbox: every paper this run will post is recorded before the first send, together with
    // the `since` it planned for, in one step on the topic as stored now. If an admin edited the
    // query or channel, paused or removed the topic since the run read it, that change wins and
    // nothing planned for the old topic is written (its next run plans for the new one).
    const outbox = outboxRecords(topic, plan, now);
    if (outbox.length > 0 || since !== undefined) {
      let current = false;
      await topics.update(topic.guildId, topic.name, async (stored) => {
        if (topicVersion(stored) !== topicVersion(topic) || stored.since !== topic.since || stored.status !== 'active') return undefined;
        current = true;
        if (outbox.length > 0) await posted.setMany(channelId, outbox);
        return since === undefined ? undefined : { ...stored, since };
      });
      if (!current) {
        log.info('topic changed during the run; planned again on the next run');
        return outcome;
      }
    }
    for (const { paperId, record } of outbox) records.set(paperId, record);

    const pending: PendingPost[] = [];
    const edits: CardEdit[] = [];
    for (const [paperId, record] of records) {
      const paper = byId.get(paperId);
      if (!paper) continue;
      // Another topic sharing this channel owns its own records: posting them here would label
      // them with this topic's name and ping this topic's role. Cards are kept up to date by the
      // topic of their name, whichever version of it posted them.
      if (record.state === 'pending') {
        if (ownsRecord(topic, record)) pending.push({ paper, record });
      } else if (sameTopicName(record.topic, topic.name) && updated.has(paperId) && !record.digest && record.messageId && record.cardHash) {
        edits.push({ paper, record: { ...record, messageId: record.messageId } });
      }
    }
    pending.sort(postingOrder(candidates));

    const claimed = await claimPending(topic, pending);
    let result: DeliveryResult;
    try {
      result = await delivery.deliver(topic, { pending: claimed, edits }, { signal, edited });
    } finally {
      if (claimed.length > 0) await deps.claims?.release(channelId, claimed.map((p) => p.paper.id));
    }
    outcome.posted = result.posted;
    outcome.digested = result.digested;
    outcome.edited = result.edited;
    if (signal.aborted && result.stopped?.kind === 'retry') {
      // Shutting down: a send cut off by the client's destroy() is no failure; it stays pending.
      log.info(counts(outcome), 'topic interrupted by shutdown; pending posts go out after the restart');
      return outcome;
    }
    const lastPostAt = result.posted + result.digested > 0 ? clock.now() : undefined;
    const backlog = backlogAfter(topic, plan, candidates, now);
    if (backlog) await patchTopic(topic, { backlog });
    if (result.stopped?.kind === 'pause') {
      outcome.paused = result.stopped.reason;
      await pause(topic, result.stopped.reason, lastPostAt);
      log.warn({ reason: result.stopped.reason, ...counts(outcome) }, 'topic paused');
      return outcome;
    }
    if (lastPostAt) await patchTopic(topic, { lastPostAt });
    if (result.stopped) log.warn({ error: result.stopped.error, ...counts(outcome) }, 'topic stopped for this run; pending posts retry next run');
    else log.info(counts(outcome), 'topic posted');
    return outcome;
  }

  /**
   * The pending posts this process may send: those it claimed, as their records read now, under
   * the claim (another process may have sent one since). A digest's papers share one message and
   * nonce, so a digest goes out whole or waits for a later run.
   */
  async function claimPending(topic: Topic, pending: PendingPost[]): Promise<PendingPost[]> {
    const claims = deps.claims;
    if (!claims || pending.length === 0) return pending;
    const ids = pending.map((p) => p.paper.id);
    const held = await claims.claim(topic.channelId, ids);
    const fresh = await posted.getMany(topic.channelId, ids);
    const split = new Set(pending.filter((p) => p.record.digest && !held.has(p.paper.id)).map((p) => p.record.nonce));
    const mine = pending.flatMap((p, i) => {
      const record = fresh[i];
      const sendable = held.has(p.paper.id) && record?.state === 'pending' && ownsRecord(topic, record) && !(record.digest && split.has(record.nonce));
      return sendable ? [{ paper: p.paper, record }] : [];
    });
    const unused = [...held].filter((id) => !mine.some((p) => p.paper.id === id));
    if (unused.length > 0) await claims.release(topic.channelId, unused);
    return mine;
  }

  /** Pause a topic (unless an admin changed it meanwhile) and tell the server once. */
  async function pause(topic: Topic, reason: string, lastPostAt: number | undefined): Promise<void> {
    const paused = await patchTopic(topic, { status: 'paused', pausedReason: reason, pauseNotified: false, ...(lastPostAt ? { lastPostAt } : {}) });
    if (paused) {
      const told = await delivery.notifyPaused(paused, reason);
      if (told) await patchTopic(paused, { pauseNotified: true });
    }
  }

  /**
   * Write the runner's fields onto the topic as stored now, not as read at the start of the run:
   * an admin may have edited, paused or removed it meanwhile, and those changes win.
   */
  function patchTopic(topic: Topic, patch: Partial<Topic>): Promise<Topic | undefined> {
    return topics.update(topic.guildId, topic.name, (current) => {
      if (topicVersion(current) !== topicVersion(topic)) return undefined;
      if (patch.status === 'paused' && current.status !== 'active') return undefined;
      return { ...current, ...patch };
    });
  }

  /**
   * What waits and what expires: a deferred match seen more than RECENT_DAYS before the next run
   * is no candidate then, so it is counted as expired now (once: `countedTo` moves past it).
   */
  function backlogAfter(topic: Topic, plan: TopicPlan, candidates: readonly Candidate[], now: number): Topic['backlog'] {
    let nextRunAt: number;
    try {
      nextRunAt = now + (delayUntilNextRun(deps.interval, new Date(now)) ?? Number.POSITIVE_INFINITY);
    } catch {
      return undefined;
    }
    const seenAt = new Map(candidates.map((c) => [c.paper.id, c.seenAt]));
    const previous = topic.backlog ?? { waiting: 0, expired: 0, countedTo: Number.NEGATIVE_INFINITY };
    const expiresBefore = Number.isFinite(nextRunAt) ? nextRunAt - RECENT_DAYS * DAY_MS : Number.POSITIVE_INFINITY;
    let expiring = 0;
    for (const paper of plan.deferred) {
      const at = seenAt.get(paper.id) ?? now;
      if (at <= expiresBefore && at > previous.countedTo) expiring++;
    }
    const next = {
      waiting: plan.deferred.length - expiring,
      expired: previous.expired + expiring,
      countedTo: Number.isFinite(expiresBefore) ? Math.max(previous.countedTo, expiresBefore) : previous.countedTo,
    };
    if (!topic.backlog && next.waiting === 0 && next.expired === 0) return undefined;
    if (topic.backlog && next.waiting === previous.waiting && next.expired === previous.expired) return undefined;
    return next;
  }

  async function preview(topic: Topic): Promise<TopicPlan> {
    const now = clock.now();
    const candidates = await recentCandidates(now);
    const ids = candidates.map((c) => c.paper.id);
    const records = await posted.getMany(topic.channelId, ids);
    return planTopicRun(topic, candidates, new Set(ids.filter((_, i) => records[i] !== undefined)), now);
  }

  function arm(): void {
    if (stopped) return;
    let delay: number | undefined;
    try {
      delay = delayUntilNextRun(deps.interval, new Date(clock.now()));
    } catch (error) {
      logger.error({ err: error }, 'cannot compute the next run; the schedule stops');
      return;
    }
    if (delay === undefined) {
      logger.warn({ schedule: deps.interval.text }, 'the schedule has no further runs');
      return;
    }
    const due = clock.now() + delay;
    const wait = (ms: number) => {
      timer = timers.setTimeout(() => {
        const left = due - clock.now();
        if (left > 0) return wait(Math.min(left, MAX_TIMER_MS));
        void runNow('schedule')
          .catch(() => undefined) // logged in runNow; the next run happens regardless
          .finally(arm);
      }, ms);
    };
    wait(Math.min(delay, MAX_TIMER_MS));
  }

  return {
    runNow,
    preview,
    async paperFacts(topic, paperId) {
      const [seenAt, [record]] = await Promise.all([seen.firstSeen(paperId), posted.getMany(topic.channelId, [paperId])]);
      return { ...(seenAt === undefined ? {} : { seenAt }), ...(record ? { record } : {}) };
    },
    recentMatches: (query) => countRecentMatches(query, { recent: (since, now) => seen.recent(since, now), getMany: (ids) => library.getMany(ids) }, clock.now()),
    refreshWaitMs() {
      return lastRefreshAt === undefined ? 0 : Math.max(0, lastRefreshAt + REFRESH_COOLDOWN_MS - clock.now());
    },
    start() {
      if (started || stopped) return;
      started = true;
      logger.info({ schedule: deps.interval.text, sources: deps.sources.map((s) => s.name) }, 'topic schedule started');
      void runNow('startup')
        .catch(() => undefined)
        .finally(arm);
    },
    async stop() {
      stopped = true;
      timers.clearTimeout(timer);
      abort?.abort();
      await running?.catch(() => undefined);
    },
  };
}

/** Pending records for a plan: one nonce per card, one shared by every paper of the digest. */
function outboxRecords(topic: Topic, plan: TopicPlan, now: number): { paperId: string; record: PostRecord }[] {
  const channelId = topic.channelId;
  const version = topicVersion(topic);
  const cards = plan.posts.map((paper) => ({
    paperId: paper.id,
    record: { state: 'pending' as const, topic: topic.name, topicVersion: version, at: now, nonce: postNonce(channelId, paper.id) },
  }));
  if (plan.digest.length === 0) return cards;
  const nonce = digestNonce(
    channelId,
    plan.digest.map((p) => p.id),
  );
  return [
    ...cards,
    ...plan.digest.map((paper) => ({
      paperId: paper.id,
      record: { state: 'pending' as const, topic: topic.name, topicVersion: version, at: now, nonce, digest: true },
    })),
  ];
}

/** When this topic version's earliest record was planned, if it has any in the channel. */
function earliestOwnRecord(topic: Topic, records: Iterable<PostRecord>): number | undefined {
  let earliest: number | undefined;
  for (const record of records) {
    // Records without a version predate this check: they cannot be told from an older version's.
    if (record.topicVersion !== undefined && ownsRecord(topic, record) && (earliest === undefined || record.at < earliest)) earliest = record.at;
  }
  return earliest;
}

/** Oldest first, as planTopicRun orders posts: publication date, then first sight, then id. */
function postingOrder(candidates: readonly Candidate[]): (a: PendingPost, b: PendingPost) => number {
  const info = new Map(candidates.map((c) => [c.paper.id, c]));
  return (a, b) => {
    const x = info.get(a.paper.id);
    const y = info.get(b.paper.id);
    return (
      a.record.at - b.record.at ||
      (x?.date ?? 0) - (y?.date ?? 0) ||
      (x?.seenAt ?? 0) - (y?.seenAt ?? 0) ||
      (a.paper.id < b.paper.id ? -1 : a.paper.id > b.paper.id ? 1 : 0)
    );
  };
}

function counts(o: TopicOutcome) {
  return { posted: o.posted, digested: o.digested, deferred: o.deferred, edited: o.edited };
}

/** The value, or undefined as soon as the signal aborts (the work itself is left to finish unobserved). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}


/**
 * A run fetches every source for every server: /topic refresh (open to any server's admins)
 * waits this long after the last refresh, the same as the shortest POLL_INTERVAL.
 */
export const REFRESH_COOLDOWN_MS = 60_000;
