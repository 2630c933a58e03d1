import { afterEach, describe, expect, it } from 'vitest';
import { createArxivApiSource } from '../../src/feeds/arxiv-api-source.js';
import { createHttpClient, type HttpClientOptions } from '../../src/feeds/http-fetch.js';
import { createMemoryValidatorStore } from '../../src/feeds/memory-validators.js';
import { describeShared } from '../helpers/shared.js';
import { ATOM_HEADERS, conditional, httpFixture, sharedFixture, startReplayServer, type ReplayRoute, type ReplayServer } from './replay-server.js';

let server: ReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Options = { categories?: string[]; maxResults?: number; http?: (server: ReplayServer) => HttpClientOptions };

async function setup(route: ReplayRoute, options: Options = {}) {
  server = await startReplayServer({ '/api/query': route });
  const http = createHttpClient({ timeoutMs: 200, retries: 1, baseDelayMs: 5, ...options.http?.(server) });
  const source = createArxivApiSource({
    http,
    baseUrl: server.url,
    categories: options.categories ?? ['cs.CL', 'cs.LG', 'cs.AI'],
    maxResults: options.maxResults,
    validators: createMemoryValidatorStore(),
  });
  return { server, source };
}

describe('createArxivApiSource', () => {
  it('asks for the newest submissions in the configured categories', async () => {
    const { source, server } = await setup({ body: httpFixture('arxiv-api-small.xml'), headers: ATOM_HEADERS }, { maxResults: 50 });
    await source.fetch();
    const [request] = server.requests;
    expect(request!.path).toBe(
      '/api/query?search_query=cat:cs.CL+OR+cat:cs.LG+OR+cat:cs.AI&sortBy=submittedDate&sortOrder=descending&start=0&max_results=50',
    );
    expect(Object.fromEntries(request!.url.searchParams)).toEqual({
      search_query: 'cat:cs.CL OR cat:cs.LG OR cat:cs.AI',
      sortBy: 'submittedDate',
      sortOrder: 'descending',
      start: '0',
      max_results: '50',
    });
  });

  it('skips an entry without an id, counts it, and keeps the others', async () => {
    const { source } = await setup({ body: httpFixture('arxiv-api-small.xml'), headers: ATOM_HEADERS });
    const result = await source.fetch();
    expect(result).toMatchObject({ source: 'arxiv', requests: 1, failures: [], skipped: [{ where: 'entry 2', reason: 'id missing' }] });
    expect(result.papers.map((p) => [p.id, p.published, p.categories])).toEqual([
      ['2608.20001', '2026-08-20', ['cs.CL', 'cs.LG']],
      ['2608.20003', '2026-08-19', ['cs.LG']],
    ]);
  });

  it('turns the HTTP 400 error feed into a clear error for the source, without retrying', async () => {
    const { source, server } = await setup({ status: 400, body: httpFixture('arxiv-api-error-400.xml'), headers: ATOM_HEADERS });
    const result = await source.fetch();
    expect(result.papers).toEqual([]);
    expect(result.failures).toEqual([{ where: 'arxiv', error: 'arXiv API error: max_results must be less than 30000 (HTTP 400)' }]);
    expect(server.requests).toHaveLength(1);
  });

  it('treats the error feed served with HTTP 200 the same way', async () => {
    const { source } = await setup({ body: httpFixture('arxiv-api-error-400.xml'), headers: ATOM_HEADERS });
    const result = await source.fetch();
    expect(result.failures[0]!.error).toBe('arXiv API error: max_results must be less than 30000');
  });

  it('keeps the plain HTTP message for a 4xx whose body is not the error feed', async () => {
    const { source, server } = await setup({ status: 403, body: 'Forbidden' });
    const result = await source.fetch();
    expect(result.failures[0]!.error).toBe(`GET ${server.host}/api/query: HTTP 403`);
  });

  it('fails on truncated XML and says the document was cut', async () => {
    const xml = httpFixture('arxiv-api-small.xml');
    const { source } = await setup({ body: xml.slice(0, xml.indexOf('</entry>') + 20), headers: ATOM_HEADERS });
    const result = await source.fetch();
    expect(result.papers).toEqual([]);
    expect(result.failures[0]!.error).toMatch(/^not an arXiv API Atom feed: .*truncated\?/);
  });

  it('fails on a body that is not XML at all', async () => {
    const { source } = await setup({ body: '{"error": "maintenance"}' });
    const result = await source.fetch();
    expect(result.failures[0]!.error).toMatch(/^not an arXiv API Atom feed/);
  });

  it('counts a 304 as not modified when the API sends validators', async () => {
    const { source, server } = await setup(
      conditional({ body: httpFixture('arxiv-api-small.xml'), lastModified: 'Fri, 21 Aug 2026 00:00:00 GMT', headers: ATOM_HEADERS }),
    );
    await (await source.fetch()).commit();
    const second = await source.fetch();
    expect(second).toMatchObject({ notModified: 1, papers: [] });
    expect(server.requests[1]!.headers['if-modified-since']).toBe('Fri, 21 Aug 2026 00:00:00 GMT');
  });

  it('keeps the minimum interval between two arXiv requests (3 s in production, 200 ms here)', async () => {
    const { source, server } = await setup(
      { body: httpFixture('arxiv-api-small.xml'), headers: ATOM_HEADERS },
      { http: (s) => ({ minIntervalMs: { [s.host]: 200 } }) },
    );
    await source.fetch();
    await source.fetch();
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(200 - 5);
  });

  it('rejects a category that would change the query, and an empty list', () => {
    const base = { http: createHttpClient(), validators: createMemoryValidatorStore() };
    expect(() => createArxivApiSource({ ...base, categories: ['cs.CL OR all:spam'] })).toThrow('"cs.CL OR all:spam" is not an arXiv category');
    expect(() => createArxivApiSource({ ...base, categories: [' ', ''] })).toThrow('at least one category');
    expect(() => createArxivApiSource({ ...base, categories: ['cs.CL'], maxResults: 5000 })).toThrow(/from 1 to 2000/);
    expect(() => createArxivApiSource({ ...base, categories: ['hep-th', 'astro-ph.CO', 'q-bio.NC', 'math.AG'] })).not.toThrow();
  });
});

describeShared('arXiv API source against recorded responses', () => {
  it('reads the real 2026-layout response', async () => {
    const { source } = await setup({ body: sharedFixture('arxiv', 'api_query_newformat_2026-04-05.xml'), headers: ATOM_HEADERS });
    const result = await source.fetch();
    expect(result.failures).toEqual([]);
    expect(result.papers.map((p) => p.id)).toEqual(['2201.00978', '2104.11502', '2404.05657']);
  });

  it('reads the real legacy-layout response', async () => {
    const { source } = await setup({ body: sharedFixture('arxiv', 'api_query_legacy_2025-10-17.xml'), headers: ATOM_HEADERS });
    const result = await source.fetch();
    expect(result.papers.map((p) => p.id)).toEqual(['2510.14968', '2510.14827']);
    expect(result.papers[0]!.sources).toEqual(['arxiv']);
  });
});
