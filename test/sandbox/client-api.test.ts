/**
 * The sandbox client API's limits: only the sandbox's people act, bodies are bounded and
 * checked, and one person never reaches another's ephemeral answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createClientApi, type ClientApi, type ClientEvent } from '../../sandbox/fake-discord/client-api.js';
import { destroyClient, loginClient, TEST_TOKEN } from '../../sandbox/fake-discord/discord-client.js';
import { startFakeDiscord, type FakeDiscord } from '../../sandbox/fake-discord/fake-discord.js';
import { SANDBOX_GUILD, SANDBOX_IDS, SANDBOX_PEOPLE } from '../../sandbox/sandbox-guild.js';

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

  /** Events streamed to a page from now on. */
  const listen = async () => {
    const events: ClientEvent[] = [];
    const socket = new WebSocket(`${base.replace('http', 'ws')}/sandbox/ws`);
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
      const page = await listen();
      const response = await post('/sandbox/api/interactions', { kind: 'command', user: SANDBOX_IDS.member, channelId: SANDBOX_IDS.general, name: 'paper' });
      const { interactionId } = (await response.json()) as { interactionId: string };
      await expect.poll(() => page.events.find((e) => e.type === 'interaction-failed'), { timeout: 6_000 }).toMatchObject({ interactionId, userId: SANDBOX_IDS.member });
      page.close();
    } finally {
      await destroyClient(client);
    }
  });
});
