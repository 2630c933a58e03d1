import { afterEach, describe, expect, it } from 'vitest';
import { MessageFlags, Routes, type Client, type TextChannel } from 'discord.js';
import { destroyClient, loginClient, nextEvent, TEST_TOKEN } from '../../sandbox/fake-discord/discord-client.js';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../../sandbox/fake-discord/fake-discord.js';

const T = 15_000;

describe('fake Discord rate limits', () => {
  let fake: FakeDiscord | undefined;
  let client: Client<true> | undefined;

  const start = async (options: FakeDiscordOptions, withClient = true): Promise<FakeDiscord> => {
    fake = await startFakeDiscord(options);
    if (withClient) client = await loginClient(fake);
    return fake;
  };

  const post = (f: FakeDiscord, channelId: string): Promise<Response> =>
    fetch(`${f.apiUrl}/v10/channels/${channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'burst' }),
    });

  afterEach(async () => {
    await destroyClient(client);
    client = undefined;
    await fake?.close();
    fake = undefined;
  });

  it('given a per-channel limit then discord.js reads the headers and waits for the window instead of drawing a 429', async () => {
    const f = await start({ rateLimits: { perChannel: { count: 2, windowMs: 600 } } });
    const channel = client!.channels.cache.get(f.state.channel('papers-ml').id) as TextChannel;
    await Promise.all([channel.send('one'), channel.send('two'), channel.send('three')]);

    const posts = f.requestsFor('/channels/:id/messages', 'POST');
    expect(posts.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(posts[2]!.at - posts[0]!.at).toBeGreaterThanOrEqual(590);
    expect(f.stats().served429).toBe(0);
  }, T);

  it('given a burst over the per-channel limit then the extra request gets a 429 with the real headers, per channel', async () => {
    const f = await start({ rateLimits: { perChannel: { count: 2, windowMs: 5000 } } }, false);
    const topic = f.state.channel('papers-ml').id;
    const statuses = [];
    for (let i = 0; i < 2; i += 1) statuses.push((await post(f, topic)).status);
    const limited = await post(f, topic);
    expect(statuses).toEqual([200, 200]);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(4);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('2');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(4);
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(limited.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    expect(limited.headers.get('x-ratelimit-scope')).toBe('user');
    expect(await limited.json()).toMatchObject({ message: 'You are being rate limited.', global: false });

    // Another channel is another bucket (channel id is the "major parameter").
    expect((await post(f, f.state.channel('general').id)).status).toBe(200);
    expect(f.stats().served429).toBe(1);
  }, T);

  it('given a global limit then the request over it gets a global 429', async () => {
    const f = await start({ rateLimits: { globalPerSecond: 3 } }, false);
    const me = () => fetch(`${f.apiUrl}/v10/users/@me`, { headers: { authorization: `Bot ${TEST_TOKEN}` } });
    const statuses = [(await me()).status, (await me()).status, (await me()).status];
    const limited = await me();
    expect(statuses).toEqual([200, 200, 200]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-global')).toBe('true');
    expect(limited.headers.get('x-ratelimit-scope')).toBe('global');
    expect(await limited.json()).toMatchObject({ global: true });
  }, T);

  it('given a scripted global 429 then discord.js pauses and retries after retry-after', async () => {
    const f = await start({});
    f.failNext({ route: '/users/@me', status: 429, global: true, retryAfterMs: 300 });
    await client!.rest.get(Routes.user());
    const [limited, retried] = f.requestsFor('/users/@me', 'GET');
    expect([limited?.status, retried?.status]).toEqual([429, 200]);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(300);
  }, T);

  it('given a 429 on an interaction callback then discord.js waits retry-after and the reply still lands', async () => {
    const f = await start({});
    f.failNext({ route: '/interactions/:id/:token/callback', status: 429, retryAfterMs: 300 });
    const arrived = nextEvent(client!, 'interactionCreate');
    const injected = f.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'x' } });
    const [interaction] = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');

    await interaction.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
    const [limited, accepted] = injected.responses();
    expect([limited?.status, accepted?.status]).toEqual([429, 204]);
    expect(accepted!.at - limited!.at).toBeGreaterThanOrEqual(300);
  }, T);
});
