import { afterEach, describe, expect, it } from 'vitest';
import { createLibrary, type LibraryChange } from '../../src/core/library.js';
import { normalizePaper, type Paper } from '../../src/core/paper.js';
import { createPostedPapers, createSeenPapers, ownsRecord, type PostedPapers, type PostRecord } from '../../src/core/topic-posts.js';
import { createTopics, type Topic, type Topics } from '../../src/core/topics.js';
import type { DeliveryResult, DeliveryWork, TopicDelivery } from '../../src/core/topic-delivery-port.js';
import { createLogger } from '../../src/logger.js';
import type { Source, SourceResult } from '../../src/feeds/source.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import type { PollSchedule } from '../../src/core/poll-interval.js';
import { createTopicRunner, type ScheduledTopicRunner, type Timers } from '../../src/app/topic-runner.js';
import { applyTopicEdit } from '../../src/core/topic-admin.js';
import { renderTopicList } from '../../src/discord/render/topic-views.js';
import type { KeyValueStore } from '../../src/core/library.js';

/**
 * The runner without Discord: a fake TopicDelivery records what it is asked to post, a manual
 * clock and timers drive the schedule (no real waits), memory stores hold the state.
 */

const START = Date.parse('2026-03-02T09:00:00Z');

function emptyResult(papers: Paper[] = []): SourceResult {
  return { source: 'hf', papers, skipped: [], ignored: 0, notModified: 0, requests: 1, failures: [], commit: async () => {} };
}

/** Timers that fire only when the test advances the clock. */
function manualTime() {
  let now = START;
  let pending: { at: number; callback: () => void }[] = [];
  const timers: Timers = {
    setTimeout(callback, ms) {
      const timer = { at: now + ms, callback };
      pending.push(timer);
      return timer;
    },
    clearTimeout(handle) {
      pending = pending.filter((t) => t !== handle);
    },
  };
  return {
    clock: { now: () => now },
    timers,
    pending: () => pending.length,
    /** Move the clock to the next timer and fire it. */
    fireNext(): number {
      pending.sort((a, b) => a.at - b.at);
      const next = pending.shift();
      if (!next) throw new Error('no timer is armed');
      now = Math.max(now, next.at);
      next.callback();
      return now;
    },
  };
}

/** Lets queued promise chains and setImmediate turns run until `done` holds. */
async function settle(done: () => boolean, turns = 2_000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!done()) throw new Error('did not settle');
}

type Harness = {
  runner: ScheduledTopicRunner;
  time: ReturnType<typeof manualTime>;
  fetches: () => number;
  fetchTimes: number[];
  deliveries: { topic: Topic; work: DeliveryWork }[];
  syncs: () => number;
  topics: Topics;
  posted: PostedPapers;
  logs: () => Record<string, unknown>[];
};

type HarnessOptions = {
  interval: PollSchedule;
  fetch?: () => Promise<SourceResult>;
  topics?: Topics;
  /** Topics whose sends fail this run (a 5xx after retries): their records stay pending. */
  failing?: (topic: Topic) => boolean;
};

