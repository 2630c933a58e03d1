/**
 * Runs async work one piece at a time, in the order it was queued: the one implementation behind
 * every "read, change, write back" in this process (library upserts, topics, a channel's outbox,
 * a user's bookmarks, SQLite transactions). A failing piece rejects its own caller only; the
 * queue goes on with the next.
 *
 * This orders work within one process. Across processes, correctness rests on the store (a
 * transaction, a key per record), never on this queue.
 */
export type SerialQueue = <R>(work: () => Promise<R>) => Promise<R>;

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const run = tail.then(work);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** One serial queue per key (a channel, a user); a key's queue is forgotten once it drains. */
export type KeyedQueue = <R>(key: string, work: () => Promise<R>) => Promise<R>;

export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();
  return (key, work) => {
    const run = (tails.get(key) ?? Promise.resolve()).then(work);
    const settled = run.catch(() => undefined);
    tails.set(key, settled);
    void settled.then(() => {
      if (tails.get(key) === settled) tails.delete(key);
    });
    return run;
  };
}
