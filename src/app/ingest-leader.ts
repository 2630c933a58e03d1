import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../logger.js';
import type { Lease } from '../storage/lease.js';
import type { Storage } from '../storage/open-storage.js';
import { createIndexFollower, DEFAULT_INDEX_SYNC_MS } from './index-follower.js';
import { REAL_TIMERS, type Timers } from './topic-runner.js';

/**
 * Who fetches: with several processes on one shared store (PostgreSQL, Redis), exactly one — the
 * ingestion leader — fetches the sources and merges papers into the library, under the lease
 * INGEST_LEASE. Every process (the leader too) delivers topic posts and keeps its own search
 * index current from the library's change log (index-follower.ts). On SQLite the one process
 * leads always, takes no lease and runs no follower loop: exactly as before leases existed.
 *
 * Failover: the holder renews every ttl/3; a holder that dies stops renewing and its lease runs
 * out after at most `ttl`; the others ask every ttl/3, so one of them leads at most 4/3 × ttl
 * after the death (40 s by default, below the shortest POLL_INTERVAL of 60 s) and starts a run
 * at once. The lease decides who starts a fetch: a run begun as leader finishes even if the lease
 * lapses meanwhile (a process that stalls past the ttl), so two runs can overlap. What keeps that
 * safe is not the lease: merges run in the store's transaction, and so does marking papers seen
 * (a key per paper, and "first seen" read and written in one step); a pending post is sent only under a claim per channel and paper
 * (post-claims.ts), taken by every process that delivers. A clean shutdown releases the lease only
 * after its run has ended (start-bot.ts).
 */

export const INGEST_LEASE = 'ingest';
export const DEFAULT_LEADER_LEASE_MS = 30_000;

export type IngestLeadership = {
  /** True while this process holds the lease by its own clock (it stops believing so when a renewal is overdue). */
  leads(): boolean;
  /** Asks for the lease once (resolved when answered), then keeps asking or renewing every ttl/3. */
  start(): Promise<void>;
  /** Stops asking and releases the lease if held (a clean shutdown hands over at once). */
  stop(): Promise<void>;
};

export type IngestLeadershipDeps = {
  lease: Lease;
  /**
   * Milliseconds from a monotonic clock (default performance.now), for the local estimate of when
   * the lease runs out: the wall clock can be stepped back (NTP), which would stretch this
   * process's belief in its leadership past the lease's real expiry on the server.
   */
  monotonic?: () => number;
  timers?: Timers;
  logger: Logger;
  /** Called when this process becomes leader after start (not at start: the startup run covers that). */
  onLead?: () => void;
};

export function createIngestLeadership({ lease, monotonic = () => performance.now(), timers = REAL_TIMERS, logger, onLead }: IngestLeadershipDeps): IngestLeadership {
  const log = logger.child({ job: 'leader', lease: lease.name, owner: lease.owner });
  // Counted from when the request was sent, so this process stops believing it leads no later
  // than the store lets the lease run out.
  let heldUntil = Number.NEGATIVE_INFINITY;
  let timer: unknown;
  let asking: Promise<void> | undefined;
  let stopped = false;
  let failing = false;
  const leads = () => monotonic() < heldUntil;

  async function ask(announce: boolean): Promise<void> {
    const askedAt = monotonic();
    const was = leads();
    try {
      const held = await lease.acquire();
      failing = false;
      if (stopped) return;
      heldUntil = held ? askedAt + lease.ttlMs : Number.NEGATIVE_INFINITY;
      if (held && !was) {
        log.info('leading ingestion: this process fetches the sources');
        if (announce) onLead?.();
      } else if (!held && was) {
        log.warn('lost the ingestion lease: another process fetches now');
      }
    } catch (error) {
      // The store is unreachable: leads() turns false by itself once the lease may have run out.
      if (!failing) log.warn({ err: error }, 'could not take or renew the ingestion lease; retrying');
      failing = true;
    }
  }

  function arm(): void {
    if (stopped) return;
    timer = timers.setTimeout(() => {
      asking = ask(true).finally(() => {
        asking = undefined;
        arm();
      });
    }, Math.max(1, Math.floor(lease.ttlMs / 3)));
  }

  return {
    leads,
    async start() {
      if (timer !== undefined || stopped) return;
      await ask(false);
      if (!leads() && !stopped) log.info('following: another process leads ingestion');
      arm();
    },
    async stop() {
      stopped = true;
      timers.clearTimeout(timer);
      await asking;
      if (heldUntil === Number.NEGATIVE_INFINITY) return;
      heldUntil = Number.NEGATIVE_INFINITY;
      await lease.release().catch((error: unknown) => log.warn({ err: error }, 'could not release the ingestion lease; it expires by itself'));
    },
  };
}

/** This process's part when scaled out: leadership of ingestion, and its index following the library. */
export type ProcessRoles = {
  leads(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
};

export type ProcessRolesDeps = {
  storage: Pick<Storage, 'shared' | 'lease'>;
  syncIndex: () => Promise<void>;
  /** See IngestLeadershipDeps.monotonic. */
  monotonic?: () => number;
  logger: Logger;
  timers?: Timers;
  /** Become leader after start: start a run now rather than at the next tick. */
  onLead?: () => void;
  leaseTtlMs?: number;
  indexSyncMs?: number;
};

export function createProcessRoles(deps: ProcessRolesDeps): ProcessRoles {
  if (!deps.storage.shared) return { leads: () => true, start: async () => {}, stop: async () => {} };
  const timers = deps.timers ?? REAL_TIMERS;
  const leadership = createIngestLeadership({
    lease: deps.storage.lease(INGEST_LEASE, processOwner(), deps.leaseTtlMs ?? DEFAULT_LEADER_LEASE_MS),
    ...(deps.monotonic ? { monotonic: deps.monotonic } : {}),
    timers,
    logger: deps.logger,
    ...(deps.onLead ? { onLead: deps.onLead } : {}),
  });
  const follower = createIndexFollower({
    syncIndex: deps.syncIndex,
    intervalMs: deps.indexSyncMs ?? DEFAULT_INDEX_SYNC_MS,
    timers,
    logger: deps.logger.child({ job: 'index-follower' }),
  });
  return {
    leads: leadership.leads,
    async start() {
      follower.start();
      await leadership.start();
    },
    async stop() {
      await Promise.all([leadership.stop(), follower.stop()]);
    },
  };
}

/** Names this process in the lease (and so in logs and `paperboy migrate`'s refusal): host, pid, and a random part against pid reuse. */
export function processOwner(role = 'bot'): string {
  return `${role}:${hostname().slice(0, 100)}:${process.pid}:${randomUUID().slice(0, 8)}`;
}
