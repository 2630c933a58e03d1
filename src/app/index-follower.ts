import type { Logger } from '../logger.js';
import type { Timers } from './topic-runner.js';

/** How often a process applies the library's change log to its index when the store is shared. */
export const DEFAULT_INDEX_SYNC_MS = 3_000;

export type IndexFollower = {
  start(): void;
  /** No further syncs; waits for one in flight. */
  stop(): Promise<void>;
};

export type IndexFollowerDeps = {
  /** The library service's syncIndex: applies the revisions the index lacks (never a rebuild unless the log no longer reaches). */
  syncIndex: () => Promise<void>;
  intervalMs: number;
  timers: Timers;
  logger: Logger;
};

/**
 * Keeps this process's search index within one interval of the shared library: every
 * `intervalMs` it catches up from the change log (library namespace `changes`), whoever wrote the
 * revisions — the ingestion leader in another process, a CLI import. A catch-up with nothing new
 * costs one read of the library's revision. One sync at a time; the next is armed when one ends,
 * so a slow one (a store that went away) never piles up.
 */
export function createIndexFollower({ syncIndex, intervalMs, timers, logger }: IndexFollowerDeps): IndexFollower {
  let timer: unknown;
  let running: Promise<void> | undefined;
  let stopped = false;
  let failing = false;

  function arm(): void {
    if (stopped) return;
    timer = timers.setTimeout(() => {
      running = syncIndex()
        .then(
          () => {
            if (failing) logger.info('search index follows the library again');
            failing = false;
          },
          (error: unknown) => {
            // Once per outage, not every few seconds.
            if (!failing) logger.warn({ err: error }, 'search index could not catch up with the library; retrying');
            failing = true;
          },
        )
        .finally(() => {
          running = undefined;
          arm();
        });
    }, intervalMs);
  }

  return {
    start() {
      if (timer !== undefined || stopped) return;
      arm();
    },
    async stop() {
      stopped = true;
      timers.clearTimeout(timer);
      await running;
    },
  };
}
