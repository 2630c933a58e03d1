import type { Client } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createMessagePapers } from '../../src/core/bookmarks.js';
import { createLibrary } from '../../src/core/library.js';
import { createPaperIndex } from '../../src/core/search/paper-index.js';
import { createPostedPapers, createSeenPapers } from '../../src/core/topic-posts.js';
import { createTopics, type Topics } from '../../src/core/topics.js';
import { createLogger } from '../../src/logger.js';
import type { Source, SourceResult } from '../../src/feeds/source.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import type { PollSchedule } from '../../src/core/poll-interval.js';
import { createTopicRunner, type ScheduledTopicRunner } from '../../src/app/topic-runner.js';

/**
 * The schedule itself, without Discord: runs happen on time, never two at once, a failing run
 * does not end the schedule, and stop() ends a run at its next safe point. No topics exist, so
 * nothing is ever posted (the client is never touched).
 */

function emptyResult(): SourceResult {
  return { source: 'hf', papers: [], skipped: [], ignored: 0, notModified: 0, requests: 1, failures: [], commit: async () => {} };
}

type Harness = { runner: ScheduledTopicRunner; fetches: () => number; fetchTimes: number[]; logs: () => Record<string, unknown>[] };

function harness(options: { interval: PollSchedule; fetch?: () => Promise<SourceResult>; topics?: Topics }): Harness {
  let fetches = 0;
  const fetchTimes: number[] = [];
  const lines: string[] = [];
  const source: Source = {
    name: 'hf',
    fetch: () => {
      fetches++;
      fetchTimes.push(performance.now());
      return options.fetch ? options.fetch() : Promise.resolve(emptyResult());
    },
  };
  const runner = createTopicRunner({
    client: {} as Client,
    library: createLibrary({ papers: createMemoryStore(), aliases: createMemoryStore(), meta: createMemoryStore() }),
    index: createPaperIndex(),
    topics: options.topics ?? createTopics(createMemoryStore()),
    seen: createSeenPapers(createMemoryStore()),
    posted: createPostedPapers(createMemoryStore()),
    messages: createMessagePapers(createMemoryStore()),
    sources: [source],
    logger: createLogger('info', { write: (line: string) => void lines.push(line) }),
    clock: { now: () => Date.parse('2026-03-02T09:00:00Z') },
    interval: options.interval,
  });
  return {
    runner,
    fetches: () => fetches,
    fetchTimes,
    logs: () => lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `done` until it holds or `ms` passed (a loaded machine delays timers). */
async function eventually(done: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(5);
}

let current: Harness | undefined;
afterEach(async () => {
  await current?.runner.stop();
  current = undefined;
});

describe('the topic schedule', () => {
  it('runs once at start, then every interval, counted from the end of the previous run', async () => {
    const h = harness({ interval: { kind: 'every', ms: 40, text: '40ms' } });
    current = h;
    h.runner.start();
    h.runner.start(); // a second start changes nothing
    await eventually(() => h.logs().filter((l) => l.msg === 'topic run done').length >= 3);
    expect(h.fetches()).toBeGreaterThanOrEqual(3);
    expect(h.fetchTimes[1]! - h.fetchTimes[0]!).toBeGreaterThanOrEqual(39);
    expect(h.fetchTimes[2]! - h.fetchTimes[1]!).toBeGreaterThanOrEqual(39);
    expect(h.logs().filter((l) => l.msg === 'topic run done').map((l) => l.reason).slice(0, 3)).toEqual(['startup', 'schedule', 'schedule']);
  });

  it('keeps going after a run that throws, and logs it', async () => {
    let calls = 0;
    const topics = createTopics(createMemoryStore());
    const failing: Topics = {
      ...topics,
      all: () => (++calls === 1 ? Promise.reject(new Error('store unavailable')) : topics.all()),
    };
    current = harness({ interval: { kind: 'every', ms: 30, text: '30ms' }, topics: failing });
    current.runner.start();
    await eventually(() => calls >= 2 && current!.logs().some((l) => l.msg === 'topic run done'));
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(current.logs().filter((l) => l.msg === 'topic run failed')).toHaveLength(1);
    expect(current.logs().filter((l) => l.msg === 'topic run done').length).toBeGreaterThanOrEqual(1);
  });

  it('never starts a second run while one is running', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    current = harness({ interval: { kind: 'every', ms: 60_000, text: '1m' }, fetch: () => gate.then(emptyResult) });
    const first = current.runner.runNow('refresh');
    expect(await current.runner.runNow('refresh')).toBeUndefined();
    expect(await current.runner.runNow('schedule')).toBeUndefined();
    release();
    expect(await first).toMatchObject({ sources: [{ name: 'hf', ok: true, papers: 0 }], added: 0, topics: [] });
    expect(current.fetches()).toBe(1);
  });

  it('given stop() while a source hangs, ends the run at once and runs no more', async () => {
    current = harness({ interval: { kind: 'every', ms: 30, text: '30ms' }, fetch: () => new Promise<SourceResult>(() => {}) });
    current.runner.start();
    await sleep(10);
    const started = performance.now();
    await current.runner.stop();
    expect(performance.now() - started).toBeLessThan(1000); // not waiting for the fetch, which never ends
    await sleep(100);
    expect(current.fetches()).toBe(1);
    expect(await current.runner.runNow('refresh')).toBeUndefined();
  });
});
