import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/core/search-sessions.js';

/**
 * A fake Hugging Face Daily Papers API on loopback: `GET /api/daily_papers?date=YYYY-MM-DD`
 * answers the papers the test published on that day, in HF's JSON shape, with an ETag that
 * honours If-None-Match (so the bot's conditional requests are exercised too). No vitest
 * import: the benchmarks use it as well.
 */

/** One Daily Papers entry as the test describes it. */
export type HfPaper = {
  id: string;
  title: string;
  summary?: string;
  authors?: string[];
  /** YYYY-MM-DD; default: the day it was published on the fake. */
  published?: string;
  upvotes?: number;
  githubRepo?: string;
  /** The listing's thumbnail image URL. */
  thumbnail?: string;
};

export type FakeHf = {
  /** http://127.0.0.1:PORT, for HF_API_URL. */
  readonly url: string;
  /** Put papers on the Daily Papers page of the clock's current day (replacing same-id entries). */
  publish(...papers: HfPaper[]): void;
  /** Put papers on the Daily Papers page of a given day (YYYY-MM-DD), e.g. to fill the last few days at once. */
  publishOn(date: string, ...papers: HfPaper[]): void;
  /** Change a listed paper (new upvotes, a code link, a longer abstract). */
  update(id: string, patch: Partial<HfPaper>): void;
  /** The next `times` requests answer `status`. */
  fail(status: number, times: number): void;
  /** Requests made so far. */
  requests(): number;
  close(): Promise<void>;
};

export async function startFakeHf(clock: Clock): Promise<FakeHf> {
  const days = new Map<string, Map<string, HfPaper>>();
  let failures = { status: 500, left: 0 };
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/daily_papers') {
      res.writeHead(404).end('no such route');
      return;
    }
    if (failures.left > 0) {
      failures.left--;
      res.writeHead(failures.status, { 'content-type': 'text/plain' }).end('upstream trouble');
      return;
    }
    const date = url.searchParams.get('date') ?? '';
    const body = JSON.stringify([...(days.get(date)?.values() ?? [])].map((p) => toItem(p, date)));
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), etag }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const publishOn = (date: string, ...papers: HfPaper[]): void => {
    const day = days.get(date) ?? new Map<string, HfPaper>();
    for (const paper of papers) day.set(paper.id, { published: date, ...paper });
    days.set(date, day);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    publish: (...papers) => publishOn(dayOf(clock.now()), ...papers),
    publishOn,
    update(id, patch) {
      for (const day of days.values()) {
        const paper = day.get(id);
        if (paper) day.set(id, { ...paper, ...patch });
      }
    },
    fail(status, times) {
      failures = { status, left: times };
    },
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function toItem(p: HfPaper, date: string) {
  return {
    paper: {
      id: p.id,
      title: p.title,
      summary: p.summary ?? `We study ${p.title.toLowerCase()} with careful experiments.`,
      authors: (p.authors ?? ['Ada Lovelace', 'Alan Turing']).map((name, i) => ({ _id: `a${i}`, name, hidden: false })),
      publishedAt: `${p.published ?? date}T00:00:00.000Z`,
      ...(p.upvotes !== undefined ? { upvotes: p.upvotes } : {}),
      ...(p.githubRepo ? { githubRepo: p.githubRepo } : {}),
    },
    publishedAt: `${date}T08:00:00.000Z`,
    title: p.title,
    ...(p.thumbnail ? { thumbnail: p.thumbnail } : {}),
  };
}
