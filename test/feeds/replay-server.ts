import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { sharedPath } from '../helpers/shared.js';

/**
 * A loopback HTTP server that replays recorded responses and misbehaves on request: 429 with
 * Retry-After, 5xx, 304, a server that never answers or stalls mid-body, a connection dropped
 * mid-body, truncated or malformed bodies. Every request is recorded with its headers and arrival
 * time (performance.now()).
 *
 * Routes are keyed by path: an exact "path?query" key wins over a bare pathname key. A route is
 * one reply, a list (the n-th request gets the n-th reply, the last one repeats) or a function.
 */

export type ReplayReply = {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Wait this long before answering. */
  delayMs?: number;
  /** 'headers': never answer. 'body': send the headers and half the body, then stall. */
  hang?: 'headers' | 'body';
  /** Announce the full length, send this many bytes, then drop the connection. */
  dropAfterBytes?: number;
  /**
   * A body made on demand instead of `body`, sent chunked (no Content-Length unless `headers`
   * names one). It is pulled only as fast as the client reads, so a test can offer gigabytes.
   */
  stream?: () => Readable;
};

export type RecordedRequest = {
  method: string;
  /** Path and query as sent. */
  path: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** performance.now() when the request arrived. */
  at: number;
};

export type ReplayRoute = ReplayReply | ReplayReply[] | ((req: RecordedRequest, n: number) => ReplayReply);

export type ReplayServer = {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT, as HttpClientOptions.minIntervalMs keys it. */
  host: string;
  requests: RecordedRequest[];
  requestsTo(pathname: string): RecordedRequest[];
  route(key: string, route: ReplayRoute): void;
  close(): Promise<void>;
};

export async function startReplayServer(routes: Record<string, ReplayRoute> = {}): Promise<ReplayServer> {
  const table = new Map(Object.entries(routes));
  const counts = new Map<string, number>();
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    const at = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', url, headers: req.headers, at };
    requests.push(recorded);
    const key = table.has(url.pathname + url.search) ? url.pathname + url.search : url.pathname;
    const route = table.get(key);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such route');
      return;
    }
    const n = counts.get(key) ?? 0;
    counts.set(key, n + 1);
    const reply = typeof route === 'function' ? route(recorded, n) : Array.isArray(route) ? route[Math.min(n, route.length - 1)]! : route;
    const send = () => answer(res, reply);
    if (reply.delayMs) setTimeout(send, reply.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    requestsTo: (pathname) => requests.filter((r) => r.url.pathname === pathname),
    route: (key, route) => {
      table.set(key, route);
      counts.delete(key);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // hung requests included
        server.close(() => resolve());
      }),
  };
}

function answer(res: ServerResponse, reply: ReplayReply): void {
  if (res.destroyed) return;
  if (reply.hang === 'headers') return;
  if (reply.stream) {
    res.writeHead(reply.status ?? 200, reply.headers);
    // The client hanging up mid-body is what the tests want to see; it is no server error.
    pipeline(reply.stream(), res).catch(() => undefined);
    return;
  }
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : (reply.body ?? Buffer.alloc(0));
  const status = reply.status ?? 200;
  const headers: Record<string, string | number> = { ...reply.headers };
  if (status !== 304) headers['content-length'] = body.length;
  res.writeHead(status, headers);
  if (status === 304) {
    res.end();
    return;
  }
  if (reply.hang === 'body') {
    res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))));
    return;
  }
  if (reply.dropAfterBytes !== undefined) {
    res.write(body.subarray(0, reply.dropAfterBytes), () => res.socket?.destroy());
    return;
  }
  res.end(body);
}

export type GeneratedBody = {
  /** Bytes handed to the socket (or to gzip) so far, before any compression. */
  readonly produced: number;
  stream(): Readable;
};

/**
 * `total` bytes of `fill` made one 64 KiB chunk at a time as the client reads; gzip-compressed
 * when asked (then a gigabyte of one repeated byte crosses the wire as about a megabyte).
 */
export function generatedBody(total: number, options: { fill?: string; gzip?: boolean } = {}): GeneratedBody {
  const chunk = Buffer.alloc(64 * 1024, options.fill ?? ' ');
  const state = { produced: 0 };
  return {
    get produced() {
      return state.produced;
    },
    stream() {
      const source = Readable.from(
        (function* () {
          while (state.produced < total) {
            const piece = chunk.subarray(0, Math.min(chunk.length, total - state.produced));
            state.produced += piece.length;
            yield piece;
          }
        })(),
        { objectMode: false },
      );
      return options.gzip ? source.pipe(createGzip()) : source;
    },
  };
}

/**
 * A route that honours conditional requests: 304 when If-None-Match or If-Modified-Since matches
 * the given validators, else 200 with them.
 */
export function conditional(reply: { body: string; etag?: string; lastModified?: string; headers?: Record<string, string> }): ReplayRoute {
  return (req) => {
    const etagHit = reply.etag !== undefined && req.headers['if-none-match'] === reply.etag;
    const dateHit = reply.lastModified !== undefined && req.headers['if-modified-since'] === reply.lastModified;
    if (etagHit || dateHit) return { status: 304 };
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.etag) headers.etag = reply.etag;
    if (reply.lastModified) headers['last-modified'] = reply.lastModified;
    return { status: 200, headers, body: reply.body };
  };
}

/** A hand-written fixture from test/fixtures/sources-http. */
export function httpFixture(name: string): string {
  return readFileSync(new URL(`../fixtures/sources-http/${name}`, import.meta.url), 'utf8');
}

/** A real recorded response from ../shared/fixtures (callers sit inside describeShared). */
export function sharedFixture(...parts: string[]): string {
  return readFileSync(sharedPath('fixtures', ...parts), 'utf8');
}

export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };
export const ATOM_HEADERS = { 'content-type': 'application/atom+xml; charset=utf-8' };
export const RSS_HEADERS = { 'content-type': 'application/rss+xml; charset=utf-8' };
