import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startClusterManager, type RunningClusterManager } from '../../src/app/cluster-manager.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startFakeDiscord, type FakeDiscord } from '../../sandbox/fake-discord/fake-discord.js';
import { botEnv, fakeBotToken, within } from '../discord/start-test-bot.js';

/**
 * The manager in this process (its clusters are real processes, which read their settings from
 * this process's environment: vitest runs each file in its own process).
 */
describe('the cluster manager', () => {
  let fake: FakeDiscord | undefined;
  let running: RunningClusterManager | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await running?.stop();
    await fake?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('given a cluster that never becomes ready (no gateway), gives up after the ready timeout and stops it', async () => {
    const token = fakeBotToken();
    fake = await startFakeDiscord({ token, sessionStartLimit: { maxConcurrency: 16 } });
    // REST answers, the gateway refuses every connection: discord.js keeps trying and never logs in.
    fake.gateway.close();
    dir = await mkdtemp(path.join(tmpdir(), 'paperboy-manager-'));
    const env = { ...botEnv(fake, dir, token, 'info'), CLUSTERS: '1', SHARDS: '1' };
    Object.assign(process.env, env);
    const lines: string[] = [];
    let gaveUp!: () => void;
    const gaveUpPromise = new Promise<void>((resolve) => (gaveUp = resolve));
    const started = Date.now();
    running = await startClusterManager({
      config: loadConfig(env, { require: 'bot' }),
      logger: createLogger('info', { write: (line: string) => void lines.push(line) }),
      readyTimeoutMs: 2_000,
      onGiveUp: gaveUp,
    });
    await within(30_000, 'the manager giving up', gaveUpPromise);
    const log = lines.join('');
    expect(log).toContain('cluster did not become ready: stopping');
    expect(log).toContain('"msg":"stopped"');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(await running.memory().catch((error: Error) => error.message)).toMatch(/CLUSTERING/);
  }, 40_000);
});
