/**
 * The sandbox's Hugging Face feed: the bundled library as the last three days' listings, the
 * newest papers held back and listed a batch at a time, every item readable by the bot's own
 * Daily Papers parser as the same paper the library already holds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_FILE } from '../../src/app/library-service.js';
import { parseHfDailyPapers } from '../../src/core/parsers/hf-daily-papers.js';
import { readSeedPapers, startSandboxFeed, type SandboxFeed } from '../../sandbox/hf-feed/sandbox-feed.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const clock = { now: () => NOW };
const DAYS = ['2026-03-10', '2026-03-09', '2026-03-08'];

describe('the sandbox feed', () => {
  let feed: SandboxFeed | undefined;
  afterEach(async () => {
    await feed?.close();
    feed = undefined;
  });

  const listed = async (day: string) => {
    const response = await fetch(`${feed!.url}/api/daily_papers?date=${day}`);
    return parseHfDailyPapers(await response.text());
  };

  it('lists the bundled library over the last three days, minus the newest papers it holds back', async () => {
    const bundled = await readSeedPapers(SEED_FILE);
    feed = await startSandboxFeed({ seedFile: SEED_FILE, clock, heldBack: 12, intervalMs: null });
    expect(feed.status()).toEqual({ listed: bundled.length - 12, toCome: 12, nextAt: null });

    const days = await Promise.all(DAYS.map(listed));
    const ids = days.flatMap((d) => d.papers.map((p) => p.id));
    expect(days.every((d) => d.skipped.length === 0)).toBe(true);
    expect(ids).toHaveLength(bundled.length - 12);
    // The library's own ids, so what arrives merges into the records the bot already has.
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => bundled.some((p) => p.id === id))).toBe(true);
    // Bundled papers name no authors; the feed must not invent any.
    expect(days.flatMap((d) => d.papers).every((p) => p.authors.length === 0)).toBe(true);
  });

  it('lists the next batch on today’s page when asked, until none are left', async () => {
    feed = await startSandboxFeed({ seedFile: SEED_FILE, clock, heldBack: 4, batchSize: 3, intervalMs: null });
    const before = (await listed(DAYS[0]!)).papers.length;
    expect(feed.publishNext()).toHaveLength(3);
    expect((await listed(DAYS[0]!)).papers.length).toBe(before + 3);
    expect(feed.publishNext()).toHaveLength(1);
    expect(feed.publishNext()).toEqual([]);
    expect(feed.status().toCome).toBe(0);
  });

  it('schedules the next batch only when given an interval', async () => {
    feed = await startSandboxFeed({ seedFile: SEED_FILE, clock, intervalMs: 120_000 });
    expect(feed.status().nextAt).toBe(NOW + 120_000);
  });
});
