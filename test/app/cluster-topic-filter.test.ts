import { describe, expect, it } from 'vitest';
import { createTopicRunner } from '../../src/app/topic-runner.js';
import { createLibrary, type LibraryChange } from '../../src/core/library.js';
import { normalizePaper } from '../../src/core/paper.js';
import { ownsGuildOf, shardOf } from '../../src/core/shard-of.js';
import type { DeliveryResult, TopicDelivery } from '../../src/core/topic-delivery-port.js';
import { createPostedPapers, createSeenPapers, type PostRecord } from '../../src/core/topic-posts.js';
import { createTopics, type Topic } from '../../src/core/topics.js';
import type { SourceResult } from '../../src/feeds/source.js';
import { createLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

const START = Date.parse('2026-03-02T09:00:00Z');
/** Guild ids whose timestamp bits are 10^11 + n, so guild n is on shard n % 2 of 2. */
const guildId = (n: number) => (((100_000_000_000n + BigInt(n)) << 22n) | 1n).toString();

/**
 * Two clusters share one store (as on PostgreSQL or Redis): each runner sees every topic, and
 * with the shard filter each delivers only the topics of the servers its shards own.
 */
describe('the topic runner in a cluster', () => {
  it('given shards 0 and 1 of 2 in two runners on one store, delivers each topic exactly once, by the runner owning its server', async () => {
    const paper = normalizePaper({ id: '2603.00001', title: 'Diffusion for robots', abstract: 'We study diffusion.', published: '2026-03-01', sources: ['hf'] });
    const stores = {
      library: createLibrary({ papers: createMemoryStore(), aliases: createMemoryStore(), meta: createMemoryStore(), changes: createMemoryStore<LibraryChange>() }),
      topics: createTopics(createMemoryStore()),
      posted: createPostedPapers(createMemoryStore<PostRecord | string[]>()),
      seen: createSeenPapers(createMemoryStore()),
    };
    const guilds = [0, 1, 2, 3].map(guildId);
    expect(guilds.map((g) => shardOf(g, 2))).toEqual([0, 1, 0, 1]);
    for (const [i, g] of guilds.entries()) {
      await stores.topics.save({ guildId: g, name: 'diffusion', query: 'diffusion', channelId: `10${i}`, status: 'active', maxPerRun: 5, digest: true, createdBy: '2', createdAt: START });
    }

    const delivered: { shard: number; guildId: string }[] = [];
    const runnerFor = (shard: number) => {
      const delivery: TopicDelivery = {
        async deliver(topic: Topic, work): Promise<DeliveryResult> {
          delivered.push({ shard, guildId: topic.guildId });
          await stores.posted.setMany(
            topic.channelId,
            work.pending.map(({ paper: p, record }) => ({ paperId: p.id, record: { ...record, state: 'sent', messageId: `m-${p.id}` } })),
          );
          return { posted: work.pending.length, digested: 0, edited: 0 };
        },
        notifyPaused: async () => true,
      };
      const result: SourceResult = { source: 'hf', papers: [paper], skipped: [], ignored: 0, notModified: 0, requests: 1, failures: [], commit: async () => {} };
      return createTopicRunner({
        delivery,
        library: stores.library,
        ingest: async (papers) => {
          const r = await stores.library.upsertMany([...papers]);
          return { added: r.added, updated: r.updated, unchanged: r.unchanged, sampleRemoved: 0 };
        },
        syncIndex: async () => {},
        topics: stores.topics,
        seen: stores.seen,
        posted: stores.posted,
        sources: [{ name: 'hf', fetch: async () => result }],
        logger: createLogger('warn', { write: () => {} }),
        clock: { now: () => START },
        interval: { kind: 'every', ms: 60_000, text: '1m' },
        ownsGuild: ownsGuildOf([shard], 2),
      });
    };

    await runnerFor(0).runNow('refresh');
    await runnerFor(1).runNow('refresh');
    expect(delivered.sort((a, b) => a.guildId.localeCompare(b.guildId))).toEqual(guilds.map((g) => ({ shard: shardOf(g, 2), guildId: g })));
  });
});
