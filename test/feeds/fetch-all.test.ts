import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createSources, fetchAllSources, logSourceOutcome, sourceHostIntervals, type SourceSettings } from '../../src/feeds/fetch-all.js';
import { createHttpClient } from '../../src/feeds/http-fetch.js';
import { createMemoryValidatorStore, type ValidatorStore } from '../../src/feeds/memory-validators.js';
import {
  ATOM_HEADERS,
  conditional,
  generatedBody,
  httpFixture,
  JSON_HEADERS,
  RSS_HEADERS,
  startReplayServer,
  type ReplayRoute,
  type ReplayServer,
} from './replay-server.js';

let server: ReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const HF = '/api/daily_papers?date=2026-08-21';
const API = '/api/query';
const RSS = '/rss/cs.CL+cs.LG';

const good: Record<string, ReplayRoute> = {
  [HF]: { body: httpFixture('hf-day-mixed.json'), headers: JSON_HEADERS },
  [API]: { body: httpFixture('arxiv-api-small.xml'), headers: ATOM_HEADERS },
  [RSS]: { body: httpFixture('arxiv-rss-mixed.xml'), headers: RSS_HEADERS },
};

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

async function setup(routes: Record<string, ReplayRoute>, validators: ValidatorStore = createMemoryValidatorStore(), maxBytes?: number) {
  server = await startReplayServer({ ...good, ...routes });
  const { logger, lines } = captureLogger();
  const settings: SourceSettings = {
    sources: ['hf', 'arxiv', 'rss'],
    arxivCategories: ['cs.CL', 'cs.LG'],
    hfApiUrl: server.url,
    arxivApiUrl: server.url,
    arxivRssUrl: server.url,
    hfDays: 1,
    ...(maxBytes ? { maxBytes } : {}),
  };
  const sources = createSources(settings, {
    clock: { now: () => Date.parse('2026-08-21T10:00:00Z') },
    validators,
    logger,
    // Everything is on one loopback host here; production paces the arXiv hosts at 3 s.
    httpOptions: { timeoutMs: 150, retries: 1, baseDelayMs: 5, minIntervalMs: { [server.host]: 5 } },
  });
  return { server, sources, logger, lines, validators };
}

const summary = (results: Awaited<ReturnType<typeof fetchAllSources>>['results']) =>
  results.map((r) => ({ name: r.name, ok: r.ok, papers: r.papers.length, skipped: r.skipped.length, ignored: r.ignored }));

