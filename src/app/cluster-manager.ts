import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { proxyRequests } from '@discordjs/proxy';
import { DefaultRestOptions, REST } from '@discordjs/rest';
import { ClusterManager, type Cluster } from 'discord-hybrid-sharding';
import type { BotConfig, DiscordConfig } from '../config.js';
import { fetchGatewayBot } from '../discord/gateway-bot.js';
import type { Logger } from '../logger.js';

/**
 * The cluster manager (CLUSTERS set): one process that runs no bot itself. It
 * - starts one REST proxy on 127.0.0.1 (@discordjs/proxy): every cluster's REST goes through it,
 *   so one limiter holds Discord's per-bot global and per-route limits for all of them;
 * - asks Discord (GET /gateway/bot) for the recommended shard count (SHARDS=auto) and how many
 *   shards may identify at once, and paces the cluster start-ups by it;
 * - spawns exactly CLUSTERS processes (discord-hybrid-sharding), each running its share of the
 *   shards (src/app/cluster-process.ts), restarts one that dies (with a backoff, within a budget),
 *   kills one that stopped sending heartbeats so that it dies and is restarted the same way,
 *   and stops them all on stop().
 */

/**
 * Restarts of one cluster: the manager counts its deaths over a sliding window and respawns it
 * after a pause doubling from `firstDelayMs` to `maxDelayMs` (a store away for half a minute
 * does not use up the budget in seconds); the `max + 1`-th death within the window stops the
 * manager (exit 1). discord-hybrid-sharding's own respawn is off: it restarts at once, and its
 * count resets only after a whole interval without a single death.
 */
export type RestartPolicy = { max: number; windowMs: number; firstDelayMs: number; maxDelayMs: number };
export const RESTARTS: RestartPolicy = { max: 5, windowMs: 60 * 60_000, firstDelayMs: 1_000, maxDelayMs: 60_000 };
/**
 * The cluster environment's run id: a random id per manager start, the same for a cluster's
 * restarts. Post claims are owned by run id and cluster id (cluster-process.ts), so a restarted
 * cluster takes back its predecessor's claims while another deployment's clusters, even on a
 * host with the same name and manager pid (containers), never do.
 */
export const RUN_ID_ENV = 'PAPERBOY_RUN_ID';
/**
 * Pause per shard between cluster start-ups, divided by `max_concurrency`: Discord lets that many
 * shards IDENTIFY per 5 s; 7 s is discord-hybrid-sharding's default (the window plus a margin for
 * a cluster's login).
 */
const IDENTIFY_WINDOW_MS = 7_000;
/**
 * How long a starting cluster may take to log in, beyond its shards' identify pacing: a cluster
 * that hangs at start (or restart) stops the manager (exit 1) instead of leaving its servers
 * unserved without a word.
 */
const READY_TIMEOUT_MS = 120_000;
/**
 * Heartbeats of a ready cluster: it sends HEARTBEAT_MESSAGE every `intervalMs`; after `maxMissed`
 * intervals without one (its event loop blocked, or stuck some other way without exiting) the
 * manager kills it with SIGKILL (a blocked process never runs its SIGTERM handler), and its death
 * goes to the restart budget like any other. Required only from the cluster's 'ready' on: before
 * that the ready timeout applies (a start building its search index may take long). Several
 * intervals, not one: a slow step that delays a heartbeat or two is not a hang.
 */
export type HeartbeatPolicy = { intervalMs: number; maxMissed: number };
export const HEARTBEAT: HeartbeatPolicy = { intervalMs: 5_000, maxMissed: 6 };
/** The cluster environment's heartbeat interval (ms), so a cluster sends at the pace its manager expects. */
export const HEARTBEAT_ENV = 'PAPERBOY_HEARTBEAT_MS';
/**
 * A cluster's heartbeat over IPC. Not a discord-hybrid-sharding message type: the library's own
 * HeartbeatManager respawns a cluster itself (at once, by its own count, after removing the
 * process's listeners, so no 'death' reaches the restart policy here) and ends it with SIGTERM.
 */
export const HEARTBEAT_MESSAGE = { paperboy: 'heartbeat' } as const;
/** How long a cluster may take to stop (its replies in flight, its topic run) before it is killed. */
const CLUSTER_STOP_MS = 10_000;
/** Marks the REST proxy's requests (user agent), so logs and tests can tell them apart. */
export const REST_PROXY_USER_AGENT = 'paperboy-rest-proxy';

