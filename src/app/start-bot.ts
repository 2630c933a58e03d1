import { Events, type Client } from 'discord.js';
import { commands, componentHandlers } from '../../commands/index.js';
import type { BotConfig } from '../config.js';
import { createBookmarks, createMessagePapers } from '../core/bookmarks.js';
import { createSearchSessions, type Clock } from '../core/search-sessions.js';
import { createPostedPapers, createSeenPapers, type PostRecord } from '../core/topic-posts.js';
import { createTopics, type Topic } from '../core/topics.js';
import type { BotContext } from '../discord/bot-context.js';
import { createDiscordClient } from '../discord/client.js';
import { createInteractionRouter } from '../discord/interaction-router.js';
import { handleBookmarkReactions } from '../discord/reactions.js';
import { openLibraryService, type LibraryService } from './library-service.js';
import type { Logger } from '../logger.js';
import { createSources, type SourceDeps } from '../feeds/fetch-all.js';
import type { Validators } from '../feeds/http-fetch.js';
import { saveIndexSnapshot } from '../storage/index-snapshot.js';
import { createTopicRunner } from './topic-runner.js';

export type RunningBot = {
  client: Client;
  ctx: BotContext;
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
};

/**
 * The bot, wired: store → library → index → client → topic runner → handlers → login → schedule.
 * The index is loaded (or built) before logging in, so no interaction arrives before the bot can
 * answer it; the schedule starts after login, because a run posts through the client.
 */
export async function startBot({
  config,
  logger,
  clock = { now: () => Date.now() },
  service: given,
  schedule = true,
  sourceHttp,
}: BotOptions): Promise<RunningBot> {
  const service =
    given ??
    (await openLibraryService(config, {
      onEvent: (event) => {
        if (event.type === 'seed') logger.info({ file: event.file }, 'library empty: importing the bundled sample papers');
        if (event.type === 'index-build') logger.info({ reason: event.reason, papers: event.papers }, 'building the search index');
      },
    }));
  const index = await service.index();
  logger.info({ papers: index.size }, 'search index ready');

  const storage = service.storage;
  const messages = createMessagePapers(storage.store<string>('messages'));
  const topics = createTopics(storage.store<Topic | string[]>('topics'));
  const client = createDiscordClient(config.discord);
  const sources = createSources(config.schedule.sources, {
    clock,
    validators: storage.store<Validators>('source_validators'),
    logger: logger.child({ job: 'sources' }),
    ...(sourceHttp ? { httpOptions: sourceHttp } : {}),
  });
  const topicRunner = createTopicRunner({
    client,
    library: service.library,
    index,
    topics,
    seen: createSeenPapers(storage.store<number | [string, number][]>('seen')),
    posted: createPostedPapers(storage.store<PostRecord>('posted')),
    messages,
    sources,
    logger,
    clock,
    interval: config.schedule.pollInterval,
    saveIndex: (revision) => saveIndexSnapshot(index, config.indexPath, { revision }),
  });

  const ctx: BotContext = Object.freeze({
    config,
    logger,
    library: service.library,
    index,
    bookmarks: createBookmarks(storage.store<string[]>('bookmarks')),
    messages,
    sessions: createSearchSessions(clock),
    clock,
    topics,
    topicRunner,
  });

  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  const route = createInteractionRouter(commands, componentHandlers, ctx);
  client.on(Events.InteractionCreate, (interaction) => track(route(interaction)));
  handleBookmarkReactions(client, ctx, track);
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.Warn, (message) => logger.warn({ message }, 'discord client warning'));
  client.on(Events.ShardResume, (shardId, replayed) => logger.info({ shardId, replayed }, 'gateway resumed'));
  client.on(Events.ShardDisconnect, (event, shardId) => logger.warn({ shardId, code: event.code }, 'gateway disconnected'));

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(config.discord.token);
    await ready;
  } catch (error) {
    await client.destroy().catch(() => undefined);
    await service.close().catch(() => undefined);
    throw error;
  }
  logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'logged in');
  if (schedule) topicRunner.start();

  let stopping: Promise<void> | undefined;
  return {
    client,
    ctx,
    stop(graceMs = 5_000) {
      stopping ??= (async () => {
        client.removeAllListeners(Events.InteractionCreate);
        const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
        // A send still queued past the grace is cut off by destroy(): its record stays pending
        // and the next start resends it with the same nonce.
        await Promise.race([Promise.allSettled([...inFlight, topicRunner.stop()]), grace]);
        await client.destroy();
        await service.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
