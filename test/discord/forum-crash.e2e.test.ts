import { Writable } from 'node:stream';
import type { Client } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createMessagePapers } from '../../src/core/bookmarks.js';
import { normalizePaper } from '../../src/core/paper.js';
import { digestNonce, postNonce, type PendingPost } from '../../src/core/topic-delivery-port.js';
import { createPostedPapers, type PostedPapers, type PostRecord } from '../../src/core/topic-posts.js';
import type { Topic } from '../../src/core/topics.js';
import { createTopicDelivery } from '../../src/discord/topic-delivery.js';
import { createLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { destroyClient, loginClient } from '../../sandbox/fake-discord/discord-client.js';
import { startFakeDiscord, type FakeDiscord } from '../../sandbox/fake-discord/fake-discord.js';
import { DEFAULT_GUILD_SEED } from '../../sandbox/fake-discord/state.js';

/**
 * The crash forum posts are exposed to: Discord created the post (there is no nonce for thread
 * creation), and the process died before the record said so. The failure is injected exactly
 * there (the write of the `sent` record throws); a fresh client and delivery on the same store
 * then deliver the same outbox, as the run after a restart would.
 */

const NOW = Date.parse('2026-03-02T09:00:00Z');
const clock = { now: () => NOW };
const logger = createLogger('warn', new Writable({ write: (_chunk, _encoding, done) => done() }));
const paper = normalizePaper({ id: '2603.00001', title: 'Diffusion Models for Task 1', abstract: 'About diffusion.', categories: ['cs.CV'], sources: ['jsonl'] });

let fake: FakeDiscord | undefined;
const clients: Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await destroyClient(client);
  if (fake) {
    expect(fake.violations).toEqual([]);
    expect(fake.unknownRoutes).toEqual([]);
    await fake.close();
  }
  fake = undefined;
});

/** `posted` whose first write of a `sent` record throws: the process "dies" there. */
function crashingOnce(posted: PostedPapers): PostedPapers & { crashed: () => boolean } {
  let crashed = false;
  const crash = (records: readonly PostRecord[]) => {
    if (crashed || !records.some((r) => r.state === 'sent')) return;
    crashed = true;
    throw new Error('process died before the record was written');
  };
  return {
    ...posted,
    set: async (channelId, paperId, record) => (crash([record]), posted.set(channelId, paperId, record)),
    setMany: async (channelId, records) => (crash(records.map((r) => r.record)), posted.setMany(channelId, records)),
    crashed: () => crashed,
  };
}

