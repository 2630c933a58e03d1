import { afterEach, describe, expect, it } from 'vitest';
import { normalizePaper } from '../../src/core/paper.js';
import { Permission } from '../../sandbox/fake-discord/permissions.js';
import { DEFAULT_GUILD_SEED, type ChannelSeed, type StoredChannel, type StoredMessage } from '../../sandbox/fake-discord/state.js';
import { cardPaperId, diffusionPapers, MINUTE, startTopicBot, type TopicBot } from './start-topic-bot.js';

/**
 * Topics that post into a forum channel, end to end: each paper its own post (thread) with the
 * card as the starter message, tagged with the forum's matching tags; the digest one post.
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

function withForum(forum: Omit<ChannelSeed, 'name' | 'type'> = {}, botPermissions?: bigint) {
  return {
    fake: {
      guilds: [
        {
          ...DEFAULT_GUILD_SEED,
          ...(botPermissions !== undefined ? { botPermissions } : {}),
          channels: [...(DEFAULT_GUILD_SEED.channels ?? []), { name: 'paper-forum', type: 'forum' as const, parent: 'Papers', ...forum }],
        },
      ],
    },
  };
}

/** The forum's posts (threads), oldest first, each with its starter message. */
function posts(bot: TopicBot): { thread: StoredChannel; starter: StoredMessage }[] {
  const forum = bot.fake.state.channel('paper-forum');
  return bot.fake.state
    .threadsOf(forum.id)
    .reverse()
    .map((thread) => ({ thread, starter: bot.fake.state.messages.get(thread.id)! }));
}

/** Papers already in the library with categories and keywords (the HF listing has neither). */
async function withCategories(bot: TopicBot, papers: { id: string; title: string; categories: string[]; keywords?: string[] }[]) {
  await bot.bot.ctx.library.upsertMany(papers.map((p) => normalizePaper({ ...p, abstract: 'About diffusion.', sources: ['jsonl'] })));
}

