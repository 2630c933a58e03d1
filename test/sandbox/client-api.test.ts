/**
 * The sandbox client API's limits: only the sandbox's people act, bodies are bounded and
 * checked, options are what the registered command allows, one person never reaches another's
 * ephemeral answer, and a page that stops answering or reading is dropped.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { commands } from '../../commands/index.js';
import { deployCommands } from '../../src/discord/deploy-commands.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { createClientApi, type ClientApi, type ClientEvent } from '../../sandbox/fake-discord/client-api.js';
import { destroyClient, loginClient, TEST_TOKEN } from '../../sandbox/fake-discord/discord-client.js';
import { startFakeDiscord, type FakeDiscord } from '../../sandbox/fake-discord/fake-discord.js';
import { SANDBOX_GUILD, SANDBOX_IDS, SANDBOX_PEOPLE } from '../../sandbox/sandbox-guild.js';

/** The page server's part in the client API: its routes and its WebSocket on a free port. */
async function servePage(api: ClientApi): Promise<{ server: Server; base: string }> {
  const server = createServer((request, response) => {
    void api.handle(request, response, new URL(request.url ?? '/', 'http://127.0.0.1')).then((handled) => {
      if (!handled) response.writeHead(404).end();
    });
  });
  server.on('upgrade', (request, socket, head) => {
    if (!api.handleUpgrade(request, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('the sandbox client API', () => {
  let fake: FakeDiscord;
  let api: ClientApi;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    fake = await startFakeDiscord({ guilds: [SANDBOX_GUILD], bot: { id: SANDBOX_IDS.bot } });
    api = createClientApi(fake, { people: SANDBOX_PEOPLE });
    server = createServer((request, response) => {
      void api.handle(request, response, new URL(request.url ?? '/', 'http://127.0.0.1')).then((handled) => {
        if (!handled) response.writeHead(404).end();
      });
    });
    server.on('upgrade', (request, socket, head) => {
      if (!api.handleUpgrade(request, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Paperboy's commands, registered as the sandbox registers them: the options are checked against these.
    await deployCommands({ bodies: commands.map((c) => c.data), token: TEST_TOKEN, applicationId: fake.applicationId, guildId: SANDBOX_IDS.guild, apiUrl: fake.apiUrl, deployed: createMemoryStore<string>() });
  });

  afterAll(async () => {
    api.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await fake.close();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('lists the sandbox server: its channels, its two people and their permissions', async () => {
    const state = (await (await fetch(`${base}/sandbox/api/state`)).json()) as { channels: { name: string }[]; people: { label: string; permissions: Record<string, string> }[] };
    expect(state.channels.map((c) => c.name)).toEqual(['general', 'Papers', 'papers-ml', 'paper-news']);
    expect(state.people.map((p) => p.label)).toEqual(['Ada (server admin)', 'Max (member)']);
    expect(BigInt(state.people[0]!.permissions[SANDBOX_IDS.general]!) & (1n << 4n)).toBe(1n << 4n); // Manage Channels
    expect(BigInt(state.people[1]!.permissions[SANDBOX_IDS.general]!) & (1n << 4n)).toBe(0n);
  });

  it('refuses anyone but the sandbox people', async () => {
    const owner = fake.state.user('owner').id;
    const response = await post('/sandbox/api/interactions', { kind: 'command', user: owner, channelId: SANDBOX_IDS.general, name: 'paper' });
    expect(response.status).toBe(403);
  });

  it('refuses malformed and oversized bodies with what is wrong', async () => {
    const tooLong = await post('/sandbox/api/interactions', { kind: 'button', user: SANDBOX_IDS.admin, messageId: SANDBOX_IDS.general, customId: 'x'.repeat(101) });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: string }).error).toContain('customId');
    expect((await post('/sandbox/api/interactions', '{not json')).status).toBe(400);
    expect((await post('/sandbox/api/interactions', { kind: 'command', user: SANDBOX_IDS.admin, channelId: SANDBOX_IDS.general, name: 'x', options: { a: 'y'.repeat(70_000) } })).status).toBe(413);
  });

  it('hides one person’s ephemeral answer from the other', async () => {
    const message = fake.state.createMessage({
      channelId: SANDBOX_IDS.general,
      content: 'only for Ada',
      ephemeral: true,
      interaction: { id: fake.state.ids.next(), type: 2, userId: SANDBOX_IDS.admin, name: 'paper' },
    });
    const asMax = await post('/sandbox/api/interactions', { kind: 'button', user: SANDBOX_IDS.member, messageId: message.id, customId: 'search:page:x:5' });
    expect(asMax.status).toBe(404);
    const reaction = await post('/sandbox/api/reactions', { user: SANDBOX_IDS.admin, messageId: message.id, emoji: '🔖', action: 'add' });
    expect(reaction.status).toBe(400);
  });

  /** Events streamed to a page viewing the server as `viewer` (nobody in particular without one) from now on. */
  const listen = async (viewer?: string) => {
    const events: ClientEvent[] = [];
    const socket = new WebSocket(`${base.replace('http', 'ws')}/sandbox/ws${viewer ? `?as=${viewer}` : ''}`);
    socket.on('message', (data) => events.push(JSON.parse(String(data)) as ClientEvent));
    await new Promise((resolve) => socket.once('open', resolve));
    return { events, close: () => socket.close() };
  };

  it('streams the messages a bot sends and the payloads Discord would refuse', async () => {
    const page = await listen();
    const send = (content: string) =>
      fetch(`${fake.apiUrl}/v10/channels/${SANDBOX_IDS.general}/messages`, {
        method: 'POST',
        headers: { authorization: `Bot ${TEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content }),
      });
    expect((await send('hello')).status).toBe(200);
    expect((await send('x'.repeat(2001))).status).toBe(400);
    await expect.poll(() => page.events.map((e) => e.type)).toEqual(['message', 'violation']);
    expect(page.events[0]).toMatchObject({ message: { content: 'hello', channelId: SANDBOX_IDS.general, ephemeral: false } });
    page.close();
  });

  it('tells the page when the bot does not answer an interaction within Discord’s 3 seconds', async () => {
    // A logged-in client that never answers: Discord's client would say "The application did not respond".
    const client = await loginClient(fake);
    try {
      const page = await listen(SANDBOX_IDS.member);
      const other = await listen(SANDBOX_IDS.admin);
      const response = await post('/sandbox/api/interactions', { kind: 'command', user: SANDBOX_IDS.member, channelId: SANDBOX_IDS.general, name: 'bookmarks', subcommand: 'list' });
      const { interactionId } = (await response.json()) as { interactionId: string };
      await expect.poll(() => page.events.find((e) => e.type === 'interaction-failed'), { timeout: 6_000 }).toMatchObject({ interactionId, userId: SANDBOX_IDS.member });
      // Discord tells only the person who used the command.
      expect(other.events.filter((e) => e.type === 'interaction-failed')).toEqual([]);
      page.close();
      other.close();
    } finally {
      await destroyClient(client);
    }
  });

  it('given options the registered command does not allow, answers the page with what is wrong and never tells the bot', async () => {
    const command = (subcommand: string, options: Record<string, unknown>) =>
      post('/sandbox/api/interactions', { kind: 'command', user: SANDBOX_IDS.admin, channelId: SANDBOX_IDS.general, name: 'topic', subcommand, options });
    const before = fake.state.interactions.size;
    // `topic: true` reached the bot's `name.trim()` and threw; Discord's client sends only text for a string option.
    const wrongType = await command('why', { id: '2405.17399', topic: true });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { error: string }).error).toBe('Discord would not send this: topic: must be text');
    const noChannel = await command('add', { name: 'ml', query: 'llm', channel: '1300000000000000999' });
    expect(noChannel.status).toBe(400);
    expect(((await noChannel.json()) as { error: string }).error).toBe('Discord would not send this: channel: must be a channel of this server');
    const category = await command('add', { name: 'ml', query: 'llm', channel: SANDBOX_IDS.papers });
    expect(((await category.json()) as { error: string }).error).toContain('#Papers is not a channel of an allowed type');
    const missing = await command('add', { name: 'ml' });
    expect(((await missing.json()) as { error: string }).error).toBe('Discord would not send this: query: required; channel: required');
    expect(fake.state.interactions.size).toBe(before);
  });

  it('sends an ephemeral answer only to the page viewing the server as its person, over the WebSocket and in the state', async () => {
    const client = await loginClient(fake);
    client.on('interactionCreate', (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.reply({ content: 'only for Ada', flags: MessageFlags.Ephemeral });
    });
    try {
      const ada = await listen(SANDBOX_IDS.admin);
      const max = await listen(SANDBOX_IDS.member);
      const nobody = await listen();
      const response = await post('/sandbox/api/interactions', { kind: 'command', user: SANDBOX_IDS.admin, channelId: SANDBOX_IDS.general, name: 'bookmarks', subcommand: 'list' });
      expect(response.status).toBe(200);
      await expect.poll(() => ada.events.find((e) => e.type === 'message')).toMatchObject({ message: { content: 'only for Ada', ephemeral: true, visibleTo: SANDBOX_IDS.admin } });
      // A public message after it: once the others have that, they would have had the ephemeral one too.
      await fetch(`${fake.apiUrl}/v10/channels/${SANDBOX_IDS.general}/messages`, {
        method: 'POST',
        headers: { authorization: `Bot ${TEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'for everyone' }),
      });
      for (const page of [max, nobody]) {
        await expect.poll(() => page.events.some((e) => e.type === 'message' && e.message.content === 'for everyone')).toBe(true);
        expect(page.events.filter((e) => e.type === 'message' && e.message.ephemeral)).toEqual([]);
      }
      const contents = async (query: string) =>
        ((await (await fetch(`${base}/sandbox/api/state${query}`)).json()) as { messages: { content: string }[] }).messages.map((m) => m.content);
      expect(await contents(`?as=${SANDBOX_IDS.admin}`)).toContain('only for Ada');
      expect(await contents(`?as=${SANDBOX_IDS.member}`)).not.toContain('only for Ada');
      expect(await contents('')).not.toContain('only for Ada');
      for (const page of [ada, max, nobody]) page.close();
    } finally {
      await destroyClient(client);
    }
  });

  it('refuses to view the server as anyone but the sandbox people', async () => {
    const owner = fake.state.user('owner').id;
    expect((await fetch(`${base}/sandbox/api/state?as=${owner}`)).status).toBe(403);
    const socket = new WebSocket(`${base.replace('http', 'ws')}/sandbox/ws?as=${owner}`);
    const status = await new Promise((resolve) => {
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode));
      socket.on('open', () => resolve('open'));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(403);
    socket.terminate();
  });
});

/**
 * A raw WebSocket client that never answers a ping and reads only when told: a tab that was
 * closed without a goodbye, or one too slow to keep up.
 */
async function rawSocket(base: string, path: string): Promise<{ socket: Socket; received: () => number; closed: Promise<void> }> {
  const url = new URL(base);
  const socket = connect(Number(url.port), url.hostname);
  let head = '';
  let bytes = 0;
  const upgraded = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (head.includes('\r\n\r\n')) return;
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      if (head.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(head.split('\r\n')[0]));
    });
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await upgraded;
  return { socket, received: () => bytes, closed };
}

describe('the sandbox client API’s WebSocket', () => {
  let fake: FakeDiscord;
  const running: { api: ClientApi; server: Server }[] = [];

  beforeAll(async () => {
    fake = await startFakeDiscord({ guilds: [SANDBOX_GUILD], bot: { id: SANDBOX_IDS.bot } });
  });

  afterAll(async () => {
    for (const { api, server } of running) {
      api.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await fake.close();
  });

  const start = async (options: { heartbeatMs: number; maxBufferedBytes: number }) => {
    const api = createClientApi(fake, { people: SANDBOX_PEOPLE, ...options });
    const { server, base } = await servePage(api);
    running.push({ api, server });
    return { api, base };
  };

  it('drops a page that stops answering pings and keeps one that answers', async () => {
    const { api, base } = await start({ heartbeatMs: 100, maxBufferedBytes: 512 * 1024 });
    const dead = await rawSocket(base, '/sandbox/ws');
    const live = new WebSocket(`${base.replace('http', 'ws')}/sandbox/ws`);
    const events: string[] = [];
    live.on('message', (data) => events.push(String(data)));
    await new Promise((resolve) => live.once('open', resolve));
    const outcome = await Promise.race([dead.closed.then(() => 'dropped'), sleep(3_000).then(() => 'still open')]);
    expect(outcome).toBe('dropped');
    expect(live.readyState).toBe(WebSocket.OPEN);
    api.broadcast({ type: 'status', status: { alive: true } });
    await expect.poll(() => events).toEqual([JSON.stringify({ type: 'status', status: { alive: true } })]);
    live.close();
  });

  it('drops a page that does not read instead of buffering for it without bound', async () => {
    // No heartbeat in the way: the page is dropped for what waits to be sent, not for a missed pong.
    const { api, base } = await start({ heartbeatMs: 60_000, maxBufferedBytes: 512 * 1024 });
    const slow = await rawSocket(base, '/sandbox/ws');
    slow.socket.pause();
    const event = { type: 'status', status: { filler: 'x'.repeat(256 * 1024) } } as const;
    // 40 MB: more than the kernel's socket buffers hold, so the rest waits in the server's memory.
    for (let i = 0; i < 160; i++) {
      api.broadcast(event);
      if (i % 10 === 9) await sleep(5);
    }
    slow.socket.resume();
    const outcome = await Promise.race([slow.closed.then(() => 'dropped'), sleep(10_000).then(() => 'still open')]);
    expect(outcome).toBe('dropped');
    expect(slow.received()).toBeLessThan(160 * 256 * 1024);
  }, 20_000);
});
