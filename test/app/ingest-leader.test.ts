import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createIndexFollower } from '../../src/app/index-follower.js';
import { createIngestLeadership, createProcessRoles, INGEST_LEASE } from '../../src/app/ingest-leader.js';
import { createTopicRunner } from '../../src/app/topic-runner.js';
import { createLibrary, type LibraryChange } from '../../src/core/library.js';
import { normalizePaper } from '../../src/core/paper.js';
import type { DeliveryResult, TopicDelivery } from '../../src/core/topic-delivery-port.js';
import { createPostedPapers, createSeenPapers, type PostRecord } from '../../src/core/topic-posts.js';
import { createTopics } from '../../src/core/topics.js';
import type { SourceResult } from '../../src/feeds/source.js';
import { createLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { openStorage, type Storage } from '../../src/storage/open-storage.js';

const quiet = createLogger('warn', { write: () => {} });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sqliteStorage(): Promise<Storage> {
  const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-leader-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const storage = await openStorage(`sqlite://${dir}/store.sqlite`);
  cleanups.push(() => storage.close());
  return storage;
}

async function until(done: () => boolean, ms: number): Promise<number> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await sleep(10);
  }
  return Date.now() - started;
}

describe('ingestion leadership', () => {
  it('given two processes on one lease, lets the first lead, and hands over at once when it stops cleanly', async () => {
    const storage = await sqliteStorage();
    let secondLed = 0;
    const first = createIngestLeadership({ lease: storage.lease(INGEST_LEASE, 'first', 600), logger: quiet });
    const second = createIngestLeadership({ lease: storage.lease(INGEST_LEASE, 'second', 600), logger: quiet, onLead: () => secondLed++ });
    cleanups.push(() => first.stop(), () => second.stop());
    await first.start();
    await second.start();
    expect([first.leads(), second.leads()]).toEqual([true, false]);
    // Renewed while held: still the leader well past one ttl.
    await sleep(900);
    expect([first.leads(), second.leads()]).toEqual([true, false]);
    await first.stop();
    expect(await storage.lease(INGEST_LEASE, 'probe', 600).holder()).toBeUndefined();
    // The follower asks every ttl/3.
    expect(await until(() => second.leads(), 600)).toBeLessThanOrEqual(600);
    expect(secondLed).toBe(1);
  });

  it('given a leader that stops renewing without releasing (it died), another leads within 4/3 of the ttl', async () => {
    const storage = await sqliteStorage();
    const ttl = 450;
    expect(await storage.lease(INGEST_LEASE, 'dead', ttl).acquire()).toBe(true);
    const died = Date.now();
    const next = createIngestLeadership({ lease: storage.lease(INGEST_LEASE, 'next', ttl), logger: quiet });
    cleanups.push(() => next.stop());
    await next.start();
    expect(next.leads()).toBe(false);
    await until(() => next.leads(), 2 * ttl);
    expect(Date.now() - died).toBeLessThanOrEqual((4 / 3) * ttl + 100);
  });

  it('stops believing it leads once a renewal is overdue, even when the store does not answer', async () => {
    const storage = await sqliteStorage();
    let answering = true;
    const real = storage.lease(INGEST_LEASE, 'a', 300);
    const lease = { ...real, acquire: () => (answering ? real.acquire() : new Promise<boolean>(() => {})) };
    const leadership = createIngestLeadership({ lease, logger: quiet });
    await leadership.start();
    expect(leadership.leads()).toBe(true);
    answering = false;
    await sleep(350);
    expect(leadership.leads()).toBe(false);
  });

  it('given the wall clock stepped back an hour, stops believing it leads once the ttl has passed on the monotonic clock', async () => {
    let wall = Date.parse('2026-12-06T12:00:00Z');
    let monotonic = 1_000;
    let answers = 0;
    const lease = {
      name: INGEST_LEASE,
      owner: 'a',
      ttlMs: 300,
      // Answers once (taken), then the store goes quiet: no renewal ever comes back.
      acquire: () => (answers++ === 0 ? Promise.resolve(true) : new Promise<boolean>(() => {})),
      renew: async () => false,
      release: async () => {},
      holder: async () => undefined,
    };
    // Handed a wall clock too (as the leadership once used): it must not be consulted.
    const deps = { lease, clock: { now: () => wall }, monotonic: () => monotonic, timers: { setTimeout: () => 0, clearTimeout: () => {} }, logger: quiet };
    const leadership = createIngestLeadership(deps);
    await leadership.start();
    expect(leadership.leads()).toBe(true);
    wall -= 3_600_000;
    monotonic += 299;
    expect(leadership.leads()).toBe(true);
    monotonic += 1;
    expect(leadership.leads()).toBe(false);
  });

  it('on SQLite (one process) leads always, with no lease and no follower loop', async () => {
    const storage = await sqliteStorage();
    let syncs = 0;
    const roles = createProcessRoles({ storage, syncIndex: async () => void syncs++, logger: quiet, indexSyncMs: 10 });
    await roles.start();
    await sleep(50);
    expect(roles.leads()).toBe(true);
    expect(syncs).toBe(0);
    expect(await storage.lease(INGEST_LEASE, 'probe', 600).holder()).toBeUndefined();
    await roles.stop();
  });
});