describe('a topic in a forum channel', () => {
  it('given /topic add with a forum and create_tags, saves it and says when I cannot add tags there', async () => {
    t = await startTopicBot(withForum());
    const answer = await t.slash({
      user: 'owner',
      name: 'topic',
      subcommand: 'add',
      options: { name: 'Diffusion', query: 'diffusion', channel: t.channel('paper-forum'), create_tags: true },
    });
    expect(JSON.stringify(answer.data)).toContain('I lack **Manage Channels** in #paper-forum');
    expect(await t.topic('Diffusion')).toMatchObject({ channelId: t.channel('paper-forum'), createTags: true });
  }, 30_000);

  it('makes each paper its own post: title as name (cut to 100), card as starter, 🔖, matching tags; no channel message', async () => {
    t = await startTopicBot(withForum({ tags: ['CS.CV', 'diffusion', 'cs.RO', 'video generation'] }));
    const forumId = t.channel('paper-forum');
    const longTitle = `Diffusion ${'Very Long Title Words '.repeat(8)}End`;
    await withCategories(t, [
      { id: '2603.00001', title: longTitle, categories: ['cs.CV', 'cs.LG'], keywords: ['Video Generation'] },
      { id: '2603.00002', title: 'Diffusion Models for Task 2', categories: ['cs.LG'] },
    ]);
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'paper-forum' });
    t.hf.publish({ id: '2603.00001', title: longTitle }, ...diffusionPapers(2).slice(1));

    const report = await t.run();
    expect(report.topics[0]).toMatchObject({ posted: 2, digested: 0 });
    const made = posts(t);
    expect(made).toHaveLength(2);
    // Oldest publication first: the HF listing dates the long-titled paper today.
    expect(made.map((p) => cardPaperId(p.starter))).toEqual(['2603.00002', '2603.00001']);
    const [second, first] = made as [(typeof made)[0], (typeof made)[0]];
    expect([...first.thread.name!].length).toBe(100);
    expect(first.thread.name!.endsWith('…')).toBe(true);
    expect(longTitle.startsWith(first.thread.name!.slice(0, -1).trimEnd())).toBe(true);
    expect(second.thread.name).toBe('Diffusion Models for Task 2');
    // Tags by category or keyword, case-insensitively; 'diffusion' is neither (only a word of the title).
    const tags = new Map(t.fake.state.channel('paper-forum').availableTags!.map((tag) => [tag.id, tag.name]));
    expect(first.thread.thread!.appliedTags.map((id) => tags.get(id))).toEqual(['CS.CV', 'video generation']);
    expect(second.thread.thread!.appliedTags).toEqual([]);
    for (const { thread, starter } of made) {
      expect(starter.reactions.get(BOOKMARK)?.users.has(t.fake.botUserId)).toBe(true);
      expect(await t.bot.ctx.messages.paperFor(starter.id)).toBe(cardPaperId(starter));
      expect(await t.postRecord(forumId, cardPaperId(starter)!)).toMatchObject({ state: 'sent', messageId: thread.id });
    }
    const creates = t.fake.requestsFor('/channels/:id/threads', 'POST');
    expect(creates).toHaveLength(2);
    for (const { body } of creates) expect((body as any).message.allowed_mentions).toEqual({ parse: [] });
    expect(t.fake.requestsFor('/channels/:id/messages', 'POST')).toEqual([]);
    // Nothing was pending from an earlier attempt: no lookup of the forum's threads.
    expect(t.fake.requestsFor('/guilds/:id/threads/active', 'GET')).toEqual([]);

    // A 🔖 by a member on the post saves the paper.
    t.fake.injectReaction({ action: 'add', userId: t.user('alice'), channelId: first.thread.id, messageId: first.starter.id, emoji: BOOKMARK });
    await expect.poll(() => t!.bot.ctx.bookmarks.list(t!.user('alice'))).toEqual(['2603.00001']);

    // The next run posts only what is new.
    t.clock.advance(30 * MINUTE);
    t.hf.publish(...diffusionPapers(1, 3));
    expect((await t.run()).topics[0]).toMatchObject({ posted: 1 });
    expect(posts(t)).toHaveLength(3);
  }, 30_000);

  it('given new facts about a posted paper, edits the card in its post', async () => {
    t = await startTopicBot(withForum());
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'paper-forum' });
    t.hf.publish(...diffusionPapers(1));
    await t.run();
    const [post] = posts(t);
    expect(JSON.stringify(post!.starter.embeds)).toContain('▲ 1');
    t.clock.advance(30 * MINUTE);
    t.hf.update('2603.00001', { upvotes: 42 });
    expect((await t.run()).topics[0]).toMatchObject({ posted: 0, edited: 1 });
    expect(JSON.stringify(t.fake.state.messages.get(post!.thread.id)!.embeds)).toContain('▲ 42');
    expect(posts(t)).toHaveLength(1);
  }, 30_000);

  it('puts the papers over max_per_run into one digest post', async () => {
    t = await startTopicBot(withForum());
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'paper-forum', maxPerRun: 1 });
    t.hf.publish(...diffusionPapers(3));
    expect((await t.run()).topics[0]).toMatchObject({ posted: 1, digested: 2 });
    const made = posts(t);
    expect(made.map((p) => p.thread.name)).toEqual(['Diffusion Models for Task 1', '2026-03-02 · 2 more new papers for Diffusion']);
    const digest = made[1]!;
    expect((digest.starter.embeds[0] as { title: string }).title).toBe('2 more new papers for Diffusion');
    for (const id of ['2603.00002', '2603.00003']) {
      expect(await t.postRecord(t.channel('paper-forum'), id)).toMatchObject({ state: 'sent', digest: true, messageId: digest.thread.id });
    }
  }, 30_000);

  it('given create_tags and Manage Channels, adds missing category tags up to the forum’s 20, never more', async () => {
    const eighteen = Array.from({ length: 18 }, (_, i) => `tag ${i + 1}`);
    t = await startTopicBot(withForum({ tags: eighteen, permissionOverwrites: [{ member: 'bot', allow: Permission.ManageChannels }] }));
    await withCategories(t, [
      { id: '2603.00001', title: 'Diffusion Models for Task 1', categories: ['cs.CV', 'cs.LG', 'cs.AI'], keywords: ['a keyword'] },
      { id: '2603.00002', title: 'Diffusion Models for Task 2', categories: ['cs.RO', 'cs.LG'] },
    ]);
    const topic = await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'paper-forum' });
    await t.bot.ctx.topics.save({ ...topic, createTags: true });
    t.hf.publish(...diffusionPapers(2));
    expect((await t.run()).topics[0]).toMatchObject({ posted: 2 });

    const forum = t.fake.state.channel('paper-forum');
    // Two slots: cs.CV and cs.LG for the first paper; no keyword becomes a tag; cs.RO finds no room.
    expect(forum.availableTags!.map((tag) => tag.name)).toEqual([...eighteen, 'cs.CV', 'cs.LG']);
    const names = new Map(forum.availableTags!.map((tag) => [tag.id, tag.name]));
    const [first, second] = posts(t);
    expect(first!.thread.thread!.appliedTags.map((id) => names.get(id))).toEqual(['cs.CV', 'cs.LG']);
    expect(second!.thread.thread!.appliedTags.map((id) => names.get(id))).toEqual(['cs.LG']);
    expect(t.fake.requestsFor('/channels/:id', 'PATCH')).toHaveLength(1);
  }, 30_000);

  it('given create_tags but no Manage Channels, creates no tag and still posts', async () => {
    t = await startTopicBot(withForum({ tags: ['cs.LG'] }));
    await withCategories(t, [{ id: '2603.00001', title: 'Diffusion Models for Task 1', categories: ['cs.CV', 'cs.LG'] }]);
    const topic = await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'paper-forum' });
    await t.bot.ctx.topics.save({ ...topic, createTags: true });
    t.hf.publish(...diffusionPapers(1));
    expect((await t.run()).topics[0]).toMatchObject({ posted: 1 });
    expect(t.fake.requestsFor('/channels/:id', 'PATCH')).toEqual([]);
    expect(t.fake.state.channel('paper-forum').availableTags!.map((tag) => tag.name)).toEqual(['cs.LG']);
    expect(posts(t)[0]!.thread.thread!.appliedTags).toHaveLength(1);
  }, 30_000);

  it('given a forum that requires tags, posts what a tag fits (the digest with its papers’ tags) and keeps the rest pending, saying so at /topic add', async () => {
    t = await startTopicBot(withForum({ tags: ['cs.CV'], requireTag: true }));
    const answer = await t.slash({ user: 'owner', name: 'topic', subcommand: 'add', options: { name: 'Other', query: 'graphs', channel: t.channel('paper-forum') } });
    expect(JSON.stringify(answer.data)).toContain('requires a tag on every post');
    await withCategories(t, [
      { id: '2603.00001', title: 'Diffusion Models for Task 1', categories: ['cs.CV'] },
      { id: '2603.00003', title: 'Diffusion Models for Task 3', categories: ['cs.CV'] },
    ]);
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'paper-forum', maxPerRun: 2 });
    t.hf.publish(...diffusionPapers(4));
    const report = await t.run();
    expect(report.topics.find((r) => r.name === 'Diffusion')).toMatchObject({ posted: 1, digested: 2 });
    const forumId = t.channel('paper-forum');
    const made = posts(t);
    expect(made.map((p) => p.thread.name)).toEqual(['Diffusion Models for Task 1', '2026-03-02 · 2 more new papers for Diffusion']);
    for (const p of made) expect(p.thread.thread!.appliedTags).toHaveLength(1);
    expect(await t.postRecord(forumId, '2603.00002')).toMatchObject({ state: 'pending' });
    expect(t.fake.requestsFor('/channels/:id/threads', 'POST').map((r) => r.status)).toEqual([201, 201]);
    expect(t.logs()).toContain('the forum requires a tag and none of its tags fits this paper');
    // /topic why says why it waits, not "the next run sends it".
    const asked = await t.slash({ user: 'owner', name: 'topic', subcommand: 'why', options: { id: '2603.00002', topic: 'Diffusion' } });
    const edit = await t.fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(asked.token), 10_000);
    const verdict = (edit.body as { embeds: { description: string }[] }).embeds[0]!.description;
    expect(verdict).toContain('**Waiting.** It matches, but this forum requires a tag on every post and none of its tags fits the paper');
    expect(verdict).not.toContain('the next run sends it');
  }, 30_000);

  it('given a post left pending by a crash after Discord created it (even archived since), records it and posts nothing again', async () => {
    t = await startTopicBot(withForum());
    const forumId = t.channel('paper-forum');
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'paper-forum', maxPerRun: 1 });
    t.hf.publish(...diffusionPapers(3));
    await t.run();
    const [card, digest] = posts(t) as [ReturnType<typeof posts>[0], ReturnType<typeof posts>[0]];

    await t.restart(async () => {
      // What the crash left: records pending but stamped with the attempt, no message → paper entry.
      await t!.withStore(async (storage) => {
        const posted = storage.store<any>('posted');
        for (const id of ['2603.00001', '2603.00002', '2603.00003']) {
          const { state: _s, messageId: _m, cardHash: _h, ...record } = await posted.get(`${forumId}:${id}`);
          await posted.set(`${forumId}:${id}`, { ...record, state: 'pending' });
        }
        await posted.setMany(['2603.00001', '2603.00002', '2603.00003'].map((id) => ({ key: `outbox:${forumId}:${id}`, value: 0 })));
        await storage.store<string>('messages').deleteMany([card.thread.id]);
      });
      // A day later the card's post is archived; the digest's is still active.
      card.thread.thread!.archived = true;
    });
    t.clock.advance(30 * MINUTE);
    expect((await t.run()).topics[0]).toMatchObject({ posted: 1, digested: 2 });
    expect(posts(t)).toHaveLength(2);
    expect(t.fake.requestsFor('/channels/:id/threads', 'POST')).toHaveLength(2);
    expect(t.fake.requestsFor('/channels/:id/threads/archived/public', 'GET')).toHaveLength(1);
    expect(await t.postRecord(forumId, '2603.00001')).toMatchObject({ state: 'sent', messageId: card.thread.id });
    expect(await t.postRecord(forumId, '2603.00003')).toMatchObject({ state: 'sent', messageId: digest.thread.id });
    expect(await t.bot.ctx.messages.paperFor(card.thread.id)).toBe('2603.00001');
  }, 30_000);
});
