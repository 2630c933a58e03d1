import { afterEach, describe, expect, it } from 'vitest';
import type { PostRecord } from '../../src/core/topic-posts.js';
import { BACKFILL } from '../../src/core/topic-posts.js';
import { cardPaperId, diffusionPapers, messagePosts, MINUTE, startTopicBot, T0, type TopicBot } from './start-topic-bot.js';

/**
 * Topic channels end to end: the real bot against the fake Discord and a fake Hugging Face on
 * loopback. Each scenario starts its own bot (a fresh store) and drives runs with runNow.
 */

let t: TopicBot | undefined;

afterEach(async () => {
  if (t) {
    expect(t.fake.violations, 'payloads Discord would have refused').toEqual([]);
    expect(t.fake.unknownRoutes).toEqual([]);
    await t.close();
  }
  t = undefined;
}, 20_000);

const BOOKMARK = '🔖';
const otherPaper = { id: '2603.00900', title: 'Graph Neural Networks at Scale' };

describe('posting new papers into a topic channel', () => {
  it('given a new topic, the first run posts only the bounded backfill and the next run only the new matches', async () => {
    t = await startTopicBot();
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml' });
    t.hf.publish(...diffusionPapers(8), otherPaper);

    const first = await t.run();
    expect(first.sources).toEqual([{ name: 'hf', ok: true, papers: 9 }]);
    expect(first.added).toBe(9);
    expect(first.topics).toEqual([expect.objectContaining({ name: 'Diffusion', posted: BACKFILL.max, digested: 0, deferred: 0 })]);
    // The newest five matches, posted oldest first; the other three are backlog, never posted.
    const afterFirst = t.botMessages('papers-ml');
    expect(afterFirst.map(cardPaperId)).toEqual(['2603.00004', '2603.00005', '2603.00006', '2603.00007', '2603.00008']);
    expect((await t.topic('Diffusion')).since).toBe(T0);

    t.clock.advance(30 * MINUTE);
    t.hf.publish(...diffusionPapers(2, 20), { id: '2603.00901', title: 'Sparse Attention Kernels' });
    const second = await t.run();
    expect(second.topics[0]).toMatchObject({ posted: 2, digested: 0 });
    expect(t.botMessages('papers-ml').map(cardPaperId)).toEqual([...afterFirst.map(cardPaperId), '2603.00020', '2603.00021']);
    expect((await t.topic('Diffusion')).lastPostAt).toBe(T0 + 30 * MINUTE);

    // Every card: nonce ≤ 25 with enforce_nonce, nobody pinged, the bot's 🔖, its paper remembered.
    const posts = messagePosts(t, t.channel('papers-ml'));
    expect(posts).toHaveLength(7);
    for (const { body } of posts) {
      expect(typeof body.nonce).toBe('string');
      expect(body.nonce.length).toBeLessThanOrEqual(25);
      expect(body.enforce_nonce).toBe(true);
      expect(body.allowed_mentions).toEqual({ parse: [] });
      expect(body.embeds[0].footer.text).toMatch(/ · Diffusion$/);
    }
    expect(new Set(posts.map((p) => p.body.nonce)).size).toBe(7);
    for (const message of t.botMessages('papers-ml')) {
      expect(message.reactions.get(BOOKMARK)?.users.has(t.fake.botUserId)).toBe(true);
      expect(await t.bot.ctx.messages.paperFor(message.id)).toBe(cardPaperId(message));
    }
    // One line per source and per topic in the log.
    const lines = t.logs().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.msg === 'source merged')).toEqual([
      expect.objectContaining({ source: 'hf', new: 9, updated: 0, skipped: 0 }),
      expect.objectContaining({ source: 'hf', new: 3, updated: 0, skipped: 0 }),
    ]);
    expect(lines.filter((l) => l.msg === 'topic posted').map((l) => l.posted)).toEqual([5, 2]);
  }, 30_000);

  it('given a restart, posts nothing twice and then only what is new', async () => {
    t = await startTopicBot();
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml' });
    t.hf.publish(...diffusionPapers(3));
    await t.run();
    expect(t.botMessages('papers-ml')).toHaveLength(3);

    await t.restart();
    t.clock.advance(30 * MINUTE);
    expect((await t.run()).topics[0]).toMatchObject({ posted: 0 });
    t.clock.advance(30 * MINUTE);
    t.hf.publish(...diffusionPapers(1, 10));
    expect((await t.run()).topics[0]).toMatchObject({ posted: 1 });
    expect(t.botMessages('papers-ml').map(cardPaperId)).toEqual(['2603.00001', '2603.00002', '2603.00003', '2603.00010']);
    expect(messagePosts(t, t.channel('papers-ml'))).toHaveLength(4);
  }, 30_000);

  it('given a process killed between the send and its record, the bot restarted within the nonce window resends with the same nonce and one message exists', async () => {
    t = await startTopicBot();
    const topic = await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml' });
    t.hf.publish(...diffusionPapers(1));
    await t.run();
    const [posted] = t.botMessages('papers-ml');
    expect(posted).toBeDefined();
    const key = `${topic.channelId}:2603.00001`;

    // What a crash right after Discord accepted the message leaves: the outbox record still pending.
    await t.restart(() =>
      t!.withStore(async (storage) => {
        const store = storage.store<PostRecord>('posted');
        const record = (await store.get(key))!;
        expect(record).toMatchObject({ state: 'sent', messageId: posted!.id });
        await store.set(key, { state: 'pending', topic: record.topic, at: record.at, nonce: record.nonce });
      }),
    );
    // Inside NONCE_TRUST_MS the nonce alone is trusted: no history read (older records: topic-stale-pending).
    t.clock.advance(MINUTE);
    await t.run();

    expect(t.fake.requestsFor('/channels/:id/messages', 'GET')).toEqual([]);
    const posts = messagePosts(t, topic.channelId);
    expect(posts).toHaveLength(2);
    expect(posts[1]!.body.nonce).toBe(posts[0]!.body.nonce);
    expect(posts[1]!.response.id).toBe(posted!.id); // Discord answered with the first message
    expect(t.botMessages('papers-ml').map((m) => m.id)).toEqual([posted!.id]);
    const record = await t.postRecord(topic.channelId, '2603.00001');
    expect(record).toMatchObject({ state: 'sent', messageId: posted!.id });
  }, 30_000);

  it('given a new version of a posted paper, does not repost it and edits its card once when what it shows changed', async () => {
    t = await startTopicBot();
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml' });
    // A second topic in the same channel matching the same paper: still one card, one edit per run.
    await t.addTopic({ name: 'Models', query: 'models', channel: 'papers-ml' });
    t.hf.publish({ id: '2603.00001', title: 'Diffusion Models for Task 1', upvotes: 3 });
    await t.run();
    const [card] = t.botMessages('papers-ml');
    expect(t.botMessages('papers-ml')).toHaveLength(1);

    t.clock.advance(30 * MINUTE);
    // v2 on the listing: the same versionless id, more upvotes and a code link.
    t.hf.update('2603.00001', { id: '2603.00001v2', upvotes: 42, githubRepo: 'https://github.com/example/diffusion' });
    const second = await t.run();
    expect(second.updated).toBe(1);
    expect(second.topics.reduce((n, r) => n + r.posted, 0)).toBe(0);
    expect(second.topics.reduce((n, r) => n + r.edited, 0)).toBe(1);
    const edits = t.fake.requestsFor('/channels/:id/messages/:id', 'PATCH');
    expect(edits).toHaveLength(1);
    expect(edits[0]!.path).toContain(card!.id);
    expect(JSON.stringify(t.fake.state.messages.get(card!.id)!.embeds)).toContain('▲ 42');
    // The new code link is a link button: the edit carries the buttons too.
    expect(JSON.stringify(t.fake.state.messages.get(card!.id)!.components)).toContain('"label":"Code","url":"https://github.com/example/diffusion"');

    // Nothing new (the listing answers 304 Not Modified): no edit, no post.
    t.clock.advance(30 * MINUTE);
    const third = await t.run();
    expect(third.updated).toBe(0);
    expect(t.fake.requestsFor('/channels/:id/messages/:id', 'PATCH')).toHaveLength(1);
    expect(t.botMessages('papers-ml')).toHaveLength(1);
    expect(messagePosts(t, t.channel('papers-ml'))).toHaveLength(1);
  }, 30_000);

  it('given more new matches than max_per_run, posts that many cards and exactly one digest listing the rest', async () => {
    t = await startTopicBot();
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml', maxPerRun: 2 });
    await t.run(); // the first run: nothing yet, from now on everything new counts
    t.clock.advance(30 * MINUTE);
    t.hf.publish(...diffusionPapers(12));
    const report = await t.run();
    expect(report.topics[0]).toMatchObject({ posted: 2, digested: 10, deferred: 0 });

    const messages = t.botMessages('papers-ml');
    expect(messages).toHaveLength(3);
    expect(messages.slice(0, 2).map(cardPaperId)).toEqual(['2603.00001', '2603.00002']);
    const digest = messages[2]!.embeds[0] as { title: string; description: string };
    expect(digest.title).toBe('10 more new papers for Diffusion');
    const lines = digest.description.split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('• [Diffusion Models for Task 3](https://arxiv.org/abs/2603.00003)');
    const records = await t.postRecord(t.channel('papers-ml'), '2603.00012');
    expect(records).toMatchObject({ state: 'sent', digest: true, messageId: messages[2]!.id });

    t.clock.advance(30 * MINUTE);
    expect((await t.run()).topics[0]).toMatchObject({ posted: 0, digested: 0 });
    expect(t.botMessages('papers-ml')).toHaveLength(3);
  }, 30_000);

  it('given a topic with a role, every post pings that role and only it', async () => {
    t = await startTopicBot();
    const readers = t.fake.state.role('Readers', t.guildId).id;
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml', roleId: readers, maxPerRun: 1 });
    await t.run();
    t.clock.advance(30 * MINUTE);
    t.hf.publish(...diffusionPapers(3));
    await t.run();

    const posts = messagePosts(t, t.channel('papers-ml'));
    expect(posts).toHaveLength(2); // one card, one digest
    for (const { body } of posts) {
      expect(body.content).toBe(`<@&${readers}>`);
      expect(body.allowed_mentions).toEqual({ parse: [], roles: [readers] });
    }
  }, 30_000);

  it('given the schedule on, runs once right after login and stops with the bot', async () => {
    t = await startTopicBot({ schedule: true });
    const bot = t;
    const deadline = Date.now() + 5000;
    const startupRun = () =>
      bot
        .logs()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'topic run done' && l.reason === 'startup');
    while (!startupRun() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(startupRun()).toBeDefined();
    expect(t.hf.requests()).toBe(3);
    expect(t.logs()).toContain('"msg":"topic schedule started"');
  }, 30_000);

  it('given two runs started at once, only one runs', async () => {
    t = await startTopicBot();
    const runner = t.bot.ctx.topicRunner;
    const [a, b] = await Promise.all([runner.runNow('refresh'), runner.runNow('schedule')]);
    expect([a === undefined, b === undefined].sort()).toEqual([false, true]);
    expect(t.hf.requests()).toBe(3); // one run: today and the two days before
  }, 30_000);
});
