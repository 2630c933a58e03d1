import { afterEach, describe, expect, it } from 'vitest';
import { createPostedPapers, type PostRecord } from '../../src/core/topic-posts.js';
import { NONCE_TRUST_MS } from '../../src/discord/topic-delivery.js';
import type { StoredMessage } from '../../sandbox/fake-discord/state.js';
import { cardPaperId, diffusionPapers, messagePosts, MINUTE, startTopicBot, type TopicBot } from './start-topic-bot.js';

/**
 * A post left `pending` by a crash longer ago than Discord's nonce window: the resend's nonce no
 * longer deduplicates, so the bot reads the channel's latest messages first. The fake Discord runs
 * with a 1 ms nonce window, so any resend that reaches it would create a second message.
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
/** Long enough that a restart is far outside Discord's nonce window and the bot's margin. */
const LATER = 30 * MINUTE;

/**
 * What a crash right after Discord accepted the messages leaves, seen from a later restart: the
 * records `pending` again with their first `at`, and no message → paper entry for the cards.
 */
async function rewindToPending(bot: TopicBot, channelId: string, paperIds: readonly string[]): Promise<void> {
  await bot.withStore(async (storage) => {
    const posted = createPostedPapers(storage.store<PostRecord | string[]>('posted'));
    const records = await posted.getMany(channelId, paperIds);
    await posted.setMany(
      channelId,
      records.map((record, i) => {
        expect(record?.state).toBe('sent');
        const { topic, at, nonce, digest } = record!;
        return { paperId: paperIds[i]!, record: { state: 'pending' as const, topic, at, nonce, ...(digest ? { digest } : {}) } };
      }),
    );
    await storage.store<string>('messages').deleteMany(records.flatMap((r) => (r?.messageId && !r.digest ? [r.messageId] : [])));
  });
}

function historyReads(bot: TopicBot, channelId: string) {
  return bot.fake.requestsFor('/channels/:id/messages', 'GET').filter((r) => r.path === `/channels/${channelId}/messages`);
}

function logLines(bot: TopicBot): Record<string, unknown>[] {
  return bot
    .logs()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('a pending post older than Discord’s nonce window', () => {
  it('given its card and digest are already in the channel, marks them sent with those messages and posts nothing', async () => {
    t = await startTopicBot({ fake: { nonceWindowMs: 1 } });
    const topic = await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml', maxPerRun: 1 });
    t.hf.publish(...diffusionPapers(3));
    expect((await t.run()).topics[0]).toMatchObject({ posted: 1, digested: 2 });
    const [card, digest] = t.botMessages('papers-ml') as [StoredMessage, StoredMessage];
    expect(cardPaperId(card)).toBe('2603.00001');
    const ids = ['2603.00001', '2603.00002', '2603.00003'];

    await t.restart(async () => {
      await rewindToPending(t!, topic.channelId, ids);
      // The crash came before the 🔖; people talked in the channel since.
      t!.fake.state.removeReaction(card, { id: null, name: BOOKMARK }, t!.fake.botUserId);
      t!.fake.seedMessage({ channelId: topic.channelId, authorId: 'alice', content: 'nice one' });
    });
    t.clock.advance(LATER);
    expect(LATER).toBeGreaterThan(NONCE_TRUST_MS);
    const report = await t.run();

    expect(report.topics[0]).toMatchObject({ posted: 1, digested: 2 });
    expect(messagePosts(t, topic.channelId)).toHaveLength(2); // the first run's card and digest, nothing since
    expect(t.botMessages('papers-ml').map((m) => m.id)).toEqual([card.id, digest.id]);
    expect(historyReads(t, topic.channelId).map((r) => r.query)).toEqual([{ limit: '50' }]);
    expect(await t.postRecord(topic.channelId, '2603.00001')).toMatchObject({ state: 'sent', messageId: card.id });
    for (const id of ids.slice(1)) expect(await t.postRecord(topic.channelId, id)).toMatchObject({ state: 'sent', digest: true, messageId: digest.id });
    // 🔖 works on the card again: the message → paper entry and the bot's reaction are back.
    expect(await t.bot.ctx.messages.paperFor(card.id)).toBe('2603.00001');
    expect(card.reactions.get(BOOKMARK)?.users.has(t.fake.botUserId)).toBe(true);
    expect(logLines(t).filter((l) => typeof l.msg === 'string' && l.msg.includes('already in the channel')).map((l) => l.messageId)).toEqual([card.id, digest.id]);

    // And the next run has nothing left to send or look up.
    t.clock.advance(LATER);
    expect((await t.run()).topics[0]).toMatchObject({ posted: 0, digested: 0 });
    expect(historyReads(t, topic.channelId)).toHaveLength(1);
  }, 30_000);

  it('given no message of it in the channel, sends it once (a person’s copy of the card does not count)', async () => {
    t = await startTopicBot({ fake: { nonceWindowMs: 1 } });
    const topic = await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml' });
    t.hf.publish(...diffusionPapers(1));
    await t.run();
    const [first] = t.botMessages('papers-ml') as [StoredMessage];

    await t.restart(async () => {
      await rewindToPending(t!, topic.channelId, ['2603.00001']);
      // As if Discord never accepted the first send; someone posted a look-alike embed.
      first.deleted = true;
      t!.fake.seedMessage({ channelId: topic.channelId, authorId: 'alice', embeds: first.embeds });
    });
    t.clock.advance(LATER);
    expect((await t.run()).topics[0]).toMatchObject({ posted: 1 });

    const posts = messagePosts(t, topic.channelId);
    expect(posts).toHaveLength(2);
    expect(posts[1]!.body.nonce).toBe(posts[0]!.body.nonce);
    const [resent] = t.botMessages('papers-ml') as [StoredMessage];
    expect(t.botMessages('papers-ml')).toHaveLength(1);
    expect(resent.id).not.toBe(first.id);
    expect(historyReads(t, topic.channelId)).toHaveLength(1);
    expect(await t.postRecord(topic.channelId, '2603.00001')).toMatchObject({ state: 'sent', messageId: resent.id });
    expect(await t.bot.ctx.messages.paperFor(resent.id)).toBe('2603.00001');
  }, 30_000);

  it('given the history answers 403, sends it again with a warning (a second card is the price)', async () => {
    t = await startTopicBot({ fake: { nonceWindowMs: 1 } });
    const topic = await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml' });
    t.hf.publish(...diffusionPapers(1));
    await t.run();
    const [first] = t.botMessages('papers-ml') as [StoredMessage];

    await t.restart(() => rewindToPending(t!, topic.channelId, ['2603.00001']));
    t.fake.failNext({ method: 'GET', route: '/channels/:id/messages', status: 403, code: 50001 });
    t.clock.advance(LATER);
    const report = await t.run();

    expect(report.topics[0]).toMatchObject({ posted: 1 });
    expect(report.topics[0]?.paused).toBeUndefined();
    expect(historyReads(t, topic.channelId).map((r) => r.status)).toEqual([403]);
    const messages = t.botMessages('papers-ml');
    expect(messages).toHaveLength(2);
    expect(await t.postRecord(topic.channelId, '2603.00001')).toMatchObject({ state: 'sent', messageId: messages[1]!.id });
    expect(messages[0]!.id).toBe(first.id);
    expect(logLines(t).find((l) => l.level === 'warn' && typeof l.msg === 'string' && l.msg.startsWith('cannot read the channel history'))).toMatchObject({ stale: 1 });
  }, 30_000);
});