describe('fetchAllSources', () => {
  it('delivers every source and logs one line per source with its counts', async () => {
    const { sources, logger, lines } = await setup({});
    const { papers, results } = await fetchAllSources(sources, logger);
    expect(summary(results)).toEqual([
      { name: 'hf', ok: true, papers: 2, skipped: 2, ignored: 0 },
      { name: 'arxiv', ok: true, papers: 2, skipped: 1, ignored: 0 },
      { name: 'rss', ok: true, papers: 2, skipped: 1, ignored: 2 },
    ]);
    expect(papers.map((p) => p.id)).toEqual(['2608.10001', '2608.10004', '2608.20001', '2608.20003', '2608.30001', '2608.30002']);
    expect(lines.map((l) => [l.msg, l.source])).toEqual([
      ['source fetched', 'hf'],
      ['source fetched', 'arxiv'],
      ['source fetched', 'rss'],
    ]);
    expect(lines[0]).toMatchObject({
      level: 30,
      papers: 2,
      skipped: 2,
      notModified: 0,
      requests: 1,
      skippedExamples: ['date 2026-08-21, entry 2: paper missing', 'date 2026-08-21, entry 3: id "not-an-arxiv-id" is not an arXiv id'],
    });
  });

  it('keeps the other sources going when one gets truncated JSON', async () => {
    const json = httpFixture('hf-day-mixed.json');
    const { sources, logger, lines } = await setup({ [HF]: { body: json.slice(0, 300), headers: JSON_HEADERS } });
    const { papers, results } = await fetchAllSources(sources, logger);
    expect(results.map((r) => r.ok)).toEqual([false, true, true]);
    expect(results[0]!.error).toMatch(/^date 2026-08-21: not a Hugging Face Daily Papers response/);
    expect(papers).toHaveLength(4);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'source failed', source: 'hf', error: results[0]!.error });
  });

  it('keeps the other sources going when one gets truncated XML', async () => {
    const xml = httpFixture('arxiv-api-small.xml');
    const { sources, logger } = await setup({ [API]: { body: xml.slice(0, xml.length - 40), headers: ATOM_HEADERS } });
    const { papers, results } = await fetchAllSources(sources, logger);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]!.error).toMatch(/^not an arXiv API Atom feed: .*truncated\?/);
    expect(papers).toHaveLength(4);
  });

  it.each([
    ['a chunked body', { stream: () => generatedBody(400 * 1024 * 1024, { fill: '[' }).stream(), headers: JSON_HEADERS }],
    ['a gzip body small on the wire', { stream: () => generatedBody(1024 * 1024 * 1024, { fill: '[', gzip: true }).stream(), headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' } }],
  ] as const)('fails only the source that answers %s over FEED_MAX_BYTES, naming the limit, and logs it', async (_, reply) => {
    const { sources, logger, lines, server } = await setup({ [HF]: reply }, createMemoryValidatorStore(), 1024 * 1024);
    const { papers, results } = await fetchAllSources(sources, logger);
    expect(results.map((r) => r.ok)).toEqual([false, true, true]);
    const error = `date 2026-08-21: GET ${server.host}/api/daily_papers: response larger than the 1 MB limit (FEED_MAX_BYTES), stopped reading`;
    expect(results[0]).toMatchObject({ papers: [], error });
    expect(server.requestsTo('/api/daily_papers')).toHaveLength(1); // not retried: it would answer the same
    expect(papers).toHaveLength(4);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'source failed', source: 'hf', error });
  });

  it('parses a big body off the event loop and still fails only its source when it is truncated', async () => {
    // A 1 MB comment makes the feed big enough for the parse worker; the papers are the same.
    const xml = httpFixture('arxiv-api-small.xml').replace('<title>', `<!-- ${'x'.repeat(1024 * 1024)} --><title>`);
    const whole = await setup({ [API]: { body: xml, headers: ATOM_HEADERS } });
    expect(summary((await fetchAllSources(whole.sources, whole.logger)).results)[1]).toEqual({ name: 'arxiv', ok: true, papers: 2, skipped: 1, ignored: 0 });
    await server?.close();
    const cut = await setup({ [API]: { body: xml.slice(0, xml.length - 40), headers: ATOM_HEADERS } });
    const { results } = await fetchAllSources(cut.sources, cut.logger);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]!.error).toMatch(/^not an arXiv API Atom feed: .*truncated\?/);
  }, 20_000);

  it('keeps the other sources going when one server hangs until the timeout', async () => {
    const { sources, logger, server } = await setup({ [API]: { hang: 'headers' } });
    const { papers, results } = await fetchAllSources(sources, logger);
    expect(results[1]).toMatchObject({ ok: false, error: `GET ${server.host}/api/query: timed out after 150 ms (2 attempts)`, requests: 1 });
    expect(papers).toHaveLength(4);
  });

  it('keeps the other sources going when one answers 500 on every retry', async () => {
    const { sources, logger, server } = await setup({ [RSS]: { status: 500 } });
    const { results } = await fetchAllSources(sources, logger);
    expect(results[2]).toMatchObject({ ok: false, error: `GET ${server.host}${RSS}: HTTP 500 (2 attempts)` });
    expect(server.requestsTo(RSS)).toHaveLength(2);
    expect(results.slice(0, 2).every((r) => r.ok)).toBe(true);
  });

  it('reports a source that throws (its validator store failed) and still delivers the others', async () => {
    const memory = createMemoryValidatorStore();
    const flaky: ValidatorStore = {
      get: async (url) => {
        if (url.includes('/rss/')) throw new Error('storage down');
        return memory.get(url);
      },
      set: (url, v) => memory.set(url, v),
    };
    const { sources, logger } = await setup({}, flaky);
    const { papers, results } = await fetchAllSources(sources, logger);
    expect(results[2]).toMatchObject({ name: 'rss', ok: false, error: 'Error: storage down', papers: [] });
    expect(papers).toHaveLength(4);
  });

  it('saves validators on commit only for the responses that parsed, and the next run gets its 304s', async () => {
    const json = httpFixture('hf-day-mixed.json');
    const validators = createMemoryValidatorStore();
    const { sources, logger, server } = await setup(
      {
        [HF]: { body: json.slice(0, 300), headers: { etag: '"cut"' } },
        [API]: conditional({ body: httpFixture('arxiv-api-small.xml'), etag: '"api-1"', headers: ATOM_HEADERS }),
        [RSS]: conditional({ body: httpFixture('arxiv-rss-mixed.xml'), lastModified: 'Fri, 21 Aug 2026 04:00:00 GMT' }),
      },
      validators,
    );
    const first = await fetchAllSources(sources, logger);
    expect(validators.entries.size).toBe(0); // nothing saved before the caller says the papers are stored
    await first.commit();
    expect([...validators.entries.keys()].map((u) => u.slice(server.url.length))).toEqual([
      '/api/query?search_query=cat:cs.CL+OR+cat:cs.LG&sortBy=submittedDate&sortOrder=descending&start=0&max_results=100',
      RSS,
    ]);
    const second = await fetchAllSources(sources, logger);
    expect(second.results.map((r) => [r.name, r.notModified, r.papers.length])).toEqual([
      ['hf', 0, 0],
      ['arxiv', 1, 0],
      ['rss', 1, 0],
    ]);
  });

  it('runs the sources concurrently (each answer takes 250 ms)', async () => {
    server = await startReplayServer({
      [HF]: { ...(good[HF] as object), delayMs: 250 },
      [API]: { ...(good[API] as object), delayMs: 250 },
      [RSS]: { ...(good[RSS] as object), delayMs: 250 },
    });
    const { logger } = captureLogger();
    const http = createHttpClient({ timeoutMs: 1000, retries: 0 });
    const sources = createSources(
      { sources: ['hf', 'arxiv', 'rss'], arxivCategories: ['cs.CL', 'cs.LG'], hfApiUrl: server.url, arxivApiUrl: server.url, arxivRssUrl: server.url, hfDays: 1 },
      { http, clock: { now: () => Date.parse('2026-08-21T10:00:00Z') }, validators: createMemoryValidatorStore(), logger },
    );
    const started = performance.now();
    const { results } = await fetchAllSources(sources, logger);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(performance.now() - started).toBeLessThan(600);
  });
});

