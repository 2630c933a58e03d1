import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { REST_PROXY_USER_AGENT } from '../../src/app/cluster-manager.js';
import { deployCommands } from '../../src/discord/deploy-commands.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { shardOf } from '../../src/core/shard-of.js';
import { startFakeDiscord, type FakeDiscord, type GuildSeed } from '../../sandbox/fake-discord/fake-discord.js';
import { guildIdOnShard } from '../../sandbox/fake-discord/snowflake.js';
import { startFakeHf, type FakeHf } from '../../sandbox/hf-feed/fake-hf.js';
import { botEnv, fakeBotToken, within } from '../discord/start-test-bot.js';
import { describeWithServer, storeServers } from '../storage/servers.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { openStores, openTopicStores } from '../../src/storage/stores.js';

/**
 * Scale-out end to end: `npm start` with CLUSTERS=2 and SHARDS=auto (the fake recommends 4) is a
 * manager running two cluster processes of two shards each, against the fake Discord with 8
 * servers spread over the 4 shards, on one PostgreSQL (then Redis) store. Every server's command is answered
 * by exactly one cluster, the one owning its shard; each server's topic channel gets every
 * matching paper exactly once; all REST goes through the manager's one proxy; a cluster killed
 * with SIGKILL is restarted, posts nothing twice and answers again; SIGTERM stops everything.
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = path.join(repoRoot, 'src', 'main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SHARDS = 4;
const CLUSTERS = 2;
/** Published on the fake Hugging Face before the start: the leader's first fetch takes them. */
const PAPERS = [1, 2, 3].map((n) => ({ id: `2612.0000${n}`, title: `Diffusion models for robots, part ${n}`, summary: `We study diffusion policies (${n}).` }));

type Line = Record<string, unknown> & { msg: string };

/** Cluster 0 runs shards 0–1, cluster 1 shards 2–3 (discord-hybrid-sharding's contiguous chunks). */
const clusterOf = (guildId: string) => Math.floor(shardOf(guildId, SHARDS) / (SHARDS / CLUSTERS));

/** `npm start` from an empty directory (no .env) with only the given variables. */
function startMain(dir: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', TSX, MAIN], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exit };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function guilds(): GuildSeed[] {
  return Array.from({ length: 8 }, (_, i) => ({
    id: guildIdOnShard(i % SHARDS, SHARDS, Math.floor(i / SHARDS)),
    name: `Lab ${i}`,
    channels: [{ name: `lab-${i}`, type: 'text' as const }],
    members: [{ user: { username: 'alice' } }, { user: { username: 'bob' } }],
  }));
}

