import type { Stored } from './index-document.js';

/** One result of a search, as every caller (CLI, Discord, bench) sees it. */
export type SearchHit = {
  id: string;
  title: string;
  score: number;
  /** yyyy-mm-dd, when known. */
  published?: string;
  upvotes?: number;
};

export type SearchSort = 'relevance' | 'newest' | 'upvotes';

export function hitOf(id: string, score: number, s: Stored): SearchHit {
  const hit: SearchHit = { id, title: s.title, score };
  if (s.date) hit.published = dateString(s.date);
  if (s.upvotes) hit.upvotes = s.upvotes;
  return hit;
}

/** Newest / most upvoted among the relevant results (those within reach of the best score). */
export function resort(hits: SearchHit[], sort: SearchSort, pinned: number): SearchHit[] {
  const head = hits.slice(0, pinned);
  const rest = hits.slice(pinned);
  const cutoff = (rest[0]?.score ?? 0) * 0.5;
  const relevant = rest.filter((h) => h.score >= cutoff || h.score === 0);
  const key = sort === 'newest' ? (h: SearchHit) => h.published ?? '' : (h: SearchHit) => String(h.upvotes ?? 0).padStart(9, '0');
  relevant.sort((a, b) => key(b).localeCompare(key(a)));
  return [...head, ...relevant];
}

function dateString(n: number): string {
  const s = String(n);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}