describe('a forum post created just before a crash', () => {
  it('is found on the retry and recorded: exactly one post', async () => {
    fake = await startFakeDiscord({
      guilds: [{ ...DEFAULT_GUILD_SEED, channels: [...(DEFAULT_GUILD_SEED.channels ?? []), { name: 'paper-forum', type: 'forum', tags: ['cs.CV'] }] }],
    });
    const forum = fake.state.channel('paper-forum');
    const topic: Topic = {
      guildId: fake.state.guild().id,
      name: 'Diffusion',
      query: 'diffusion',
      channelId: forum.id,
      maxPerRun: 5,
      digest: true,
      createdBy: fake.state.user('alice').id,
      createdAt: NOW - 60_000,
      status: 'active',
    };
    const posted = createPostedPapers(createMemoryStore());
    const messages = createMessagePapers(createMemoryStore());
    // The runner's outbox record, written before any delivery.
    const record: PostRecord = { state: 'pending', topic: topic.name, topicVersion: `${topic.createdAt}.0`, at: NOW, nonce: postNonce(forum.id, paper.id) };
    await posted.set(forum.id, paper.id, record);
    const pending = async (): Promise<PendingPost[]> => [{ paper, record: (await posted.getMany(forum.id, [paper.id]))[0]! }];

    const first = await loginClient(fake);
    clients.push(first);
    const crashing = crashingOnce(posted);
    const before = await createTopicDelivery({ client: first, posted: crashing, messages, logger, clock }).deliver(topic, { pending: await pending(), edits: [] }, { edited: new Set() });
    expect(crashing.crashed()).toBe(true);
    expect(before.posted).toBe(0);
    expect(before.stopped?.kind).toBe('retry');
    expect(fake.state.threadsOf(forum.id)).toHaveLength(1);
    const [thread] = fake.state.threadsOf(forum.id);
    expect(await posted.getMany(forum.id, [paper.id])).toEqual([expect.objectContaining({ state: 'pending', attemptedAt: NOW, threadName: paper.title })]);

    // The restart: a new client (nothing cached) and a new delivery on the same store.
    await destroyClient(clients.pop());
    const second = await loginClient(fake);
    clients.push(second);
    const after = await createTopicDelivery({ client: second, posted, messages, logger, clock }).deliver(topic, { pending: await pending(), edits: [] }, { edited: new Set() });

    expect(after).toMatchObject({ posted: 1 });
    expect(after.stopped).toBeUndefined();
    expect(fake.state.threadsOf(forum.id)).toHaveLength(1);
    expect(fake.requestsFor('/channels/:id/threads', 'POST')).toHaveLength(1);
    expect(await posted.getMany(forum.id, [paper.id])).toEqual([expect.objectContaining({ state: 'sent', messageId: thread!.id })]);
    expect(await messages.paperFor(thread!.id)).toBe(paper.id);
    expect(fake.state.messages.get(thread!.id)?.reactions.get('🔖')?.users.has(fake.botUserId)).toBe(true);
  }, 30_000);

  it('given no post was made before the crash (Discord refused it with a 5xx), creates it on the retry', async () => {
    fake = await startFakeDiscord({ guilds: [{ ...DEFAULT_GUILD_SEED, channels: [{ name: 'paper-forum', type: 'forum' }] }] });
    const forum = fake.state.channel('paper-forum');
    const topic: Topic = {
      guildId: fake.state.guild().id,
      name: 'Diffusion',
      query: 'diffusion',
      channelId: forum.id,
      maxPerRun: 5,
      digest: true,
      createdBy: fake.state.user('alice').id,
      createdAt: NOW - 60_000,
      status: 'active',
    };
    const posted = createPostedPapers(createMemoryStore());
    const messages = createMessagePapers(createMemoryStore());
    await posted.set(forum.id, paper.id, { state: 'pending', topic: topic.name, at: NOW, nonce: postNonce(forum.id, paper.id) });
    const pending = async (): Promise<PendingPost[]> => [{ paper, record: (await posted.getMany(forum.id, [paper.id]))[0]! }];
    const client = await loginClient(fake);
    clients.push(client);
    const delivery = createTopicDelivery({ client, posted, messages, logger, clock });

    fake.failNext({ method: 'POST', route: '/channels/:id/threads', status: 500, times: 4 });
    expect((await delivery.deliver(topic, { pending: await pending(), edits: [] }, { edited: new Set() })).stopped?.kind).toBe('retry');
    expect(fake.state.threadsOf(forum.id)).toHaveLength(0);

    expect(await delivery.deliver(topic, { pending: await pending(), edits: [] }, { edited: new Set() })).toMatchObject({ posted: 1 });
    expect(fake.state.threadsOf(forum.id)).toHaveLength(1);
    // The retry looked for the post first (the record carried the attempt) and found none.
    expect(fake.requestsFor('/guilds/:id/threads/active', 'GET')).toHaveLength(1);
  }, 30_000);

  it('given a digest whose creation failed (5xx) beside an earlier digest of as many other papers, posts it in a new post on the retry', async () => {
    fake = await startFakeDiscord({ guilds: [{ ...DEFAULT_GUILD_SEED, channels: [{ name: 'paper-forum', type: 'forum' }] }] });
    const forum = fake.state.channel('paper-forum');
    const topic: Topic = {
      guildId: fake.state.guild().id,
      name: 'Diffusion',
      query: 'diffusion',
      channelId: forum.id,
      maxPerRun: 5,
      digest: true,
      createdBy: fake.state.user('alice').id,
      createdAt: NOW - 60_000,
      status: 'active',
    };
    const papers = [1, 2, 3, 4].map((n) =>
      normalizePaper({ id: `2603.0000${n}`, title: `Diffusion Models for Task ${n}`, abstract: 'About diffusion.', categories: ['cs.CV'], sources: ['jsonl'] }),
    );
    const posted = createPostedPapers(createMemoryStore());
    const messages = createMessagePapers(createMemoryStore());
    /** The outbox of one digest, as the runner leaves it (re-read, so a stamped attempt shows). */
    const digestOf = async (some: typeof papers): Promise<PendingPost[]> => {
      const ids = some.map((p) => p.id);
      const stored = await posted.getMany(forum.id, ids);
      if (stored.every((r) => r === undefined)) {
        const nonce = digestNonce(forum.id, ids);
        await posted.setMany(forum.id, ids.map((paperId) => ({ paperId, record: { state: 'pending' as const, topic: topic.name, at: NOW, nonce, digest: true } })));
        return digestOf(some);
      }
      return some.map((paper, i) => ({ paper, record: stored[i]! }));
    };
    const client = await loginClient(fake);
    clients.push(client);
    const delivery = createTopicDelivery({ client, posted, messages, logger, clock });

    // The same day, so the posts' names are the same: only the papers tell them apart.
    expect(await delivery.deliver(topic, { pending: await digestOf(papers.slice(0, 2)), edits: [] }, { edited: new Set() })).toMatchObject({ digested: 2 });
    const [earlier] = fake.state.threadsOf(forum.id);
    fake.failNext({ method: 'POST', route: '/channels/:id/threads', status: 500, times: 4 });
    expect((await delivery.deliver(topic, { pending: await digestOf(papers.slice(2)), edits: [] }, { edited: new Set() })).stopped?.kind).toBe('retry');
    expect(await delivery.deliver(topic, { pending: await digestOf(papers.slice(2)), edits: [] }, { edited: new Set() })).toMatchObject({ digested: 2 });

    const threads = fake.state.threadsOf(forum.id);
    expect(threads).toHaveLength(2);
    const later = threads.find((t) => t.id !== earlier!.id)!;
    expect(JSON.stringify(fake.state.messages.get(later.id)?.embeds)).toContain('2603.00003');
    expect(await posted.getMany(forum.id, ['2603.00003', '2603.00004'])).toEqual([
      expect.objectContaining({ state: 'sent', messageId: later.id }),
      expect.objectContaining({ state: 'sent', messageId: later.id }),
    ]);
  }, 30_000);
});