export type ClusterManagerOptions = {
  config: BotConfig;
  logger: Logger;
  /** Called when the manager gives up (a cluster died more often than RESTARTS allows, or never became ready). */
  onGiveUp?: () => void;
  /** For tests: READY_TIMEOUT_MS. */
  readyTimeoutMs?: number;
  /** For tests: RESTARTS. */
  restarts?: RestartPolicy;
  /** For tests: HEARTBEAT. */
  heartbeat?: HeartbeatPolicy;
  /** For tests: a stand-in for cluster-process.ts (a script that exits, or reports its environment). */
  entry?: { file: string; execArgv: string[] };
};

export type RunningClusterManager = {
  /** This manager start's id, given to every cluster (RUN_ID_ENV). */
  readonly runId: string;
  readonly clusters: number;
  readonly shards: number;
  /** The REST proxy every cluster talks to, `http://127.0.0.1:PORT/api`. */
  readonly proxyUrl: string;
  /** Each running cluster's process and memory now (bytes), asked over IPC; for the bench and operators. */
  memory(): Promise<ClusterMemory[]>;
  stop(): Promise<void>;
};

export type ClusterMemory = { cluster: number; pid: number; rss: number; heapUsed: number; heapTotal: number };

/** The cluster entry next to this file: .ts under tsx (npm start), .js once built. */
function clusterEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const extension = path.extname(here);
  const file = path.join(path.dirname(here), `cluster-process${extension}`);
  // fork() would pass the manager's execArgv, but discord-hybrid-sharding replaces it with [].
  // tsx by its resolved URL: a bare `--import tsx` resolves from the working directory.
  return { file, execArgv: extension === '.ts' ? ['--import', import.meta.resolve('tsx')] : [] };
}

