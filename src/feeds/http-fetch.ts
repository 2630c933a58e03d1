import type { Logger } from '../logger.js';
import { formatBytes } from './byte-size.js';
import { createKeyedQueue } from '../core/serial-queue.js';

/**
 * The one HTTP GET the sources use: timeouts, retries with backoff, conditional requests and a
 * per-host pace. Sources never call fetch themselves, so politeness towards arXiv and Hugging Face
 * lives in one place.
 *
 * - Every attempt has its own timeout (AbortSignal.timeout) covering headers and body: a server
 *   that stalls mid-body is a timeout too.
 * - Retried: network errors (refused, reset, connection dropped mid-body), timeouts, 408, 429
 *   and 5xx. Backoff doubles from `baseDelayMs` up to `maxDelayMs`, with jitter in the upper half
 *   of each step so that the waits never shrink from one attempt to the next.
 * - `Retry-After` (seconds or an HTTP date) on a retried answer replaces the backoff. When it asks
 *   for more than `maxDelayMs` the client gives up at once (HttpError with `retryAfterMs`) rather
 *   than come back earlier than the server asked: the next scheduled run tries again.
 * - Other 4xx are not retried: HttpError with the status and the start of the body (the arXiv API
 *   explains a bad query in a 400 body).
 * - Bodies are capped at `maxBytes` after decompression (FEED_MAX_BYTES): a Content-Length over it
 *   is refused before reading, and a body is read as a stream and dropped as soon as it passes it.
 *   A 400 MB answer from HF once took the bot from 170 MB to 1.7 GB; a gzip body of a few MB can
 *   decompress to gigabytes. Not retried: the same URL would answer the same.
 * - `minIntervalMs` lists hosts whose requests go one at a time (one connection), each starting at
 *   least that long after the previous one to that host ended; retries queue up the same way.
 *   arXiv asks for 3 s between requests and a single connection.
 *
 * Messages and logs name the host and path only, never the query string.
 */

export type Clock = { now(): number };

/** Cache validators of one URL, sent back as If-None-Match / If-Modified-Since. */
export type Validators = { etag?: string; lastModified?: string };

export type HttpGetResult = { status: 200; body: string; etag?: string; lastModified?: string } | { status: 304 };

export type HttpClient = {
  /** GET a URL; resolves with the body (any 2xx) or 304, rejects with HttpError. */
  get(url: string, validators?: Validators): Promise<HttpGetResult>;
};

export type HttpClientOptions = {
  fetch?: typeof globalThis.fetch;
  /** Per attempt, headers and body together. */
  timeoutMs?: number;
  /** Attempts after the first one. */
  retries?: number;
  baseDelayMs?: number;
  /** Longest single wait, for backoff and for Retry-After alike. */
  maxDelayMs?: number;
  userAgent?: string;
  /** host (as in `new URL(u).host`, port included) → minimum gap in ms; such hosts get one request at a time. */
  minIntervalMs?: Record<string, number>;
  sleep?: (ms: number) => Promise<void>;
  clock?: Clock;
  /** In [0, 1); the jitter source. */
  random?: () => number;
  /** Retries are logged at warn. */
  logger?: Pick<Logger, 'warn'>;
  /** Largest body read, in bytes after decompression (FEED_MAX_BYTES). */
  maxBytes?: number;
};

export const DEFAULT_USER_AGENT = 'paperboy/0.1 (Discord bot for research papers)';

/**
 * 10 MB: twice the largest answer the sources give in normal use (arXiv API at max_results=2000 or
 * a busy RSS listing, ~5 MB; an HF day is ~150 KB), and parsed it stays a small part of the heap.
 */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
// The setting an operator raises when a source legitimately outgrows the limit.
const MAX_BYTES_SETTING = 'FEED_MAX_BYTES';

// Enough of an error page to read arXiv's explanation; a 4xx body is never kept whole.
const ERROR_BODY_LIMIT = 64 * 1024;

export type HttpErrorDetails = {
  /** The last HTTP status; undefined for a timeout or network error. */
  status?: number;
  attempts: number;
  /** The start of the body of a non-retried 4xx. */
  body?: string;
  /** What Retry-After asked for when that was more than the client waits. */
  retryAfterMs?: number;
};

export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number | undefined;
  readonly attempts: number;
  readonly body: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: HttpErrorDetails) {
    super(message);
    this.status = details.status;
    this.attempts = details.attempts;
    this.body = details.body;
    this.retryAfterMs = details.retryAfterMs;
  }
}

