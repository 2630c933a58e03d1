import { afterEach, describe, expect, it } from 'vitest';
import { Client, Events } from 'discord.js';
import WebSocket from 'ws';
import { destroyClient, loginClient, nextEvent } from '../../sandbox/fake-discord/discord-client.js';
import { startFakeDiscord, type FakeDiscord, type GuildSeed } from '../../sandbox/fake-discord/fake-discord.js';
import { GatewayCloseCodes, GatewayOps } from '../../sandbox/fake-discord/gateway.js';
import { guildIdOnShard, shardOfGuild } from '../../sandbox/fake-discord/snowflake.js';

const T = 20_000;

/** `count` servers per shard of `shards`, each with a channel `general-<i>` and alice in it. */
function spreadGuilds(shards: number, perShard: number): GuildSeed[] {
  const seeds: GuildSeed[] = [];
  for (let n = 0; n < perShard; n++) {
    for (let shard = 0; shard < shards; shard++) {
      const i = seeds.length;
      seeds.push({ id: guildIdOnShard(shard, shards, n), name: `Guild ${i}`, channels: [{ name: `general-${i}`, type: 'text' }], members: [{ user: { username: 'alice' } }] });
    }
  }
  return seeds;
}

describe('fake Discord sharding, with the real discord.js client', () => {
  let fake: FakeDiscord | undefined;
  const clients: Client[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => destroyClient(c)));
    await fake?.close();
    fake = undefined;
  });

  it('makes guild ids that land on the asked shard, distinct for each n', () => {
    const ids = [0, 1, 2].flatMap((shard) => [0, 1].map((n) => guildIdOnShard(shard, 3, n)));
    expect(ids.map((id) => shardOfGuild(id, 3))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(new Set(ids).size).toBe(6);
    expect(ids.every((id) => /^\d{18}$/.test(id))).toBe(true);
  });

  it('given GET /gateway/bot, recommends the configured shard count and counts IDENTIFYs against session_start_limit', async () => {
    fake = await startFakeDiscord({ recommendedShards: 4, sessionStartLimit: { total: 10, maxConcurrency: 2 } });
    const ask = async () => (await fetch(`${fake!.apiUrl}/v10/gateway/bot`, { headers: { authorization: 'Bot x' } })).json();
    expect(await ask()).toMatchObject({ url: fake.gatewayUrl, shards: 4, session_start_limit: { total: 10, remaining: 10, max_concurrency: 2 } });
    clients.push(await loginClient(fake));
    expect(await ask()).toMatchObject({ session_start_limit: { remaining: 9 } });
  }, T);

  it('given one client running shards 0 and 1 of 2, each shard identifies and gets only its own servers', async () => {
    const guilds = spreadGuilds(2, 2);
    // max_concurrency 2: both shards identify at once (with 1, discord.js waits 5 s between them).
    fake = await startFakeDiscord({ guilds, sessionStartLimit: { maxConcurrency: 2 } });
    const client = await loginClient(fake, { shards: [0, 1], shardCount: 2 });
    clients.push(client);

    expect(fake.gateway.identifies.map((i) => i.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const readies = fake.gateway.dispatched.filter((d) => d.t === 'READY').map((d) => d.d as { shard: number[]; guilds: { id: string }[] });
    for (const ready of readies) {
      expect(ready.guilds.map((g) => shardOfGuild(g.id, 2))).toEqual([ready.shard[0], ready.shard[0]]);
    }
    // Every server arrives once, on its own shard, and discord.js files it under that shard.
    const creates = fake.gateway.dispatched.filter((d) => d.t === 'GUILD_CREATE').map((d) => (d.d as { id: string }).id);
    expect(creates.sort()).toEqual(guilds.map((g) => g.id).sort());
    for (const seed of guilds) expect(client.guilds.cache.get(seed.id!)?.shardId).toBe(shardOfGuild(seed.id!, 2));
    expect(fake.gateway.shards.map((s) => [s.shard, s.connected])).toEqual([
      [[0, 2], true],
      [[1, 2], true],
    ]);
  }, T);

  it('given two clients with one shard each, an interaction or a reaction reaches only the client whose shard owns the server', async () => {
    const guilds = spreadGuilds(2, 2);
    // max_concurrency 2: two processes identifying back to back need two IDENTIFY buckets (with 1,
    // Discord refuses the second and it identifies again 5 s later).
    fake = await startFakeDiscord({ guilds, sessionStartLimit: { maxConcurrency: 2 } });
    const shard0 = await loginClient(fake, { shards: [0], shardCount: 2 });
    clients.push(shard0);
    const shard1 = await loginClient(fake, { shards: [1], shardCount: 2 });
    clients.push(shard1);

    expect([...shard0.guilds.cache.keys()].sort()).toEqual(guilds.filter((g) => shardOfGuild(g.id!, 2) === 0).map((g) => g.id).sort());
    expect([...shard1.guilds.cache.keys()].sort()).toEqual(guilds.filter((g) => shardOfGuild(g.id!, 2) === 1).map((g) => g.id).sort());

    const seen: string[] = [];
    shard0.on(Events.InteractionCreate, (i) => seen.push(`0:${i.guildId}`));
    shard1.on(Events.InteractionCreate, (i) => seen.push(`1:${i.guildId}`));
    for (const [i, seed] of guilds.entries()) {
      const owner = shardOfGuild(seed.id!, 2) === 0 ? shard0 : shard1;
      const arrived = nextEvent(owner, Events.InteractionCreate);
      fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'x' }, channelId: `general-${i}` });
      expect((await arrived)[0].guildId).toBe(seed.id);
    }
    expect(seen.sort()).toEqual(guilds.map((g) => `${shardOfGuild(g.id!, 2)}:${g.id}`).sort());

    const onShard1 = guilds.findIndex((g) => shardOfGuild(g.id!, 2) === 1);
    const message = fake.seedMessage({ channelId: `general-${onShard1}`, content: 'a paper' });
    const reactions: string[] = [];
    shard0.on(Events.MessageReactionAdd, () => reactions.push('0'));
    const reacted = nextEvent(shard1, Events.MessageReactionAdd);
    fake.injectReaction({ action: 'add', channelId: `general-${onShard1}`, messageId: message.id, emoji: '🔖' });
    await reacted;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reactions).toEqual([]);
  }, T);

  it('given a shard that is not connected, an event for its server is not delivered to another shard', async () => {
    const guilds = spreadGuilds(2, 1);
    fake = await startFakeDiscord({ guilds });
    clients.push(await loginClient(fake, { shards: [0], shardCount: 2 }));
    const onShard1 = guilds.findIndex((g) => shardOfGuild(g.id!, 2) === 1);
    expect(() => fake!.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'x' }, channelId: `general-${onShard1}` })).toThrow(/no gateway session/);
  }, T);

  it('given IDENTIFY with a shard id outside its count, closes with 4010 Invalid shard', async () => {
    fake = await startFakeDiscord();
    const socket = new WebSocket(fake.gatewayUrl);
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.on('message', () => socket.send(JSON.stringify({ op: GatewayOps.Identify, d: { token: 't', intents: 1, properties: {}, shard: [2, 2] } })));
    expect(await closed).toBe(GatewayCloseCodes.InvalidShard);
  }, T);
});
