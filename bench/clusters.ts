/**
 * Scale-out bench (issue 9, items 4 and 7): the cluster manager with 2 and then 4 clusters (2
 * shards each) against the fake Discord enforcing Discord's limits (5 messages per 5 s per
 * channel, 50 requests/s per bot), 200 servers × 3 topic channels, 1,000 papers to post (each
 * with its 🔖 reaction), on a PostgreSQL store. Every cluster posts its own servers' topics at
 * once, all through the manager's one REST proxy. Reported per run: time from the refreshes to
 * the last request against the least time the limits allow, 429s served, each cluster's heap
 * and RSS, and PostgreSQL transactions per post.
 *
 *   node --import tsx bench/clusters.ts [--clusters 2,4] [--servers 200] [--papers 1000]
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (user postgres or root, trust auth, as for the tests) or
 * BENCH_POSTGRES_URL pointing at an admin connection. Never part of `npm test`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { commands } from '../commands/index.js';
import { startClusterManager, type ClusterMemory } from '../src/app/cluster-manager.js';
import { openLibraryService } from '../src/app/library-service.js';
import { loadConfig } from '../src/config.js';
import { normalizePaper } from '../src/core/paper.js';
import { shardOf } from '../src/core/shard-of.js';
import { createSeenPapers } from '../src/core/topic-posts.js';
import { deployCommands } from '../src/discord/deploy-commands.js';
import { createLogger } from '../src/logger.js';
import { createMemoryStore } from '../src/storage/memory-store.js';
import { openStorage } from '../src/storage/open-storage.js';
import { openStores, openTopicStores } from '../src/storage/stores.js';
import { startFakeDiscord, type GuildSeed } from '../sandbox/fake-discord/fake-discord.js';
import { guildIdOnShard } from '../sandbox/fake-discord/snowflake.js';
import { startFakeHf } from '../sandbox/hf-feed/fake-hf.js';
import { idealPostingMs } from './topics.js';

/** Discord's limits, as bench/topics.ts enforces them (idealPostingMs assumes these). */
const LIMITS = { perChannel: { count: 5, windowMs: 5000 }, globalPerSecond: 50 } as const;
const SHARDS_PER_CLUSTER = 2;
const TOPICS_PER_SERVER = 3;
const ADMIN_URLS = [process.env.BENCH_POSTGRES_URL, 'postgres://postgres@127.0.0.1:5432/postgres', 'postgres://root@127.0.0.1:5432/postgres'].filter(
  (u): u is string => typeof u === 'string' && u !== '',
);

export type ClusterBenchResult = {
  clusters: number;
  shards: number;
  servers: number;
  topics: number;
  papers: number;
  posted: number;
  requests: number;
  elapsedMs: number;
  idealMs: number;
  ratio: number;
  served429: number;
  violations: number;
  memory: ClusterMemory[];
  transactionsPerPost: number;
};

/** Words made of syllables, one per topic: distinct, one token each, never a stem of another. */
function topicWord(k: number): string {
  const syllables = ['ka', 'lo', 'mi', 'ru', 'te', 'vo', 'zi', 'pa'];
  let word = '';
  for (let i = 0; i < 4; i++) word += syllables[Math.floor(k / 8 ** i) % 8];
  return `${word}x`;
}

