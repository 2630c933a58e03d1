import { afterEach, describe, expect, it } from 'vitest';
import { createArxivRssSource } from '../../src/feeds/arxiv-rss-source.js';
import { createHttpClient } from '../../src/feeds/http-fetch.js';
import { createMemoryValidatorStore } from '../../src/feeds/memory-validators.js';
import { describeShared } from '../helpers/shared.js';
import { ATOM_HEADERS, conditional, httpFixture, RSS_HEADERS, sharedFixture, startReplayServer, type ReplayRoute, type ReplayServer } from './replay-server.js';

let server: ReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const FEED = '/rss/cs.CL+cs.LG+cs.AI';

async function setup(route: ReplayRoute, options: { includeReplacements?: boolean } = {}) {
  server = await startReplayServer({ [FEED]: route });
  const source = createArxivRssSource({
    http: createHttpClient({ timeoutMs: 200, retries: 1, baseDelayMs: 5 }),
    baseUrl: server.url,
    categories: ['cs.CL', 'cs.LG', 'cs.AI'],
    validators: createMemoryValidatorStore(),
    includeReplacements: options.includeReplacements,
  });
  return { server, source };
}

describe('createArxivRssSource', () => {
  it('asks for the combined feed of all categories in one request', async () => {
    const { source, server } = await setup({ body: httpFixture('arxiv-rss-mixed.xml'), headers: RSS_HEADERS });
    const result = await source.fetch();
    expect(server.requests.map((r) => r.path)).toEqual([FEED]);
    expect(result.requests).toBe(1);
  });

  it('leaves out replacement announcements, skips an item without an id and keeps new and cross-listed papers', async () => {
    const { source } = await setup({ body: httpFixture('arxiv-rss-mixed.xml'), headers: RSS_HEADERS });
    const result = await source.fetch();
    expect(result.papers.map((p) => p.id)).toEqual(['2608.30001', '2608.30002']);
    expect(result.ignored).toBe(2);
    expect(result.skipped).toEqual([{ where: 'item 5', reason: 'id missing' }]);
    expect(result.papers[1]).toMatchObject({ authors: ['Alan Turing', 'Grace Hopper'], published: '2026-08-21', sources: ['rss'] });
  });

  it('keeps replacements when asked to', async () => {
    const { source } = await setup({ body: httpFixture('arxiv-rss-mixed.xml'), headers: RSS_HEADERS }, { includeReplacements: true });
    const result = await source.fetch();
    expect(result.papers.map((p) => p.id)).toEqual(['2608.30001', '2608.30002', '2401.00003', '2312.00004']);
    expect(result.ignored).toBe(0);
  });

  it('sends Last-Modified back and counts the 304', async () => {
    const lastModified = 'Fri, 21 Aug 2026 04:00:00 GMT';
    const { source, server } = await setup(conditional({ body: httpFixture('arxiv-rss-mixed.xml'), lastModified, headers: RSS_HEADERS }));
    await (await source.fetch()).commit();
    const second = await source.fetch();
    expect(second).toMatchObject({ papers: [], notModified: 1, requests: 1, failures: [] });
    expect(server.requests[1]!.headers['if-modified-since']).toBe(lastModified);
  });

  it('fails on a truncated feed instead of delivering half of it', async () => {
    const xml = httpFixture('arxiv-rss-mixed.xml');
    const { source } = await setup({ body: xml.slice(0, xml.indexOf('</item>') + 30), headers: RSS_HEADERS });
    const result = await source.fetch();
    expect(result.papers).toEqual([]);
    expect(result.failures).toEqual([
      { where: 'rss', error: expect.stringMatching(/^not an arXiv RSS\/Atom listing feed: .*truncated\?/) },
    ]);
  });

  it('says so when the server times out every time', async () => {
    const { source, server } = await setup({ hang: 'headers' });
    const result = await source.fetch();
    expect(result.failures[0]!.error).toBe(`GET ${server.host}${FEED}: timed out after 200 ms (2 attempts)`);
  });
});

describeShared('arXiv RSS source against recorded feeds', () => {
  it('reads the real cs.AI feed: three new papers', async () => {
    const { source } = await setup({ body: sharedFixture('arxiv', 'rss_cs.AI_2026-04-27.xml'), headers: RSS_HEADERS });
    const result = await source.fetch();
    expect(result.papers.map((p) => p.id)).toEqual(['2604.21935', '2604.21936', '2604.21937']);
    expect(result).toMatchObject({ skipped: [], ignored: 0, failures: [] });
  });

  it('reads the real multi-category feed and leaves out its replacement', async () => {
    const { source } = await setup({
      body: sharedFixture('arxiv', 'rss_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24_trimmed.xml'),
      headers: RSS_HEADERS,
    });
    const result = await source.fetch();
    expect(result.papers.map((p) => p.id)).toEqual(['2609.26811', '2609.26820', '2205.06398']);
    expect(result.ignored).toBe(1);
  });

  it('reads the Atom flavour of the listing too', async () => {
    const { source } = await setup({ body: sharedFixture('arxiv', 'rss_atom_cs.LG_2026-09-25_trimmed.xml'), headers: ATOM_HEADERS });
    const result = await source.fetch();
    expect(result.papers.map((p) => p.id)).toEqual(['2609.28553', '2402.10149']);
    expect(result.ignored).toBe(1);
  });
});
