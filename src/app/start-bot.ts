import { Events, type Client } from 'discord.js';
import { commands, componentHandlers } from '../../commands/index.js';
import type { BotConfig } from '../config.js';
import { createMessagePapers } from '../core/bookmarks.js';
import { createSearchSessions, type Clock } from '../core/search-sessions.js';
import { upgradeStoreLayout } from '../storage/store-layout.js';
import { openAlertStores, openBookmarks, openTopicStores } from '../storage/stores.js';
import type { BotContext } from '../discord/bot-context.js';
import { createDiscordClient, type ShardAssignment } from '../discord/client.js';
import { ownsGuildOf } from '../core/shard-of.js';
import { createInteractionRouter } from '../discord/interaction-router.js';
import type { InteractionRateLimits } from '../core/rate-limit.js';
import { handleBookmarkReactions } from '../discord/reactions.js';
import { createTopicDelivery } from '../discord/topic-delivery.js';
import { openLibraryService, type LibraryService, type ServiceEvent } from './library-service.js';
import type { Logger } from '../logger.js';
import { createSources, type SourceDeps } from '../feeds/fetch-all.js';
import { createTopicRunner, type Timers } from './topic-runner.js';
import { createAlertDelivery } from '../discord/alert-delivery.js';
import { createAlertRunner } from './alert-runner.js';
import { createProcessRoles, processOwner } from './ingest-leader.js';
import { createFollowerDelivery } from './index-follower.js';
import { createPostClaims } from '../storage/post-claims.js';

/** Backoff between attempts to load the index after a failure. */
const INDEX_RETRY_MS = { first: 5_000, max: 5 * 60_000 } as const;

export type RunningBot = {
  client: Client;
  ctx: BotContext;
  /** Resolves once the search index is loaded or built (and the schedule, if any, started). */
  indexReady: Promise<void>;
  /**
   * Stop the schedule and let the replies in flight and a running topic cycle finish (up to
   * `graceMs`; the cycle stops at its next safe point), then disconnect and close the store.
   */
  stop(graceMs?: number): Promise<void>;
};

export type BotOptions = {
  config: BotConfig;
  logger: Logger;
  clock?: Clock;
  /** For tests: an already open library service; otherwise opened from config. */
  service?: LibraryService;
  /**
   * Start the topic schedule after login (a run at once, then every POLL_INTERVAL). Default true;
   * tests turn it off and call ctx.topicRunner.runNow() themselves.
   */
  schedule?: boolean;
  /** For tests: the sources' HTTP client settings (short timeouts, fewer retries). */
  sourceHttp?: SourceDeps['httpOptions'];
  /** For tests: the schedule's timers. */
  timers?: Timers;
  /** For tests that click faster than people do: the per-user interaction limits. */
  rateLimits?: InteractionRateLimits;
  /** Backoff between attempts to load the index after a failure (tests shorten it). */
  indexRetryMs?: { first: number; max: number };
  /** For tests: the ingestion lease's ttl on a shared store (ingest-leader.ts; default 30 s). */
  leaseTtlMs?: number;
  /**
   * Scale-out: the gateway shards this process runs (a cluster's share, src/app/cluster-process.ts).
   * Its topic schedule then posts only for the servers those shards own. Default shard 0 of 1.
   */
  shards?: ShardAssignment;
  /**
   * Who claims pending posts (post-claims.ts). Default this process. A cluster passes a name that
   * outlives its restarts (cluster-process.ts), so after a kill -9 the restarted cluster takes its
   * own claims back and resends at once instead of waiting out their ttl.
   */
  postClaimOwner?: string;
};

/** The library service's events as log lines: the bot's view of index and snapshot work. */
export function logServiceEvent(logger: Logger, event: ServiceEvent): void {
  if (event.type === 'seed') logger.info({ file: event.file }, 'library empty: importing the bundled sample papers');
  else if (event.type === 'store-upgraded') logger.info(event.upgrade, 'store upgraded to this version\'s layout');
  else if (event.type === 'sample-removed') logger.info({ papers: event.papers }, 'real papers arrived: the bundled sample papers were removed');
  else if (event.type === 'index-build') logger.info({ reason: event.reason, papers: event.papers }, 'building the search index');
  else if (event.type === 'index-synced') logger.debug({ revision: event.revision, indexed: event.indexed, removed: event.removed }, 'search index caught up');
  else if (event.type === 'snapshot-saved') logger.info({ revision: event.revision, durationMs: event.durationMs }, 'index snapshot saved');
  else if (event.type === 'snapshot-failed') logger.warn({ err: event.error }, 'index snapshot not saved; searching goes on, the next change tries again');
}

/**
 * The bot, wired: store → library → client → topic runner → handlers → login → schedule, index.
 * The bot logs in while the index loads (or builds, which takes about a minute on a large
 * library), so every interaction is acknowledged within Discord's 3 seconds: searches answer
 * "still loading" until the index is ready.
 */