type Attempt =
  | { kind: 'done'; result: HttpGetResult }
  | { kind: 'retry'; reason: string; status?: number; retryAfterMs?: number }
  | { kind: 'fail'; status: number; body: string }
  | { kind: 'too-large'; reason: string; status: number };

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const {
    fetch: fetchImpl = globalThis.fetch,
    timeoutMs = 15_000,
    retries = 3,
    baseDelayMs = 1_000,
    maxDelayMs = 30_000,
    userAgent = DEFAULT_USER_AGENT,
    minIntervalMs = {},
    sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    clock = { now: () => Date.now() },
    random = Math.random,
    logger,
    maxBytes = DEFAULT_MAX_BYTES,
  } = options;
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive whole number of bytes, got ${maxBytes}`);
  const limit = `the ${formatBytes(maxBytes)} limit (${MAX_BYTES_SETTING})`;
  // Paced hosts: requests one after another (the shared keyed queue), each waiting out the gap
  // since the last one to that host ended.
  const lanes = createKeyedQueue();
  const lastEnd = new Map<string, number>();

  function inLane<T>(host: string, run: () => Promise<T>): Promise<T> {
    const interval = minIntervalMs[host];
    if (interval === undefined) return run();
    return lanes(host, async () => {
      const wait = (lastEnd.get(host) ?? Number.NEGATIVE_INFINITY) + interval - clock.now();
      if (wait > 0) await sleep(wait);
      try {
        return await run();
      } finally {
        lastEnd.set(host, clock.now());
      }
    });
  }

  async function attempt(url: string, validators: Validators): Promise<Attempt> {
    const headers: Record<string, string> = { 'user-agent': userAgent };
    if (validators.etag) headers['if-none-match'] = validators.etag;
    if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetchImpl(url, { headers, signal, redirect: 'follow' });
      if (res.status === 304) {
        await discard(res);
        return { kind: 'done', result: { status: 304 } };
      }
      if (res.ok) {
        const announced = Number(res.headers.get('content-length') ?? Number.NaN);
        if (announced > maxBytes) {
          await discard(res);
          return { kind: 'too-large', status: res.status, reason: `response of ${formatBytes(announced)} is larger than ${limit}` };
        }
        const read = await readUpTo(res, maxBytes);
        if (!read.complete) return { kind: 'too-large', status: res.status, reason: `response larger than ${limit}, stopped reading` };
        const result: HttpGetResult = { status: 200, body: read.text };
        const etag = res.headers.get('etag');
        const lastModified = res.headers.get('last-modified');
        if (etag) result.etag = etag;
        if (lastModified) result.lastModified = lastModified;
        return { kind: 'done', result };
      }
      if (isRetryable(res.status)) {
        await discard(res);
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), clock.now());
        return { kind: 'retry', reason: `HTTP ${res.status}`, status: res.status, retryAfterMs };
      }
      const body = (await readUpTo(res, ERROR_BODY_LIMIT)).text.slice(0, ERROR_BODY_LIMIT);
      return { kind: 'fail', status: res.status, body };
    } catch (error) {
      if (signal.aborted) return { kind: 'retry', reason: `timed out after ${timeoutMs} ms` };
      // Not the network: a body too big to decode into a string. Fetching it again would only
      // hold it in memory again.
      if (error instanceof RangeError) return { kind: 'too-large', status: 200, reason: `response could not be decoded (${error.message})` };
      return { kind: 'retry', reason: `network error (${networkReason(error)})` };
    }
  }

  return {
    async get(url, validators = {}) {
      const target = new URL(url);
      const label = `GET ${target.host}${target.pathname}`;
      for (let attempts = 1; ; attempts++) {
        const outcome = await inLane(target.host, () => attempt(url, validators));
        if (outcome.kind === 'done') return outcome.result;
        if (outcome.kind === 'fail') {
          throw new HttpError(`${label}: HTTP ${outcome.status}`, { status: outcome.status, attempts, body: outcome.body });
        }
        if (outcome.kind === 'too-large') throw new HttpError(`${label}: ${outcome.reason}`, { status: outcome.status, attempts });
        const { reason, status, retryAfterMs } = outcome;
        if (retryAfterMs !== undefined && retryAfterMs > maxDelayMs) {
          throw new HttpError(`${label}: ${reason}, asked to retry after ${Math.ceil(retryAfterMs / 1000)} s`, {
            status,
            attempts,
            retryAfterMs,
          });
        }
        if (attempts > retries) {
          throw new HttpError(`${label}: ${reason} (${attempts} attempts)`, { status, attempts });
        }
        const delayMs = retryAfterMs ?? backoffDelay(attempts, baseDelayMs, maxDelayMs, random);
        logger?.warn({ request: label, reason, attempt: attempts, delayMs: Math.round(delayMs) }, 'http request failed, retrying');
        await sleep(delayMs);
      }
    },
  };
}

function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The wait before retry number `attempt` (1-based): base·2^(attempt−1), capped, then a random
 * point in its upper half. Step n's range [d/2, d] ends where step n+1's begins, so waits grow.
 */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const step = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return step / 2 + (random() * step) / 2;
}

/** Retry-After as delta-seconds ("120") or an HTTP date → milliseconds from `now`; junk → undefined. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The body as UTF-8 text (a BOM dropped, as res.text() does), read chunk by chunk and abandoned as
 * soon as it passes `maxBytes`: at most `maxBytes` plus one chunk is ever held. `complete` false
 * means the body was longer; `text` is then what was read (enough for the start of an error page).
 */
async function readUpTo(res: Response, maxBytes: number): Promise<{ text: string; complete: boolean }> {
  if (!res.body) return { text: '', complete: true };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let complete = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total > maxBytes) {
      complete = false;
      // Cancelling closes the connection, so the rest is neither downloaded nor decompressed.
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks, total)), complete };
}

async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // the connection is going away anyway
  }
}

// undici reports every network failure as TypeError("fetch failed") with the real reason in `cause`.
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
