import type { Clock } from './search-sessions.js';

/**
 * Per-user token buckets: each interaction takes a token, tokens come back one every `refillMs`
 * up to `capacity`. A burst of `capacity` goes through at once; after that, one per `refillMs`.
 * Pure: the clock is passed in (a monotonic one in the bot, a fake one in tests).
 */

export type RateLimit = Readonly<{ capacity: number; refillMs: number }>;

/** The limits the interaction router applies per user (documented in the README, "Limits"). */
export const INTERACTION_RATE_LIMITS = {
  /** Slash commands, buttons, select menus, modals: a burst of 10, then one every 1.5 s (40 a minute). */
  actions: { capacity: 10, refillMs: 1_500 },
  /** Autocomplete fires on every keystroke: a longer burst, then 4 a second. */
  autocomplete: { capacity: 20, refillMs: 250 },
} as const satisfies Record<string, RateLimit>;

export type InteractionRateLimits = Readonly<{ actions: RateLimit; autocomplete: RateLimit }>;

/** Users tracked at once per limiter: bounds memory when very many people use the bot at once. */
export const RATE_LIMIT_MAX_KEYS = 10_000;

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export type RateLimiter = {
  /** Take a token for `key`; when there is none, how long until there is one. */
  take(key: string): RateDecision;
  /** Keys currently tracked (idle ones are forgotten). */
  readonly size: number;
};

type Bucket = { tokens: number; at: number };

export function createRateLimiter(limit: RateLimit, clock: Clock, maxKeys = RATE_LIMIT_MAX_KEYS): RateLimiter {
  if (!(limit.capacity >= 1 && limit.refillMs > 0 && maxKeys >= 1)) {
    throw new Error(`rate limit: capacity must be ≥ 1 and refillMs > 0 (got ${limit.capacity}, ${limit.refillMs})`);
  }
  // Insertion order is kept as least recently used first: take() re-inserts the key it touches.
  const buckets = new Map<string, Bucket>();
  // A bucket untouched this long has refilled completely: forgetting it changes nothing.
  const idleMs = limit.capacity * limit.refillMs;

  function forgetIdle(now: number): void {
    for (const [key, bucket] of buckets) {
      // Past maxKeys the least recently seen go even if not idle: they start again with a full bucket.
      if (now - bucket.at < idleMs && buckets.size < maxKeys) break;
      buckets.delete(key);
    }
  }

  return {
    take(key) {
      const now = clock.now();
      forgetIdle(now);
      const bucket = buckets.get(key);
      const elapsed = bucket ? Math.max(0, now - bucket.at) : 0;
      const tokens = bucket ? Math.min(limit.capacity, bucket.tokens + elapsed / limit.refillMs) : limit.capacity;
      buckets.delete(key);
      if (tokens >= 1) {
        buckets.set(key, { tokens: tokens - 1, at: now });
        return { allowed: true };
      }
      buckets.set(key, { tokens, at: now });
      return { allowed: false, retryAfterMs: Math.ceil((1 - tokens) * limit.refillMs) };
    },
    get size() {
      return buckets.size;
    },
  };
}
