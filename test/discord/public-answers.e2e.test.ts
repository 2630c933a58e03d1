import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuildSeed } from '../../sandbox/fake-discord/fake-discord.js';
import { Permission } from '../../sandbox/fake-discord/permissions.js';
import { DPO_ID, EPHEMERAL, fixedClock, originalMessageId, startTestBot, type TestBot } from './start-test-bot.js';

/**
 * The bot must not be a way around channel permissions: a public answer (`public:true`, the
 * *Post in channel* button, paging public results) is posted only where the member could post
 * such a message themselves. And one person cannot keep the bot busy: every user is
 * rate-limited in the interaction router (INTERACTION_RATE_LIMITS).
 */

const GUILD: GuildSeed = {
  name: 'Permission Lab',
  channels: [
    { name: 'general', type: 'text' },
    {
      // Read-only for members; the bot may post (as real announcement-style channels are set up).
      name: 'announcements',
      type: 'text',
      permissionOverwrites: [
        { role: '@everyone', deny: Permission.SendMessages },
        { member: 'bot', allow: Permission.SendMessages },
      ],
    },
    {
      name: 'no-embeds',
      type: 'text',
      permissionOverwrites: [
        { role: '@everyone', deny: Permission.EmbedLinks },
        { member: 'bot', allow: Permission.EmbedLinks },
      ],
    },
  ],
  members: [{ user: { username: 'alice' } }, { user: { username: 'bob' } }, { user: { username: 'carol' } }],
};

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ clock: fixedClock, fake: { guilds: [GUILD] } });
}, 30_000);

afterAll(async () => {
  await t?.close();
}, 20_000);

type Body = { type: number; data: Record<string, any> };

const isEphemeral = (data: Record<string, any>) => ((data.flags ?? 0) & EPHEMERAL) !== 0;
const REACTION_ROUTE = '/channels/:id/messages/:id/reactions/:emoji/@me';

