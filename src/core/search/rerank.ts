import { normalizeTitleKey } from '../paper-id.js';
import type { Stored } from './index-document.js';
import type { Candidate } from './bm25-scorer.js';
import type { Plan } from './query-plan.js';
import type { ParsedQuery } from './query.js';
import { boundedEditDistance, typoAllowance } from './edit-distance.js';
import { letterMatch, titleLetters } from './title-grams.js';
import { hitOf, type SearchHit } from './search-hit.js';
import { isNameKey, tokenize } from './tokenize.js';

/** Re-ranking weights (tuned with `npm run bench` on the corpus query set). */
const COVERAGE_WEIGHT = 2;
const TITLE_WEIGHT = 0.5;
/**
 * What a word counts for when the title holds it only misspelt (see fuzzyTitleWords): less than
 * the word itself, so a title with the word as typed still wins.
 */
const FUZZY_TITLE_CREDIT = 0.7;
/**
 * What a title that holds every typed word letter for letter gains (letterMatch 1), for a query
 * with a word the index does not know; nothing at LETTERS_FLOOR or below, where a few short
 * stretches of any long title match by chance. Heavy: for such a query the letters are the best
 * evidence there is (tuned on the development split, seed 7: hard-typo 0.89 at weight 3, 0.91 at 5,
 * 0.915 at 7; the clean classes do not read letters).
 */
const LETTERS_WEIGHT = 5;
const LETTERS_FLOOR = 0.5;
/** Words per query compared letter by letter with each candidate's title. */
const FUZZY_RERANK_WORDS = 6;

/** Autocomplete: `open` while the last word typed may still grow (the input ends in a letter or digit). */
export type Typing = { open: boolean };

/**
 * Whether a title (normalizeTitleKey) starts with what has been typed: letter for letter while
 * the last word is open ("from governance no" of "…Norms"), at a word's end after a space
 * ("towards a " is not the start of "Towards Accurate…").
 */
export function startsTitle(titleKey: string, queryKey: string, typing: Typing): boolean {
  return typing.open ? titleKey.startsWith(queryKey) : `${titleKey} `.startsWith(`${queryKey} `);
}

/** What re-ranking reads of a candidate: its id and stored fields. */
export type CandidateDocs = { idOf(shortId: number): string; storedOf(shortId: number): Stored };

/**
 * The final order of the best candidates: BM25 (normalised to the best), plus how many of
 * the query's words the paper has anywhere and in its title (a paper with every word in its
 * abstract beats one with a single word in its title), exact-title and title-similarity
 * bonuses for title-like queries, a bonus for titles starting with what is being typed, and
 * recency and upvotes as tie-breakers. A query that is only author names lists those authors'
 * papers newest first (nameOnlyOrder).
 */
export function rerank(
  q: ParsedQuery,
  p: Plan,
  top: readonly Candidate[],
  typing: Typing | undefined,
  docs: CandidateDocs,
  byLetters = false,
): SearchHit[] {
  if (isNameOnly(q, p)) return nameOnlyOrder(p, top, docs);
  const best = top[0]?.score || 1;
  const contentWords = Math.max(1, p.words.length + q.phrases.length);
  const wordsOf = new Map<string, number[]>();
  for (const w of p.words) {
    for (const e of w.expansions) {
      const list = wordsOf.get(e.term);
      if (list) list.push(w.index);
      else wordsOf.set(e.term, [w.index]);
    }
  }
  const queryKey = normalizeTitleKey(q.text);
  const longQuery = q.words.length + q.phrases.length >= 3;
  const queryGrams = longQuery ? bigrams(queryKey) : undefined;
  const phraseKeys = q.phrases.map((ph) => ` ${ph.map((w) => w.word).join(' ')} `);
  const fuzzyWords = p.words
    .filter((w) => w.typed !== undefined && typoAllowance(w.typed.length) > 0 && !w.expansions.some((e) => isNameKey(e.term)))
    .slice(0, FUZZY_RERANK_WORDS)
    .map((w) => ({ index: w.index, bit: w.bit, typed: w.typed!, exact: w.expansions.some((e) => e.weight === 1) }));
  const lettersOfWords = byLetters ? typedLetters(p) : [];
  return top
    .map(({ shortId, score: raw, bits: docBits }) => {
      const s = docs.storedOf(shortId);
      const inTitle = new Set<number>();
      for (const term of tokenize(s.title)) for (const w of wordsOf.get(term) ?? []) inTitle.add(w);
      const matched = new Set(inTitle);
      for (const w of p.words) if (docBits & w.bit) matched.add(w.index);
      const titleKey = normalizeTitleKey(s.title);
      const fuzzy = fuzzyWords.length > 0 ? fuzzyTitleWords(fuzzyWords, inTitle, docBits, titleKey) : [];
      const matchedCount = matched.size + fuzzy.filter((w) => !matched.has(w)).length * FUZZY_TITLE_CREDIT;
      const inTitleCount = inTitle.size + fuzzy.length * FUZZY_TITLE_CREDIT;
      let score = raw / best + COVERAGE_WEIGHT * (matchedCount / contentWords) + TITLE_WEIGHT * (inTitleCount / contentWords);
      if (typing && queryKey) {
        if (startsTitle(titleKey, queryKey, typing)) score += 1.5;
        else if (` ${titleKey}`.includes(` ${queryKey}`)) score += 0.6;
      }
      if (queryKey && titleKey === queryKey) score += 3;
      // While typing, what has been typed is the start of a title: compared with as much of it.
      else if (queryGrams) score += 1.2 * similarity(queryGrams, typing ? titleKey.slice(0, queryKey.length) : titleKey);
      for (const key of phraseKeys) if (` ${titleKey} `.includes(key)) score += 0.5;
      if (lettersOfWords.length > 0) {
        const { match } = letterMatch(lettersOfWords, titleKey.replaceAll(' ', ''));
        score += LETTERS_WEIGHT * Math.max(0, (match - LETTERS_FLOOR) / (1 - LETTERS_FLOOR));
      }
      score += 0.03 * recency(s.date) + 0.03 * Math.min(1, Math.log10(1 + s.upvotes) / 3);
      return hitOf(docs.idOf(shortId), score, s);
    })
    .sort((a, b) => b.score - a.score);
}

