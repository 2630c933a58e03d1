import { normalizeTitleKey } from '../paper-id.js';
import type { CompactPostings } from './compact-postings.js';
import { shortIdOf } from './compact-postings.js';
import { substringDistance, SUBSTRING_MAX_LETTERS } from './edit-distance.js';

/**
 * Titles by their letters, for queries whose words the index does not know: a title's letters
 * and digits run together (`Visual Affordances: Enabling Robots` → `visualaffordancesenablingrobots`)
 * and indexed by every three in a row. Typing errors leave most of a word's letter triples
 * intact, and which words were run together or split apart does not change them, so
 * `affordahecs enablignroobots to` still shares `aff`, `ffo`, `ord`, `ena`, `nab`, `rob` … with
 * its title when no word of it is a title word. What the triples find, substringDistance
 * (edit-distance.ts) then measures word by word against each title's letters (rerank.ts).
 *
 * Measured with a prototype on the bench's development split (seed 7, 122,860 papers): the right
 * paper was among the 300 best triple matches for 99% of hard-typo queries, 94–99% across the
 * typo classes.
 */

/** Letter triples a title is indexed by: the stored postings are 4 bytes each, ~66 a title. */
const GRAM = 3;

/** A title's letters and digits, accents folded, lowercase, run together. */
export function titleLetters(text: string): string {
  return normalizeTitleKey(text).replaceAll(' ', '');
}

/** Every letter triple of a title, repeats kept (CompactPostings counts them). */
export function titleGrams(title: string): string[] {
  const letters = titleLetters(title);
  const grams: string[] = [];
  for (let i = 0; i + GRAM <= letters.length; i++) grams.push(letters.slice(i, i + GRAM));
  return grams;
}

/**
 * What one gram search may cost: postings visited, rarest triples first, so the triples that
 * tell titles apart always count and the commonest (`ion`, `ing`: a third of all titles) are
 * the ones left out. ~3 ms a query at 122,860 papers.
 */
export const GRAM_BUDGET = { postings: 400_000, queryLetters: 64 } as const;
/** Queries of at most this many words are also read by their letters (a pasted title has words enough without). */
export const GRAM_QUERY_WORDS = 6;

/**
 * How closely a title's letters hold the typed words (each already titleLetters), each anywhere
 * in them (substringDistance): `match` is 1 − edits / letters typed over every word, `weakest`
 * the same for the worst-held word of 4+ letters (1 when there is none). Word order and where
 * words were run together or split do not matter: 1 for `enabling robots` in
 * `visualaffordancesenablingrobots…`, 0.8 for `enablignroobots`.
 */
export function letterMatch(words: readonly string[], titleLetters: string): { match: number; weakest: number } {
  let letters = 0;
  let edits = 0;
  let weakest = 1;
  for (const w of words) {
    // A longer word is read as far as substringDistance reads it.
    const n = Math.min(w.length, SUBSTRING_MAX_LETTERS);
    const d = substringDistance(w, titleLetters);
    letters += n;
    edits += d;
    if (n >= 4) weakest = Math.min(weakest, 1 - d / n);
  }
  return { match: letters === 0 ? 0 : 1 - edits / letters, weakest };
}

/** The best gram matches for some typed words, scored by the idf of the triples a title shares with them. */
export type GramSearch = (
  words: readonly string[],
  limit: number,
  accept?: (shortId: number) => boolean,
  budget?: number,
) => { shortIds: number[]; postingsVisited: number };

export function createGramSearch(grams: CompactPostings, documentCount: () => number, shortIdLimit: () => number): GramSearch {
  // One accumulator per index, reused (queries run one at a time on one thread), cleared where touched.
  let scores = new Float32Array(0);
  let touched = new Int32Array(0);
  return (words, limit, accept, budget = GRAM_BUDGET.postings) => {
    if (scores.length < shortIdLimit()) {
      scores = new Float32Array(shortIdLimit() + 1024);
      touched = new Int32Array(shortIdLimit() + 1024);
    }
    const letters = words.map(titleLetters).join('').slice(0, GRAM_BUDGET.queryLetters);
    const total = Math.max(1, documentCount());
    const distinct = new Set<string>();
    for (let i = 0; i + GRAM <= letters.length; i++) distinct.add(letters.slice(i, i + GRAM));
    const ranges = [...distinct]
      .map((gram) => ({ range: grams.range(gram), df: grams.documentFrequency(gram) }))
      .filter((g) => g.range !== undefined && g.df > 0)
      .sort((a, b) => a.df - b.df);
    let n = 0;
    let visited = 0;
    let top = 0;
    for (const { range, df } of ranges) {
      const { pool, from, to } = range!;
      if (visited > 0 && visited + (to - from) > budget) break;
      visited += to - from;
      const idf = Math.log(1 + total / df);
      for (let k = from; k < to; k++) {
        const shortId = shortIdOf(pool[k]!);
        if (scores[shortId] === 0) touched[n++] = shortId;
        const score = scores[shortId]! + idf;
        scores[shortId] = score;
        if (score > top) top = score;
      }
    }
    // Filters and removed papers (their postings stay until a vacuum; length 0 marks them) are
    // checked on the best few only: a filter check can cost as much as the whole search.
    const wanted = accept ? limit * 4 : limit + 16;
    const chosen = best(touched, n, scores, top, wanted)
      .filter((shortId) => grams.length(shortId) > 0 && (!accept || accept(shortId)))
      .slice(0, limit);
    for (let i = 0; i < n; i++) scores[touched[i]!] = 0;
    return { shortIds: chosen, postingsVisited: visited };
  };
}

/** About the `limit` highest-scoring of the first `n` touched ids, best first, without sorting all of them. */
function best(touched: Int32Array, n: number, scores: Float32Array, top: number, limit: number): number[] {
  if (top === 0) return [];
  // A histogram of scores finds the cut that keeps about `limit` ids in one pass.
  const buckets = 512;
  const counts = new Int32Array(buckets + 1);
  for (let i = 0; i < n; i++) counts[Math.floor((scores[touched[i]!]! / top) * buckets)]! += 1;
  let kept = 0;
  let cut = buckets;
  for (; cut > 0; cut--) {
    kept += counts[cut]!;
    if (kept >= limit) break;
  }
  const floor = (cut / buckets) * top;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (scores[touched[i]!]! >= floor) out.push(touched[i]!);
  out.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return out.slice(0, limit);
}
