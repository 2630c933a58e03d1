import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay, createHttpClient, HttpError, parseRetryAfter, type HttpClientOptions } from '../../src/feeds/http-fetch.js';
import { generatedBody, startReplayServer, type ReplayServer } from './replay-server.js';

// Timer callbacks may run a millisecond or two off the wall clock the server reads.
const SLACK_MS = 5;

let server: ReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(routes: Parameters<typeof startReplayServer>[0]): Promise<ReplayServer> {
  server = await startReplayServer(routes);
  return server;
}

function recordingSleep() {
  const sleeps: number[] = [];
  const sleep = (ms: number) => {
    sleeps.push(ms);
    return new Promise<void>((resolve) => setTimeout(resolve, ms));
  };
  return { sleeps, sleep };
}

function client(options: HttpClientOptions = {}) {
  return createHttpClient({ timeoutMs: 200, retries: 2, baseDelayMs: 10, maxDelayMs: 2_000, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('createHttpClient', () => {
  it('returns the body with its ETag and Last-Modified and identifies itself', async () => {
    const s = await serve({
      '/feed': { body: 'hello', headers: { etag: '"v1"', 'last-modified': 'Fri, 21 Aug 2026 08:00:00 GMT' } },
    });
    const result = await client({ userAgent: 'paperboy-test/1' }).get(`${s.url}/feed`);
    expect(result).toEqual({ status: 200, body: 'hello', etag: '"v1"', lastModified: 'Fri, 21 Aug 2026 08:00:00 GMT' });
    expect(s.requests[0]!.headers['user-agent']).toBe('paperboy-test/1');
    expect(s.requests[0]!.headers['if-none-match']).toBeUndefined();
  });

  it('given a body that cannot be decoded into a string, fails at once without fetching it again', async () => {
    let calls = 0;
    const undecodable = new ReadableStream<Uint8Array>({
      pull() {
        throw new RangeError('Invalid string length');
      },
    });
    const fetchImpl: typeof fetch = async () => {
      calls++;
      return new Response(undecodable, { status: 200 });
    };
    const error = await rejection(client({ fetch: fetchImpl }).get('http://127.0.0.1:9/feed'));
    expect(error.message).toContain('could not be decoded (Invalid string length)');
    expect(calls).toBe(1);
  });

  it('sends the validators back and reports a 304 as not modified', async () => {
    const s = await serve({ '/feed': { status: 304 } });
    const result = await client().get(`${s.url}/feed`, { etag: '"v1"', lastModified: 'Fri, 21 Aug 2026 08:00:00 GMT' });
    expect(result).toEqual({ status: 304 });
    expect(s.requests[0]!.headers['if-none-match']).toBe('"v1"');
    expect(s.requests[0]!.headers['if-modified-since']).toBe('Fri, 21 Aug 2026 08:00:00 GMT');
  });

  it('waits out a 429 with Retry-After in seconds and then succeeds', async () => {
    const s = await serve({ '/feed': [{ status: 429, headers: { 'retry-after': '1' } }, { body: 'ok' }] });
    const { sleeps, sleep } = recordingSleep();
    const result = await client({ sleep }).get(`${s.url}/feed`);
    expect(result).toMatchObject({ status: 200, body: 'ok' });
    expect(sleeps).toEqual([1000]);
    const [first, second] = s.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000 - SLACK_MS);
  });

  it('waits until a Retry-After HTTP date, read against the injected clock', async () => {
    const retryAt = Date.parse('2026-08-21T08:00:10Z');
    const s = await serve({
      '/feed': [{ status: 503, headers: { 'retry-after': new Date(retryAt).toUTCString() } }, { body: 'ok' }],
    });
    // The clock says it is 150 ms before the date the server names, and runs from there.
    const started = Date.now();
    const clock = { now: () => retryAt - 150 + (Date.now() - started) };
    const { sleeps, sleep } = recordingSleep();
    await client({ sleep, clock }).get(`${s.url}/feed`);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(100);
    expect(sleeps[0]).toBeLessThanOrEqual(150);
    expect(s.requests[1]!.at - s.requests[0]!.at).toBeGreaterThanOrEqual(sleeps[0]! - SLACK_MS);
  });

  it('gives up at once when Retry-After asks for longer than it ever waits', async () => {
    const s = await serve({ '/feed': { status: 429, headers: { 'retry-after': '120' } } });
    const error = await rejection(client({ maxDelayMs: 1_000 }).get(`${s.url}/feed`));
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(120_000);
    expect(error.message).toContain('asked to retry after 120 s');
    expect(s.requests).toHaveLength(1);
  });

  it('retries a 500 and then succeeds', async () => {
    const s = await serve({ '/feed': [{ status: 500 }, { status: 502 }, { body: 'finally' }] });
    const result = await client().get(`${s.url}/feed`);
    expect(result).toMatchObject({ status: 200, body: 'finally' });
    expect(s.requests).toHaveLength(3);
  });

  it('gives up on a 500 that never ends after N retries, waiting longer each time', async () => {
    const s = await serve({ '/feed': { status: 500, body: 'boom' } });
    const { sleeps, sleep } = recordingSleep();
    const error = await rejection(client({ retries: 3, baseDelayMs: 20, sleep }).get(`${s.url}/feed`));
    expect(error.status).toBe(500);
    expect(error.attempts).toBe(4);
    expect(error.message).toBe(`GET ${s.host}/feed: HTTP 500 (4 attempts)`);
    expect(s.requests).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
    // Each wait lies in the upper half of its doubling step: [10,20], [20,40], [40,80].
    sleeps.forEach((ms, i) => {
      const step = 20 * 2 ** i;
      expect(ms).toBeGreaterThanOrEqual(step / 2);
      expect(ms).toBeLessThanOrEqual(step);
    });
    expect(sleeps[1]).toBeGreaterThanOrEqual(sleeps[0]!);
    expect(sleeps[2]).toBeGreaterThanOrEqual(sleeps[1]!);
    gaps(s.requests.map((r) => r.at)).forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(sleeps[i]! - SLACK_MS));
  });

  it('logs each retry with the host and path but not the query', async () => {
    const s = await serve({ '/feed': [{ status: 500 }, { body: 'ok' }] });
    const warnings: unknown[] = [];
    const logger = { warn: (fields: unknown) => void warnings.push(fields) };
    await client({ logger: logger as never }).get(`${s.url}/feed?date=2026-08-21&key=secret`);
    expect(warnings).toEqual([{ request: `GET ${s.host}/feed`, reason: 'HTTP 500', attempt: 1, delayMs: expect.any(Number) }]);
  });

  it('aborts a request the server never answers, retries it, then fails with a timeout', async () => {
    const s = await serve({ '/feed': { hang: 'headers' } });
    const started = performance.now();
    const error = await rejection(client({ timeoutMs: 100, retries: 1 }).get(`${s.url}/feed`));
    expect(performance.now() - started).toBeGreaterThanOrEqual(200 - SLACK_MS);
    expect(error.status).toBeUndefined();
    expect(error.message).toBe(`GET ${s.host}/feed: timed out after 100 ms (2 attempts)`);
    expect(s.requests).toHaveLength(2);
  });

  it('times out a body that stalls halfway and succeeds on the retry', async () => {
    const s = await serve({ '/feed': [{ hang: 'body', body: 'x'.repeat(1000) }, { body: 'whole' }] });
    const result = await client({ timeoutMs: 100 }).get(`${s.url}/feed`);
    expect(result).toMatchObject({ status: 200, body: 'whole' });
    expect(s.requests).toHaveLength(2);
  });

  it('retries a connection dropped in the middle of the body', async () => {
    const body = JSON.stringify([{ paper: { id: '2608.10001' } }]);
    const s = await serve({ '/feed': [{ body, dropAfterBytes: 10 }, { body }] });
    const result = await client().get(`${s.url}/feed`);
    expect(result).toMatchObject({ status: 200, body });
    expect(s.requests).toHaveLength(2);
  });

  it('does not retry a 404 and keeps the start of the body', async () => {
    const s = await serve({});
    const error = await rejection(client().get(`${s.url}/missing?q=1`));
    expect(error).toMatchObject({ status: 404, attempts: 1, body: 'no such route' });
    expect(error.message).toBe(`GET ${s.host}/missing: HTTP 404`);
    expect(s.requests).toHaveLength(1);
  });

  it('reports a refused connection briefly, without the query string', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await rejection(client({ retries: 1 }).get(`http://127.0.0.1:${port}/api?token=secret`));
    expect(error.message).toBe(`GET 127.0.0.1:${port}/api: network error (ECONNREFUSED) (2 attempts)`);
  });

  it('sends requests to a paced host one at a time, each the interval after the last one ended', async () => {
    const s = await serve({ '/a': { body: 'a', delayMs: 50 }, '/b': { body: 'b', delayMs: 50 } });
    const http = client({ minIntervalMs: { [s.host]: 150 } });
    const bodies = await Promise.all([http.get(`${s.url}/a`), http.get(`${s.url}/b`), http.get(`${s.url}/a`)]);
    expect(bodies.map((b) => (b.status === 200 ? b.body : ''))).toEqual(['a', 'b', 'a']);
    // Each request took 50 ms to answer; the next one started 150 ms after that.
    gaps(s.requests.map((r) => r.at)).forEach((gap) => expect(gap).toBeGreaterThanOrEqual(200 - SLACK_MS));
  });

  it('paces retries to a paced host too', async () => {
    const s = await serve({ '/feed': [{ status: 500 }, { body: 'ok' }] });
    await client({ minIntervalMs: { [s.host]: 120 }, baseDelayMs: 1 }).get(`${s.url}/feed`);
    expect(s.requests[1]!.at - s.requests[0]!.at).toBeGreaterThanOrEqual(120 - SLACK_MS);
  });

  it('lets requests to other hosts run side by side', async () => {
    const s = await serve({ '/a': { body: 'a', delayMs: 100 }, '/b': { body: 'b', delayMs: 100 } });
    const http = client({ minIntervalMs: { 'export.arxiv.org': 3000 } });
    await Promise.all([http.get(`${s.url}/a`), http.get(`${s.url}/b`)]);
    expect(s.requests[1]!.at - s.requests[0]!.at).toBeLessThan(80);
  });
});

