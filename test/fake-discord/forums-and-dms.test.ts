import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelFlags, ChannelType, type Client, type ForumChannel } from 'discord.js';
import { destroyClient, loginClient } from '../../sandbox/fake-discord/discord-client.js';
import { startFakeDiscord, type FakeDiscord } from '../../sandbox/fake-discord/fake-discord.js';
import { Permission } from '../../sandbox/fake-discord/permissions.js';
import { DEFAULT_GUILD_SEED } from '../../sandbox/fake-discord/state.js';

const T = 15_000;
const card = { embeds: [{ title: 'A paper' }], allowedMentions: { parse: [] as [] } };

describe('fake Discord forums and DMs, with the real discord.js client', () => {
  let fake: FakeDiscord;
  let client: Client<true> | undefined;
  const forum = (): ForumChannel => client!.channels.cache.get(fake.state.channel('forum').id) as ForumChannel;

  beforeEach(async () => {
    fake = await startFakeDiscord({
      guilds: [
        {
          ...DEFAULT_GUILD_SEED,
          channels: [
            ...(DEFAULT_GUILD_SEED.channels ?? []),
            { name: 'forum', type: 'forum', tags: ['cs.CV', 'cs.LG', 'a', 'b', 'c', 'd', { name: 'staff', moderated: true }] },
            { name: 'strict', type: 'forum', tags: ['cs.CV'], requireTag: true },
          ],
        },
      ],
    });
    client = await loginClient(fake);
  });

  afterEach(async () => {
    await destroyClient(client);
    client = undefined;
    await fake.close();
  });

  it('given a forum then discord.js sees a ForumChannel with its tags, and a post is a thread whose starter message has its id', async () => {
    expect(forum().type).toBe(ChannelType.GuildForum);
    expect(forum().availableTags.map((t) => t.name)).toEqual(['cs.CV', 'cs.LG', 'a', 'b', 'c', 'd', 'staff']);
    const tag = forum().availableTags[0]!.id;
    const thread = await forum().threads.create({ name: 'A paper', message: card, appliedTags: [tag] });
    expect(thread.parentId).toBe(forum().id);
    expect(thread.appliedTags).toEqual([tag]);
    expect((await thread.fetchStarterMessage())?.embeds[0]?.title).toBe('A paper');
    expect((await forum().threads.fetchActive(false)).threads.map((t) => t.id)).toEqual([thread.id]);

    fake.state.channels.get(thread.id)!.thread!.archived = true;
    expect((await forum().threads.fetchActive(false)).threads.size).toBe(0);
    expect((await forum().threads.fetchArchived({ type: 'public', limit: 50 }, false)).threads.map((t) => t.id)).toEqual([thread.id]);
    expect(fake.violations).toEqual([]);
  }, T);

  it('given a name over 100, six tags, an unknown tag or no message then Discord refuses the post with 50035', async () => {
    const ids = forum().availableTags.map((t) => t.id);
    await expect(forum().threads.create({ name: 'x'.repeat(101), message: card })).rejects.toMatchObject({ code: 50035 });
    await expect(forum().threads.create({ name: 'six', message: card, appliedTags: ids.slice(0, 6) })).rejects.toMatchObject({ code: 50035 });
    await expect(forum().threads.create({ name: 'unknown', message: card, appliedTags: ['123456789012345678'] })).rejects.toMatchObject({ code: 50035 });
    expect(fake.violations.map((v) => v.summary).join('\n')).toMatch(/name: BASE_TYPE_BAD_LENGTH[\s\S]*applied_tags: BASE_TYPE_MAX_LENGTH[\s\S]*applied_tags\.0: FORUM_TAG_UNKNOWN/);
    expect(fake.state.threadsOf(forum().id)).toEqual([]);
  }, T);

  it('given a forum that requires tags then discord.js sees the flag and a post without a tag is refused with 40067', async () => {
    const strict = client!.channels.cache.get(fake.state.channel('strict').id) as ForumChannel;
    expect(strict.flags.has(ChannelFlags.RequireTag)).toBe(true);
    expect(forum().flags.has(ChannelFlags.RequireTag)).toBe(false);
    await expect(strict.threads.create({ name: 'untagged', message: card })).rejects.toMatchObject({ code: 40067, status: 400 });
    await strict.threads.create({ name: 'tagged', message: card, appliedTags: [strict.availableTags[0]!.id] });
    expect(fake.state.threadsOf(strict.id).map((t) => t.name)).toEqual(['tagged']);
  }, T);

  it('given a moderated tag and no Manage Threads, or a message sent to the forum itself, then Discord refuses', async () => {
    const staff = forum().availableTags.find((t) => t.name === 'staff')!.id;
    await expect(forum().threads.create({ name: 'staff', message: card, appliedTags: [staff] })).rejects.toMatchObject({ code: 50013 });
    await expect(client!.rest.post(`/channels/${forum().id}/messages`, { body: { content: 'hi' } })).rejects.toMatchObject({ code: 50024 });
  }, T);

  it('given tag edits then Manage Channels is needed and the forum keeps at most 20 tags of at most 20 characters', async () => {
    const add = (names: string[]) => forum().setAvailableTags([...forum().availableTags, ...names.map((name) => ({ name }))]);
    await expect(add(['cs.RO'])).rejects.toMatchObject({ code: 50013 });
    fake.setChannelOverwrites(forum().id, [{ member: 'bot', allow: Permission.ManageChannels }]);
    await add(['cs.RO']);
    expect(fake.state.channel('forum').availableTags!.map((t) => t.name)).toContain('cs.RO');
    await expect(add(Array.from({ length: 13 }, (_, i) => `t${i}`))).rejects.toMatchObject({ code: 50035 });
    await expect(add(['x'.repeat(21)])).rejects.toMatchObject({ code: 50035 });
    expect(fake.state.channel('forum').availableTags).toHaveLength(8);
  }, T);

  it('given a user with closed DMs then opening the DM works and sending answers 403 50007', async () => {
    const alice = fake.state.user('alice').id;
    const dm = await client!.users.createDM(alice);
    await dm.send({ content: 'hello', allowedMentions: { parse: [] } });
    fake.state.closedDms.add(alice);
    await expect(dm.send({ content: 'again', allowedMentions: { parse: [] } })).rejects.toMatchObject({ code: 50007, status: 403 });
    expect(fake.state.messagesIn(dm.id).map((m) => m.content)).toEqual(['hello']);
  }, T);
});
