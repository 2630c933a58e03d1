import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clusterClaimOwner,
  clusterHeartbeatMs,
  HEARTBEAT_MESSAGE,
  sendHeartbeats,
  splitShards,
  startClusterManager,
  type HeartbeatPolicy,
  type RestartPolicy,
  type RunningClusterManager,
} from '../../src/app/cluster-manager.js';
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
    running = undefined;
    delete process.env.CLUSTER_STUB_DIES;
    delete process.env.CLUSTER_STUB_READY;
    delete process.env.CLUSTER_STUB_HANGS;
    await fake?.close();
    fake = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
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

  const stubToken = fakeBotToken();
  type StubStart = { pid: number; cluster: number; shards: number[]; totalShards: number; runId: string; at: number };

  /** A manager whose clusters are test/app/cluster-stub.cjs; what each stub process was given is in the returned reader. */
  async function startStubManager(
    scale: Record<string, string>,
    options: { restarts?: RestartPolicy; heartbeat?: HeartbeatPolicy; onGiveUp?: () => void; dies?: boolean; ready?: boolean; hangs?: number } = {},
  ) {
    fake ??= await startFakeDiscord({ token: stubToken, recommendedShards: 4, sessionStartLimit: { maxConcurrency: 16 } });
    dir ??= await mkdtemp(path.join(tmpdir(), 'paperboy-manager-'));
    // One log for the test: a cluster's environment is taken when it is created, which for a
    // later cluster is after the next manager started. Each manager reads its own by run id.
    const log = path.join(dir, 'stub.jsonl');
    process.env.CLUSTER_STUB_LOG = log;
    if (options.dies) process.env.CLUSTER_STUB_DIES = '1';
    if (options.ready) process.env.CLUSTER_STUB_READY = '1';
    if (options.hangs !== undefined) process.env.CLUSTER_STUB_HANGS = String(options.hangs);
    const env = { ...botEnv(fake, dir, stubToken, 'info'), STORE_URL: 'postgres://postgres@127.0.0.1:5432/test', ...scale };
    const lines: string[] = [];
    const manager = await startClusterManager({
      config: loadConfig(env, { require: 'bot' }),
      logger: createLogger('info', { write: (line: string) => void lines.push(line) }),
      entry: { file: path.join(import.meta.dirname, 'cluster-stub.cjs'), execArgv: [] },
      onGiveUp: options.onGiveUp ?? (() => undefined),
      ...(options.restarts ? { restarts: options.restarts } : {}),
      ...(options.heartbeat ? { heartbeat: options.heartbeat } : {}),
    });
    const starts = async (): Promise<StubStart[]> =>
      (await readFile(log, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as StubStart)
        .filter((start) => start.runId === manager.runId);
    return { manager, starts, lines };
  }

  async function until<T>(ms: number, what: string, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('splits shards into exactly CLUSTERS contiguous runs, sizes one apart at most', () => {
    expect(splitShards(4, 3)).toEqual([[0, 1], [2], [3]]);
    expect(splitShards(4, 4)).toEqual([[0], [1], [2], [3]]);
    expect(splitShards(5, 2)).toEqual([[0, 1, 2], [3, 4]]);
    expect(splitShards(1, 1)).toEqual([[0]]);
  });

  it('given 3 clusters and 4 shards, runs 3 processes covering shards 0 to 3 exactly once', async () => {
    const { manager, starts } = await startStubManager({ CLUSTERS: '3', SHARDS: '4' });
    running = manager;
    const started = await until(20_000, 'three cluster processes', async () => ((await starts()).length >= 3 ? starts() : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300)); // no fourth
    expect(await starts()).toHaveLength(3);
    expect(new Set(started.map((s) => s.pid)).size).toBe(3);
    expect(started.map((s) => s.cluster).sort()).toEqual([0, 1, 2]);
    expect(started.flatMap((s) => s.shards).sort()).toEqual([0, 1, 2, 3]);
    expect(started.every((s) => s.totalShards === 4)).toBe(true);
    expect(manager.clusters).toBe(3);
  }, 30_000);

  it('given SHARDS=auto and a recommendation of 4 shards, runs CLUSTERS=3 processes', async () => {
    const { manager, starts } = await startStubManager({ CLUSTERS: '3', SHARDS: 'auto' });
    running = manager;
    const started = await until(20_000, 'three cluster processes', async () => ((await starts()).length >= 3 ? starts() : undefined));
    expect(started.flatMap((s) => s.shards).sort()).toEqual([0, 1, 2, 3]);
    expect(manager.shards).toBe(4);
  }, 30_000);

  it('gives every cluster its manager start\'s random run id, so two deployments never share a post-claim owner', async () => {
    const first = await startStubManager({ CLUSTERS: '2', SHARDS: '2' });
    running = first.manager;
    const second = await startStubManager({ CLUSTERS: '2', SHARDS: '2' });
    try {
      const a = await until(20_000, 'the first manager\'s clusters', async () => ((await first.starts()).length >= 2 ? first.starts() : undefined));
      const b = await until(20_000, 'the second manager\'s clusters', async () => ((await second.starts()).length >= 2 ? second.starts() : undefined));
      expect(first.manager.runId).toMatch(/^[0-9a-f-]{36}$/);
      expect(a.every((s) => s.runId === first.manager.runId)).toBe(true);
      expect(b.every((s) => s.runId === second.manager.runId)).toBe(true);
      // Same host, same manager pid (this test process), same cluster ids: still different owners.
      expect(clusterClaimOwner(a[0]!.runId, 0)).not.toBe(clusterClaimOwner(b[0]!.runId, 0));
      expect(clusterClaimOwner(a[0]!.runId, 0)).not.toBe(clusterClaimOwner(a[0]!.runId, 1));
      expect(() => clusterClaimOwner(undefined, 0)).toThrow(/PAPERBOY_RUN_ID is not set/);
    } finally {
      await second.manager.stop();
    }
  }, 40_000);

  it('given a cluster that keeps dying, restarts it after doubling pauses with the same run id, and gives up past the budget', async () => {
    let gaveUp!: () => void;
    const gaveUpPromise = new Promise<void>((resolve) => (gaveUp = resolve));
    const { manager, starts, lines } = await startStubManager(
      { CLUSTERS: '1', SHARDS: '1' },
      { dies: true, onGiveUp: gaveUp, restarts: { max: 3, windowMs: 60_000, firstDelayMs: 300, maxDelayMs: 700 } },
    );
    running = manager;
    await within(30_000, 'the manager giving up', gaveUpPromise);
    const started = await starts();
    // The first start and 3 restarts; the 4th death within the window stops the manager.
    expect(started).toHaveLength(4);
    expect(started.every((s) => s.runId === manager.runId && s.cluster === 0)).toBe(true);
    const gaps = started.slice(1).map((s, i) => s.at - started[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(300);
    expect(gaps[1]).toBeGreaterThanOrEqual(600);
    expect(gaps[2]).toBeGreaterThanOrEqual(700); // capped at maxDelayMs
    expect(gaps[2]).toBeLessThan(1_400 + 2_000); // not 1,200 ms doubled further (plus a process start)
    const log = lines.join('');
    expect(log).toContain('"restartInMs":300');
    expect(log).toContain('"restartInMs":600');
    expect(log).toContain('"restartInMs":700');
    expect(log).toContain('cluster died too often: stopping');
  }, 40_000);

  it('given deaths further apart than the window, keeps restarting: the budget counts deaths within the last window only', async () => {
    let gaveUp = false;
    const { manager, starts } = await startStubManager(
      { CLUSTERS: '1', SHARDS: '1' },
      { dies: true, onGiveUp: () => (gaveUp = true), restarts: { max: 1, windowMs: 400, firstDelayMs: 600, maxDelayMs: 600 } },
    );
    running = manager;
    await until(20_000, 'four starts', async () => ((await starts()).length >= 4 ? true : undefined));
    expect(gaveUp).toBe(false);
  }, 30_000);

  it('given a ready cluster whose event loop blocks, kills it after the missed heartbeats and restarts it through the restart policy, while a healthy cluster runs on', async () => {
    let gaveUp = false;
    const heartbeat = { intervalMs: 150, maxMissed: 4 };
    const { manager, starts, lines } = await startStubManager(
      { CLUSTERS: '2', SHARDS: '2' },
      { ready: true, hangs: 0, heartbeat, onGiveUp: () => (gaveUp = true), restarts: { max: 3, windowMs: 60_000, firstDelayMs: 250, maxDelayMs: 250 } },
    );
    running = manager;
    const restarted = await until(20_000, 'cluster 0 restarted', async () => {
      const zero = (await starts()).filter((s) => s.cluster === 0);
      return zero.length >= 2 ? zero : undefined;
    });
    const [hung, second] = restarted as [StubStart, StubStart];
    // It sent heartbeats (at least the first before it blocked), then stayed silent for maxMissed
    // intervals, then the restart pause.
    expect(second.at - hung.at).toBeGreaterThanOrEqual(150 + 4 * 150 + 250);
    expect(() => process.kill(hung.pid, 0)).toThrow(/ESRCH/); // SIGKILL: its SIGTERM handler could never run
    // The same stretch again: the restarted process and the other cluster keep their heartbeats.
    await new Promise((resolve) => setTimeout(resolve, second.at - hung.at + 1_000));
    const all = await starts();
    expect(all.filter((s) => s.cluster === 0)).toHaveLength(2);
    expect(all.filter((s) => s.cluster === 1)).toHaveLength(1);
    expect(gaveUp).toBe(false);
    const log = lines.map((line) => JSON.parse(line) as { msg: string; cluster?: number; signal?: string; restartInMs?: number; silentMs?: number });
    expect(log.filter((l) => l.msg === 'cluster hangs (no heartbeat): killing it')).toEqual([expect.objectContaining({ cluster: 0, silentMs: 600 })]);
    expect(log.filter((l) => l.msg === 'cluster died: restarting it')).toEqual([expect.objectContaining({ cluster: 0, signal: 'SIGKILL', restartInMs: 250 })]);
  }, 40_000);

  it('given a cluster that has not reported ready, requires no heartbeat of it: start-up has the ready timeout', async () => {
    const { manager, starts, lines } = await startStubManager({ CLUSTERS: '1', SHARDS: '1' }, { heartbeat: { intervalMs: 100, maxMissed: 3 } });
    running = manager;
    await until(20_000, 'the cluster process', async () => ((await starts()).length >= 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // 5 times the heartbeat limit
    expect(await starts()).toHaveLength(1);
    expect(lines.join('')).not.toContain('no heartbeat');
  }, 30_000);

  it('sends a cluster\'s heartbeat at its interval until stopped, and reads the interval its manager set', async () => {
    const sent: unknown[] = [];
    const stop = sendHeartbeats(40, (message) => sent.push(message));
    await new Promise((resolve) => setTimeout(resolve, 150));
    stop();
    const count = sent.length;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(sent.every((message) => message === HEARTBEAT_MESSAGE)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sent).toHaveLength(count);
    expect(clusterHeartbeatMs('5000', 0)).toBe(5_000);
    expect(() => clusterHeartbeatMs(undefined, 2)).toThrow(/cluster 2: PAPERBOY_HEARTBEAT_MS/);
    expect(() => clusterHeartbeatMs('0', 2)).toThrow(/PAPERBOY_HEARTBEAT_MS/);
  });
});