describe('logSourceOutcome', () => {
  it('logs the new, updated and skipped counts the caller found after merging', () => {
    const { logger, lines } = captureLogger();
    logSourceOutcome(logger, 'rss', { new: 3, updated: 1, skipped: 2 });
    expect(lines).toEqual([expect.objectContaining({ level: 30, msg: 'source merged', source: 'rss', new: 3, updated: 1, skipped: 2 })]);
  });
});

describe('createSources', () => {
  const deps = () => ({ clock: { now: () => 0 }, validators: createMemoryValidatorStore(), logger: captureLogger().logger });

  it('builds the configured sources once each, in the order given', () => {
    const sources = createSources({ sources: ['rss', 'hf', 'rss'], arxivCategories: ['cs.CL'] }, deps());
    expect(sources.map((s) => s.name)).toEqual(['rss', 'hf']);
  });

  it('fails at start-up on a bad category or a bad day count', () => {
    expect(() => createSources({ sources: ['arxiv'], arxivCategories: ['cs CL'] }, deps())).toThrow('not an arXiv category');
    expect(() => createSources({ sources: ['hf'], arxivCategories: [], hfDays: 0 }, deps())).toThrow('from 1 to 30');
  });

  it('paces both arXiv hosts at 3 s, following the configured URLs', () => {
    expect(sourceHostIntervals({})).toEqual({ 'export.arxiv.org': 3000, 'rss.arxiv.org': 3000 });
    expect(sourceHostIntervals({ arxivApiUrl: 'http://proxy.local:8080/arxiv', arxivRssUrl: 'https://rss.arxiv.org/' })).toEqual({
      'proxy.local:8080': 3000,
      'rss.arxiv.org': 3000,
    });
  });
});