export async function startBot({
  config,
  logger,
  clock = { now: () => Date.now() },
  service: given,
  schedule = true,
  sourceHttp,
  timers,
  rateLimits,
  indexRetryMs = INDEX_RETRY_MS,
  leaseTtlMs,
  shards,
  postClaimOwner,
}: BotOptions): Promise<RunningBot> {
  const service =
    given ??
    (await openLibraryService(config, { upgradeStore: true, onEvent: (event) => logServiceEvent(logger, event) }));
  // A service handed in (tests, a caller's own) is brought to this version's layout here.
  if (given) {
    const upgrade = await upgradeStoreLayout(given.stores, given.storage);
    if (upgrade) logServiceEvent(logger, { type: 'store-upgraded', upgrade });
  }

  const stores = service.stores;
  const messages = createMessagePapers(stores.messages);
  const { topics, posted, seen } = openTopicStores(stores, service.storage);
  const client = createDiscordClient(config.discord, shards);
  const alerts = { ...openAlertStores(stores, service.storage), delivery: createAlertDelivery({ client, clock }) };
  const sources = createSources(config.schedule.sources, {
    clock,
    validators: stores.source_validators,
    logger: logger.child({ job: 'sources' }),
    ...(sourceHttp ? { httpOptions: sourceHttp } : {}),
  });
  // On a shared store one process leads ingestion and every process's index follows the library;
  // on SQLite this process leads always and nothing else runs (ingest-leader.ts).
  // A process that does not lead delivers the leader's new papers after the index sync that sees
  // them, not at its own next POLL_INTERVAL (index-follower.ts).
  const followerDelivery = createFollowerDelivery({
    revision: () => service.library.revision(),
    leads: () => roles.leads(),
    deliver: () => topicRunner.runNow('schedule'),
  });
  const roles = createProcessRoles({
    storage: service.storage,
    syncIndex: schedule
      ? async () => {
          await service.syncIndex();
          await followerDelivery.afterSync();
        }
      : service.syncIndex,
    logger,
    ...(timers ? { timers } : {}),
    ...(leaseTtlMs ? { leaseTtlMs } : {}),
    indexSyncMs: config.schedule.indexSyncMs,
    // Taking over from a leader that died: fetch now, not at this process's next tick.
    ...(schedule ? { onLead: () => void topicRunner.runNow('schedule').catch(() => undefined) } : {}),
  });
  const topicRunner = createTopicRunner({
    leads: roles.leads,
    delivery: createTopicDelivery({ client, posted, messages, logger: logger.child({ job: 'topics' }), clock }),
    library: service.library,
    ingest: service.ingest,
    syncIndex: service.syncIndex,
    topics,
    seen,
    posted,
    sources,
    logger,
    clock,
    ...(timers ? { timers } : {}),
    interval: config.schedule.pollInterval,
    ...(shards ? { ownsGuild: ownsGuildOf(shards.ids, shards.count) } : {}),
    claims: createPostClaims(service.storage, postClaimOwner ?? processOwner('post')),
    alerts: createAlertRunner({ alerts: alerts.users, records: alerts.records, delivery: alerts.delivery, clock, logger }),
  });

  const ctx: BotContext = Object.freeze({
    config,
    logger,
    library: service.library,
    // Read on every use: the index appears once loaded, and a rebuild may replace it.
    get index() {
      return service.readyIndex();
    },
    bookmarks: openBookmarks(stores, service.storage),
    messages,
    sessions: createSearchSessions(clock),
    clock,
    topics,
    topicRunner,
    alerts,
  });

  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  const route = createInteractionRouter(commands, componentHandlers, ctx, rateLimits ? { limits: rateLimits } : {});
  client.on(Events.InteractionCreate, (interaction) => track(route(interaction)));
  handleBookmarkReactions(client, ctx, track);
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.Warn, (message) => logger.warn({ message }, 'discord client warning'));
  client.on(Events.ShardResume, (shardId, replayed) => logger.info({ shardId, replayed }, 'gateway resumed'));
  client.on(Events.ShardDisconnect, (event, shardId) => logger.warn({ shardId, code: event.code }, 'gateway disconnected'));

  let stopping: Promise<void> | undefined;
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(config.discord.token);
    await ready;
  } catch (error) {
    await client.destroy().catch(() => undefined);
    await service.close().catch(() => undefined);
    throw error;
  }
  logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size, ...(shards ? { shards: shards.ids, shardCount: shards.count } : {}) }, 'logged in');
  // Topic posting does not need the index (matching reads the library), so the schedule starts
  // now; the index loads beside it and is retried with backoff when that fails (a full disk, a
  // store that went away), searches answering "still loading" meanwhile.
  await roles.start();
  if (schedule) topicRunner.start();
  const indexReady = (async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        const index = await service.index();
        logger.info({ papers: index.size }, 'search index ready');
        return;
      } catch (error) {
        const retryMs = Math.min(indexRetryMs.first * 2 ** attempt, indexRetryMs.max);
        logger.error({ err: error, retryMs }, 'the search index could not be loaded or built; searches answer "still loading" until it is');
        await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
        if (stopping) return;
      }
    }
  })();

  return {
    client,
    ctx,
    indexReady,
    stop(graceMs = 5_000) {
      stopping ??= (async () => {
        client.removeAllListeners(Events.InteractionCreate);
        const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
        const runEnded = topicRunner.stop();
        // A send still queued past the grace is cut off by destroy(): its record stays pending
        // and the next start resends it with the same nonce.
        // An index still loading is waited for too (closing the store under it would only
        // turn into a confusing error), within the same grace.
        await Promise.race([Promise.allSettled([...inFlight, runEnded, indexReady]), grace]);
        await client.destroy();
        // The lease is released only once no run of ours can still be merging or marking papers
        // seen, however long past the grace (the lease is renewed meanwhile): a new leader starts a
        // run at once, and two runs at once are what the lease is there to prevent.
        await runEnded;
        await roles.stop();
        await service.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