const KB = 1024;
const MB = 1024 * KB;

/**
 * globalThis.fetch with a count of the body bytes the client pulled, after decompression: what
 * it would have had to hold in memory.
 */
function countingFetch() {
  const state = { bytesRead: 0 };
  const fetchImpl: typeof globalThis.fetch = async (input, init) => {
    const res = await globalThis.fetch(input, init);
    if (!res.body) return res;
    const counted = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          state.bytesRead += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  return { state, fetchImpl };
}

describe('createHttpClient with a body size limit', () => {
  // Generous next to undici's chunks (at most 64 KiB each): the client may read one past the limit.
  const NEAR_LIMIT = 1 * MB + 256 * KB;

  it('reads a body up to the limit whole', async () => {
    const s = await serve({ '/feed': { body: 'x'.repeat(MB) } });
    const result = await client({ maxBytes: MB }).get(`${s.url}/feed`);
    expect(result).toMatchObject({ status: 200 });
    expect((result as { body: string }).body).toHaveLength(MB);
  });

  it('stops reading a chunked body as soon as it passes the limit, names the limit and does not retry', async () => {
    const huge = generatedBody(400 * MB);
    const s = await serve({ '/feed': { stream: () => huge.stream() } });
    const { state, fetchImpl } = countingFetch();
    const error = await rejection(client({ maxBytes: MB, fetch: fetchImpl }).get(`${s.url}/feed?token=secret`));
    expect(error.message).toBe(`GET ${s.host}/feed: response larger than the 1 MB limit (FEED_MAX_BYTES), stopped reading`);
    expect(error.attempts).toBe(1);
    expect(s.requests).toHaveLength(1);
    expect(state.bytesRead).toBeGreaterThan(MB);
    expect(state.bytesRead).toBeLessThan(NEAR_LIMIT);
  });

  it('stops reading a gzip body whose decompressed size passes the limit, though its compressed size is small', async () => {
    const bomb = generatedBody(1024 * MB, { gzip: true });
    const s = await serve({ '/feed': { stream: () => bomb.stream(), headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' } } });
    const { state, fetchImpl } = countingFetch();
    const error = await rejection(client({ maxBytes: MB, fetch: fetchImpl }).get(`${s.url}/feed`));
    expect(error.message).toContain('response larger than the 1 MB limit (FEED_MAX_BYTES)');
    expect(state.bytesRead).toBeGreaterThan(MB);
    expect(state.bytesRead).toBeLessThan(NEAR_LIMIT);
    // The server made far less than its gigabyte: the client hung up instead of draining it.
    expect(bomb.produced).toBeLessThan(512 * MB);
  });

  it('refuses a body whose Content-Length is over the limit before reading any of it', async () => {
    const huge = generatedBody(400 * MB);
    const s = await serve({ '/feed': { stream: () => huge.stream(), headers: { 'content-length': String(400 * MB) } } });
    const { state, fetchImpl } = countingFetch();
    const error = await rejection(client({ maxBytes: MB, fetch: fetchImpl }).get(`${s.url}/feed`));
    expect(error.message).toBe(`GET ${s.host}/feed: response of 400 MB is larger than the 1 MB limit (FEED_MAX_BYTES)`);
    expect(state.bytesRead).toBe(0);
    expect(s.requests).toHaveLength(1);
  });

  it('keeps only the start of a huge error page, without reading all of it', async () => {
    const huge = generatedBody(400 * MB, { fill: 'e' });
    const s = await serve({ '/feed': { status: 400, stream: () => huge.stream() } });
    const { state, fetchImpl } = countingFetch();
    const error = await rejection(client({ fetch: fetchImpl }).get(`${s.url}/feed`));
    expect(error.status).toBe(400);
    expect(error.body).toBe('e'.repeat(64 * KB));
    expect(state.bytesRead).toBeLessThan(NEAR_LIMIT);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-08-21T08:00:00Z');

  it('reads delta-seconds and HTTP dates and ignores junk', () => {
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 21 Aug 2026 08:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Fri, 21 Aug 2026 07:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt within the cap, jittered in the upper half of each step', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 5000, () => 0))).toEqual([500, 1000, 2000, 2500]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 5000, () => 0.999999))).toEqual(
      [1000, 2000, 4000, 5000].map((ms) => expect.closeTo(ms, 2)),
    );
  });
});
