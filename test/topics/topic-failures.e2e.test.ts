import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_GUILD_SEED } from '../../sandbox/fake-discord/state.js';
import { cardPaperId, diffusionPapers, messagePosts, MINUTE, startTopicBot, type TopicBot } from './start-topic-bot.js';

/**
 * What goes wrong around topic channels: a channel closed to the bot or gone, Discord failing,
 * a source failing; and announcement channels, whose posts are published to followers.
 */

let t: TopicBot | undefined;

afterEach(async () => {
  if (t) {
    expect(t.fake.violations, 'payloads Discord would have refused').toEqual([]);
    await t.close();
  }
  t = undefined;
}, 20_000);

const CROSSPOSTED = 1 << 0; // MessageFlags.Crossposted

/** DMs the bot sent: the DM channel is opened first, then the message is posted in it. */
function directMessages(bot: TopicBot): Record<string, any>[] {
  const dmChannels = new Set(
    bot.fake
      .requestsFor('/users/@me/channels', 'POST')
      .map((r) => (r.response as { id?: string } | undefined)?.id)
      .filter(Boolean),
  );
  return bot.fake
    .requestsFor('/channels/:id/messages', 'POST')
    .filter((r) => [...dmChannels].some((id) => r.path.includes(`/channels/${id}/`)))
    .map((r) => r.body as Record<string, any>);
}

describe('a channel the bot cannot post in', () => {
  it('given a 403, pauses that topic with the reason, tells its creator once, goes on with the others, and resumes without losing a paper', async () => {
    t = await startTopicBot();
    await t.addTopic({ name: 'Locked', query: 'diffusion', channel: 'read-only', createdBy: 'bob' });
    await t.addTopic({ name: 'Open', query: 'diffusion', channel: 'papers-ml' });
    t.hf.publish(...diffusionPapers(2));

    const report = await t.run();
    const locked = report.topics.find((r) => r.name === 'Locked')!;
    expect(locked.paused).toBe('Missing Permissions in #read-only (Send Messages, Add Reactions)');
    expect(report.topics.find((r) => r.name === 'Open')).toMatchObject({ posted: 2 });
    expect(await t.topic('Locked')).toMatchObject({ status: 'paused', pausedReason: locked.paused, pauseNotified: true });
    // One attempt (discord.js does not retry a 403), then nothing more in that channel.
    expect(messagePosts(t, t.channel('read-only')).map((p) => p.status)).toEqual([403]);

    // The server is told once: no system channel here, so the topic's creator gets a DM.
    const told = directMessages(t);
    expect(told).toHaveLength(1);
    expect(told[0]!.content).toContain('I paused the topic **Locked** in **Paperboy Lab**: Missing Permissions in #read-only');
    expect(told[0]!.content).toContain('/topic resume');
    expect(told[0]!.allowed_mentions).toEqual({ parse: [] });

    t.clock.advance(30 * MINUTE);
    t.hf.publish(...diffusionPapers(1, 10));
    const second = await t.run();
    expect(second.topics.map((r) => r.name)).toEqual(['Open']);
    expect(messagePosts(t, t.channel('read-only'))).toHaveLength(1);
    expect(directMessages(t)).toHaveLength(1);

    // An admin fixes the channel and resumes: the papers held back (pending) go out now.
    t.fake.setChannelOverwrites(t.channel('read-only'), []);
    await t.bot.ctx.topics.save({ ...(await t.topic('Locked')), status: 'active', pausedReason: undefined, pauseNotified: undefined });
    t.clock.advance(30 * MINUTE);
    await t.run();
    expect(t.botMessages('read-only').map(cardPaperId)).toEqual(['2603.00001', '2603.00002', '2603.00010']);
  }, 30_000);

  it('given a server with a system channel, tells it there instead of by DM', async () => {
    t = await startTopicBot({ fake: { guilds: [{ ...DEFAULT_GUILD_SEED, systemChannel: 'general' }] } });
    await t.addTopic({ name: 'Locked', query: 'diffusion', channel: 'read-only' });
    t.hf.publish(...diffusionPapers(1));
    await t.run();
    const notices = t.botMessages('general');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.content).toContain('I paused the topic **Locked**: Missing Permissions in #read-only');
    expect(directMessages(t)).toEqual([]);
  }, 30_000);

  it('given a deleted channel (404), pauses the topic saying the channel is gone', async () => {
    t = await startTopicBot();
    await t.addTopic({ name: 'Gone', query: 'diffusion', channel: 'papers-ml' });
    t.fake.deleteChannel(t.channel('papers-ml'));
    t.hf.publish(...diffusionPapers(1));
    const report = await t.run();
    expect(report.topics[0]!.paused).toMatch(/no longer exists$/);
    expect((await t.topic('Gone')).status).toBe('paused');
  }, 30_000);
});

describe('Discord or a source failing for a while', () => {
  it('given 5xx from Discord, stops the topic for this run and posts the held papers next run, each once', async () => {
    t = await startTopicBot();
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml' });
    t.hf.publish(...diffusionPapers(2));
    // discord.js retries a 5xx three times on its own; the fourth failure reaches the bot.
    t.fake.failNext({ route: '/channels/:id/messages', method: 'POST', status: 502, times: 4 });
    const first = await t.run();
    expect(first.topics[0]).toMatchObject({ posted: 0 });
    expect(first.topics[0]!.paused).toBeUndefined();
    expect((await t.topic('Diffusion')).status).toBe('active');
    expect(await t.postRecord(t.channel('papers-ml'), '2603.00001')).toMatchObject({ state: 'pending' });

    t.clock.advance(30 * MINUTE);
    expect((await t.run()).topics[0]).toMatchObject({ posted: 2 });
    expect(t.botMessages('papers-ml').map(cardPaperId)).toEqual(['2603.00001', '2603.00002']);
  }, 30_000);

  it('given Hugging Face answering 500, the run completes, nothing is lost and the papers arrive next run', async () => {
    t = await startTopicBot();
    await t.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml' });
    t.hf.publish(...diffusionPapers(3));
    t.hf.fail(500, 100);
    const first = await t.run();
    expect(first.sources).toEqual([expect.objectContaining({ name: 'hf', ok: false, papers: 0, error: expect.stringContaining('500') })]);
    expect(first.topics[0]).toMatchObject({ posted: 0 });

    t.hf.fail(500, 0);
    t.clock.advance(30 * MINUTE);
    const second = await t.run();
    expect(second.sources).toEqual([{ name: 'hf', ok: true, papers: 3 }]);
    expect(second.topics[0]).toMatchObject({ posted: 3 });
  }, 30_000);
});

describe('announcement channels', () => {
  it('given a topic in an announcement channel, publishes every post to the servers following it', async () => {
    t = await startTopicBot();
    await t.addTopic({ name: 'News', query: 'diffusion', channel: 'paper-news', maxPerRun: 1 });
    await t.run();
    t.clock.advance(30 * MINUTE);
    t.hf.publish(...diffusionPapers(3));
    await t.run();

    const posted = t.botMessages('paper-news');
    expect(posted).toHaveLength(2); // a card and a digest
    for (const message of posted) {
      await t.fake.waitForRequest((r) => r.route === '/channels/:id/messages/:id/crosspost' && r.path.includes(message.id) && r.status === 200, 4000);
      expect(message.flags & CROSSPOSTED).toBe(CROSSPOSTED);
    }
    expect(t.fake.requestsFor('/channels/:id/messages/:id/crosspost', 'POST')).toHaveLength(2);
  }, 30_000);
});