async function adminConnection(): Promise<string> {
  for (const url of ADMIN_URLS) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      return url;
    } catch {
      // try the next
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new Error('bench/clusters: PostgreSQL on 127.0.0.1:5432 does not answer (set BENCH_POSTGRES_URL)');
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function waitUntil(what: string, test: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`bench/clusters: ${what} not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function benchClusters(clusters: number, servers: number, paperCount: number): Promise<ClusterBenchResult> {
  const shards = clusters * SHARDS_PER_CLUSTER;
  const adminUrl = await adminConnection();
  const database = `paperboy_bench_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${database}`));
  const storeUrl = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).href;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-bench-clusters-'));
  const token = `MTE${randomBytes(18).toString('base64url')}.G${randomBytes(4).toString('base64url')}.${randomBytes(27).toString('base64url')}`;

  const seeds: GuildSeed[] = Array.from({ length: servers }, (_, g) => ({
    id: guildIdOnShard(g % shards, shards, Math.floor(g / shards)),
    name: `Bench ${g}`,
    channels: Array.from({ length: TOPICS_PER_SERVER }, (_, c) => ({ name: `t${g}-${c}`, type: 'text' as const })),
  }));
  const fake = await startFakeDiscord({ token, guilds: seeds, rateLimits: LIMITS, recommendedShards: shards, sessionStartLimit: { maxConcurrency: 16 } });
  const hf = await startFakeHf({ now: () => Date.now() });
  const env = {
    DISCORD_TOKEN: token,
    DISCORD_API_URL: fake.apiUrl,
    STORE_URL: storeUrl,
    INDEX_PATH: path.join(dir, 'bench.index'),
    LOG_LEVEL: 'warn',
    SOURCES: 'hf',
    HF_API_URL: hf.url,
    HF_DAYS: '1',
    CLUSTERS: String(clusters),
    SHARDS: String(shards),
  };
  const config = loadConfig(env, { require: 'bot' });
  let running: Awaited<ReturnType<typeof startClusterManager>> | undefined;
  try {
    await deployCommands({ bodies: commands.map((c) => c.data), token, applicationId: fake.applicationId, apiUrl: fake.apiUrl, deployed: createMemoryStore<string>() });

    // The papers are in the library and seen before the start, as the leader would have left
    // them; topics are added once the clusters are up, so their first runs are the refreshes.
    const topicCount = servers * TOPICS_PER_SERVER;
    const now = Date.now();
    const papers = Array.from({ length: paperCount }, (_, j) =>
      normalizePaper({ id: `2612.${String(10_000 + j).padStart(5, '0')}`, title: `Advances in ${topicWord(j % topicCount)} number ${j}`, published: '2026-12-01', sources: ['hf'] }),
    );
    const service = await openLibraryService(config, { seedFile: null });
    try {
      await service.ingest(papers);
      await createSeenPapers(service.stores.seen).markSeen(
        papers.map((p) => p.id),
        now,
      );
    } finally {
      await service.close();
    }

    // The cluster processes inherit this process's environment: the bench's settings go there.
    Object.assign(process.env, env);
    running = await startClusterManager({ config, logger: createLogger('warn'), onGiveUp: () => undefined });
    await waitUntil('every shard connected', () => fake.gateway.shards.filter((s) => s.connected).length === shards, 120_000);
    await waitUntil('every cluster answering', async () => (await running!.memory().catch(() => [])).length === clusters, 60_000);
    // The startup runs (nothing to post yet) are over before the refreshes, or those answer "in progress".
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const storage = await openStorage(storeUrl);
    const { topics } = openTopicStores(openStores(storage), storage);
    const perChannel: number[] = [];
    for (const [g, seed] of seeds.entries()) {
      for (let c = 0; c < TOPICS_PER_SERVER; c++) {
        const k = g * TOPICS_PER_SERVER + c;
        perChannel.push(papers.filter((_, j) => j % topicCount === k).length);
        await topics.save({
          guildId: seed.id!,
          name: `topic-${c}`,
          query: topicWord(k),
          channelId: fake.state.channel(`t${g}-${c}`).id,
          maxPerRun: 20,
          digest: false,
          createdBy: seed.id!,
          createdAt: now - 7_200_000,
          status: 'active',
          since: now - 3_600_000,
        });
      }
    }
    await storage.close();

    const transactions = () =>
      withAdmin(adminUrl, async (c) => Number((await c.query('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [database])).rows[0].n));
    const before = { requests: fake.requests.length, served429: fake.stats().served429, transactions: await transactions() };
    // One refresh per cluster, in a server its shards own: every cluster posts at once.
    const refreshes = Array.from({ length: clusters }, (_, cluster) => {
      const seed = seeds.find((s) => Math.floor(shardOf(s.id!, shards) / SHARDS_PER_CLUSTER) === cluster)!;
      return fake.injectSlashCommand({ name: 'topic', subcommand: 'refresh', user: 'owner', channelId: `t${seeds.indexOf(seed)}-0` });
    });
    // The posting requests: cards and their 🔖 reactions (what the limits govern).
    const posting = () =>
      fake.requests
        .slice(before.requests)
        .filter((r) => r.status !== 0 && ((r.route === '/channels/:id/messages' && r.method === 'POST') || (r.route.endsWith('/reactions/:emoji/@me') && r.method === 'PUT')));
    const cardsSent = () => posting().filter((r) => r.method === 'POST' && r.status === 200).length;
    await waitUntil('every card and reaction sent', () => cardsSent() >= paperCount && posting().length - cardsSent() >= paperCount, 300_000);
    const times = posting().map((r) => r.at);
    // From the first card to the last request: the time the limits govern (the runs' planning before it is not theirs).
    const elapsedMs = Math.max(...times) - Math.min(...times);
    await Promise.all(refreshes.map((r) => r.firstResponse(10_000)));
    const memory = await running.memory();
    const posted = cardsSent();
    return {
      clusters,
      shards,
      servers,
      topics: topicCount,
      papers: paperCount,
      posted,
      requests: fake.requests.length - before.requests,
      elapsedMs,
      idealMs: idealPostingMs(perChannel).jointMs,
      ratio: elapsedMs / idealPostingMs(perChannel).jointMs,
      served429: fake.stats().served429 - before.served429,
      violations: fake.violations.length,
      memory,
      transactionsPerPost: ((await transactions()) - before.transactions) / Math.max(1, posted),
    };
  } finally {
    await running?.stop();
    await fake.close();
    await hf.close();
    await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MB`;

export function formatClusterResult(r: ClusterBenchResult): string[] {
  return [
    `  ${r.clusters} clusters × ${r.shards / r.clusters} shards, ${r.servers} servers × ${TOPICS_PER_SERVER} topics: ${r.posted}/${r.papers} posted in ${(r.elapsedMs / 1000).toFixed(2)} s, ` +
      `limits allow ${(r.idealMs / 1000).toFixed(2)} s, ratio ${r.ratio.toFixed(2)} [target ≤ 1.2×: ${r.ratio <= 1.2 && r.posted === r.papers ? 'pass' : 'FAIL'}]; ` +
      `${r.requests} requests, ${r.served429} answered 429, ${r.violations} violations, ${r.transactionsPerPost.toFixed(1)} PostgreSQL transactions per post`,
    ...r.memory.map((m) => `    cluster ${m.cluster}: heap ${mb(m.heapUsed)} used of ${mb(m.heapTotal)}, RSS ${mb(m.rss)}`),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { clusters: { type: 'string', default: '2,4' }, servers: { type: 'string', default: '200' }, papers: { type: 'string', default: '1000' } } });
  process.stdout.write('scale-out: clusters against the fake Discord with Discord\'s limits, on PostgreSQL\n');
  for (const n of values.clusters.split(',').map(Number)) {
    const result = await benchClusters(n, Number(values.servers), Number(values.papers));
    for (const line of formatClusterResult(result)) process.stdout.write(`${line}\n`);
  }
  process.exit(0);
}
