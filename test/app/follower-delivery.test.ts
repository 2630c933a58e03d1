import { afterEach, describe, expect, it } from 'vitest';
import { createFollowerDelivery, createIndexFollower } from '../../src/app/index-follower.js';
import { createTopicRunner, type ScheduledTopicRunner, type Timers } from '../../src/app/topic-runner.js';
import { createLibrary, type LibraryChange, type LibraryStores } from '../../src/core/library.js';
import { normalizePaper, type Paper } from '../../src/core/paper.js';
import { createPostedPapers, createSeenPapers, type PostRecord } from '../../src/core/topic-posts.js';
import { createTopics } from '../../src/core/topics.js';
import type { DeliveryResult, TopicDelivery } from '../../src/core/topic-delivery-port.js';
import type { SourceResult } from '../../src/feeds/source.js';
import { createLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

/**
 * Scale-out without Discord or processes: two topic runners on one set of stores (as two
 * clusters on one PostgreSQL), a leader that fetches and a follower that does not, driven by
 * one manual clock. The follower's index follower is composed as in start-bot.ts.
 */

const START = Date.parse('2026-03-02T09:00:00Z');
const POLL_MS = 30 * 60_000;
const SYNC_MS = 3_000;

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

async function settle(done: () => boolean, turns = 2_000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!done()) throw new Error('did not settle');
}

const paper = (id: string, title: string): Paper =>
  normalizePaper({ id, title, abstract: `We study ${title.toLowerCase()}.`, published: '2026-03-01', sources: ['hf'] });

function sharedStores() {
  const stores: LibraryStores = { papers: createMemoryStore<Paper>(), aliases: createMemoryStore<string>(), meta: createMemoryStore(), changes: createMemoryStore<LibraryChange>() };
  const posted = createPostedPapers(createMemoryStore<PostRecord | string[]>());
  return { stores, posted, seen: createSeenPapers(createMemoryStore()), topics: createTopics(createMemoryStore()) };
}

const stoppers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stoppers.splice(0)) await stop();
});