for (const store of (await storeServers(async () => '')).filter((s) => s.name !== 'SQLite')) {
  describeWithServer(`npm start with CLUSTERS=2 and SHARDS=auto, on ${store.name}`, store.server, () => {
    let fake: FakeDiscord;
    let hf: FakeHf;
    let database: { url: string; drop(): Promise<void> } | undefined;
    let dir: string;
    let child: ChildProcess;
    let out = '';
    let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    const seeds = guilds();

    const lines = (): Line[] =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line);

    async function waitFor(what: string, test: (all: Line[]) => boolean, timeoutMs = 60_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (test(lines())) return;
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`${what}: not within ${timeoutMs} ms\n${out.slice(-4000)}`);
    }

    const loggedIn = (cluster: number) => (all: Line[]) => all.filter((l) => l.msg === 'logged in' && l.cluster === cluster).length;

    /** Slash commands in the given servers; resolves with the interaction ids once all were answered. */
    async function askAll(servers: GuildSeed[], command: (seed: GuildSeed) => Parameters<FakeDiscord['injectSlashCommand']>[0]): Promise<string[]> {
      const asked = servers.map((seed) => fake.injectSlashCommand(command(seed)));
      await Promise.all(asked.map((a) => a.firstResponse(15_000)));
      return asked.map((a) => a.id);
    }
    const bookmarksList = (seed: GuildSeed) => ({ name: 'bookmarks', subcommand: 'list', channelId: seed.channels![0]!.name, user: 'alice' });
    const channelOf = (seed: GuildSeed) => fake.state.channel(seed.channels![0]!.name).id;
    /** Paper ids of the topic cards in a server's channel (command answers left out). */
    const postedIn = (seed: GuildSeed) =>
      [...fake.state.messages.values()]
        .filter((m) => m.channelId === channelOf(seed) && m.authorId === fake.botUserId && m.interaction === null)
        .flatMap((m) => PAPERS.filter((p) => JSON.stringify(m.embeds).includes(p.id)).map((p) => p.id));
    const everyChannelHasAll = () => seeds.every((seed) => postedIn(seed).length >= PAPERS.length);

    beforeAll(async () => {
      const token = fakeBotToken();
      fake = await startFakeDiscord({ token, guilds: seeds, recommendedShards: SHARDS, sessionStartLimit: { maxConcurrency: SHARDS } });
      // Registered globally, so injected commands carry the real option types (a channel option, say).
      await deployCommands({ bodies: commands.map((c) => c.data), token, applicationId: fake.applicationId, apiUrl: fake.apiUrl, deployed: createMemoryStore<string>() });
      hf = await startFakeHf({ now: () => Date.now() });
      hf.publish(...PAPERS);
      database = await store.create();
      dir = await mkdtemp(path.join(tmpdir(), 'paperboy-clusters-'));
      const env = { ...botEnv(fake, dir, token, 'info'), STORE_URL: database.url, HF_API_URL: hf.url, CLUSTERS: String(CLUSTERS), SHARDS: 'auto' };
      const started = startMain(dir, env);
      child = started.child;
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      exit = started.exit;
    }, 60_000);

    afterAll(async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await within(5000, 'kill', exit).catch(() => undefined);
      }
      // Clusters whose manager was killed stop by themselves (their IPC channel closes).
      for (const pid of clusterPids()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (fake) await within(3000, 'fake.close()', fake.close()).catch(() => undefined);
      await hf?.close();
      await database?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const clusterPids = () => lines().flatMap((l) => (l.msg === 'cluster started' && typeof l.pid === 'number' ? [l.pid] : []));

    it('runs 2 clusters of 2 shards; each server is answered by exactly the cluster owning its shard, through the one REST proxy', async () => {
      await waitFor('both clusters logged in', (all) => loggedIn(0)(all) === 1 && loggedIn(1)(all) === 1);
      expect(lines().find((l) => l.msg === 'starting clusters')).toMatchObject({ clusters: 2, shards: 4 });
      expect(fake.gateway.shards.map((s) => [s.shard, s.connected])).toEqual([0, 1, 2, 3].map((id) => [[id, 4], true]));
      expect(lines().filter((l) => l.msg === 'logged in').map((l) => [l.cluster, l.shards, l.guilds])).toEqual(
        expect.arrayContaining([
          [0, [0, 1], 4],
          [1, [2, 3], 4],
        ]),
      );

      const since = fake.mark();
      const ids = await askAll(seeds, bookmarksList);
      await waitFor('every interaction logged', (all) => ids.every((id) => all.some((l) => l.msg === 'interaction done' && l.interactionId === id)));
      for (const [i, id] of ids.entries()) {
        const handled = lines().filter((l) => l.msg === 'interaction done' && l.interactionId === id);
        expect(handled.map((l) => l.cluster)).toEqual([clusterOf(seeds[i]!.id!)]);
        expect(fake.interactionResponses(id).filter((r) => r.path.endsWith('/callback'))).toHaveLength(1);
      }
      // Both clusters answered, and every answer reached Discord through the manager's proxy.
      expect(new Set(ids.map((_, i) => clusterOf(seeds[i]!.id!)))).toEqual(new Set([0, 1]));
      const answered = fake.requests.slice(since).filter((r) => r.status !== 0);
      expect(answered.length).toBeGreaterThanOrEqual(8);
      expect(answered.filter((r) => !String(r.headers['user-agent']).includes(REST_PROXY_USER_AGENT))).toEqual([]);
      expect(fake.violations).toEqual([]);
    }, 120_000);

    it("posts every matching paper exactly once into each server's topic channel, from the cluster owning the server", async () => {
      // Both startup runs are over (a refresh during a run would only say "in progress"); the
      // leader's fetched the papers, which the other cluster's run then takes from the store.
      await waitFor('both startup runs done, the papers fetched', (all) => {
        const runs = all.filter((l) => l.msg === 'topic run done');
        return runs.some((l) => l.cluster === 0) && runs.some((l) => l.cluster === 1) && runs.some((l) => (l.added as number) >= PAPERS.length);
      });
      const added = await askAll(seeds, (seed) => ({
        name: 'topic',
        subcommand: 'add',
        user: 'owner',
        channelId: seed.channels![0]!.name,
        options: { name: 'diffusion', query: 'diffusion', channel: channelOf(seed) },
      }));
      await waitFor('topics added', (all) => added.every((id) => all.some((l) => l.msg === 'interaction done' && l.interactionId === id)));
      for (const [i, id] of added.entries()) {
        expect(lines().filter((l) => l.msg === 'interaction done' && l.interactionId === id).map((l) => l.cluster)).toEqual([clusterOf(seeds[i]!.id!)]);
      }

      // The schedule is 30 min away: a refresh in one server per cluster runs that cluster's topics now.
      for (const cluster of [0, 1]) {
        await askAll([seeds.find((s) => clusterOf(s.id!) === cluster)!], (seed) => ({ name: 'topic', subcommand: 'refresh', user: 'owner', channelId: seed.channels![0]!.name }));
      }
      await waitFor('every channel has the papers', () => everyChannelHasAll(), 30_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // time for a second copy to show up, if one were coming
      for (const seed of seeds) {
        expect(postedIn(seed).sort()).toEqual(PAPERS.map((p) => p.id));
        const posters = lines().filter((l) => l.msg === 'topic posted' && l.guildId === seed.id);
        expect(new Set(posters.map((l) => l.cluster))).toEqual(new Set([clusterOf(seed.id!)]));
      }
      expect(fake.violations).toEqual([]);
    }, 120_000);

    it('given 🔖 on a card in a server of cluster 0, /bookmarks list in a server of cluster 1 shows the paper', async () => {
      const here = seeds.find((s) => clusterOf(s.id!) === 0)!;
      const there = seeds.find((s) => clusterOf(s.id!) === 1)!;
      const card = [...fake.state.messages.values()].find((m) => m.channelId === channelOf(here) && JSON.stringify(m.embeds).includes(PAPERS[0]!.id))!;
      fake.injectReaction({ action: 'add', userId: 'bob', channelId: channelOf(here), messageId: card.id, emoji: '🔖' });
      await waitFor('the bookmark saved', (all) => all.some((l) => l.msg === 'bookmark saved' && l.cluster === 0));
      const list = fake.injectSlashCommand({ name: 'bookmarks', subcommand: 'list', channelId: there.channels![0]!.name, user: 'bob' });
      const answer = await list.firstResponse(15_000);
      expect(JSON.stringify(answer.body)).toContain(PAPERS[0]!.id);
      await waitFor('the list logged', (all) => all.some((l) => l.msg === 'interaction done' && l.interactionId === list.id));
      expect(lines().filter((l) => l.msg === 'interaction done' && l.interactionId === list.id).map((l) => l.cluster)).toEqual([1]);
    }, 60_000);

    it('restarts a cluster killed with SIGKILL, which posts nothing twice and answers its servers again', async () => {
      const started = lines().filter((l) => l.msg === 'cluster started' && l.cluster === 1);
      const pid = started.at(-1)?.pid as number;
      expect(alive(pid)).toBe(true);
      const identifies = fake.gateway.identifies.length;
      process.kill(pid, 'SIGKILL');

      await waitFor('cluster 1 restarted and logged in again', (all) => all.some((l) => l.msg === 'cluster died: restarting it' && l.cluster === 1) && loggedIn(1)(all) === 2);
      expect(fake.gateway.identifies.slice(identifies).map((i) => i.shard).sort()).toEqual([
        [2, 4],
        [3, 4],
      ]);
      // After its startup run, still one card per paper: the posted records in the store hold.
      await waitFor('the restarted cluster ran its topics', (all) => all.filter((l) => l.msg === 'topic run done' && l.cluster === 1).length >= 2);
      for (const seed of seeds) expect(postedIn(seed).sort()).toEqual(PAPERS.map((p) => p.id));
      const ids = await askAll(
        seeds.filter((s) => clusterOf(s.id!) === 1),
        bookmarksList,
      );
      await waitFor('answers logged', (all) => ids.every((id) => all.some((l) => l.msg === 'interaction done' && l.interactionId === id)));
      for (const id of ids) expect(lines().filter((l) => l.msg === 'interaction done' && l.interactionId === id).map((l) => l.cluster)).toEqual([1]);
      // Cluster 0 was never touched.
      expect(loggedIn(0)(lines())).toBe(1);
    }, 120_000);

    it('given SIGTERM, stops every cluster and the manager, exit 0', async () => {
      const pids = clusterPids().filter(alive);
      expect(pids).toHaveLength(2);
      const deaths = lines().filter((l) => l.msg.startsWith('cluster died')).length;
      child.kill('SIGTERM');
      expect(await within(30_000, 'manager exit', exit)).toEqual({ code: 0, signal: null });
      expect(pids.filter(alive)).toEqual([]);
      expect(lines().filter((l) => l.msg === 'stopped').map((l) => l.cluster ?? l.role)).toEqual(expect.arrayContaining([0, 1, 'manager']));
      // Stopped clusters are not restarted.
      expect(lines().filter((l) => l.msg.startsWith('cluster died'))).toHaveLength(deaths);
      if (process.env.CLUSTER_E2E_LOG) process.stderr.write(out);
    }, 60_000);
  });
}

