import { REST } from '@discordjs/rest';
import { Routes } from 'discord.js';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { REST_PROXY_USER_AGENT, startRestProxy } from '../../src/app/cluster-manager.js';
import { createLogger } from '../../src/logger.js';
import { startFakeDiscord, type FakeDiscord } from '../../sandbox/fake-discord/fake-discord.js';

/**
 * The manager's REST proxy is the one rate limiter of all clusters: two REST clients (two
 * clusters) sending at once through it stay within the bot's global limit together, where each
 * alone would allow itself the full 50 requests/s.
 */
describe('the REST proxy of the cluster manager', () => {
  let fake: FakeDiscord | undefined;
  let proxy: { server: Server; url: string } | undefined;
  const logger = createLogger('warn', { write: () => {} });

  afterEach(async () => {
    proxy?.server.closeAllConnections();
    await new Promise<void>((resolve) => (proxy ? proxy.server.close(() => resolve()) : resolve()));
    await fake?.close();
    proxy = undefined;
    fake = undefined;
  });

  it('given two clusters sending 80 requests each at once, passes all through one limiter: no 429 beyond the first, each marked as proxied', async () => {
    fake = await startFakeDiscord({ rateLimits: { globalPerSecond: 50 } });
    proxy = await startRestProxy({ discord: { apiUrl: fake.apiUrl } }, logger);
    const channels = fake.state.channelsOf(fake.state.guild().id).filter((c) => c.type === 0);
    const clusters = [0, 1].map(() => new REST({ api: proxy!.url }).setToken('test-token'));
    const since = fake.mark();
    const started = Date.now();
    await Promise.all(clusters.flatMap((rest) => Array.from({ length: 80 }, (_, i) => rest.get(Routes.channel(channels[i % channels.length]!.id)))));
    const elapsedMs = Date.now() - started;

    const requests = fake.requests.slice(since);
    expect(requests.filter((r) => r.status === 200)).toHaveLength(160);
    expect(requests.filter((r) => !String(r.headers['user-agent']).includes(REST_PROXY_USER_AGENT))).toEqual([]);
    // None beyond the first: the limiter's 1 s windows start when it sends, Discord's when it
    // receives, so on a loaded machine one request can land a moment early (and is retried).
    expect(fake.stats().served429).toBeLessThanOrEqual(1);
    // 160 requests at 50/s: the fourth second at least (each cluster alone would have sent its 80 in two).
    expect(elapsedMs).toBeGreaterThanOrEqual(2_900);
  }, 20_000);

  it('given Discord unreachable, answers 502 so the cluster retries, never an empty 200', async () => {
    proxy = await startRestProxy({ discord: { apiUrl: 'http://127.0.0.1:9/api' } }, logger);
    const response = await fetch(`${proxy.url}/v10/gateway/bot`, { headers: { authorization: 'Bot x' } });
    expect(response.status).toBe(502);
  }, 20_000);
});
