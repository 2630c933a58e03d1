import { StorageError } from './storage-error.js';

/**
 * A lease: a named key in the shared store with an owner and an expiry, so that exactly one of
 * several processes holds a role (the ingestion leader) and a holder that dies frees it by
 * itself once its time runs out. Each backend takes it with its own primitive (backend.ts):
 * SQLite an UPSERT in its write transaction, PostgreSQL `INSERT … ON CONFLICT DO UPDATE … WHERE`
 * on a row lock, Redis `SET NX PX` and compare-and-renew scripts. Expiry is measured by the
 * server's clock (PostgreSQL, Redis) so the processes' clocks need not agree; SQLite is one
 * machine's file, whose clock all its processes share.
 */
export type LeasePrimitive = {
  /** Takes `name` for `owner` when it is free, expired or already `owner`'s (then extends it). True when `owner` holds it now. */
  acquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease only while `owner` still holds it; false once it was lost (expired or taken). */
  renew(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Frees the lease if `owner` holds it; another owner's lease is left alone. */
  release(name: string, owner: string): Promise<void>;
  /** Who holds the lease now and for how much longer, or undefined when it is free. */
  holder(name: string): Promise<LeaseHolder | undefined>;
};

export type LeaseHolder = { owner: string; expiresInMs: number };

/** One process's handle on one lease (storage.lease). */
export type Lease = {
  readonly name: string;
  readonly owner: string;
  readonly ttlMs: number;
  acquire(): Promise<boolean>;
  renew(): Promise<boolean>;
  release(): Promise<void>;
  holder(): Promise<LeaseHolder | undefined>;
};

/** Bounds that keep a lease meaningful: shorter than a round trip is never held; longer than an hour outlives any failover anyone wants. */
export const LEASE_TTL_MS = { min: 100, max: 3_600_000 } as const;
const MAX_OWNER_LENGTH = 200;

export function createLease(primitive: LeasePrimitive, name: string, owner: string, ttlMs: number): Lease {
  if (!/^[a-z][a-z0-9_-]{0,63}$/i.test(name)) throw new StorageError(`invalid lease name "${name}": use up to 64 letters, digits, '_' and '-'`);
  if (owner.length === 0 || owner.length > MAX_OWNER_LENGTH) throw new StorageError(`a lease owner must be 1–${MAX_OWNER_LENGTH} characters`);
  if (!Number.isInteger(ttlMs) || ttlMs < LEASE_TTL_MS.min || ttlMs > LEASE_TTL_MS.max) {
    throw new StorageError(`a lease's ttlMs must be a whole number from ${LEASE_TTL_MS.min} to ${LEASE_TTL_MS.max}`);
  }
  return {
    name,
    owner,
    ttlMs,
    acquire: () => primitive.acquire(name, owner, ttlMs),
    renew: () => primitive.renew(name, owner, ttlMs),
    release: () => primitive.release(name, owner),
    holder: () => primitive.holder(name),
  };
}
