import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelType, GatewayIntentBits, type Client, type TextChannel } from 'discord.js';
import { destroyClient, loginClient, nextEvent } from '../../sandbox/fake-discord/discord-client.js';
import { startFakeDiscord, type FakeDiscord } from '../../sandbox/fake-discord/fake-discord.js';
import { GatewayOps } from '../../sandbox/fake-discord/gateway.js';

const T = 15_000;

describe('fake Discord gateway, with the real discord.js client', () => {
  let fake: FakeDiscord;
  let client: Client<true> | undefined;

  beforeEach(async () => {
    fake = await startFakeDiscord({ heartbeatIntervalMs: 200 });
  });

  afterEach(async () => {
    await destroyClient(client);
    client = undefined;
    await fake.close();
  });

  it('logs in: clientReady fires with the guild, its channels and roles cached and the intents recorded', async () => {
    client = await loginClient(fake);

    const guild = client.guilds.cache.get(fake.state.guild().id);
    expect(guild?.name).toBe('Paperboy Lab');
    expect(guild?.available).toBe(true);
    const topic = guild?.channels.cache.find((c) => c.name === 'papers-ml');
    expect(topic?.type).toBe(ChannelType.GuildText);
    expect(topic?.parent?.name).toBe('Papers');
    expect(guild?.channels.cache.find((c) => c.name === 'paper-news')?.type).toBe(ChannelType.GuildAnnouncement);
    expect(guild?.roles.everyone.id).toBe(guild?.id);
    expect(guild?.members.me?.id).toBe(fake.botUserId);
    expect(client.application.id).toBe(fake.applicationId);

    // Permissions come out of the state the same way Discord computes them.
    const me = guild?.members.me;
    expect(me && (topic as TextChannel).permissionsFor(me).has('SendMessages')).toBe(true);
    const readOnly = guild?.channels.cache.find((c) => c.name === 'read-only') as TextChannel;
    expect(me && readOnly.permissionsFor(me).has('SendMessages')).toBe(false);

    expect(fake.gateway.intents).toBe(GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessageReactions);
    expect(fake.gateway.identifies).toHaveLength(1);
    expect(fake.requestsFor('/gateway/bot', 'GET')).toHaveLength(1);
    expect(fake.gateway.received.find((f) => f.op === GatewayOps.Identify)?.d).toMatchObject({ token: '[redacted]' });
  }, T);

  it('acknowledges heartbeats so discord.js keeps the connection and measures a ping', async () => {
    client = await loginClient(fake);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(fake.gateway.heartbeats).toBeGreaterThanOrEqual(2);
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);
    expect(fake.gateway.connections).toBe(1);
  }, T);

  it('resumes after a gateway drop (close 4000) and keeps delivering interactions', async () => {
    client = await loginClient(fake);
    const resumed = fake.gateway.waitForResume({ timeoutMs: 8000 });
    fake.dropGateway();
    const resume = await resumed;

    expect(resume.accepted).toBe(true);
    // discord.js resumes on READY's resume_gateway_url, with the session id it was given.
    expect(resume.path).toBe('/gateway/resume');
    expect(resume.sessionId).toBe(fake.gateway.identifies[0]?.sessionId);
    expect(fake.gateway.received.filter((f) => f.op === GatewayOps.Resume)).toHaveLength(1);
    expect(fake.gateway.identifies).toHaveLength(1);

    await waitUntil(() => fake.gateway.dispatched.some((d) => d.t === 'RESUMED'));
    const arrived = nextEvent(client, 'interactionCreate');
    const injected = fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'diffusion' } });
    const [interaction] = await arrived;
    expect(interaction.id).toBe(injected.id);
  }, T);

  it('replays an interaction dispatched while the connection was down once the client resumes', async () => {
    client = await loginClient(fake);
    const arrived = nextEvent(client, 'interactionCreate', 8000);
    fake.dropGateway('abnormal');
    const injected = fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'graphs' } });

    const [interaction] = await arrived;
    expect(interaction.id).toBe(injected.id);
    const resume = await fake.gateway.waitForResume();
    expect(resume.replayed).toBeGreaterThanOrEqual(1);
    expect(fake.gateway.dispatched.find((d) => d.t === 'INTERACTION_CREATE')?.sentLive).toBe(false);
  }, T);

  it('resumes when asked to reconnect with op 7', async () => {
    client = await loginClient(fake);
    const resumed = fake.gateway.waitForResume({ timeoutMs: 8000 });
    fake.dropGateway('reconnect-request');
    expect((await resumed).accepted).toBe(true);
    expect(fake.gateway.connections).toBe(2);
  }, T);

  it('delivers a reaction on an uncached message as messageReactionAdd with a partial message, then its removal', async () => {
    client = await loginClient(fake);
    const posted = fake.seedMessage({ channelId: 'papers-ml', content: 'Attention Is All You Need' });
    const alice = fake.state.user('alice');

    const added = nextEvent(client, 'messageReactionAdd');
    fake.injectReaction({ action: 'add', userId: 'alice', channelId: 'papers-ml', messageId: posted.id, emoji: '🔖' });
    const [reaction, user] = await added;
    expect(reaction.message.partial).toBe(true);
    expect(reaction.message.id).toBe(posted.id);
    expect(reaction.emoji.name).toBe('🔖');
    expect(user.id).toBe(alice.id);

    const sent = fake.gateway.dispatched.find((d) => d.t === 'MESSAGE_REACTION_ADD')?.d;
    expect(sent).toMatchObject({
      user_id: alice.id,
      message_id: posted.id,
      guild_id: fake.state.guild().id,
      emoji: { id: null, name: '🔖' },
      member: { user: { id: alice.id } },
      message_author_id: fake.botUserId,
      burst: false,
      type: 0,
    });

    const removed = nextEvent(client, 'messageReactionRemove');
    fake.injectReaction({ action: 'remove', userId: 'alice', channelId: 'papers-ml', messageId: posted.id, emoji: '🔖' });
    const [removedReaction, remover] = await removed;
    expect(removedReaction.message.id).toBe(posted.id);
    expect(remover.id).toBe(alice.id);
  }, T);

  it('given a client without the GuildMessageReactions intent then reactions are not sent to it', async () => {
    client = await loginClient(fake, { intents: [GatewayIntentBits.Guilds] });
    const posted = fake.seedMessage({ channelId: 'papers-ml', content: 'x' });
    fake.injectReaction({ action: 'add', channelId: 'papers-ml', messageId: posted.id, emoji: '🔖' });
    expect(fake.gateway.filtered.map((f) => `${f.t} ${f.reason}`)).toEqual(['MESSAGE_REACTION_ADD missing-intent']);
  }, T);

  it('tells the client about a deleted channel, and the channel is then unknown to REST', async () => {
    client = await loginClient(fake);
    const channel = fake.state.channel('papers-ml');
    const deleted = nextEvent(client, 'channelDelete');
    fake.deleteChannel('papers-ml');
    await deleted;
    expect(client.channels.cache.has(channel.id)).toBe(false);
    await expect(client.channels.fetch(channel.id)).rejects.toMatchObject({ code: 10003, status: 404 });
  }, T);

  it('given a token option then a client with another token cannot log in (401 on /gateway/bot)', async () => {
    await fake.close();
    fake = await startFakeDiscord({ token: 'the-real-token' });
    await expect(loginClient(fake)).rejects.toThrow(/invalid token/i);
    expect(fake.requestsFor('/gateway/bot', 'GET')[0]?.status).toBe(401);
  }, T);

  it('closes promptly while a client is still connected', async () => {
    client = await loginClient(fake);
    const started = Date.now();
    await fake.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await destroyClient(client);
    client = undefined;
    fake = await startFakeDiscord(); // afterEach closes it again
  }, T);
});

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
