import { Events, type Client } from 'discord.js';
import { commands, componentHandlers } from '../commands/index.js';
import type { BotConfig } from './config.js';
import { createBookmarks, createMessagePapers } from './core/bookmarks.js';
import { createSearchSessions, type Clock } from './core/search-sessions.js';
import type { BotContext } from './discord/bot-context.js';
import { createDiscordClient } from './discord/client.js';
import { createInteractionRouter } from './discord/interaction-router.js';
import { handleBookmarkReactions } from './discord/reactions.js';
import { openLibraryService, type LibraryService } from './library-service.js';
import type { Logger } from './logger.js';

export type RunningBot = {
  client: Client;
  ctx: BotContext;
  /** Let the replies in flight finish (up to `graceMs`), then disconnect and close the store. */
  stop(graceMs?: number): Promise<void>;
};

export type BotOptions = {
  config: BotConfig;
  logger: Logger;
  clock?: Clock;
  /** For tests: an already open library service; otherwise opened from config. */
  service?: LibraryService;
};

/**
 * The bot, wired: store → library → index → client → handlers. The index is loaded (or built)
 * before logging in, so no interaction arrives before the bot can answer it.
 */
export async function startBot({ config, logger, clock = { now: () => Date.now() }, service: given }: BotOptions): Promise<RunningBot> {
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

  const ctx: BotContext = Object.freeze({
    config,
    logger,
    library: service.library,
    index,
    bookmarks: createBookmarks(service.storage.store<string[]>('bookmarks')),
    messages: createMessagePapers(service.storage.store<string>('messages')),
    sessions: createSearchSessions(clock),
    clock,
  });

  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  const client = createDiscordClient(config.discord);
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

  let stopping: Promise<void> | undefined;
  return {
    client,
    ctx,
    stop(graceMs = 5_000) {
      stopping ??= (async () => {
        client.removeAllListeners(Events.InteractionCreate);
        const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
        await Promise.race([Promise.allSettled([...inFlight]), grace]);
        await client.destroy();
        await service.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
