import { startBot, type RunningBot } from './app/start-bot.js';
import { ConfigError, loadConfig, readEnvironment } from './config.js';
import { createLogger } from './logger.js';

/**
 * `npm start`: configuration → logger → bot. A missing or bad setting stops here with one line
 * naming the key (exit 1, no stack trace). SIGINT/SIGTERM let the reply in flight finish,
 * disconnect, close the store and exit 0 — also while the bot is still starting (loading or
 * building the index can take a while): then it stops as soon as start-up has finished.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(readEnvironment(), { require: 'bot' });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`paperboy: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let bot: RunningBot | undefined;
  let stopRequested = false;
  const stop = (running: RunningBot) =>
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  const onSignal = (signal: string) => {
    if (stopRequested) return;
    stopRequested = true;
    logger.info({ signal }, bot ? 'shutting down' : 'shutting down once start-up has finished');
    if (bot) void stop(bot);
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));

  try {
    bot = await startBot({ config, logger });
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    const code = (error as { code?: string }).code;
    if (code === 'TokenInvalid' || /invalid token|401/i.test(String((error as Error).message))) {
      process.stderr.write('paperboy: DISCORD_TOKEN was refused by Discord; copy the token again from the developer portal (Bot page).\n');
    }
    process.exit(stopRequested ? 0 : 1);
  }
  if (stopRequested) await stop(bot);
}

await main();
