/**
 * Discord-style rate limiting: the headers on every answer and the 429 itself.
 *
 * discord.js (@discordjs/rest) is driven by these headers, not by the status alone:
 * - `x-ratelimit-remaining: 0` + `x-ratelimit-reset-after` make it hold the next request in
 *   that bucket until the reset, so a well-behaved client never sees a per-route 429;
 * - on a 429 without them it has nothing to wait on and retries at once;
 * - `x-ratelimit-global` makes it pause every route.
 *
 * Discord sends `Retry-After` in whole seconds; the fake sends decimals (discord.js parses both
 * with `Number()`) so tests can use sub-second waits.
 */
import { createHash } from 'node:crypto';

export interface RateLimitOptions {
  /** Per channel and route, like Discord's 5 messages / 5 s per channel. */
  readonly perChannel?: { readonly count: number; readonly windowMs: number };
  /** Requests per second across authenticated routes (Discord: 50). Interaction routes are exempt. */
  readonly globalPerSecond?: number;
}

export interface RateLimitResponse {
  readonly headers: Record<string, string>;
  readonly body: { readonly message: string; readonly retry_after: number; readonly global: boolean; readonly code?: number };
}

/** A stable, opaque bucket id per method and route, as Discord's `x-ratelimit-bucket`. */
export function bucketHash(method: string, route: string): string {
  return createHash('sha1').update(`${method} ${route}`).digest('hex').slice(0, 32);
}

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

export function tooManyRequests(options: {
  readonly retryAfterMs: number;
  readonly global?: boolean;
  readonly limit?: number;
  readonly bucket: string;
  readonly now?: number;
}): RateLimitResponse {
  const now = options.now ?? Date.now();
  const global = options.global ?? false;
  const body = { message: 'You are being rate limited.', retry_after: Number(seconds(options.retryAfterMs)), global };
  if (global) {
    return {
      headers: { 'retry-after': seconds(options.retryAfterMs), 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' },
      body,
    };
  }
  return {
    headers: {
      'retry-after': seconds(options.retryAfterMs),
      'x-ratelimit-limit': String(options.limit ?? 5),
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': seconds(now + options.retryAfterMs),
      'x-ratelimit-reset-after': seconds(options.retryAfterMs),
      'x-ratelimit-bucket': options.bucket,
      'x-ratelimit-scope': 'user',
    },
    body,
  };
}

export interface RateLimitedRequest {
  readonly method: string;
  readonly route: string;
  /** Channel id for `/channels/:id/...` routes, otherwise null. */
  readonly channelId: string | null;
  /** Interaction callbacks and interaction webhooks are not subject to the global limit. */
  readonly exemptFromGlobal: boolean;
}

export type RateLimitCheck =
  | { readonly limited: false; readonly headers: Record<string, string> }
  | { readonly limited: true; readonly response: RateLimitResponse };

interface Window {
  resetAt: number;
  used: number;
}

/** Enforces `RateLimitOptions` with fixed windows that start at a bucket's first request. */
export class RateLimiter {
  private readonly channelWindows = new Map<string, Window>();
  private globalWindow: Window = { resetAt: 0, used: 0 };

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {}

  check(request: RateLimitedRequest): RateLimitCheck {
    const now = this.now();
    const { globalPerSecond, perChannel } = this.options;

    // Check both limits before consuming from either: a refused request uses up nothing.
    const countsGlobally = globalPerSecond !== undefined && !request.exemptFromGlobal;
    if (countsGlobally) {
      if (now >= this.globalWindow.resetAt) this.globalWindow = { resetAt: now + 1000, used: 0 };
      if (this.globalWindow.used >= globalPerSecond) {
        return {
          limited: true,
          response: tooManyRequests({ retryAfterMs: this.globalWindow.resetAt - now, global: true, bucket: 'global', now }),
        };
      }
    }

    let window: Window | undefined;
    let bucket = '';
    if (perChannel !== undefined && request.channelId !== null) {
      bucket = bucketHash(request.method, request.route);
      const key = `${bucket}:${request.channelId}`;
      window = this.channelWindows.get(key);
      if (!window || now >= window.resetAt) {
        window = { resetAt: now + perChannel.windowMs, used: 0 };
        this.channelWindows.set(key, window);
      }
      if (window.used >= perChannel.count) {
        return {
          limited: true,
          response: tooManyRequests({ retryAfterMs: window.resetAt - now, limit: perChannel.count, bucket, now }),
        };
      }
    }

    if (countsGlobally) this.globalWindow.used += 1;
    if (window === undefined || perChannel === undefined) return { limited: false, headers: {} };
    window.used += 1;
    return {
      limited: false,
      headers: {
        'x-ratelimit-limit': String(perChannel.count),
        'x-ratelimit-remaining': String(perChannel.count - window.used),
        'x-ratelimit-reset': seconds(window.resetAt),
        'x-ratelimit-reset-after': seconds(window.resetAt - now),
        'x-ratelimit-bucket': bucket,
      },
    };
  }
}
