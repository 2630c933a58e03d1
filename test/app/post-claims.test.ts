import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { createTopicRunner } from '../../src/app/topic-runner.js';
import { createLibrary } from '../../src/core/library.js';
import { normalizePaper } from '../../src/core/paper.js';
import type { DeliveryResult, TopicDelivery } from '../../src/core/topic-delivery-port.js';
import { createLogger } from '../../src/logger.js';
import { openStorage, type Storage } from '../../src/storage/open-storage.js';
import { createPostClaims, postClaimName } from '../../src/storage/post-claims.js';
import { libraryStores, openStores, openTopicStores } from '../../src/storage/stores.js';
import { createPostgresDatabase, createRedisPrefix, describeWithServer, findPostgres, findRedis } from '../storage/servers.js';

/**
 * Two processes delivering the same channel at once (two connections to one shared store, each
 * with its own topic runner): every pending post is sent by exactly one of them.
 */

const quiet = createLogger('warn', { write: () => {} });
const START = Date.parse('2026-03-02T09:00:00Z');
const CHANNEL = '300000000000000000';
const PAPERS = Array.from({ length: 4 }, (_, i) =>
  normalizePaper({ id: `2603.0000${i}`, title: `Diffusion paper ${i}`, abstract: 'About diffusion.', published: '2026-03-01', sources: ['hf'] }),
);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const servers = [
  { name: 'PostgreSQL', server: await findPostgres(), create: (url: string) => createPostgresDatabase(url) },
  { name: 'Redis', server: await findRedis(), create: async (url: string) => createRedisPrefix(url) },
];

for (const { name, server, create } of servers) {
  describeWithServer(`post claims on ${name}`, server, (serverUrl) => {
    async function twoProcesses(): Promise<[Storage, Storage]> {
      const store = await create(serverUrl);
      cleanups.push(store.drop);
      const open = async () => {
        const storage = await openStorage(store.url);
        cleanups.push(() => storage.close());
        return storage;
      };
      return [await open(), await open()];
    }

    /** A process's topic runner (not leading: it delivers what is stored) whose sends are recorded in `sent`. */
    function runnerOf(storage: Storage, owner: string, sent: string[]) {
      const stores = openStores(storage);
      const library = createLibrary(libraryStores(stores), { atomically: storage.atomically });
      const { topics, posted, seen } = openTopicStores(stores, storage);
      const delivery: TopicDelivery = {
        async deliver(_topic, work): Promise<DeliveryResult> {
          for (const { paper, record } of work.pending) {
            await sleep(20);
            sent.push(`${owner}:${paper.id}`);
            await posted.set(CHANNEL, paper.id, { ...record, state: 'sent', messageId: `m-${owner}-${paper.id}` });
          }
          return { posted: work.pending.length, digested: 0, edited: 0 };
        },
        notifyPaused: async () => true,
      };
      const runner = createTopicRunner({
        delivery,
        library,
        ingest: () => Promise.reject(new Error('not leading')),
        syncIndex: async () => {},
        leads: () => false,
        topics,
        seen,
        posted,
        sources: [],
        logger: quiet,
        clock: { now: () => START },
        interval: { kind: 'every', ms: 60_000, text: '1m' },
        claims: createPostClaims(storage, owner),
      });
      return { runner, library, topics, seen };
    }

    it('given two processes running the same channel’s topic at once, sends each paper once', async () => {
      const [a, b] = await twoProcesses();
      const sent: string[] = [];
      const first = runnerOf(a, 'a', sent);
      const second = runnerOf(b, 'b', sent);
      // What the leader stored: the papers, seen after the topic's `since`.
      await first.library.upsertMany(PAPERS);
      await first.seen.markSeen(PAPERS.map((p) => p.id), START - 1_000);
      await first.topics.save({ guildId: '1', name: 'diffusion', query: 'diffusion', channelId: CHANNEL, status: 'active', maxPerRun: 10, digest: false, createdBy: '2', createdAt: START - 60_000, since: START - 2_000 });

      await Promise.all([first.runner.runNow('refresh'), second.runner.runNow('refresh')]);
      const ids = sent.map((s) => s.split(':')[1]).sort();
      expect(ids).toEqual(PAPERS.map((p) => p.id).sort());
    });

    it('given a holder that lives, keeps its claim past the ttl; given one that died, frees it after the ttl', async () => {
      const [a, b] = await twoProcesses();
      const living = createPostClaims(a, 'a', 300);
      const other = createPostClaims(b, 'b', 300);
      expect([...(await living.claim(CHANNEL, ['p1']))]).toEqual(['p1']);
      await sleep(700);
      expect((await other.claim(CHANNEL, ['p1'])).size).toBe(0);
      await living.release(CHANNEL, ['p1']);
      // A process that claimed and was killed: nothing renews its claim, which is free once the ttl has run out.
      expect(await a.lease(postClaimName(CHANNEL, 'p3'), 'dead', 300).acquire()).toBe(true);
      expect((await other.claim(CHANNEL, ['p3'])).size).toBe(0);
      await sleep(400);
      expect([...(await other.claim(CHANNEL, ['p3']))]).toEqual(['p3']);
      await other.release(CHANNEL, ['p3']);
    });

    it('given a claim held by another process, does not claim it until that one releases it', async () => {
      const [a, b] = await twoProcesses();
      const claimsA = createPostClaims(a, 'a');
      const claimsB = createPostClaims(b, 'b');
      const [gotA, gotB] = await Promise.all([claimsA.claim(CHANNEL, ['p1', 'p2']), claimsB.claim(CHANNEL, ['p2', 'p3'])]);
      expect(gotA.has('p2') !== gotB.has('p2')).toBe(true);
      expect([gotA.has('p1'), gotB.has('p3')]).toEqual([true, true]);
      const holderOfP2 = gotA.has('p2') ? claimsA : claimsB;
      const other = gotA.has('p2') ? claimsB : claimsA;
      expect((await other.claim(CHANNEL, ['p2'])).size).toBe(0);
      await holderOfP2.release(CHANNEL, ['p2']);
      expect([...(await other.claim(CHANNEL, ['p2']))]).toEqual(['p2']);
    });
  });
}