function harness(options: HarnessOptions): Harness {
  let fetches = 0;
  let syncs = 0;
  const fetchTimes: number[] = [];
  const lines: string[] = [];
  const time = manualTime();
  const source: Source = {
    name: 'hf',
    fetch: () => {
      fetches++;
      fetchTimes.push(time.clock.now());
      return options.fetch ? options.fetch() : Promise.resolve(emptyResult());
    },
  };
  const deliveries: Harness['deliveries'] = [];
  const posted = createPostedPapers(createMemoryStore<PostRecord | string[]>());
  // Like the Discord delivery: each pending record becomes `sent` once "Discord" took the message.
  const delivery: TopicDelivery = {
    async deliver(topic, work): Promise<DeliveryResult> {
      deliveries.push({ topic, work });
      if (options.failing?.(topic)) return { posted: 0, digested: 0, edited: 0, stopped: { kind: 'retry', error: 'Discord 503' } };
      await posted.setMany(
        topic.channelId,
        work.pending.map(({ paper, record }) => ({ paperId: paper.id, record: { ...record, state: 'sent', messageId: `m-${paper.id}` } })),
      );
      return { posted: work.pending.length, digested: 0, edited: 0 };
    },
    notifyPaused: async () => true,
  };
  const library = createLibrary({ papers: createMemoryStore(), aliases: createMemoryStore(), meta: createMemoryStore(), changes: createMemoryStore<LibraryChange>() });
  const topics = options.topics ?? createTopics(createMemoryStore(), { retire: (ended) => posted.dropPending(ended.channelId, (r) => ownsRecord(ended, r)).then(() => {}) });
  const runner = createTopicRunner({
    delivery,
    library,
    ingest: async (papers) => {
      const result = await library.upsertMany([...papers]);
      return { added: result.added, updated: result.updated, unchanged: result.unchanged, sampleRemoved: 0 };
    },
    syncIndex: async () => void syncs++,
    topics,
    seen: createSeenPapers(createMemoryStore()),
    posted,
    sources: [source],
    logger: createLogger('info', { write: (line: string) => void lines.push(line) }),
    clock: time.clock,
    timers: time.timers,
    interval: options.interval,
  });
  return {
    runner,
    time,
    fetches: () => fetches,
    fetchTimes,
    deliveries,
    syncs: () => syncs,
    topics,
    posted,
    logs: () => lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const runsDone = (h: Harness) => h.logs().filter((l) => l.msg === 'topic run done').length;

let current: Harness | undefined;
afterEach(async () => {
  await current?.runner.stop();
  current = undefined;
});

describe('the topic schedule', () => {
  it('runs once at start, then every interval, counted from the end of the previous run', async () => {
    const h = (current = harness({ interval: { kind: 'every', ms: 30 * 60_000, text: '30m' } }));
    h.runner.start();
    h.runner.start(); // a second start changes nothing
    await settle(() => runsDone(h) === 1 && h.time.pending() === 1);
    h.time.fireNext();
    await settle(() => runsDone(h) === 2 && h.time.pending() === 1);
    h.time.fireNext();
    await settle(() => runsDone(h) === 3);
    expect(h.fetchTimes).toEqual([START, START + 30 * 60_000, START + 60 * 60_000]);
    expect(h.logs().filter((l) => l.msg === 'topic run done').map((l) => l.reason)).toEqual(['startup', 'schedule', 'schedule']);
    expect(h.syncs()).toBe(3);
  });

  it('waits in steps no longer than a timer can hold, for a schedule months away', async () => {
    const h = (current = harness({ interval: { kind: 'every', ms: 60 * 86_400_000, text: '60d' } }));
    h.runner.start();
    await settle(() => runsDone(h) === 1 && h.time.pending() === 1);
    h.time.fireNext(); // 2^31-1 ms later: re-armed, not run
    await settle(() => h.time.pending() === 1);
    expect(h.fetches()).toBe(1);
    while (h.fetches() === 1) {
      h.time.fireNext();
      await settle(() => h.time.pending() === 1 || h.fetches() === 2);
    }
    expect(h.fetchTimes[1]! - h.fetchTimes[0]!).toBe(60 * 86_400_000);
  });

  it('keeps going after a run that throws, and logs it', async () => {
    let calls = 0;
    const topics = createTopics(createMemoryStore());
    const failing: Topics = {
      ...topics,
      all: () => (++calls === 1 ? Promise.reject(new Error('store unavailable')) : topics.all()),
    };
    const h = (current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' }, topics: failing }));
    h.runner.start();
    await settle(() => h.logs().some((l) => l.msg === 'topic run failed') && h.time.pending() === 1);
    h.time.fireNext();
    await settle(() => runsDone(h) === 1);
    expect(h.logs().filter((l) => l.msg === 'topic run failed')).toHaveLength(1);
  });

  it('never starts a second run while one is running', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const h = (current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' }, fetch: () => gate.then(() => emptyResult()) }));
    const first = h.runner.runNow('refresh');
    expect(await h.runner.runNow('refresh')).toBeUndefined();
    expect(await h.runner.runNow('schedule')).toBeUndefined();
    release();
    expect(await first).toMatchObject({ sources: [{ name: 'hf', ok: true, papers: 0 }], added: 0, topics: [] });
    expect(h.fetches()).toBe(1);
  });

  it('given stop() while a source hangs, ends the run at once and runs no more', async () => {
    const h = (current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' }, fetch: () => new Promise<SourceResult>(() => {}) }));
    h.runner.start();
    await settle(() => h.fetches() === 1);
    await h.runner.stop();
    expect(h.time.pending()).toBe(0);
    expect(await h.runner.runNow('refresh')).toBeUndefined();
    expect(h.fetches()).toBe(1);
  });
});

describe('a run, through the delivery port', () => {
  const paper = (id: string, title: string): Paper =>
    normalizePaper({ id, title, abstract: `We study ${title.toLowerCase()}.`, published: '2026-03-01', sources: ['hf'] });

  it('posts each new matching paper through the delivery port, once, and brings the index up after posting', async () => {
    const papers = [paper('2603.00001', 'Diffusion for robots'), paper('2603.00002', 'Graph networks')];
    const h = (current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' }, fetch: async () => emptyResult(papers) }));
    await h.topics.save({ guildId: '1', name: 'diffusion', query: 'diffusion', channelId: '10', status: 'active', maxPerRun: 5, digest: true, createdBy: '2', createdAt: START });
    const first = await h.runner.runNow('refresh');
    expect(first).toMatchObject({ added: 2, topics: [{ name: 'diffusion', posted: 1 }] });
    expect(h.deliveries.map((d) => d.work.pending.map((p) => p.paper.id))).toEqual([['2603.00001']]);
    expect(h.syncs()).toBe(1);

    const second = await h.runner.runNow('refresh');
    // The same paper is not handed to delivery again: its record says it was sent.
    expect(second).toMatchObject({ added: 0, topics: [{ name: 'diffusion', posted: 0 }] });
    expect(h.deliveries.slice(1).flatMap((d) => d.work.pending)).toEqual([]);
  });
});

describe('pending posts of a topic that is gone', () => {
  const paper = (id: string, title: string): Paper =>
    normalizePaper({ id, title, abstract: `We study ${title.toLowerCase()}.`, published: '2026-03-01', sources: ['hf'] });
  const both = [paper('2603.00001', 'Diffusion models for robots'), paper('2603.00002', 'Diffusion models for graphs')];
  const topic = (name: string, query: string, extra: Partial<Topic> = {}): Topic => ({
    guildId: '1', name, query, channelId: '10', status: 'active', maxPerRun: 5, digest: true, createdBy: '2', createdAt: START, since: START - 1, ...extra,
  });
  const pendingIn = async (h: Harness, channelId: string) => h.posted.pendingIds(channelId);

  it('given a removed topic left its outbox pending, another topic in the channel posts those papers on the next run', async () => {
    let failDiffusion = true;
    const h = (current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' }, fetch: async () => emptyResult(both), failing: (t) => failDiffusion && t.name === 'Diffusion' }));
    await h.topics.save(topic('Diffusion', 'diffusion'));
    await h.topics.save(topic('Models', 'models'));
    const first = await h.runner.runNow('refresh');
    // The papers are promised to Diffusion's outbox, so Models leaves them alone this run.
    expect(first?.topics.map((t) => [t.name, t.posted])).toEqual([['Diffusion', 0], ['Models', 0]]);
    expect(await pendingIn(h, '10')).toHaveLength(2);

    await h.topics.remove('1', 'Diffusion');
    expect(await pendingIn(h, '10')).toEqual([]);
    failDiffusion = false;
    const second = await h.runner.runNow('refresh');
    expect(second?.topics).toMatchObject([{ name: 'Models', posted: 2 }]);
    expect(h.deliveries.at(-1)?.work.pending.map((p) => [p.paper.id, p.record.topic])).toEqual([['2603.00001', 'Models'], ['2603.00002', 'Models']]);
  });

  it('given a topic added again under the same name, the new one does not post what the old one left pending', async () => {
    const h = (current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' }, fetch: async () => emptyResult(both), failing: (t) => t.createdAt === START }));
    await h.topics.save(topic('Diffusion', 'diffusion'));
    await h.runner.runNow('refresh');
    expect(await pendingIn(h, '10')).toHaveLength(2);

    await h.topics.remove('1', 'Diffusion');
    await h.topics.save(topic('diffusion', 'diffusion', { createdAt: START + 1, since: START + 1 }));
    const report = await h.runner.runNow('refresh');
    expect(report?.topics).toMatchObject([{ name: 'diffusion', posted: 0 }]);
    expect(h.deliveries.at(-1)?.work.pending ?? []).toEqual([]);
  });

  it('given orphans a removal did not clear (written by an older version), the runner drops them and the new topic ignores them', async () => {
    const h = (current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' }, fetch: async () => emptyResult(both) }));
    await h.topics.save(topic('Models', 'models'));
    // Left by a removed "Diffusion" whose removal never cleaned up.
    await h.posted.setMany('10', both.map((p) => ({ paperId: p.id, record: { state: 'pending' as const, topic: 'Diffusion', topicVersion: `${START - 5}.0`, at: START - 5, nonce: 'n' } })));
    const report = await h.runner.runNow('refresh');
    expect(report?.topics).toMatchObject([{ name: 'Models', posted: 2 }]);
    expect(await pendingIn(h, '10')).toEqual([]);
  });

  it('given a new query or channel, the old version’s pending posts are dropped with the change', async () => {
    const h = (current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' }, fetch: async () => emptyResult(both), failing: () => true }));
    await h.topics.save(topic('Diffusion', 'diffusion'));
    await h.runner.runNow('refresh');
    expect(await pendingIn(h, '10')).toHaveLength(2);
    const moved = await h.topics.update('1', 'Diffusion', (t) => ({ ...t, channelId: '11' }));
    expect(moved?.revision).toBe(1);
    expect(await pendingIn(h, '10')).toEqual([]);
  });
});

describe('pending posts written before topics had versions', () => {
  const paper = (id: string, title: string): Paper =>
    normalizePaper({ id, title, abstract: `We study ${title.toLowerCase()}.`, published: '2026-03-01', sources: ['hf'] });
  const both = [paper('2603.00001', 'Diffusion models for robots'), paper('2603.00002', 'Diffusion models for graphs')];

  it('are not taken over by a topic of the same name created after them', async () => {
    const h = (current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' }, fetch: async () => emptyResult(both) }));
    // An old "Diffusion" left these before records carried a topic version; a new one is created now.
    await h.posted.setMany('10', both.map((p) => ({ paperId: p.id, record: { state: 'pending' as const, topic: 'Diffusion', at: START - 86_400_000, nonce: 'n' } })));
    await h.topics.save({ guildId: '1', name: 'diffusion', query: 'diffusion', channelId: '10', status: 'active', maxPerRun: 5, digest: true, createdBy: '2', createdAt: START, since: START });
    await h.runner.runNow('refresh');
    expect(h.deliveries.flatMap((d) => d.work.pending)).toEqual([]);
  });

  it('are still sent by the topic that wrote them', async () => {
    const h = (current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' }, fetch: async () => emptyResult(both) }));
    await h.topics.save({ guildId: '1', name: 'Diffusion', query: 'diffusion', channelId: '10', status: 'active', maxPerRun: 5, digest: true, createdBy: '2', createdAt: START - 2 * 86_400_000, since: START - 1 });
    await h.posted.setMany('10', both.map((p) => ({ paperId: p.id, record: { state: 'pending' as const, topic: 'Diffusion', at: START - 86_400_000, nonce: 'n' } })));
    await h.runner.runNow('refresh');
    expect(h.deliveries.flatMap((d) => d.work.pending.map((p) => p.paper.id))).toEqual(['2603.00001', '2603.00002']);
  });
});

describe('a stored query the parser no longer accepts', () => {
  it('pauses its topic with the reason and tells the server, instead of failing every run', async () => {
    const h = (current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' } }));
    // Saved by an older version, which allowed any number of cat: filters.
    const query = 'diffusion cat:cs.CL cat:cs.LG cat:cs.AI cat:cs.CV cat:cs.RO cat:cs.IR cat:stat.ML';
    await h.topics.save({ guildId: '1', name: 'wide', query, channelId: '10', status: 'active', maxPerRun: 5, digest: true, createdBy: '2', createdAt: START });
    const report = await h.runner.runNow('refresh');
    expect(report?.topics).toEqual([expect.objectContaining({ name: 'wide', paused: expect.stringMatching(/^its query is no longer valid: .*cat:/) })]);
    expect(await h.topics.get('1', 'wide')).toMatchObject({ status: 'paused', pausedReason: expect.stringContaining('/topic edit'), pauseNotified: true });
    expect(h.logs().filter((l) => l.msg === 'topic failed this run')).toEqual([]);
  });
});

describe('a topic changing while a run works on it', () => {
  const paper = (id: string, title: string, published = '2026-03-01'): Paper =>
    normalizePaper({ id, title, abstract: `We study ${title.toLowerCase()}.`, published, sources: ['hf'] });
  const fresh = (name: string, query: string): Topic => ({
    guildId: '1', name, query, channelId: '10', status: 'active', maxPerRun: 5, digest: true, createdBy: '2', createdAt: START - 1,
  });
  const delivered = (h: Harness) => h.deliveries.flatMap((d) => d.work.pending.map((p) => p.paper.id));

  it('given the query is edited during the first run, the new query keeps its backfill', async () => {
    const papers = [paper('2603.00001', 'Diffusion for robots'), paper('2603.00002', 'Graph networks')];
    const base = createTopics(createMemoryStore());
    let edits = 0;
    // The admin's /topic edit lands right after the run read the topics, before it planned.
    const racing: Topics = {
      ...base,
      async all() {
        const list = await base.all();
        if (edits++ === 0) await base.update('1', 'ML', (t) => applyTopicEdit(t, { query: 'graph' }).topic);
        return list;
      },
    };
    const h = (current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' }, fetch: async () => emptyResult(papers), topics: racing }));
    await base.save(fresh('ML', 'diffusion'));
    await h.runner.runNow('refresh');
    // Nothing planned for the old query is sent, and its `since` is not written over the new query.
    expect(delivered(h)).toEqual([]);
    expect(await base.get('1', 'ML')).toMatchObject({ query: 'graph', revision: 1 });
    expect((await base.get('1', 'ML'))?.since).toBeUndefined();

    await h.runner.runNow('refresh');
    expect(delivered(h)).toEqual(['2603.00002']);
    expect((await base.get('1', 'ML'))?.since).toBe(START);
  });

  it('given a crash between the outbox and `since` (a store without transactions), the next run sends that backfill and chooses no second one', async () => {
    const papers = Array.from({ length: 7 }, (_, i) => paper(`2603.0000${i + 1}`, `Diffusion study ${i + 1}`, `2026-02-2${i + 1}`));
    const store = createMemoryStore<Topic | string[]>();
    let crash = true;
    // The process dies as the topic's `since` is written, after the outbox.
    const dies = (values: (Topic | string[])[]) => {
      if (crash && values.some((value) => !Array.isArray(value) && value.since !== undefined)) {
        crash = false;
        throw new Error('killed');
      }
    };
    const crashing: KeyValueStore<Topic | string[]> = {
      ...store,
      async set(key, value) {
        dies([value]);
        return store.set(key, value);
      },
      async setMany(entries) {
        dies(entries.map((e) => e.value));
        return store.setMany(entries);
      },
    };
    const topics = createTopics(crashing);
    const h = (current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' }, fetch: async () => emptyResult(papers), topics }));
    await topics.save(fresh('Diffusion', 'diffusion'));
    const first = await h.runner.runNow('refresh');
    expect(first?.topics).toEqual([]);
    expect(h.logs().some((l) => l.msg === 'topic failed this run')).toBe(true);
    expect(await h.posted.pendingIds('10')).toHaveLength(5);

    await h.runner.runNow('refresh');
    await h.runner.runNow('refresh');
    // The five newest, once: the two older matches were never part of the backfill.
    expect(delivered(h).sort()).toEqual(['2603.00003', '2603.00004', '2603.00005', '2603.00006', '2603.00007']);
    expect((await topics.get('1', 'Diffusion'))?.since).toBe(START);
  });
});

describe('matches over max_per_run with the digest off', () => {
  it('counts what waits and, once a match falls out of the recent window before the next run, what expired unposted; /topic list shows both', async () => {
    const papers = Array.from({ length: 5 }, (_, i) =>
      normalizePaper({ id: `2603.0000${i + 1}`, title: `Diffusion study ${i + 1}`, abstract: 'We study diffusion.', published: `2026-02-2${i + 1}`, sources: ['hf'] }),
    );
    let fetched = 0;
    const h = (current = harness({ interval: { kind: 'every', ms: 3 * 86_400_000, text: '3d' }, fetch: async () => emptyResult(fetched++ === 0 ? papers : []) }));
    await h.topics.save({ guildId: '1', name: 'Diffusion', query: 'diffusion', channelId: '10', status: 'active', maxPerRun: 1, digest: false, createdBy: '2', createdAt: START - 2, since: START - 1 });
    h.runner.start();
    await settle(() => runsDone(h) === 1 && h.time.pending() === 1);
    expect((await h.topics.get('1', 'Diffusion'))?.backlog).toMatchObject({ waiting: 4, expired: 0 });
    h.time.fireNext(); // day 3
    await settle(() => runsDone(h) === 2 && h.time.pending() === 1);
    h.time.fireNext(); // day 6: the next run, day 9, is past the 7 days of the two left
    await settle(() => runsDone(h) === 3 && h.time.pending() === 1);
    const topic = (await h.topics.get('1', 'Diffusion'))!;
    expect(topic.backlog).toMatchObject({ waiting: 0, expired: 2 });
    expect(h.deliveries.flatMap((d) => d.work.pending.map((p) => p.paper.id))).toEqual(['2603.00001', '2603.00002', '2603.00003']);
    h.time.fireNext(); // day 9: nothing to count twice
    await settle(() => runsDone(h) === 4);
    expect((await h.topics.get('1', 'Diffusion'))?.backlog).toMatchObject({ waiting: 0, expired: 2 });

    const list = renderTopicList({ topics: [topic], offset: 0, total: 1 });
    expect(list.embeds?.[0]?.fields?.[0]?.value).toContain('**Waiting** 0 · **expired unposted** 2 (older than 7 days): raise max per run or turn the digest on');
  });
});