describe('a process that does not lead ingestion', () => {
  it('delivers a paper the leader merged within two index syncs, not at its next poll', async () => {
    const time = manualTime();
    const shared = sharedStores();
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    let feed: Paper[] = [];
    const sent: { process: string; paperId: string; at: number }[] = [];

    function runner(name: 'leader' | 'follower'): ScheduledTopicRunner {
      const library = createLibrary(shared.stores);
      const delivery: TopicDelivery = {
        async deliver(topic, work): Promise<DeliveryResult> {
          for (const { paper: p } of work.pending) sent.push({ process: name, paperId: p.id, at: time.clock.now() });
          await shared.posted.setMany(
            topic.channelId,
            work.pending.map(({ paper: p, record }) => ({ paperId: p.id, record: { ...record, state: 'sent', messageId: `m-${p.id}` } })),
          );
          return { posted: work.pending.length, digested: 0, edited: 0 };
        },
        notifyPaused: async () => true,
      };
      const result = (papers: Paper[]): SourceResult => ({ source: 'hf', papers, skipped: [], ignored: 0, notModified: 0, requests: 1, failures: [], commit: async () => {} });
      const created = createTopicRunner({
        delivery,
        library,
        ingest: async (papers) => ({ ...(await library.upsertMany([...papers])), sampleRemoved: 0 }),
        syncIndex: async () => {},
        leads: () => name === 'leader',
        topics: shared.topics,
        seen: shared.seen,
        posted: shared.posted,
        sources: [{ name: 'hf', fetch: async () => result(feed) }],
        logger: logger.child({ process: name }),
        clock: time.clock,
        timers: time.timers,
        interval: { kind: 'every', ms: POLL_MS, text: '30m' },
        // The topic's server is on the follower's shards.
        ownsGuild: () => name === 'follower',
      });
      stoppers.push(() => created.stop());
      return created;
    }

    await shared.topics.save({ guildId: '1', name: 'diffusion', query: 'diffusion', channelId: '10', status: 'active', maxPerRun: 5, digest: false, createdBy: '2', createdAt: START - 60_000, since: START - 60_000 });
    const leader = runner('leader');
    const follower = runner('follower');
    // As start-bot.ts composes them for a process on a shared store.
    const followerDelivery = createFollowerDelivery({ revision: () => createLibrary(shared.stores).revision(), leads: () => false, deliver: () => follower.runNow('schedule') });
    const indexFollower = createIndexFollower({ syncIndex: () => followerDelivery.afterSync(), intervalMs: SYNC_MS, timers: time.timers, logger });
    stoppers.push(() => indexFollower.stop());

    const runsDone = () => lines.filter((l) => l.includes('"topic run done"')).length;
    leader.start();
    follower.start();
    indexFollower.start();
    await settle(() => runsDone() === 2);
    // A few syncs with nothing new: no runs beyond the startup ones.
    for (let i = 0; i < 3; i++) {
      time.fireNext();
      await settle(() => false, 50).catch(() => undefined);
    }
    expect(runsDone()).toBe(2);

    // The leader fetches (its own tick, or a /topic refresh) and merges a new paper.
    feed = [paper('2603.00001', 'Diffusion for robots')];
    const mergedAt = time.clock.now();
    await leader.runNow('schedule');
    expect(sent).toEqual([]); // the leader does not own the topic's server

    while (sent.length === 0 && time.clock.now() < mergedAt + POLL_MS) {
      time.fireNext();
      await settle(() => false, 50).catch(() => undefined);
    }
    expect(sent).toEqual([{ process: 'follower', paperId: '2603.00001', at: expect.any(Number) }]);
    expect(sent[0]!.at - mergedAt).toBeLessThanOrEqual(2 * SYNC_MS);
    // One triggered run, not one per sync.
    for (let i = 0; i < 5; i++) {
      time.fireNext();
      await settle(() => false, 50).catch(() => undefined);
    }
    expect(sent).toHaveLength(1);
    expect(lines.filter((l) => l.includes('"topic run done"') && l.includes('"process":"follower"'))).toHaveLength(2);
  });
});

describe('the follower delivery trigger', () => {
  const trigger = (state: { revision: number; leads: boolean; busy: boolean }, runs: number[]) =>
    createFollowerDelivery({
      revision: async () => state.revision,
      leads: () => state.leads,
      deliver: async () => {
        if (state.busy) return undefined;
        runs.push(state.revision);
        return {};
      },
    });

  it('waits for the library to hold still for one sync, and delivers once', async () => {
    const state = { revision: 5, leads: false, busy: false };
    const runs: number[] = [];
    const t = trigger(state, runs);
    await t.afterSync(); // first sight: the startup run covered it
    state.revision = 6;
    await t.afterSync();
    expect(runs).toEqual([]);
    await t.afterSync();
    await t.afterSync();
    expect(runs).toEqual([6]);
  });

  it('given a long import that moves the library every sync, still delivers every few syncs', async () => {
    const state = { revision: 1, leads: false, busy: false };
    const runs: number[] = [];
    const t = trigger(state, runs);
    await t.afterSync();
    for (let i = 0; i < 8; i++) {
      state.revision++;
      await t.afterSync();
      await Promise.resolve();
    }
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.length).toBeLessThanOrEqual(2);
  });

  it('given a run already going, asks again at the next sync; while leading, never', async () => {
    const state = { revision: 1, leads: false, busy: true };
    const runs: number[] = [];
    const t = trigger(state, runs);
    await t.afterSync();
    state.revision = 2;
    await t.afterSync();
    await t.afterSync(); // refused: a run was going
    await new Promise((resolve) => setImmediate(resolve));
    state.busy = false;
    await t.afterSync();
    expect(runs).toEqual([2]);

    state.leads = true;
    state.revision = 3;
    await t.afterSync();
    await t.afterSync();
    await t.afterSync();
    expect(runs).toEqual([2]);
  });
});
