import { startBot } from './app/start-bot.js';
import { startClusterManager } from './app/cluster-manager.js';
import { loadBotConfigOrExit, runUntilStopped } from './app/process-lifecycle.js';
import type { BotConfig } from './config.js';
import type { ShardAssignment } from './discord/client.js';
import { fetchGatewayBot } from './discord/gateway-bot.js';
import { createLogger } from './logger.js';

/**
 * `npm start`: configuration → logger → bot, or, with CLUSTERS set, the cluster manager (which
 * runs the bots in cluster processes, src/app/cluster-manager.ts). A missing or bad setting
 * stops here with one line naming the key (exit 1, no stack trace). SIGINT/SIGTERM let the reply in flight finish,
 * disconnect, close the store and exit 0 — also while the bot is still starting (loading or
 * building the index can take a while): then it stops as soon as start-up has finished.
 */
async function main(): Promise<void> {
  const config = loadBotConfigOrExit();
  const logger = createLogger(config.logLevel);
  if (config.scale.clusters !== undefined) {
    await runUntilStopped({ logger, start: () => startClusterManager({ config, logger }), onStartError: explainStartError });
    return;
  }
  await runUntilStopped({
    logger,
    start: async () => startBot({ config, logger, ...(config.scale.shards !== undefined ? { shards: await allShards(config) } : {}) }),
    onStartError: explainStartError,
  });
}

/** The one start failure people can fix themselves gets a line on stderr besides the log. */
function explainStartError(error: unknown): void {
  const code = (error as { code?: string }).code;
  if (code === 'TokenInvalid' || /invalid token|401/i.test(String((error as Error).message))) {
    process.stderr.write('paperboy: DISCORD_TOKEN was refused by Discord; copy the token again from the developer portal (Bot page).\n');
  }
}

/** SHARDS without CLUSTERS: this one process runs every shard (discord.js's internal sharding). */
async function allShards(config: BotConfig): Promise<ShardAssignment> {
  const count = config.scale.shards === 'auto' ? (await fetchGatewayBot(config.discord)).shards : (config.scale.shards ?? 1);
  return { ids: Array.from({ length: count }, (_, i) => i), count };
}

await main();