describe('the index follower', () => {
  it('syncs every interval, one at a time, and goes on after a failure', async () => {
    let syncs = 0;
    let concurrent = 0;
    let most = 0;
    const follower = createIndexFollower({
      async syncIndex() {
        syncs++;
        concurrent++;
        most = Math.max(most, concurrent);
        await sleep(15);
        concurrent--;
        if (syncs === 2) throw new Error('store away');
      },
      intervalMs: 5,
      timers: { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) },
      logger: quiet,
    });
    follower.start();
    await until(() => syncs >= 4, 2_000);
    await follower.stop();
    const after = syncs;
    await sleep(50);
    expect(syncs).toBe(after);
    expect(most).toBe(1);
  });
});

describe('the topic runner of a process that does not lead', () => {
  it('fetches no source, yet delivers the papers the leader stored and marked seen', async () => {
    const START = Date.parse('2026-03-02T09:00:00Z');
    const paper = normalizePaper({ id: '2603.00001', title: 'Diffusion for robots', abstract: 'We study diffusion.', published: '2026-03-01', sources: ['hf'] });
    const library = createLibrary({ papers: createMemoryStore(), aliases: createMemoryStore(), meta: createMemoryStore(), changes: createMemoryStore<LibraryChange>() });
    const topics = createTopics(createMemoryStore());
    const posted = createPostedPapers(createMemoryStore<PostRecord | string[]>());
    const seen = createSeenPapers(createMemoryStore());
    await topics.save({ guildId: '1', name: 'diffusion', query: 'diffusion', channelId: '100', status: 'active', maxPerRun: 5, digest: true, createdBy: '2', createdAt: START });
    // What the leader did in its run: stored the paper and marked it seen.
    await library.upsertMany([paper]);
    await seen.markSeen([paper.id], START);

    let fetches = 0;
    const delivered: string[] = [];
    const delivery: TopicDelivery = {
      async deliver(_topic, work): Promise<DeliveryResult> {
        delivered.push(...work.pending.map(({ paper: p }) => p.id));
        return { posted: work.pending.length, digested: 0, edited: 0 };
      },
      notifyPaused: async () => true,
    };
    const result: SourceResult = { source: 'hf', papers: [paper], skipped: [], ignored: 0, notModified: 0, requests: 1, failures: [], commit: async () => {} };
    let leading = false;
    const runner = createTopicRunner({
      delivery,
      library,
      ingest: async (papers) => ({ ...(await library.upsertMany([...papers])), sampleRemoved: 0 }),
      syncIndex: async () => {},
      leads: () => leading,
      topics,
      seen,
      posted,
      sources: [{ name: 'hf', fetch: async () => (fetches++, result) }],
      logger: quiet,
      clock: { now: () => START },
      interval: { kind: 'every', ms: 60_000, text: '1m' },
    });
    const report = await runner.runNow('refresh');
    expect(fetches).toBe(0);
    expect(report?.sources).toEqual([]);
    expect(delivered).toEqual([paper.id]);
    leading = true;
    await runner.runNow('refresh');
    expect(fetches).toBe(1);
  });

  it('edits the cards of papers the leader changed since its previous run, in the servers it delivers to', async () => {
    const START = Date.parse('2026-03-02T09:00:00Z');
    const paper = normalizePaper({ id: '2603.00001', title: 'Diffusion for robots', abstract: 'We study diffusion.', published: '2026-03-01', sources: ['hf'] });
    const library = createLibrary({ papers: createMemoryStore(), aliases: createMemoryStore(), meta: createMemoryStore(), changes: createMemoryStore<LibraryChange>() });
    const topics = createTopics(createMemoryStore());
    const posted = createPostedPapers(createMemoryStore<PostRecord | string[]>());
    const seen = createSeenPapers(createMemoryStore());
    await topics.save({ guildId: '1', name: 'diffusion', query: 'diffusion', channelId: '100', status: 'active', maxPerRun: 5, digest: true, createdBy: '2', createdAt: START, since: START - 1 });
    await library.upsertMany([paper]);
    await seen.markSeen([paper.id], START);
    await posted.set('100', paper.id, { state: 'sent', topic: 'diffusion', at: START, nonce: 'n', messageId: '900', cardHash: 'before' });

    const edits: string[][] = [];
    const runner = createTopicRunner({
      delivery: {
        async deliver(_topic, work): Promise<DeliveryResult> {
          edits.push(work.edits.map((e) => `${e.paper.id}:${e.paper.upvotes ?? 0}`));
          return { posted: 0, digested: 0, edited: work.edits.length };
        },
        notifyPaused: async () => true,
      },
      library,
      ingest: () => Promise.reject(new Error('a process that does not lead never ingests')),
      syncIndex: async () => {},
      leads: () => false,
      topics,
      seen,
      posted,
      sources: [],
      logger: quiet,
      clock: { now: () => START },
      interval: { kind: 'every', ms: 60_000, text: '1m' },
    });
    await runner.runNow('refresh');
    // The leader, in another process, merges new upvotes into the paper.
    await library.upsertMany([{ ...paper, upvotes: 42 }]);
    await runner.runNow('refresh');
    await runner.runNow('refresh');
    expect(edits).toEqual([[], [`${paper.id}:42`], []]);
  });
});
