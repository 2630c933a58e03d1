import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from 'discord.js';
import WebSocket from 'ws';
import { destroyClient, loginClient } from '../../sandbox/fake-discord/discord-client.js';
import { startFakeDiscord, type FakeDiscord } from '../../sandbox/fake-discord/fake-discord.js';
import { GatewayOps } from '../../sandbox/fake-discord/gateway.js';

const T = 20_000;
/** Short enough to wait out in a test, long enough that two back-to-back IDENTIFYs fall inside it. */
const WINDOW_MS = 400;

/**
 * Opens a raw gateway socket, IDENTIFYs as `shard` once HELLO arrives and resolves with the op
 * of the answer: 0 (READY dispatch) when accepted, 9 (INVALID_SESSION) when refused.
 */
async function identify(fake: FakeDiscord, shard: readonly [number, number] | null, sockets: WebSocket[]): Promise<{ op: number; d: unknown }> {
  const socket = new WebSocket(fake.gatewayUrl);
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { op: number; d: unknown };
      if (frame.op === GatewayOps.Hello) {
        socket.send(JSON.stringify({ op: GatewayOps.Identify, d: { token: 't', intents: 1, properties: {}, ...(shard ? { shard } : {}) } }));
      } else if (frame.op === GatewayOps.Dispatch || frame.op === GatewayOps.InvalidSession) {
        resolve({ op: frame.op, d: frame.d });
      }
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fake Discord IDENTIFY rate limit (max_concurrency per 5 s)', () => {
  let fake: FakeDiscord | undefined;
  const sockets: WebSocket[] = [];
  const clients: Client[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await Promise.all(clients.splice(0).map((c) => destroyClient(c)));
    await fake?.close();
    fake = undefined;
  });

  it('given two IDENTIFYs in the same bucket within the window, refuses the second with op 9 (d: false) and counts it', async () => {
    fake = await startFakeDiscord({ sessionStartLimit: { total: 10, maxConcurrency: 1 }, identifyWindowMs: 5000 });
    expect(await identify(fake, [0, 2], sockets)).toMatchObject({ op: GatewayOps.Dispatch });
    expect(await identify(fake, [1, 2], sockets)).toEqual({ op: GatewayOps.InvalidSession, d: false });

    expect(fake.stats().refusedIdentifies).toBe(1);
    expect(fake.gateway.refusedIdentifies).toMatchObject([{ shard: [1, 2], bucket: 0 }]);
    expect(fake.gateway.identifies.map((i) => i.shard)).toEqual([[0, 2]]);
    expect(fake.gateway.shards.map((s) => s.shard)).toEqual([[0, 2]]);
    // Only the accepted IDENTIFY uses up a session start.
    const bot = await (await fetch(`${fake.apiUrl}/v10/gateway/bot`, { headers: { authorization: 'Bot x' } })).json();
    expect(bot).toMatchObject({ session_start_limit: { total: 10, remaining: 9, max_concurrency: 1 } });
  }, T);

  it('given an IDENTIFY without a shard, counts it as shard 0 and refuses a second one within the window', async () => {
    fake = await startFakeDiscord({ identifyWindowMs: 5000 });
    expect(await identify(fake, null, sockets)).toMatchObject({ op: GatewayOps.Dispatch });
    expect(await identify(fake, [0, 1], sockets)).toEqual({ op: GatewayOps.InvalidSession, d: false });
    expect(fake.gateway.refusedIdentifies).toMatchObject([{ shard: [0, 1], bucket: 0 }]);
  }, T);

  it('given max_concurrency 2, accepts shards 0 and 1 at once (different buckets) but refuses shard 2 (bucket 0 again)', async () => {
    fake = await startFakeDiscord({ sessionStartLimit: { maxConcurrency: 2 }, identifyWindowMs: 5000 });
    expect(await identify(fake, [0, 3], sockets)).toMatchObject({ op: GatewayOps.Dispatch });
    expect(await identify(fake, [1, 3], sockets)).toMatchObject({ op: GatewayOps.Dispatch });
    expect(await identify(fake, [2, 3], sockets)).toEqual({ op: GatewayOps.InvalidSession, d: false });
    expect(fake.stats().refusedIdentifies).toBe(1);
    expect(fake.gateway.identifies.map((i) => i.shard)).toEqual([
      [0, 3],
      [1, 3],
    ]);
  }, T);

  it('given the window has passed since the bucket\'s last accepted IDENTIFY, accepts the next one', async () => {
    fake = await startFakeDiscord({ identifyWindowMs: WINDOW_MS });
    expect(await identify(fake, [0, 2], sockets)).toMatchObject({ op: GatewayOps.Dispatch });
    expect(await identify(fake, [1, 2], sockets)).toMatchObject({ op: GatewayOps.InvalidSession });
    // A refused IDENTIFY does not restart the window: it is measured from the accepted one.
    await sleep(WINDOW_MS + 50);
    expect(await identify(fake, [1, 2], sockets)).toMatchObject({ op: GatewayOps.Dispatch });
    expect(fake.stats().refusedIdentifies).toBe(1);
    expect(fake.gateway.shards.map((s) => s.shard)).toEqual([
      [0, 2],
      [1, 2],
    ]);
  }, T);

  it('given a discord.js client with 2 shards and max_concurrency 1, both shards connect without a refusal (discord.js paces its IDENTIFYs)', async () => {
    // A window shorter than discord.js' own 5 s pause: the test checks that it paces at all, not to the millisecond.
    fake = await startFakeDiscord({ sessionStartLimit: { maxConcurrency: 1 }, identifyWindowMs: 1000 });
    clients.push(await loginClient(fake, { shards: [0, 1], shardCount: 2 }, 15_000));

    expect(fake.stats().refusedIdentifies).toBe(0);
    expect(fake.gateway.identifies.map((i) => i.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const [first, second] = fake.gateway.identifies.map((i) => i.at).sort((a, b) => a - b);
    expect(second! - first!).toBeGreaterThanOrEqual(1000);
    expect(fake.gateway.shards.every((s) => s.connected)).toBe(true);
  }, T);
});
