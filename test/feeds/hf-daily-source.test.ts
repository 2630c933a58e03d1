import { afterEach, describe, expect, it } from 'vitest';
import { createHfDailySource, recentUtcDates } from '../../src/feeds/hf-daily-source.js';
import { createHttpClient } from '../../src/feeds/http-fetch.js';
import { createMemoryValidatorStore } from '../../src/feeds/memory-validators.js';
import { describeShared } from '../helpers/shared.js';
import { conditional, httpFixture, JSON_HEADERS, sharedFixture, startReplayServer, type ReplayRoute, type ReplayServer } from './replay-server.js';

let server: ReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const at = (iso: string) => ({ now: () => Date.parse(iso) });
const http = () => createHttpClient({ timeoutMs: 200, retries: 1, baseDelayMs: 5 });

/** One route per date; dates not listed answer an empty day. */
function byDate(days: Record<string, ReplayRoute>): Record<string, ReplayRoute> {
  const routes: Record<string, ReplayRoute> = { '/api/daily_papers': { body: '[]', headers: JSON_HEADERS } };
  for (const [date, route] of Object.entries(days)) routes[`/api/daily_papers?date=${date}`] = route;
  return routes;
}

async function setup(days: Record<string, ReplayRoute>, options: { now: string; days?: number }) {
  server = await startReplayServer(byDate(days));
  const validators = createMemoryValidatorStore();
  const source = createHfDailySource({ http: http(), baseUrl: `${server.url}/`, days: options.days ?? 1, clock: at(options.now), validators });
  return { server, source, validators };
}

describeShared('HF daily source against recorded responses', () => {
  it('serves the real 2026-08-21 response and reads all 17 papers', async () => {
    const { source } = await setup(
      { '2026-08-21': { body: sharedFixture('hf', 'daily_papers_2026-08-21.json'), headers: JSON_HEADERS } },
      { now: '2026-08-21T10:00:00Z' },
    );
    const result = await source.fetch();
    expect(result).toMatchObject({ source: 'hf', requests: 1, notModified: 0, skipped: [], failures: [] });
    expect(result.papers).toHaveLength(17);
    expect(result.papers[0]).toMatchObject({ id: '2608.19880', title: 'EnvHarness: Awakening Static Worlds for Agent Learning', sources: ['hf'] });
  });

  it('reads three recorded days in one run, one request per date', async () => {
    const { source, server } = await setup(
      {
        '2025-10-02': { body: sharedFixture('hf', 'daily_papers_2025-10-02.json'), headers: JSON_HEADERS },
        '2025-10-01': { body: sharedFixture('hf', 'daily_papers_2024-10-25.json'), headers: JSON_HEADERS },
      },
      { now: '2025-10-02T12:00:00Z', days: 3 },
    );
    const result = await source.fetch();
    expect(server.requests.map((r) => r.path)).toEqual([
      '/api/daily_papers?date=2025-10-02',
      '/api/daily_papers?date=2025-10-01',
      '/api/daily_papers?date=2025-09-30',
    ]);
    expect(result.requests).toBe(3);
    expect(result.papers).toHaveLength(50);
  });
});

