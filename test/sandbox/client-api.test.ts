/**
 * The sandbox client API's limits: only the sandbox's people act, bodies are bounded and
 * checked, and one person never reaches another's ephemeral answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientApi, type ClientApi } from '../../sandbox/fake-discord/client-api.js';
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
});