/**
 * kill -9 of a cluster in the middle of posting: the fake Discord enforces Discord's limits, so
 * each channel's 12 cards take about 10 s and the kill lands while sends are queued or in flight
 * (some in the manager's proxy). The restarted cluster resends what has no record yet with the
 * same nonce: every card arrives exactly once.
 */
const CRASH_PAPERS = Array.from({ length: 12 }, (_, n) => ({ id: `2612.${String(100 + n).padStart(5, '0')}`, title: `Graph transformers, study ${n}` }));

for (const store of (await storeServers(async () => '')).filter((s) => s.name !== 'SQLite')) {
  describeWithServer(`a cluster killed in the middle of posting, on ${store.name}`, store.server, () => {
    const cleanups: (() => Promise<unknown>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    });

    it('is restarted and posts the rest: every card in every channel exactly once', async () => {
      const token = fakeBotToken();
      const seeds = Array.from({ length: 4 }, (_, i) => ({
        id: guildIdOnShard(i % 2, 2, Math.floor(i / 2)),
        name: `Lab ${i}`,
        channels: [{ name: `crash-${i}`, type: 'text' as const }],
        members: [{ user: { username: 'alice' } }],
      }));
      const fake = await startFakeDiscord({ token, guilds: seeds, recommendedShards: 2, sessionStartLimit: { maxConcurrency: 2 }, rateLimits: { perChannel: { count: 5, windowMs: 5000 }, globalPerSecond: 50 } });
      cleanups.push(() => fake.close());
      const hf = await startFakeHf({ now: () => Date.now() });
      cleanups.push(() => hf.close());
      hf.publish(...CRASH_PAPERS);
      const database = await store.create();
      cleanups.push(() => database.drop());
      const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-crash-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));

      // Topics that ran before (since set): every paper seen from now on is theirs, all 12 as cards.
      const storage = await openStorage(database.url);
      const { topics } = openTopicStores(openStores(storage), storage);
      for (const seed of seeds) {
        const now = Date.now();
        await topics.save({ guildId: seed.id, name: 'graphs', query: 'graph', channelId: fake.state.channel(seed.channels[0]!.name).id, maxPerRun: 20, digest: false, createdBy: seed.id, createdAt: now - 7_200_000, status: 'active', since: now - 3_600_000 });
      }
      await storage.close();

      const env = { ...botEnv(fake, dir, token, 'info'), STORE_URL: database.url, HF_API_URL: hf.url, CLUSTERS: '2', SHARDS: '2' };
      const started = startMain(dir, env);
      let out = '';
      started.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      started.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      cleanups.push(async () => {
        started.child.kill('SIGTERM');
        await within(20_000, 'manager exit', started.exit).catch(() => started.child.kill('SIGKILL'));
      });
      const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
      const cards = (seed: (typeof seeds)[number]) =>
        [...fake.state.messages.values()]
          .filter((m) => m.channelId === fake.state.channel(seed.channels[0]!.name).id && m.authorId === fake.botUserId && m.interaction === null)
          .flatMap((m) => CRASH_PAPERS.filter((p) => JSON.stringify(m.embeds).includes(p.id)).map((p) => p.id));
      const until = async (what: string, test: () => boolean, timeoutMs: number) => {
        const deadline = Date.now() + timeoutMs;
        while (!test()) {
          if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${out.slice(-3000)}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };

      // Cluster 1 (shard 1: servers 1 and 3) is killed once it has posted a few cards, not all.
      const ofCluster1 = seeds.filter((s) => shardOf(s.id, 2) === 1);
      await until('cluster 1 posting', () => ofCluster1.reduce((n, s) => n + cards(s).length, 0) >= 3, 60_000);
      const pid = lines().filter((l) => l.msg === 'cluster started' && l.cluster === 1).at(-1)!.pid as number;
      process.kill(pid, 'SIGKILL');
      const postedAtKill = ofCluster1.map((s) => cards(s).length);
      expect(postedAtKill.some((n) => n < CRASH_PAPERS.length)).toBe(true);

      await until('every card in every channel', () => seeds.every((s) => cards(s).length >= CRASH_PAPERS.length), 90_000);
      await new Promise((resolve) => setTimeout(resolve, 2_000)); // a late second copy would show up here
      expect(lines().filter((l) => l.msg === 'cluster died: restarting it' && l.cluster === 1)).toHaveLength(1);
      for (const seed of seeds) expect(cards(seed).sort()).toEqual(CRASH_PAPERS.map((p) => p.id).sort());
      // The restarted cluster sent the rest itself, at once: it took its predecessor's claims back.
      const restartedAt = lines().find((l) => l.msg === 'cluster died: restarting it')!.time as number;
      const resent = lines().filter((l) => l.msg === 'topic posted' && l.cluster === 1 && (l.time as number) > restartedAt);
      expect(resent.reduce((n, l) => n + (l.posted as number), 0)).toBeGreaterThan(0);
      expect(fake.violations).toEqual([]);
    }, 150_000);
  });
}

