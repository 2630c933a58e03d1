import { afterEach, describe, expect, it } from 'vitest';
import { cardPaperId, diffusionPapers, MINUTE, startTopicBot, type TopicBot } from './start-topic-bot.js';

/**
 * What a topic leaves pending when it is removed: Discord fails its sends (a 5xx after
 * discord.js's three retries), so its papers sit in the channel's outbox; then an admin removes it.
 */

let t: TopicBot | undefined;

afterEach(async () => {
  if (t) {
    expect(t.fake.violations, 'payloads Discord would have refused').toEqual([]);
    await t.close();
  }
  t = undefined;
}, 20_000);

const DAY = 24 * 60 * MINUTE;

/** The next topic's sends fail: the first card, its three silent retries. */
function failNextCard(bot: TopicBot, channel: string): void {
  const channelId = bot.channel(channel);
  bot.fake.failNext({ method: 'POST', route: '/channels/:id/messages', where: (r) => r.path.includes(`/channels/${channelId}/`), status: 500, times: 4 });
}

function footers(bot: TopicBot, channel: string): string[] {
  return bot.botMessages(channel).map((m) => (m.embeds[0] as { footer?: { text?: string } } | undefined)?.footer?.text ?? '');
}

describe('a removed topic with posts still pending', () => {
  it('given another topic in the channel matches the same papers, that topic posts them on the next run', async () => {
    t = await startTopicBot();
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml' });
    await t.addTopic({ name: 'Models', query: 'models', channel: 'papers-ml' });
    await t.run(); // first runs: nothing yet, `since` is set

    t.clock.advance(10 * MINUTE);
    t.hf.publish(...diffusionPapers(2));
    failNextCard(t, 'papers-ml');
    const failed = await t.run();
    expect(failed.topics.map((r) => [r.name, r.posted])).toEqual([['Diffusion', 0], ['Models', 0]]);
    expect(t.botMessages('papers-ml')).toEqual([]);

    expect(await t.bot.ctx.topics.remove(t.guildId, 'Diffusion')).toBe(true);
    t.clock.advance(10 * MINUTE);
    const after = await t.run();
    expect(after.topics).toMatchObject([{ name: 'Models', posted: 2 }]);
    expect(footers(t, 'papers-ml')).toEqual(['2603.00001 · Models', '2603.00002 · Models']);
  }, 30_000);

  it('given a topic of the same name added later, it does not post what the old one left pending', async () => {
    t = await startTopicBot();
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml' });
    await t.run();
    t.clock.advance(10 * MINUTE);
    t.hf.publish(...diffusionPapers(2));
    failNextCard(t, 'papers-ml');
    expect((await t.run()).topics).toMatchObject([{ name: 'Diffusion', posted: 0 }]);

    await t.bot.ctx.topics.remove(t.guildId, 'Diffusion');
    // Two days on: the old papers are past the new topic's backfill, which is all it may post.
    t.clock.advance(2 * DAY);
    await t.addTopic({ name: 'diffusion', query: 'diffusion', channel: 'papers-ml' });
    t.hf.publish(...diffusionPapers(1, 7));
    const report = await t.run();
    expect(report.topics).toMatchObject([{ name: 'diffusion', posted: 1 }]);
    expect(t.botMessages('papers-ml').map(cardPaperId)).toEqual(['2603.00007']);
  }, 30_000);
});
