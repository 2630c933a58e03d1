import { AsyncLocalStorage } from 'node:async_hooks';
import { createSerialQueue } from '../core/serial-queue.js';

export type WriteGate = {
  /** True inside `exclusive` work (also in its awaited continuations). */
  holding(): boolean;
  exclusive<R>(work: () => Promise<R>): Promise<R>;
};

/**
 * Serialises writes on a shared connection so a transaction (spread over many awaits) never takes
 * in another caller's write. Code running inside `exclusive` (tracked through AsyncLocalStorage)
 * passes straight through, so a transaction's own writes do not wait on it.
 */
export function createWriteGate(): WriteGate {
  const holder = new AsyncLocalStorage<true>();
  const serial = createSerialQueue();
  return {
    holding: () => holder.getStore() === true,
    exclusive<R>(work: () => Promise<R>): Promise<R> {
      if (holder.getStore()) return work();
      return serial(() => holder.run(true, work));
    },
  };
}
