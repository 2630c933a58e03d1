import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AttachmentBuilder, DiscordAPIError, MessageFlags, Routes, type Client, type NewsChannel, type TextChannel } from 'discord.js';
import { destroyClient, loginClient, nextEvent } from '../../sandbox/fake-discord/discord-client.js';
import { startFakeDiscord, type FakeDiscord } from '../../sandbox/fake-discord/fake-discord.js';
import { Permission } from '../../sandbox/fake-discord/permissions.js';

const T = 15_000;

describe('fake Discord REST, with the real discord.js client', () => {
  let fake: FakeDiscord;
  let client: Client<true> | undefined;

  const textChannel = (name: string): TextChannel => client!.channels.cache.get(fake.state.channel(name).id) as TextChannel;

  beforeEach(async () => {
    fake = await startFakeDiscord();
    client = await loginClient(fake);
  });

  afterEach(async () => {
    await destroyClient(client);
    client = undefined;
    await fake.close();
  });

  it('given the same nonce with enforceNonce twice then one message exists and both sends return it', async () => {
    const channel = textChannel('papers-ml');
    const send = () => channel.send({ content: 'New: Attention Is All You Need', nonce: 'pb:1706.03762', enforceNonce: true, allowedMentions: { parse: [] } });
    const first = await send();
    const second = await send();

    expect(second.id).toBe(first.id);
    expect(fake.state.messagesIn('papers-ml')).toHaveLength(1);
    const posts = fake.requestsFor('/channels/:id/messages', 'POST');
    expect(posts.map((r) => r.body)).toEqual([
      expect.objectContaining({ nonce: 'pb:1706.03762', enforce_nonce: true, allowed_mentions: { parse: [] } }),
      expect.objectContaining({ nonce: 'pb:1706.03762', enforce_nonce: true }),
    ]);
  }, T);

  it('given a nonce longer than 25 characters then Discord refuses it with 50035', async () => {
    const send = textChannel('papers-ml').send({ content: 'x', nonce: `paper:${'9'.repeat(20)}v1`, enforceNonce: true });
    await expect(send).rejects.toMatchObject({ code: 50035 });
    expect(fake.violations[0]?.summary).toContain('nonce: BASE_TYPE_MAX_LENGTH');
  }, T);

  it('given a 429 on channel message POST then discord.js waits out retry-after and the retry succeeds', async () => {
    fake.failNext({ method: 'POST', route: '/channels/:id/messages', status: 429, retryAfterMs: 400 });
    const message = await textChannel('papers-ml').send('rate limited once');

    const [limited, retried] = fake.requestsFor('/channels/:id/messages', 'POST');
    expect(limited?.status).toBe(429);
    expect(retried?.status).toBe(200);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(400);
    expect(message.content).toBe('rate limited once');
    expect(fake.stats().served429).toBe(1);
  }, T);

  it('given a 403 then channel.send rejects with DiscordAPIError code 50013', async () => {
    fake.failNext({ route: '/channels/:id/messages', status: 403 });
    const error: unknown = await textChannel('papers-ml').send('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ code: 50013, status: 403, message: 'Missing Permissions' });
  }, T);

  it('given a channel where the bot lacks Send Messages then Discord itself answers 50013 (no scripted failure)', async () => {
    await expect(textChannel('read-only').send('x')).rejects.toMatchObject({ code: 50013, status: 403 });
    expect(fake.violations).toEqual([]);
  }, T);

  it('given embeds totalling 6001 characters then the send is rejected with 50035 and recorded as a violation', async () => {
    const embeds = [{ title: 'A'.repeat(256), description: 'd'.repeat(4096) }, { description: 'x'.repeat(1649) }];
    const error: unknown = await textChannel('papers-ml').send({ embeds }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ code: 50035, status: 400 });
    expect((error as DiscordAPIError).message).toContain('Embed size exceeds maximum size of 6000');
    expect(fake.violations).toHaveLength(1);
    expect(fake.violations[0]).toMatchObject({ kind: 'invalid-form-body', issues: [{ path: 'embeds', code: 'MAX_EMBED_SIZE_EXCEEDED' }] });
    expect(fake.state.messagesIn('papers-ml')).toHaveLength(0);
  }, T);

  it('records an uploaded file with its bytes and serves it from the attachment URL', async () => {
    const csv = Buffer.from('id,title\n1706.03762,Attention Is All You Need\n');
    const message = await textChannel('general').send({ content: 'Your reading list', files: [new AttachmentBuilder(csv, { name: 'reading-list.csv' })] });

    const [upload] = fake.requestsFor('/channels/:id/messages', 'POST');
    expect(upload?.headers['content-type']).toMatch(/^multipart\/form-data/);
    expect(upload?.body).toMatchObject({ content: 'Your reading list', attachments: [{ id: '0' }] });
    expect(upload?.files).toHaveLength(1);
    expect(upload?.files[0]).toMatchObject({ field: 'files[0]', filename: 'reading-list.csv' });
    expect(upload?.files[0]?.data.equals(csv)).toBe(true);

    const attachment = message.attachments.first();
    expect(attachment?.name).toBe('reading-list.csv');
    const download = await fetch(attachment!.url);
    expect(Buffer.from(await download.arrayBuffer()).equals(csv)).toBe(true);
  }, T);

  it('crossposts in an announcement channel once; a second crosspost gets 40033', async () => {
    const news = client!.channels.cache.get(fake.state.channel('paper-news').id) as NewsChannel;
    const message = await news.send('Paper of the day');
    await message.crosspost();

    const [crosspost] = fake.requestsFor('/channels/:id/messages/:id/crosspost', 'POST');
    expect(crosspost?.response).toMatchObject({ id: message.id, flags: MessageFlags.Crossposted });
    expect(fake.state.messages.get(message.id)?.flags).toBe(MessageFlags.Crossposted);
    // discord.js returns the *cached* message from crosspost() without the new flags; it only
    // learns them from MESSAGE_UPDATE, which needs the GuildMessages intent.
    expect(message.flags.has(MessageFlags.Crossposted)).toBe(false);
    await expect(message.crosspost()).rejects.toMatchObject({ code: 40033 });
    await expect(client!.rest.post(Routes.channelMessageCrosspost(fake.state.channel('general').id, message.id))).rejects.toMatchObject({ code: 10008 });
  }, T);

  it('edits, fetches and reacts to its own message; the reaction comes back over the gateway from the bot itself', async () => {
    const channel = textChannel('papers-ml');
    const message = await channel.send('draft');
    await message.edit('final');
    expect(fake.state.messages.get(message.id)?.content).toBe('final');

    const fetched = await channel.messages.fetch({ message: message.id, force: true });
    expect(fetched.content).toBe('final');

    const echoed = nextEvent(client!, 'messageReactionAdd');
    await message.react('🔖');
    expect(fake.requestsFor('/channels/:id/messages/:id/reactions/:emoji/@me', 'PUT')[0]?.path).toBe(
      `/channels/${channel.id}/messages/${message.id}/reactions/🔖/@me`,
    );
    const [, user] = await echoed;
    // A reaction handler has to ignore these: the author is the bot.
    expect(user.id).toBe(fake.botUserId);
  }, T);

  it('registers global and guild commands by bulk overwrite, keeping ids of re-registered names', async () => {
    const paper = { name: 'paper', description: 'Find research papers', options: [{ type: 3, name: 'query', description: 'Words', required: true }] };
    const first = await client!.application.commands.set([paper]);
    const again = await client!.application.commands.set([paper, { name: 'topic', description: 'Manage topics' }]);
    expect(again.get(first.first()!.id)?.name).toBe('paper');

    const guild = client!.guilds.cache.get(fake.state.guild().id)!;
    await guild.commands.set([{ name: 'bookmarks', description: 'Your reading list' }]);

    expect(fake.requestsFor('/applications/:id/commands', 'PUT').map((r) => (r.body as { name: string }[]).map((c) => c.name))).toEqual([
      ['paper'],
      ['paper', 'topic'],
    ]);
    expect(fake.requestsFor('/applications/:id/guilds/:id/commands', 'PUT')).toHaveLength(1);
    expect(fake.state.commandsOf(guild.id).map((c) => c.body.name)).toEqual(['bookmarks']);
  }, T);

  it('given an uppercase command name then registration fails with 50035 and a violation', async () => {
    await expect(client!.application.commands.set([{ name: 'Paper', description: 'x' }])).rejects.toMatchObject({ code: 50035 });
    expect(fake.violations[0]?.issues).toEqual([{ path: '0.name', code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' }]);
  }, T);

  it('fetches a member and adds and removes a role below the bot; the bot role itself is refused', async () => {
    const guild = client!.guilds.cache.get(fake.state.guild().id)!;
    const bob = await guild.members.fetch({ user: fake.state.user('bob').id, force: true });
    const alice = await guild.members.fetch({ user: fake.state.user('alice').id, force: true });
    const readers = fake.state.role('Readers');

    await alice.roles.add(readers.id);
    expect(fake.state.member(guild.id, alice.id)?.roleIds).toContain(readers.id);
    await bob.roles.remove(readers.id);
    expect(fake.state.member(guild.id, bob.id)?.roleIds).not.toContain(readers.id);
    expect(fake.requestsFor('/guilds/:id/members/:id/roles/:id').map((r) => r.method)).toEqual(['PUT', 'DELETE']);

    const botRole = fake.state.role('Paperboy');
    await expect(alice.roles.add(botRole.id)).rejects.toMatchObject({ code: 50013 });
  }, T);

  it('opens a DM channel and sends into it', async () => {
    const alice = await client!.users.fetch(fake.state.user('alice').id);
    const message = await alice.send('Your weekly digest');
    expect(fake.requestsFor('/users/@me/channels', 'POST')[0]?.body).toEqual({ recipient_id: alice.id });
    expect(fake.state.messagesIn(message.channelId).map((m) => m.content)).toEqual(['Your weekly digest']);
  }, T);

  it('given a 500 once then discord.js retries silently and succeeds', async () => {
    fake.failNext({ route: '/channels/:id/messages', status: 500 });
    await textChannel('papers-ml').send('after a hiccup');
    expect(fake.requestsFor('/channels/:id/messages', 'POST').map((r) => r.status)).toEqual([500, 200]);
  }, T);

  it('answers an unimplemented route with Discord-style 404 and records it', async () => {
    const channel = textChannel('papers-ml');
    await expect(channel.messages.fetchPins()).rejects.toMatchObject({ status: 404, code: 0, message: '404: Not Found' });
    expect(fake.unknownRoutes.map((r) => `${r.method} ${r.route}`)).toEqual(['GET /channels/:id/messages/pins']);
  }, T);

  it('lists a channel’s history newest first, pages with limit/before/after, and answers Discord’s way without access', async () => {
    const channel = textChannel('papers-ml');
    const sent = [];
    for (const n of [1, 2, 3, 4]) sent.push(await channel.send({ content: `post ${n}`, nonce: `n${n}`, enforceNonce: true }));
    fake.seedMessage({ channelId: textChannel('general').id, content: 'elsewhere' });
    const ids = (page: Iterable<{ id: string }>) => [...page].map((m) => m.id);

    const all = await channel.messages.fetch({ limit: 50, cache: false });
    expect(ids(all.values())).toEqual(sent.map((m) => m.id).reverse());
    expect(all.first()?.author.id).toBe(fake.botUserId);
    expect(ids((await channel.messages.fetch({ limit: 2, cache: false })).values())).toEqual([sent[3]!.id, sent[2]!.id]);
    expect(ids((await channel.messages.fetch({ before: sent[2]!.id, cache: false })).values())).toEqual([sent[1]!.id, sent[0]!.id]);
    // `after` gives the oldest messages after the id, still newest first.
    expect(ids((await channel.messages.fetch({ after: sent[0]!.id, limit: 2, cache: false })).values())).toEqual([sent[2]!.id, sent[1]!.id]);
    const listed = fake.requestsFor('/channels/:id/messages', 'GET');
    expect(listed.map((r) => r.query)).toEqual([{ limit: '50' }, { limit: '2' }, { before: sent[2]!.id }, { after: sent[0]!.id, limit: '2' }]);
    // Only the create answer carries the nonce; a listed message does not.
    expect((listed[0]!.response as object[]).some((m) => 'nonce' in m)).toBe(false);

    await expect(client!.rest.get(Routes.channelMessages(channel.id), { query: new URLSearchParams({ limit: '101' }) })).rejects.toMatchObject({ status: 400, code: 50035 });
    expect(fake.violations.map((v) => v.issues)).toEqual([[{ path: 'limit', code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 100.' }]]);

    // Without Read Message History Discord refuses nothing: it lists no messages.
    fake.setChannelOverwrites(channel.id, [{ member: 'bot', deny: Permission.ReadMessageHistory }]);
    expect((await channel.messages.fetch({ limit: 50, cache: false })).size).toBe(0);
    fake.setChannelOverwrites(channel.id, [{ member: 'bot', deny: Permission.ViewChannel }]);
    await expect(channel.messages.fetch({ limit: 50, cache: false })).rejects.toMatchObject({ status: 403, code: 50001 });
    expect(fake.unknownRoutes).toEqual([]);
  }, T);

  it('waits for a request made after a mark', async () => {
    await textChannel('general').send('before');
    const mark = fake.mark();
    const waited = fake.waitForRequest((r) => r.route === '/channels/:id/messages', { since: mark, timeoutMs: 3000 });
    await textChannel('general').send('after');
    expect(((await waited).body as { content: string }).content).toBe('after');
    await expect(fake.waitForRequest((r) => r.method === 'DELETE', { timeoutMs: 50 })).rejects.toThrow(/no matching request/);
  }, T);
});