describe('npm start with one process or one cluster, on SQLite', () => {
  let fake: FakeDiscord | undefined;
  let dir: string | undefined;
  let started: ReturnType<typeof startMain> | undefined;
  let out = '';

  afterEach(async () => {
    started?.child.kill('SIGKILL');
    if (started) await within(5000, 'exit', started.exit).catch(() => undefined);
    for (const line of out.split('\n').filter((l) => l.includes('"cluster started"'))) {
      const pid = (JSON.parse(line) as { pid: number }).pid;
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    started = undefined;
    out = '';
    await fake?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function start(env: (fake: FakeDiscord, dir: string) => Record<string, string>, fakeToken: string): Promise<void> {
    fake = await startFakeDiscord({ token: fakeToken, recommendedShards: 2, sessionStartLimit: { maxConcurrency: 2 } });
    dir = await mkdtemp(path.join(tmpdir(), 'paperboy-cluster-'));
    started = startMain(dir, env(fake, dir));
    started.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    started.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  }

  it('given the manager killed with SIGKILL, its cluster stops by itself', async () => {
    const token = fakeBotToken();
    await start((f, d) => ({ ...botEnv(f, d, token, 'info'), CLUSTERS: '1' }), token);
    const deadline = Date.now() + 30_000;
    while (!out.includes('"logged in"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const line = out.split('\n').find((l) => l.includes('"cluster started"'));
    expect(line, out).toBeDefined();
    const pid = (JSON.parse(line!) as { pid: number }).pid;
    expect(fake!.gateway.shards.map((s) => s.shard)).toEqual([
      [0, 2],
      [1, 2],
    ]);
    started!.child.kill('SIGKILL');
    const gone = Date.now() + 15_000;
    while (alive(pid) && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(pid)).toBe(false);
    expect(out).toMatch(/"cluster":0,"signal":"manager gone","msg":"shutting down"/);
  }, 60_000);

  it('given SHARDS=auto without CLUSTERS, runs every shard in the one process, no manager', async () => {
    const token = fakeBotToken();
    await start((f, d) => ({ ...botEnv(f, d, token, 'info'), SHARDS: 'auto' }), token);
    const deadline = Date.now() + 30_000;
    while (!out.includes('"logged in"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const loggedIn = JSON.parse(out.split('\n').find((l) => l.includes('"logged in"')) ?? '{}') as Line;
    expect(loggedIn).toMatchObject({ shards: [0, 1], shardCount: 2 });
    expect(loggedIn.cluster).toBeUndefined();
    expect(out).not.toContain('starting clusters');
    expect(fake!.gateway.shards.map((s) => [s.shard, s.connected])).toEqual([
      [[0, 2], true],
      [[1, 2], true],
    ]);
    started!.child.kill('SIGTERM');
    expect((await within(20_000, 'exit', started!.exit)).code).toBe(0);
  }, 60_000);

  it('given a cluster that cannot start (its store refuses connections), restarts it 5 times, then stops and exits 1', async () => {
    const token = fakeBotToken();
    await start((f, d) => ({ ...botEnv(f, d, token, 'info'), STORE_URL: 'postgres://paperboy@127.0.0.1:1/paperboy', CLUSTERS: '1' }), token);
    expect((await within(90_000, 'exit', started!.exit).catch(() => ({ code: `still running:\n${out.slice(-3000)}` }))).code).toBe(1);
    const deaths = out.split('\n').filter((l) => l.includes('"cluster died'));
    expect(deaths).toHaveLength(6);
    expect(deaths.at(-1)).toContain('cluster died too often: stopping');
  }, 100_000);

  it('given a token Discord refuses, exits 1 and says on stderr that DISCORD_TOKEN was refused', async () => {
    await start((f, d) => ({ ...botEnv(f, d, fakeBotToken(), 'info'), CLUSTERS: '1' }), fakeBotToken());
    expect((await within(20_000, 'exit', started!.exit)).code).toBe(1);
    expect(out).toContain('paperboy: DISCORD_TOKEN was refused by Discord');
    expect(out).not.toContain('"cluster started"');
  }, 30_000);
});
