import { afterAll, describe, expect, it } from 'vitest';
import { parseArxivAtom } from '../../src/core/parsers/arxiv-atom.js';
import { parseHfDailyPapers } from '../../src/core/parsers/hf-daily-papers.js';
import { BodyFormatError, createBodyParser } from '../../src/feeds/parse-body.js';
import { httpFixture } from './replay-server.js';

/**
 * Bodies parse off the event loop once they are big: discord.js heartbeats on it, and
 * fast-xml-parser takes ~100 ms per MB here (a 10 MB Atom body at the default FEED_MAX_BYTES: over a
 * second). Measured by the longest gap between 5 ms timer ticks while a body at the cap parses.
 */

const MB = 1024 * 1024;
const parser = createBodyParser();
afterAll(() => parser.close());

/** An arXiv API feed of `bytes` bytes: the fixture's entries repeated with fresh ids. */
function bigAtomFeed(bytes: number): string {
  const xml = httpFixture('arxiv-api-small.xml');
  const head = xml.slice(0, xml.indexOf('<entry'));
  const entry = xml.slice(xml.indexOf('<entry'), xml.indexOf('</entry>') + '</entry>'.length);
  const parts = [head];
  let size = head.length;
  for (let i = 0; size < bytes; i++) {
    const e = entry.replace(/\d{4}\.\d{5}/g, `26${String(1 + (i % 12)).padStart(2, '0')}.${String(i % 100_000).padStart(5, '0')}`);
    parts.push(e);
    size += e.length;
  }
  parts.push('</feed>');
  return parts.join('');
}

async function longestEventLoopGap<T>(work: () => Promise<T>): Promise<{ result: T; gapMs: number }> {
  let gapMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 5);
  try {
    const result = await work();
    gapMs = Math.max(gapMs, performance.now() - last);
    return { result, gapMs };
  } finally {
    clearInterval(timer);
  }
}

describe('createBodyParser', () => {
  it('gives the same result as the parser itself for a small body', async () => {
    const json = httpFixture('hf-day-mixed.json');
    expect(await parser.parse('hf', json)).toEqual(parseHfDailyPapers(json));
  });

  // Not a timing target (the bench measures those): parsed on the main thread this body holds the
  // loop for over a second, off it for a few tens of ms, so a 500 ms bound tells the two apart
  // even on a machine busy with other test files.
  it('parses a 10 MB Atom body off the event loop', { timeout: 60_000 }, async () => {
    const xml = bigAtomFeed(10 * MB);
    const { result, gapMs } = await longestEventLoopGap(() => parser.parse('arxiv', xml));
    expect(result.papers.length).toBeGreaterThan(3000);
    expect(result.papers[0]).toMatchObject({ title: parseArxivAtom(httpFixture('arxiv-api-small.xml')).papers[0]!.title, sources: ['arxiv'] });
    expect(gapMs).toBeLessThan(500);
  });

  it('reports a big body that is not of its format as a BodyFormatError with the parser message', async () => {
    const xml = bigAtomFeed(2 * MB);
    const error = await parser.parse('arxiv', xml.slice(0, -40)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyFormatError);
    expect((error as Error).message).toMatch(/^not an arXiv API Atom feed: .*truncated\?/);
  }, 30_000);

  it('keeps the announce types of an RSS listing (a Map) across the thread boundary', async () => {
    const offThread = createBodyParser({ inlineBelowBytes: 0 });
    const listing = await offThread.parse('rss-listing', httpFixture('arxiv-rss-mixed.xml')).finally(() => offThread.close());
    expect(listing.announceTypes).toBeInstanceOf(Map);
    expect(listing.announceTypes.size).toBeGreaterThan(0);
  }, 30_000);
});
