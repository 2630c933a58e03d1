import type { KeyvStoreAdapter } from 'keyv';
import type { Atomically } from '../core/library.js';
import type { LeasePrimitive } from './lease.js';
import type { SynchronousMode } from './open-storage.js';

/** What openStorage needs from one engine: an adapter per namespace and the engine's transactions. */
export type Backend = {
  adapter(namespace: string): KeyvStoreAdapter;
  atomically: Atomically;
  durably: Atomically;
  /** Leases with expiry, taken with the engine's own primitive (lease.ts). */
  leases: LeasePrimitive;
  synchronousMode(): Promise<SynchronousMode | undefined>;
  /** Builds what prefix listings need in a store an older version wrote (Redis: its key indexes; `names` are checked for drift, those repaired returned); absent where nothing is needed. */
  upgradeIndexes?(names: readonly string[]): Promise<string[]>;
  close(): Promise<void>;
};
