import { afterEach, describe, expect, it, vi } from 'vitest';
import { diffusionPapers, startTopicBot, type TopicBot } from './start-topic-bot.js';

/**
 * 🔖 on topic cards when things do not line up: the reaction arrives before the message → paper
 * entry exists, the store fails once, a bookmark saved with the button meets a 🔖 taken back.
 */

let t: TopicBot | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
}, 20_000);

/** One topic card in #papers-ml, its message id and paper id. */
async function postedCard(bot: TopicBot): Promise<{ messageId: string; paperId: string }> {
  await bot.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml' });
  bot.hf.publish(...diffusionPapers(1));
  expect((await bot.run()).topics[0]).toMatchObject({ posted: 1 });
  const [card] = bot.botMessages('papers-ml');
  return { messageId: card!.id, paperId: '2603.00001' };
}

const react = (bot: TopicBot, action: 'add' | 'remove', user: string, messageId: string) =>
  bot.fake.injectReaction({ action, userId: user, channelId: 'papers-ml', messageId, emoji: '🔖' });
const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

describe('🔖 on a topic card', () => {
  it('given the reaction arrives before the message → paper entry is written, still saves the bookmark', async () => {
    t = await startTopicBot();
    const { messageId, paperId } = await postedCard(t);
    // As when the 🔖 beats the store write that follows Discord's answer.
    await t.withStore((storage) => storage.store<string>('messages').deleteMany([messageId]));
    react(t, 'add', 'alice', messageId);
    await settle(200);
    await t.bot.ctx.messages.remember(messageId, paperId);
    await vi.waitFor(async () => expect(await t!.bot.ctx.bookmarks.list(t!.user('alice'))).toEqual([paperId]), { timeout: 5000, interval: 25 });
  }, 30_000);

  it('given the store fails once while saving, tries again and saves it', async () => {
    t = await startTopicBot();
    const { messageId, paperId } = await postedCard(t);
    const bookmarks = t.bot.ctx.bookmarks;
    const add = bookmarks.add;
    let failures = 0;
    bookmarks.add = (...args) => (failures++ === 0 ? Promise.reject(new Error('SQLITE_BUSY: database is locked')) : add(...args));
    react(t, 'add', 'bob', messageId);
    await vi.waitFor(async () => expect(await bookmarks.list(t!.user('bob'))).toEqual([paperId]), { timeout: 5000, interval: 25 });
    expect(failures).toBe(2);
  }, 30_000);

  it('given the 🔖 taken back while its save waits out a storage error, ends with no bookmark', async () => {
    t = await startTopicBot();
    const { messageId } = await postedCard(t);
    const bookmarks = t.bot.ctx.bookmarks;
    const add = bookmarks.add;
    let failures = 0;
    bookmarks.add = (...args) => (failures++ === 0 ? Promise.reject(new Error('SQLITE_BUSY: database is locked')) : add(...args));
    react(t, 'add', 'owner', messageId);
    await vi.waitFor(() => expect(failures).toBe(1), { timeout: 5000, interval: 10 });
    react(t, 'remove', 'owner', messageId);
    await vi.waitFor(() => expect(failures).toBe(2), { timeout: 5000, interval: 25 });
    await settle();
    expect(await bookmarks.list(t.user('owner'))).toEqual([]);
  }, 30_000);

  it('given a bookmark saved with the button, taking back a 🔖 on the card keeps it; one the 🔖 saved goes with it', async () => {
    t = await startTopicBot();
    const { messageId, paperId } = await postedCard(t);
    const alice = t.user('alice');
    const bob = t.user('bob');
    await t.bot.ctx.bookmarks.add(alice, paperId); // the Bookmark button
    react(t, 'add', 'alice', messageId);
    react(t, 'add', 'bob', messageId);
    await vi.waitFor(async () => expect(await t!.bot.ctx.bookmarks.list(bob)).toEqual([paperId]), { timeout: 5000, interval: 25 });
    react(t, 'remove', 'alice', messageId);
    react(t, 'remove', 'bob', messageId);
    await vi.waitFor(async () => expect(await t!.bot.ctx.bookmarks.list(bob)).toEqual([]), { timeout: 5000, interval: 25 });
    await settle();
    expect(await t.bot.ctx.bookmarks.list(alice)).toEqual([paperId]);
  }, 30_000);
});
