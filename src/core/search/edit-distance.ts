/**
 * Optimal-string-alignment distance (Levenshtein plus a swap of two adjacent letters as one
 * edit, the way people mistype: "mdoel"), bounded: answers `max + 1` as soon as the distance
 * is known to exceed `max`, so comparing a word with a whole title costs little.
 */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  if (n + 1 > rows[0]!.length) for (let r = 0; r < 3; r++) rows[r] = new Int32Array(2 * (n + 1));
  // Three rows reused across calls (this runs thousands of times per query): the one before
  // last (for swaps), the last, the current.
  let prev2 = rows[0]!;
  let prev = rows[1]!;
  let cur = rows[2]!;
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    const aPrev = i > 1 ? a.charCodeAt(i - 2) : -1;
    for (let j = 1; j <= n; j++) {
      const bj = b.charCodeAt(j - 1);
      let d = prev[j - 1]! + (ai === bj ? 0 : 1);
      const del = prev[j]! + 1;
      if (del < d) d = del;
      const ins = cur[j - 1]! + 1;
      if (ins < d) d = ins;
      if (j > 1 && ai === b.charCodeAt(j - 2) && aPrev === bj) {
        const swap = prev2[j - 2]! + 1;
        if (swap < d) d = swap;
      }
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return Math.min(prev[n]!, max + 1);
}

const rows: Int32Array[] = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * The edits a typed word of this length may hold and still be read as a word: none under three
 * letters (too many words are one edit from "of"), one for 3–5, two for 6–9, three beyond. Used
 * only where the candidates are few (a re-ranked page's titles), never to search the vocabulary.
 */
export function typoAllowance(length: number): number {
  if (length < 3) return 0;
  if (length <= 5) return 1;
  if (length <= 9) return 2;
  return 3;
}

/**
 * The fewest edits that turn `word` into some stretch of `text` (approximate substring match):
 * `theattenton` is 1 from `…ontheattentionof…`, `penmsatiion` 2 from `…compensation…`.
 * Spaces are not special, so a word run together from two title words, or one half of a word
 * split in two, is measured like any other. At most min(`word.length`, SUBSTRING_MAX_LETTERS).
 *
 * Myers' bit-vector algorithm (1999): the word's column of the edit-distance table is kept as
 * bits of one 32-bit integer, so each character of the text costs a dozen integer operations
 * whatever the word's length (re-ranking runs this on hundreds of titles a query). Words past
 * SUBSTRING_MAX_LETTERS are cut there.
 */
export function substringDistance(word: string, text: string): number {
  const m = Math.min(word.length, SUBSTRING_MAX_LETTERS);
  if (m === 0) return 0;
  // Per character of the word, the bits of the places it holds (reset below: one table, reused).
  for (let i = 0; i < m; i++) {
    const c = word.charCodeAt(i);
    peq[c] = peq[c]! | (1 << i);
  }
  const last = 1 << (m - 1);
  let pv = last === 1 << 30 ? 0x7fffffff : (last << 1) - 1;
  let mv = 0;
  let score = m;
  let best = m;
  for (let j = 0; j < text.length; j++) {
    const eq = peq[text.charCodeAt(j)]!;
    const xv = eq | mv;
    const xh = ((((eq & pv) + pv) | 0) ^ pv) | eq;
    let ph = mv | ~(xh | pv);
    let mh = pv & xh;
    if (ph & last) score++;
    else if (mh & last) score--;
    // A match may start anywhere in the text: the top row stays 0 (no carry into bit 0).
    ph <<= 1;
    mh <<= 1;
    pv = mh | ~(xv | ph);
    mv = ph & xv;
    if (score < best) best = score;
  }
  for (let i = 0; i < m; i++) peq[word.charCodeAt(i)] = 0;
  return best;
}

/** The letters of a word substringDistance reads (one bit each in a 32-bit integer, the sign bit spared). */
export const SUBSTRING_MAX_LETTERS = 31;
/**
 * Per UTF-16 code unit, the places a word holds it (one table for every call, 256 KB, cleared
 * where the word set it). Every code unit has its own entry: a smaller table indexed by the low
 * bits would make Cyrillic letters equal to digits and CJK ideographs to Latin letters.
 */
const peq = new Int32Array(0x10000);
