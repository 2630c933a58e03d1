import type { Paper } from './paper.js';
import { yieldToEventLoop } from './search/yield-to-event-loop.js';
import { compileTopicQuery, paperTerms } from './topics.js';

/**
 * How many recent papers a topic's query matches, shown by /topic add and /topic edit before the
 * topic is saved: a query that matches nothing (a typo: topics match words exactly) or hundreds
 * a week shows itself at once. Counted with the topic matcher itself (compileTopicQuery) over
 * the library's papers published in the last MATCH_COUNT.days, newest first, at most
 * MATCH_COUNT.papers of them, so the answer stays well inside Discord's 3 seconds.
 */
export const MATCH_COUNT = {
  days: 7,
  /** Papers read and matched at most (the newest). */
  papers: 500,
  /** Papers read from the library and matched between event-loop turns. */
  slice: 100,
} as const;

const DAY_MS = 86_400_000;

export type RecentPapers = {
  /** Ids of the newest papers published on or after `since` (YYYY-MM-DD), at most `limit`, and how many there are. */
  publishedSince(since: string, limit: number): Promise<{ ids: string[]; total: number }>;
  getMany(ids: string[]): Promise<(Paper | undefined)[]>;
};

export type RecentMatchCount = {
  matched: number;
  /** Papers matched against the query (the newest `checked` of `published`). */
  checked: number;
  /** Papers published since `since` in the library. */
  published: number;
  /** YYYY-MM-DD, inclusive. */
  since: string;
};

export async function countRecentMatches(query: string, papers: RecentPapers, now: number): Promise<RecentMatchCount> {
  const matches = compileTopicQuery(query);
  const since = new Date(now - MATCH_COUNT.days * DAY_MS).toISOString().slice(0, 10);
  const { ids, total } = await papers.publishedSince(since, MATCH_COUNT.papers);
  let matched = 0;
  let checked = 0;
  for (let i = 0; i < ids.length && i < MATCH_COUNT.papers; i += MATCH_COUNT.slice) {
    for (const paper of await papers.getMany(ids.slice(i, Math.min(i + MATCH_COUNT.slice, MATCH_COUNT.papers)))) {
      if (!paper) continue;
      checked++;
      if (matches(paperTerms(paper))) matched++;
    }
    await yieldToEventLoop();
  }
  return { matched, checked, published: Math.max(total, checked), since };
}
