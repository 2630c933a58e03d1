import { ConfigError, loadConfig, readEnvironment, type BotConfig } from '../config.js';
import type { Logger } from '../logger.js';

/**
 * What `npm start`, the cluster manager and each cluster process share: read the bot's
 * configuration or stop with one line naming the key, and run until told to stop.
 */

/** The bot's configuration from the environment; a missing or bad setting exits 1 with one line (no stack trace). */
export function loadBotConfigOrExit(): BotConfig {
  try {
    return loadConfig(readEnvironment(), { require: 'bot' });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`paperboy: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

export type Stoppable = { stop(): Promise<void> };

/**
 * Starts `start()` and keeps the process up until SIGINT/SIGTERM (or one of `stopOn`'s events,
 * e.g. a cluster's manager going away): then `stop()` runs and the process exits 0. A signal
 * while still starting (loading or building the index can take a while) stops as soon as
 * start-up has finished. A failed start exits 1 after `onStartError` (0 if a stop was asked).
 */
export async function runUntilStopped<T extends Stoppable>(options: {
  logger: Logger;
  start: () => Promise<T>;
  onStartError?: (error: unknown) => void;
  /** Further reasons to stop: call the given function to stop as a signal would. */
  stopOn?: (stop: (reason: string) => void) => void;
}): Promise<T | undefined> {
  const { logger } = options;
  let running: T | undefined;
  let stopRequested = false;
  const stop = (target: T) =>
    target.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  const onStop = (signal: string) => {
    if (stopRequested) return;
    stopRequested = true;
    logger.info({ signal }, running ? 'shutting down' : 'shutting down once start-up has finished');
    if (running) void stop(running);
  };
  process.once('SIGINT', () => onStop('SIGINT'));
  process.once('SIGTERM', () => onStop('SIGTERM'));
  options.stopOn?.(onStop);

  try {
    running = await options.start();
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    options.onStartError?.(error);
    process.exit(stopRequested ? 0 : 1);
  }
  if (stopRequested) await stop(running);
  return running;
}
