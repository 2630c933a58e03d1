import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAlertRunner } from '../../src/app/alert-runner.js';
import { createTopicRunner } from '../../src/app/topic-runner.js';
import { addAlert, createAlertStores, type AlertDelivery } from '../../src/core/alerts.js';
import { createLibrary, type LibraryChange } from '../../src/core/library.js';
import { normalizePaper } from '../../src/core/paper.js';
import type { TopicDelivery } from '../../src/core/topic-delivery-port.js';
import { createPostedPapers, createSeenPapers } from '../../src/core/topic-posts.js';
import { createTopics } from '../../src/core/topics.js';
import type { SourceResult } from '../../src/feeds/source.js';
import { createLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

/**
 * A scaled-out bot: two processes' topic runners on one shared store, one of them leading
 * ingestion. A member's alerts belong to no server, so only the leader may DM them (README: "a
 * scaled-out bot DMs once").
 */

const START = Date.parse('2026-03-02T09:00:00Z');
const logger = createLogger('warn', new Writable({ write: (_chunk, _encoding, done) => done() }));

describe('alerts on a scaled-out bot', () => {
  it('given two processes on one store, only the one leading ingestion sends alert DMs, even while the leader’s DM is still pending', async () => {
    let now = START;
    const clock = { now: () => now };
    // One store, as PostgreSQL or Redis is for every process.
    const shared = {
      library: createLibrary({ papers: createMemoryStore(), aliases: createMemoryStore(), meta: createMemoryStore(), changes: createMemoryStore<LibraryChange>() }),
      seen: createSeenPapers(createMemoryStore()),
      posted: createPostedPapers(createMemoryStore()),
      topics: createTopics(createMemoryStore()),
      alerts: createAlertStores({ alerts: createMemoryStore(), alert_posts: createMemoryStore() }),
    };
    await shared.alerts.users.update('901', (current) => addAlert(current, '901', { query: 'diffusion', mode: 'instant' }, START - 60_000).user);
    const papers = [1, 2].map((n) => normalizePaper({ id: `2603.0000${n}`, title: `Diffusion paper ${n}`, abstract: 'About diffusion.', sources: ['hf'] }));
    const result: SourceResult = { source: 'hf', papers, skipped: [], ignored: 0, notModified: 0, requests: 1, failures: [], commit: async () => {} };
    const noTopics: TopicDelivery = { deliver: async () => ({ posted: 0, digested: 0, edited: 0 }), notifyPaused: async () => true };

    // The leader's DM is held at Discord until the follower has run: its records stay pending meanwhile.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const sends = { leader: 0, follower: 0 };
    const process = (name: 'leader' | 'follower') => {
      const delivery: AlertDelivery = {
        async send() {
          sends[name]++;
          if (name === 'leader') await held;
          return { kind: 'sent', messageId: `${name}-${sends[name]}` };
        },
        greet: async () => ({ kind: 'sent', messageId: 'greet' }),
      };
      return createTopicRunner({
        delivery: noTopics,
        library: shared.library,
        ingest: async (found) => {
          const upserted = await shared.library.upsertMany([...found]);
          return { added: upserted.added, updated: upserted.updated, unchanged: upserted.unchanged, sampleRemoved: 0 };
        },
        syncIndex: async () => {},
        leads: () => name === 'leader',
        topics: shared.topics,
        seen: shared.seen,
        posted: shared.posted,
        sources: [{ name: 'hf', fetch: async () => result }],
        logger,
        clock,
        interval: { kind: 'every', ms: 30 * 60_000, text: '30m' },
        alerts: createAlertRunner({ alerts: shared.alerts.users, records: shared.alerts.records, delivery, clock, logger }),
      });
    };
    const leader = process('leader');
    const follower = process('follower');

    const leaderRun = leader.runNow('refresh');
    await expect.poll(() => sends.leader).toBe(1);
    now += 60_000;
    await follower.runNow('refresh');
    release();
    await leaderRun;
    now += 30 * 60_000;
    await follower.runNow('refresh');
    await leader.runNow('refresh');

    expect(sends).toEqual({ leader: 1, follower: 0 });
    const records = await shared.alerts.records.getMany('901', '1', papers.map((p) => p.id));
    expect([...records.values()].map((r) => [r.state, r.messageId])).toEqual([
      ['sent', 'leader-1'],
      ['sent', 'leader-1'],
    ]);
  }, 30_000);
});