/**
 * The query words a title holds only misspelt or run together: a word within its typo allowance
 * of a title word ("znswerx" of Answers, "skn" of Skin) or, for a long word, of two adjacent title
 * words written as one ("scnegeneration" of "Scene Generation"). The scorer found the paper by
 * the query's other words; this tells it from papers that hold only those. Words already in the
 * title count once, as themselves.
 */
function fuzzyTitleWords(
  words: readonly { index: number; bit: number; typed: string; exact: boolean }[],
  inTitle: ReadonlySet<number>,
  docBits: number,
  titleKey: string,
): number[] {
  let titleWords: string[] | undefined;
  const out: number[] = [];
  for (const { index, bit, typed, exact } of words) {
    // A word the paper holds as typed (in its abstract, say) is no typo of a title word.
    if (inTitle.has(index) || (exact && docBits & bit)) continue;
    titleWords ??= titleKey.split(' ').filter((t) => t.length >= 2);
    const max = typoAllowance(typed.length);
    let found = titleWords.some((t) => boundedEditDistance(typed, t, max) <= max);
    for (let k = 0; !found && !exact && typed.length >= 8 && k + 1 < titleWords.length; k++) {
      found = boundedEditDistance(typed, titleWords[k]! + titleWords[k + 1]!, max) <= max;
    }
    if (found) out.push(index);
  }
  return out;
}

/**
 * The letters of the words a query is read by (title-grams.ts): the planned words as typed,
 * author names and stopwords aside (`of`, `the` are in most titles' letters and would make any
 * query match any title).
 */
export function typedLetters(p: Plan): string[] {
  return p.words
    .filter((w) => w.typed !== undefined && !isNameWord(w))
    .map((w) => titleLetters(w.typed!))
    .filter((w) => w.length > 0);
}

/** A query of author names and nothing else: every paper of those authors is a result. */
export function isNameOnly(q: ParsedQuery, p: Plan): boolean {
  return p.words.length > 0 && q.phrases.length === 0 && p.words.every(isNameWord);
}

/** A word of the plan that is an author's name (the author path of paper-index.ts). */
function isNameWord(w: Plan['words'][number]): boolean {
  return w.expansions.length > 0 && w.expansions.every((e) => isNameKey(e.term));
}

/**
 * "Sean McLeish": every paper of that author is equally relevant, so the papers with the most
 * of the names typed come first, newest first among them (score = names matched + date / 10⁸).
 */
function nameOnlyOrder(p: Plan, top: readonly Candidate[], docs: CandidateDocs): SearchHit[] {
  return top
    .map(({ shortId, bits }) => {
      const s = docs.storedOf(shortId);
      let names = 0;
      for (const w of p.words) if (bits & w.bit) names++;
      return hitOf(docs.idOf(shortId), names + s.date / 1e8, s);
    })
    .sort((a, b) => b.score - a.score);
}

// 0 for 2020 or earlier, 1 for 2027 on; only a tie-breaker between equally relevant papers.
function recency(date: number): number {
  if (!date) return 0;
  return Math.min(1, Math.max(0, (Math.floor(date / 10_000) - 2020 + ((date / 100) % 100) / 12) / 7));
}

/** Character bigrams of a string with their counts. */
function bigrams(text: string): Map<string, number> {
  const grams = new Map<string, number>();
  for (let i = 0; i + 1 < text.length; i++) {
    const g = text.slice(i, i + 2);
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  return grams;
}

/**
 * Dice coefficient of character bigrams (0..1): how much a long query reads like a title,
 * robust to typos in every word. Cheaper than edit distance by two orders of magnitude.
 */
function similarity(query: Map<string, number>, title: string): number {
  let querySize = 0;
  for (const n of query.values()) querySize += n;
  const left = new Map(query);
  let shared = 0;
  for (let i = 0; i + 1 < title.length; i++) {
    const g = title.slice(i, i + 2);
    const n = left.get(g);
    if (n) {
      shared++;
      left.set(g, n - 1);
    }
  }
  const total = querySize + Math.max(0, title.length - 1);
  return total === 0 ? 0 : (2 * shared) / total;
}