describe('public answers need the member’s own permission to post there', () => {
  it('given /paper show public:true by a member without Send Messages, shows the card only to them and posts nothing', async () => {
    const reactions = t.fake.requestsFor(REACTION_ROUTE, 'PUT').length;
    const answer = await t.slash({ user: 'alice', channelId: t.channel('announcements'), name: 'paper', subcommand: 'show', options: { id: DPO_ID, public: true } });
    expect(answer.type).toBe(4);
    expect(isEphemeral(answer.data)).toBe(true);
    expect(answer.data.content).toMatch(/^Only you see this: you don't have \*\*Send Messages\*\* in #announcements/);
    expect(answer.data.embeds[0].title).toMatch(/^Direct Preference Optimization/);
    expect(answer.data.allowed_mentions).toEqual({ parse: [] });
    expect(t.fake.state.messagesIn('announcements')).toEqual([]);
    expect(t.fake.requestsFor(REACTION_ROUTE, 'PUT')).toHaveLength(reactions);
  });

  it('given /paper search public:true there, answers ephemerally with the note', async () => {
    const answer = await t.slash({ user: 'alice', channelId: t.channel('announcements'), name: 'paper', subcommand: 'search', options: { query: 'preference', public: true } });
    expect(isEphemeral(answer.data)).toBe(true);
    expect(answer.data.content).toContain("you don't have **Send Messages**");
    expect(answer.data.embeds.length).toBeGreaterThan(0);
    expect(t.fake.state.messagesIn('announcements')).toEqual([]);
  });

  it('given /paper trending public:true where members may not embed links, names Embed Links', async () => {
    const answer = await t.slash({ user: 'alice', channelId: t.channel('no-embeds'), name: 'paper', subcommand: 'trending', options: { public: true } });
    expect(isEphemeral(answer.data)).toBe(true);
    expect(answer.data.content).toMatch(/you don't have \*\*Embed Links\*\* in #no-embeds/);
    expect(t.fake.state.messagesIn('no-embeds')).toEqual([]);
  });

  it('given Post pressed by a member without Send Messages, refuses ephemerally and posts nothing', async () => {
    const card = await t.slash({ user: 'alice', channelId: t.channel('announcements'), name: 'paper', subcommand: 'show', options: { id: DPO_ID } });
    expect(isEphemeral(card.data)).toBe(true);
    const press = t.fake.injectButton({ user: 'alice', customId: `paper:post:${DPO_ID}`, messageId: originalMessageId(t.fake, card.id) });
    const body = (await press.firstResponse(4000)).body as Body;
    expect(body.type).toBe(4);
    expect(isEphemeral(body.data)).toBe(true);
    expect(body.data.content).toMatch(/^You can't post in #announcements: you don't have \*\*Send Messages\*\* there\./);
    expect(t.fake.state.messagesIn('announcements')).toEqual([]);
  });

  it('given someone allowed to post there (the owner), posts publicly as before', async () => {
    const answer = await t.slash({ user: 'owner', channelId: t.channel('announcements'), name: 'paper', subcommand: 'show', options: { id: DPO_ID, public: true } });
    expect(isEphemeral(answer.data)).toBe(false);
    expect(answer.data.content).toBeUndefined();
    expect(t.fake.state.messagesIn('announcements')).toHaveLength(1);
  });

  it('given public results whose searcher lost Send Messages, ▶ shows the next page to them only and leaves the public message alone', async () => {
    const search = await t.slash({ user: 'alice', channelId: t.channel('general'), name: 'paper', subcommand: 'search', options: { query: 'preference', public: true } });
    expect(isEphemeral(search.data)).toBe(false);
    const messageId = originalMessageId(t.fake, search.id);
    const before = JSON.stringify(t.fake.state.messages.get(messageId)!.embeds);
    const next = search.data.components[1].components[1].custom_id as string;
    t.fake.setChannelOverwrites(t.channel('general'), [{ member: 'alice', deny: Permission.SendMessages }]);
    try {
      const press = t.fake.injectButton({ user: 'alice', customId: next, messageId });
      const body = (await press.firstResponse(4000)).body as Body;
      expect(body.type).toBe(4);
      expect(isEphemeral(body.data)).toBe(true);
      expect(body.data.content).toContain("you don't have **Send Messages** in #general");
      expect(body.data.embeds[0].description).toMatch(/^Results 6–10 of \d+/);
      expect(JSON.stringify(t.fake.state.messages.get(messageId)!.embeds)).toBe(before);
    } finally {
      t.fake.setChannelOverwrites(t.channel('general'), []);
    }
  });
});

describe('per-user rate limit', () => {
  it('given 20 quick presses of a button, the ones past the limit get a polite ephemeral answer; after the wait it works again', async () => {
    const message = t.fake.seedMessage({ channelId: t.channel('general'), content: 'a message with buttons' });
    const press = () => t.fake.injectButton({ user: 'bob', customId: `paper:bookmark:${DPO_ID}`, messageId: message.id });
    const presses = Array.from({ length: 20 }, press);
    const bodies = await Promise.all(presses.map(async (p) => ((await p.firstResponse(6000)).body as Body).data));
    expect(bodies.every(isEphemeral)).toBe(true);
    const limited = bodies.filter((d) => /^You're going a bit fast — try again in \d s\.$/.test(d.content));
    const saved = bodies.filter((d) => /bookmarks/.test(d.content));
    // 10 at once, maybe one more if the burst took over 1.5 s on a slow machine.
    expect(saved.length).toBeGreaterThanOrEqual(10);
    expect(saved.length).toBeLessThanOrEqual(11);
    expect(limited).toHaveLength(20 - saved.length);
    // Every refusal came after the allowed ones: a burst, then the limit.
    expect(bodies.slice(0, 10).every((d) => /bookmarks/.test(d.content))).toBe(true);

    const wait = Number(/try again in (\d) s/.exec(limited.at(-1)!.content)![1]);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    const again = ((await press().firstResponse(4000)).body as Body).data;
    expect(again.content).toMatch(/bookmarks/);
    // Someone else was never slowed down by bob.
    const other = ((await t.fake.injectButton({ user: 'alice', customId: `paper:bookmark:${DPO_ID}`, messageId: message.id }).firstResponse(4000)).body as Body).data;
    expect(other.content).toMatch(/bookmarks/);
  });

  it('given 30 quick autocompletes, answers the ones past the limit with no choices', async () => {
    const typing = Array.from({ length: 30 }, () =>
      t.fake.injectAutocomplete({ user: 'carol', name: 'paper', subcommand: 'search', focused: { name: 'query', value: 'preference' } }),
    );
    const choices = await Promise.all(typing.map(async (i) => ((await i.firstResponse(6000)).body as Body).data.choices as unknown[]));
    const empty = choices.filter((c) => c.length === 0).length;
    expect(choices[0]!.length).toBeGreaterThan(0);
    expect(empty).toBeGreaterThanOrEqual(5);
    expect(empty).toBeLessThanOrEqual(10);
  });

  it('sent nothing Discord would refuse', () => {
    expect(t.fake.violations).toEqual([]);
    expect(t.fake.internalErrors).toEqual([]);
  });
});
