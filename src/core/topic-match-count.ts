import type { Paper } from './paper.js';
import { yieldToEventLoop } from './search/yield-to-event-loop.js';
import { compileTopicQuery, paperTerms } from './topics.js';

/**
 * How many recent papers a topic's query matches, counted by /topic add and /topic edit (a new
 * query) before the topic is saved and shown in their answer: a query that matches nothing (a
 * typo: topics match words exactly) or hundreds a week shows itself at once. Counted as a topic
 * posts: with the topic matcher itself (compileTopicQuery), over the papers a feed first brought
 * in the last MATCH_COUNT.days (SeenPapers.recent, what a run's candidates are), not by publication
 * date (a paper published last month and first listed today is a topic's new paper). The newest
 * MATCH_COUNT.papers of them at most, read from the library a slice at a time, so the answer stays
 * well inside Discord's 3 seconds.
 */
export const MATCH_COUNT = {
  days: 7,
  /** Papers read and matched at most (the most recently seen). */
  papers: 500,
  /** Papers read from the library and matched between event-loop turns. */
  slice: 100,
} as const;

const DAY_MS = 86_400_000;

export type RecentPapers = {
  /** Papers first seen by a feed at or after `since` (ms), with when (SeenPapers.recent). */
  recent(since: number, now: number): Promise<{ id: string; seenAt: number }[]>;
  getMany(ids: string[]): Promise<(Paper | undefined)[]>;
};

export type RecentMatchCount = {
  matched: number;
  /** Papers matched against the query (the `checked` most recently seen of `seen`). */
  checked: number;
  /** Papers first seen by a feed since `since`. */
  seen: number;
  /** YYYY-MM-DD (UTC) of `since`. */
  since: string;
};

export async function countRecentMatches(query: string, papers: RecentPapers, now: number): Promise<RecentMatchCount> {
  const matches = compileTopicQuery(query);
  const sinceMs = now - MATCH_COUNT.days * DAY_MS;
  const recent = await papers.recent(sinceMs, now);
  const ids = [...new Map(recent.map((e) => [e.id, e.seenAt]))]
    .sort((a, b) => b[1] - a[1])
    .slice(0, MATCH_COUNT.papers)
    .map(([id]) => id);
  let matched = 0;
  let checked = 0;
  for (let i = 0; i < ids.length; i += MATCH_COUNT.slice) {
    for (const paper of await papers.getMany(ids.slice(i, i + MATCH_COUNT.slice))) {
      if (!paper) continue;
      checked++;
      if (matches(paperTerms(paper))) matched++;
    }
    await yieldToEventLoop();
  }
  const seen = new Set(recent.map((e) => e.id)).size;
  return { matched, checked, seen: Math.max(seen, checked), since: new Date(sinceMs).toISOString().slice(0, 10) };
}
