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

/** Syncs in a row that may each find the library moved on before a waiting delivery runs anyway. */
const MAX_SETTLE_SYNCS = 3;

export type FollowerDelivery = {
  /** Called after each index sync (the follower's tick): may start a delivery run, never waits for it. */
  afterSync(): Promise<void>;
};

export type FollowerDeliveryDeps = {
  /** The library's revision (one read of the shared store). */
  revision: () => Promise<number>;
  /** Whether this process leads ingestion now: the leader delivers after its own merges. */
  leads: () => boolean;
  /** Start a delivery run (the topic runner's runNow): undefined when a run was already going. */
  deliver: () => Promise<unknown>;
};

/**
 * Scale-out: a process that does not lead ingestion has nothing to fetch, so its own schedule
 * finds only what the leader merged before it; without this, the leader's new papers would
 * reach this process's servers one POLL_INTERVAL late (a day late with `0 8 * * 1-5`). After an
 * index sync finds that the library moved on, it starts a delivery run — once the library held
 * still for one sync (the leader marks papers seen just after merging them; a run before that
 * would not see them yet), or after MAX_SETTLE_SYNCS syncs of a long import. At most one run at
 * a time: a run the runner refused (one was going) is asked for again at the next sync.
 */
export function createFollowerDelivery({ revision, leads, deliver }: FollowerDeliveryDeps): FollowerDelivery {
  let known: number | undefined;
  /** Syncs that found the library moved on since the last delivery asked for (0: none due). */
  let due = 0;
  let delivering: Promise<void> | undefined;

  return {
    async afterSync() {
      if (leads()) {
        known = undefined;
        due = 0;
        return;
      }
      const now = await revision();
      // The first sight is this process's starting point: its startup run delivered up to there.
      const advanced = known !== undefined && now > known;
      known = now;
      if (advanced) due += 1;
      if (due === 0 || delivering || (advanced && due <= MAX_SETTLE_SYNCS)) return;
      due = 0;
      delivering = deliver()
        .then(
          (report) => {
            if (report === undefined) due = Math.max(due, 1); // a run was going: try again next sync
          },
          () => undefined, // logged by the runner; the next change or the schedule tries again
        )
        .finally(() => (delivering = undefined));
    },
  };
}