/** The shared REST limiter: an HTTP proxy on 127.0.0.1 in front of DISCORD_API_URL (or Discord). */
export async function startRestProxy(config: { discord: Pick<DiscordConfig, 'apiUrl'> }, logger: Logger): Promise<{ server: Server; url: string }> {
  // No token here: the proxy forwards each cluster's Authorization header. Retries stay with the
  // clusters' own REST (a 5xx passes back to them), so a failure is not retried 4 × 4 times.
  const rest = new REST({ api: config.discord.apiUrl ?? DefaultRestOptions.api, retries: 0, userAgentAppendix: REST_PROXY_USER_AGENT });
  // Fired for every request the limiter holds back (its job, not a 429): debug only.
  rest.on('rateLimited', (info) => logger.debug({ route: info.route, global: info.global, retryAfterMs: info.retryAfter }, 'rest proxy: holding a request for the rate limit'));
  const handle = proxyRequests(rest);
  const server = createServer((request, response) => {
    // Set before: on an error it does not know (Discord unreachable), proxyRequests ends the
    // response itself, which would otherwise go out as an empty 200. A 502 makes the cluster retry.
    response.statusCode = 502;
    Promise.resolve(handle(request, response)).catch((error: unknown) => {
      logger.warn({ err: error, method: request.method }, 'rest proxy: request failed');
      response.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api` };
}

/**
 * The shards of each of `clusters` processes: contiguous runs whose sizes differ by one at most.
 * discord-hybrid-sharding's own split chunks by ceil(shards / clusters) and so may run fewer
 * processes than asked (4 shards in 3 clusters: 2 processes of 2).
 */
export function splitShards(shards: number, clusters: number): number[][] {
  const base = Math.floor(shards / clusters);
  const larger = shards % clusters;
  const lists: number[][] = [];
  let next = 0;
  for (let cluster = 0; cluster < clusters; cluster++) {
    const size = base + (cluster < larger ? 1 : 0);
    lists.push(Array.from({ length: size }, (_, i) => next + i));
    next += size;
  }
  return lists;
}

/** The post-claim owner of a cluster process: its manager's run id and its cluster id. */
export function clusterClaimOwner(runId: string | undefined, cluster: number): string {
  if (!runId) throw new Error(`cluster ${cluster}: ${RUN_ID_ENV} is not set (a cluster is started by the cluster manager)`);
  return `cluster:${runId}:${cluster}`;
}

/** A cluster process's heartbeat interval from HEARTBEAT_ENV, which its manager sets. */
export function clusterHeartbeatMs(value: string | undefined, cluster: number): number {
  const ms = Number(value);
  if (!value || !Number.isSafeInteger(ms) || ms <= 0) throw new Error(`cluster ${cluster}: ${HEARTBEAT_ENV} is not a positive number of ms (a cluster is started by the cluster manager)`);
  return ms;
}

/**
 * In a cluster process, once it is ready: HEARTBEAT_MESSAGE through `send` every `intervalMs`,
 * from the event loop, so a blocked loop sends none. Returns the function that stops it.
 */
export function sendHeartbeats(intervalMs: number, send: (message: typeof HEARTBEAT_MESSAGE) => void): () => void {
  // Unref'd: heartbeats are no reason for a stopping process to stay up.
  const timer = setInterval(() => send(HEARTBEAT_MESSAGE), intervalMs).unref();
  return () => clearInterval(timer);
}

function isHeartbeat(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { paperboy?: unknown }).paperboy === HEARTBEAT_MESSAGE.paperboy;
}

async function stopCluster(cluster: Cluster, logger: Logger): Promise<void> {
  const child = cluster.thread?.process;
  if (!child || !('exitCode' in child) || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => {
    logger.warn({ cluster: cluster.id }, 'cluster did not stop in time: killing it');
    child.kill('SIGKILL');
  }, CLUSTER_STOP_MS);
  await exited;
  clearTimeout(killTimer);
}

export async function startClusterManager({
  config,
  logger: parent,
  onGiveUp,
  readyTimeoutMs = READY_TIMEOUT_MS,
  restarts = RESTARTS,
  heartbeat = HEARTBEAT,
  entry = clusterEntry(),
}: ClusterManagerOptions): Promise<RunningClusterManager> {
  const logger = parent.child({ role: 'manager' });
  const runId = randomUUID();
  const clusters = config.scale.clusters ?? 1;
  const gateway = await fetchGatewayBot(config.discord);
  const shards = config.scale.shards === 'auto' || config.scale.shards === undefined ? Math.max(gateway.shards, clusters) : config.scale.shards;
  const maxConcurrency = Math.max(1, gateway.session_start_limit.max_concurrency);
  const spawnDelayMs = Math.ceil(IDENTIFY_WINDOW_MS / maxConcurrency);

  const proxy = await startRestProxy(config, logger);
  const shardLists = splitShards(shards, clusters);
  const manager = new ClusterManager(entry.file, {
    totalShards: shards,
    totalClusters: clusters,
    mode: 'process',
    token: config.discord.token,
    respawn: false, // deaths are counted and restarts paced below
    execArgv: entry.execArgv,
    // Per shard of a cluster: the next cluster starts once this one's shards had their identify slots.
    spawnOptions: { delay: spawnDelayMs, timeout: -1 },
  });

  let stopping: Promise<void> | undefined;
  const respawns = new Set<NodeJS.Timeout>();
  let gaveUp = false;
  const giveUp = () => {
    if (gaveUp) return;
    gaveUp = true;
    void running.stop().finally(() => (onGiveUp ? onGiveUp() : process.exit(1)));
  };
  manager.on('clusterCreate', (cluster: Cluster) => {
    // The cluster's environment is fixed here and reused by every respawn: its REST goes to the proxy.
    Object.assign(cluster.env, { DISCORD_API_URL: proxy.url, [RUN_ID_ENV]: runId, [HEARTBEAT_ENV]: String(heartbeat.intervalMs) });
    let watchdog: NodeJS.Timeout | undefined;
    /** When this cluster died within the restart window, oldest first. */
    const deaths: number[] = [];
    /** The process now running, and whether it reported ready (from then on it owes heartbeats). */
    let current: ChildProcess | undefined;
    let owesHeartbeats = false;
    let silence: NodeJS.Timeout | undefined;
    const awaitHeartbeat = (child: ChildProcess) => {
      clearTimeout(silence);
      const silentMs = heartbeat.intervalMs * heartbeat.maxMissed;
      silence = setTimeout(() => {
        if (stopping || child !== current || child.exitCode !== null || child.signalCode !== null) return;
        logger.error({ cluster: cluster.id, pid: child.pid, missedHeartbeats: heartbeat.maxMissed, silentMs }, 'cluster hangs (no heartbeat): killing it');
        // Its exit comes back as 'death' below: counted, paced and restarted like any other.
        child.kill('SIGKILL');
      }, silentMs).unref();
    };
    cluster.on('spawn', (thread) => {
      const child = thread as ChildProcess;
      current = child;
      owesHeartbeats = false;
      clearTimeout(silence);
      child.on('message', (message: unknown) => {
        if (child === current && owesHeartbeats && isHeartbeat(message)) awaitHeartbeat(child);
      });
      logger.info({ cluster: cluster.id, shards: cluster.shardList, pid: child.pid }, 'cluster started');
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        if (stopping) return;
        logger.fatal({ cluster: cluster.id, waitedMs: readyTimeoutMs + spawnDelayMs * cluster.shardList.length }, 'cluster did not become ready: stopping');
        giveUp();
      }, readyTimeoutMs + spawnDelayMs * cluster.shardList.length).unref();
    });
    cluster.on('ready', () => {
      clearTimeout(watchdog);
      logger.info({ cluster: cluster.id }, 'cluster ready');
      if (!current) return;
      owesHeartbeats = true;
      awaitHeartbeat(current);
    });
    cluster.on('death', (_cluster, thread) => {
      clearTimeout(watchdog);
      clearTimeout(silence);
      current = undefined;
      if (stopping) return;
      const child = thread as ChildProcess | null | undefined;
      const now = Date.now();
      deaths.push(now);
      while (deaths[0]! <= now - restarts.windowMs) deaths.shift();
      const died = { cluster: cluster.id, exitCode: child?.exitCode, signal: child?.signalCode, deathsInWindow: deaths.length };
      if (deaths.length > restarts.max) {
        logger.fatal(died, 'cluster died too often: stopping');
        giveUp();
        return;
      }
      const delayMs = Math.min(restarts.maxDelayMs, restarts.firstDelayMs * 2 ** (deaths.length - 1));
      logger.error({ ...died, restartInMs: delayMs }, 'cluster died: restarting it');
      // After this event the library clears the cluster's thread; spawn() needs it cleared.
      const timer = setTimeout(() => {
        respawns.delete(timer);
        if (stopping) return;
        cluster.spawn(-1).catch((error: unknown) => {
          logger.fatal({ cluster: cluster.id, err: error }, 'could not restart the cluster: stopping');
          giveUp();
        });
      }, delayMs);
      respawns.add(timer);
    });
  });
  manager.on('debug', (message: string) => logger.debug({ detail: message }, 'cluster manager'));

  logger.info({ clusters, shards, shardLists, maxConcurrency, proxy: proxy.url }, 'starting clusters');
  const running: RunningClusterManager = {
    runId,
    clusters,
    shards,
    proxyUrl: proxy.url,
    async memory() {
      // Evaluated inside each cluster process (discord-hybrid-sharding's broadcastEval).
      const answers = await manager.broadcastEval(() => ({ pid: process.pid, ...process.memoryUsage() }));
      const clusterIds = [...manager.clusters.keys()];
      return answers.map((m, i) => ({ cluster: clusterIds[i] ?? i, pid: m.pid, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal }));
    },
    stop() {
      stopping ??= (async () => {
        manager.queue.stop(); // clusters not spawned yet stay unspawned
        for (const timer of respawns) clearTimeout(timer);
        await Promise.all([...manager.clusters.values()].map((cluster) => stopCluster(cluster, logger)));
        proxy.server.closeAllConnections();
        await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
        logger.info('stopped');
      })();
      return stopping;
    },
  };
  // Spawning is paced over the shards × delay: running, not awaited, so a signal can stop it.
  // The clusters are queued here rather than by manager.spawn() for the split (splitShards); no
  // ready wait (timeout -1): the watchdog in clusterCreate covers a hang, and deaths go to the
  // restart budget. (The library's spawn() warns about a delay below 7 s; above max_concurrency 1
  // that is expected.)
  manager.shardClusterList = shardLists;
  manager.spawnOptions = { amount: shards, delay: spawnDelayMs, timeout: -1 };
  shardLists.forEach((shardList, id) =>
    manager.queue.add({ run: () => manager.createCluster(id, shardList, shards).spawn(-1), args: [], timeout: spawnDelayMs * shardList.length }),
  );
  manager.queue.start().catch((error: unknown) => {
    if (stopping) return;
    logger.fatal({ err: error }, 'could not start the clusters');
    giveUp();
  });
  return running;
}