describe('createHfDailySource', () => {
  it('computes the dates from the injected clock in UTC, newest first', async () => {
    // 00:30 UTC on the 21st is still the 20th in New York: the API's dates are UTC.
    const { source, server } = await setup({}, { now: '2026-08-21T00:30:00Z', days: 3 });
    const result = await source.fetch();
    expect(server.requests.map((r) => r.url.searchParams.get('date'))).toEqual(['2026-08-21', '2026-08-20', '2026-08-19']);
    expect(result).toMatchObject({ requests: 3, papers: [], failures: [] });
    expect(recentUtcDates(Date.parse('2024-03-01T23:59:59Z'), 2)).toEqual(['2024-03-01', '2024-02-29']);
  });

  it('sends the ETag and Last-Modified back on the next run and counts a 304 as not modified', async () => {
    const lastModified = 'Fri, 21 Aug 2026 09:00:00 GMT';
    const { source, server, validators } = await setup(
      { '2026-08-21': conditional({ body: httpFixture('hf-day-mixed.json'), etag: 'W/"day-21"', lastModified, headers: JSON_HEADERS }) },
      { now: '2026-08-21T10:00:00Z' },
    );
    const first = await source.fetch();
    expect(first.papers.map((p) => p.id)).toEqual(['2608.10001', '2608.10004']);
    await first.commit();
    const url = `${server.url}/api/daily_papers?date=2026-08-21`;
    expect(validators.entries.get(url)).toEqual({ etag: 'W/"day-21"', lastModified });

    const second = await source.fetch();
    expect(second).toMatchObject({ papers: [], notModified: 1, requests: 1, failures: [] });
    expect(server.requests[1]!.headers['if-none-match']).toBe('W/"day-21"');
    expect(server.requests[1]!.headers['if-modified-since']).toBe(lastModified);
  });

  it('forgets nothing and remembers nothing until the run is committed', async () => {
    const { source, server } = await setup(
      { '2026-08-21': conditional({ body: httpFixture('hf-day-mixed.json'), etag: '"day-21"', headers: JSON_HEADERS }) },
      { now: '2026-08-21T10:00:00Z' },
    );
    await source.fetch(); // not committed: the papers may never have reached the library
    const again = await source.fetch();
    expect(server.requests[1]!.headers['if-none-match']).toBeUndefined();
    expect(again.papers).toHaveLength(2);
  });

  it('skips malformed items with the date in the note and keeps the good ones', async () => {
    const { source } = await setup({ '2026-08-21': { body: httpFixture('hf-day-mixed.json') } }, { now: '2026-08-21T10:00:00Z' });
    const result = await source.fetch();
    expect(result.papers.map((p) => p.id)).toEqual(['2608.10001', '2608.10004']);
    expect(result.skipped).toEqual([
      { where: 'date 2026-08-21, entry 2', reason: 'paper missing' },
      { where: 'date 2026-08-21, entry 3', reason: 'id "not-an-arxiv-id" is not an arXiv id' },
    ]);
  });

  it('skips an item whose id holds a broken % escape, on this run and the next, and keeps the good ones', async () => {
    const { source } = await setup({ '2026-08-21': { body: httpFixture('hf-day-bad-escape.json') } }, { now: '2026-08-21T10:00:00Z' });
    for (let run = 0; run < 2; run++) {
      const result = await source.fetch();
      expect(result.failures).toEqual([]);
      expect(result.papers.map((p) => p.id)).toEqual(['2608.11001', '2608.11003']);
      expect(result.skipped).toEqual([{ where: 'date 2026-08-21, entry 2', reason: 'id "https://arxiv.org/abs/%E0%A4%A" is not an arXiv id' }]);
    }
  });

  it('fails a day whose JSON is truncated but keeps the other days', async () => {
    const whole = httpFixture('hf-day-mixed.json');
    const { source, server } = await setup(
      {
        '2026-08-21': { body: whole, headers: { etag: '"ok"' } },
        '2026-08-20': { body: whole.slice(0, Math.floor(whole.length / 2)), headers: { etag: '"cut"' } },
      },
      { now: '2026-08-21T10:00:00Z', days: 2 },
    );
    const result = await source.fetch();
    expect(result.papers).toHaveLength(2);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.where).toBe('date 2026-08-20');
    expect(result.failures[0]!.error).toMatch(/^not a Hugging Face Daily Papers response/);
    // A body that did not parse leaves no validators behind: the next run downloads it again.
    await result.commit();
    const next = await source.fetch();
    expect(server.requestsTo('/api/daily_papers').slice(2).map((r) => r.headers['if-none-match'])).toEqual(['"ok"', undefined]);
    expect(next.failures).toHaveLength(1);
  });

  it('fails a day answered with an HTML page instead of JSON', async () => {
    const { source } = await setup(
      { '2026-08-21': { body: '<!doctype html><title>Oops</title>', headers: { 'content-type': 'text/html' } } },
      { now: '2026-08-21T10:00:00Z' },
    );
    const result = await source.fetch();
    expect(result.papers).toEqual([]);
    expect(result.failures[0]!.error).toMatch(/^not a Hugging Face Daily Papers response: expected a JSON array/);
  });

  it('records a day that keeps failing with HTTP 500 and still reads the next day', async () => {
    const { source, server } = await setup(
      { '2026-08-21': { status: 500 }, '2026-08-20': { body: httpFixture('hf-day-mixed.json') } },
      { now: '2026-08-21T10:00:00Z', days: 2 },
    );
    const result = await source.fetch();
    expect(result.failures).toEqual([{ where: 'date 2026-08-21', error: `GET ${server.host}/api/daily_papers: HTTP 500 (2 attempts)` }]);
    expect(result.papers).toHaveLength(2);
    expect(result.requests).toBe(2);
  });

  it('rejects a number of days outside 1..30', () => {
    const validators = createMemoryValidatorStore();
    expect(() => createHfDailySource({ http: http(), days: 0, clock: at('2026-08-21T00:00:00Z'), validators })).toThrow(/from 1 to 30/);
  });
});
