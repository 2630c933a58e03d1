import { ALL_FIELD_IDS, AUTHORS_FIELD_ID } from './index-document.js';
import type { ParsedQuery } from './query.js';
import { stem, STOPWORDS, type QueryWord } from './tokenize.js';

/**
 * Query planning: a parsed query → the index terms to score ("leaves"), each with a weight and
 * the query word it stands for. Planning reads only what the index knows about terms (the
 * Vocabulary below), never postings themselves; the scorer does that.
 */

/** What the planner asks of the index. */
export type Vocabulary = {
  /** Live documents holding the term in any field. */
  documentFrequency(term: string): number;
  /** Postings of the term across fields: the scorer's cost of visiting it. */
  postingCount(term: string): number;
  /** Documents holding the term in one field. */
  fieldFrequency(term: string, fieldId: number): number;
  /** Terms of the whole index that start with `prefix`, in index order. */
  indexTermsWithPrefix(prefix: string): Iterable<string>;
  /** Title terms shared by two or more papers that start with `prefix` (a small vocabulary). */
  titleTermsWithPrefix(prefix: string): Iterable<string>;
  /** Papers whose title holds the term. */
  titleFrequency(term: string): number;
  /**
   * Title terms (every one, a single paper's included) within `maxDistance` edits: [term, papers,
   * distance]; with `keepFirst`, only terms starting with the same letter (a fraction of the work).
   */
  titleTermsNear(term: string, maxDistance: number, keepFirst?: boolean): Iterable<[term: string, papers: number, distance: number]>;
  /** Whether one title holds both terms, looking at no more than `budget.left` postings (false when it runs out). */
  shareTitle(a: string, b: string, budget: { left: number }): boolean;
};

export type Expansion = { term: string; weight: number; word: number };
/**
 * A free word: `index` in ParsedQuery.words, `bit` its mark on the documents that match it (a word
 * over the postings budget is set only on the candidates it is probed for, see Plan.wordProbes).
 */
export type PlannedWord = { index: number; bit: number; expansions: Expansion[]; cost: number; typed?: string };
/** One index term to score, in `fields`, setting `bit` on the documents that hold it. */
export type Leaf = { term: string; weight: number; bit: number; fields: readonly number[] };
/**
 * Something every result must have: one word of a quoted phrase (any of its terms) or one term
 * of an author: filter. `bit` is set when its postings are visited; 0 means it is checked and
 * scored by looking the candidates up in its postings instead.
 */
export type RequiredGroup = { terms: readonly string[]; fields: readonly number[]; cost: number; bit: number };
/**
 * `leaves` are visited (every posting), `probes` only looked up for candidates that already
 * hold every required group, which gives them the same score at a fraction of the work.
 * `wordProbes` are the free words over the postings budget (the commonest): looked up only for
 * candidates that hold every retrieved free word, within QUERY_BUDGET.wordProbes lookups, so a
 * paper holding every word of "filtering risk minimization" still counts all of them.
 */
export type Plan = {
  leaves: Leaf[];
  probes: Leaf[];
  required: RequiredGroup[];
  words: PlannedWord[];
  wordProbes?: Leaf[];
  misspelt?: boolean;
  /** PlannedWord.index of the last word when it may still be being typed (ParsedQuery.lastWordIsPrefix). */
  prefixWord?: number;
  /** PlannedWord.index of the word completed as a prefix while typing (autocomplete), if any. */
  completedWord?: number;
};

/**
 * The work one query may do. Scoring costs one step per posting visited, and a common word
 * ("model": 40k papers) costs more than the rest of a query together while telling little apart.
 */
export const QUERY_BUDGET = {
  /** Postings of free words: over it, the most common words leave retrieval (the rarest two always stay). */
  postings: 25_000,
  /** Postings of every leaf together, the rarest free word and the rarest required group aside. */
  maxPostings: 150_000,
  /** Postings of required groups visited beyond the rarest one; the others are probed. */
  requiredPostings: 25_000,
  /** Lookups of words left out of retrieval, on the candidates holding every retrieved word. */
  wordProbes: 20_000,
  /** Required groups that get a bit of their own (bits 24–30; free words hold 0–23). */
  requiredBits: 7,
  /** Edit-distance searches of the title vocabulary (a word, or the rest of a word after a split-off stopword). */
  fuzzyWords: 10,
  /** Title postings looked up to see which typo corrections share a title with the other words. */
  cooccurrenceProbes: 30_000,
  /** Vocabulary searches spent reading a word as two misspelt words run together (see splitMisspelt). */
  splitProbes: 16,
  /** Words whose first letter is doubted too: a two-edit search of the whole title vocabulary (~4 ms at 122k papers). */
  wideFuzzyWords: 2,
  /** Words longer than this are not typo-corrected: edit distance over long strings is slow and means little. */
  fuzzyWordChars: 32,
  prefixExpansions: 12,
} as const;
/** Prefix completion looks at no more candidate terms than this. */
const PREFIX_SCAN = 2000;
/** Typo corrections kept per word. */
const FUZZY_PER_WORD = 3;
/** Typo corrections per word checked for sharing a title with the other words. */
const FUZZY_CANDIDATES = 12;
/**
 * Weights of terms that stand for a word typed otherwise: words typed apart that the index holds
 * joined ("fast vlm" → fastvlm), the parts of a word typed together ("omnidoc" → omni, doc),
 * typo corrections by distance, with a bonus when the correction shares a title with the other
 * words of the query (what a person retyping a title means). A join counts as the word itself.
 */
const WEIGHTS = { joined: 1, splitPart: 0.8, distance1: 0.75, distance2: 0.55, sharedTitle: 0.15 } as const;
/**
 * A word typed together is split into at most this many parts, each of at least MIN_SPLIT_PART
 * characters, or two ("gptr1" → gpt r1) when the parts share a title.
 */
const MAX_SPLIT_PARTS = 3;
const MIN_SPLIT_PART = 3;

/** Words longer than this are not split: n² lookups. */
const MAX_SPLIT_CHARS = 24;
const FIRST_REQUIRED_BIT = 24;
/** Queries of at most this many words get the deeper re-ranking pool when a word is misspelt (Plan.misspelt). */
const MISSPELT_POOL_WORDS = 4;

export function planQuery(vocabulary: Vocabulary, q: ParsedQuery, prefix: boolean): Plan {
  const fuzzyBudget = { left: QUERY_BUDGET.fuzzyWords, wide: { left: QUERY_BUDGET.wideFuzzyWords } };
  const content = q.words.map((w, i) => ({ w, i })).filter(({ w }) => w.terms.length > 0);
  // A query of nothing but stopwords ("the who") searches them as plain words.
  const typed = content.length > 0 ? content : q.words.map((w, i) => ({ w: { word: w.word, terms: [w.word] }, i }));
  const lastIndex = q.words.length - 1;
  // parseQuery keeps at most 24 words with terms, so every free word has a bit of its own.
  const planned = typed.slice(0, FIRST_REQUIRED_BIT);
  let completedWord: number | undefined;
  const expansionsOf = planned.map(({ w, i }) => {
    const last = q.lastWordIsPrefix && i === lastIndex && (prefix || vocabulary.documentFrequency(w.terms[0] ?? '') === 0);
    const expansions = expandWord(vocabulary, w, i, last);
    // While typing, a last word with completions is half a word; an unknown one in a search is a typo.
    if (last && prefix && expansions.some((e) => e.weight < 1)) completedWord = i;
    return expansions;
  });
  const joined = addJoinedWords(vocabulary, q.words, planned, expansionsOf);
  const typos = planned.map(({ w }, k) => (joined.has(k) ? [] : typoCandidates(vocabulary, w, fuzzyBudget)));
  chooseCorrections(vocabulary, planned, expansionsOf, typos);
  const words: PlannedWord[] = planned.map(({ i }, position) => {
    const expansions = expansionsOf[position]!;
    const cost = expansions.reduce((n, e) => n + vocabulary.postingCount(e.term), 0);
    return { index: i, bit: 1 << position, expansions, cost, typed: q.words[i]!.word };
  });

  // Phrases and author filters are required: every phrase word (its variants are alternatives)
  // and every term of an author's surname. Only documents holding the rarest group can be
  // results, so that one is always visited; the others are visited while cheap, else probed.
  const required: RequiredGroup[] = [
    ...q.phrases.flatMap((phrase) => phrase.map((w) => group(vocabulary, w.terms, ALL_FIELD_IDS))),
    ...q.authors.flatMap((terms) => terms.map((t) => group(vocabulary, [t], [AUTHORS_FIELD_ID]))),
  ];
  let spent = 0;
  let requiredSpent = 0;
  [...required]
    .sort((a, b) => a.cost - b.cost)
    .forEach((g, rank) => {
      const visit = rank === 0 || (rank < QUERY_BUDGET.requiredBits && requiredSpent + g.cost <= QUERY_BUDGET.requiredPostings);
      if (!visit) return;
      g.bit = 1 << (FIRST_REQUIRED_BIT + rank);
      if (rank > 0) requiredSpent += g.cost;
      spent += g.cost;
    });

  const queried = words.filter((w) => w.expansions.length > 0).sort((a, b) => a.cost - b.cost);
  let freeSpent = 0;
  const kept = queried.filter((w, rank) => {
    const overBudget = rank >= 2 && freeSpent + w.cost > QUERY_BUDGET.postings;
    const overMax = rank >= 1 && spent + w.cost > QUERY_BUDGET.maxPostings;
    if (overBudget || overMax) return false;
    freeSpent += w.cost;
    spent += w.cost;
    return true;
  });
  const keptWords = new Set(kept);
  // Words left out keep their bit: the scorer sets it on the candidates it probes them for.
  const wordProbes: Leaf[] = [];
  for (const w of queried) {
    if (keptWords.has(w)) continue;
    for (const e of w.expansions) wordProbes.push({ term: e.term, weight: e.weight, bit: w.bit, fields: ALL_FIELD_IDS });
  }

  // Free words first, then required groups: the order scores are summed in, kept from the first version.
  const leaves: Leaf[] = [];
  const probes: Leaf[] = [];
  for (const w of kept) {
    for (const e of w.expansions) leaves.push({ term: e.term, weight: e.weight, bit: w.bit, fields: ALL_FIELD_IDS });
  }
  for (const g of required) {
    for (const term of g.terms) (g.bit ? leaves : probes).push({ term, weight: 1, bit: g.bit, fields: g.fields });
  }
  // A word known only by guesses (corrections, a split) or not at all, in a short query: re-ranking,
  // which reads each title letter by letter, needs a deeper pool to find the paper the other words
  // point to. A long query (a pasted title with typos) has words enough to find it in the usual
  // pool, and re-ranking four times as many costs it 3× the time (typo-title p50 16 → 45 ms at 122k).
  const misspelt =
    words.length <= MISSPELT_POOL_WORDS && words.some((w) => w.typed !== undefined && w.typed.length >= 4 && !w.expansions.some((e) => e.weight === 1));
  return {
    leaves,
    probes,
    required,
    words,
    wordProbes,
    misspelt,
    ...(q.lastWordIsPrefix ? { prefixWord: lastIndex } : {}),
    ...(completedWord !== undefined ? { completedWord } : {}),
  };
}

/** The bits of free words (the rest belong to required groups). */
export const FREE_WORD_BITS = (1 << FIRST_REQUIRED_BIT) - 1;

/** Queries of at least this many words put the papers holding all of them first. */
const ALL_WORDS_MIN = 3;

/**
 * The bits a paper must hold to have every word of the query, for a query whose papers holding
 * all its words come first (0 for the others): three words or more (two common words rarely pick
 * out one paper), each known as typed (a word known only by its typo corrections may mean none
 * of them). A few everyday words remembered from one abstract ("filtering risk minimization")
 * pick out the paper that has all of them, which BM25 alone puts below papers with two of them
 * in the title. The scorer keeps such papers in the candidates; paper-index.ts puts them first.
 */
export function allWordsBits(p: Plan): number {
  // A word still being typed may end as any of its completions, and only a dozen are looked up
  // ("com" of Completion): papers holding one of those must not go before the title being typed.
  const words = p.words.filter((w) => w.expansions.length > 0 && w.bit !== 0 && w.index !== p.completedWord);
  if (words.length < ALL_WORDS_MIN || !words.every((w) => w.expansions.some((e) => e.weight === 1))) return 0;
  let all = 0;
  for (const w of words) all |= w.bit;
  return all;
}

function group(vocabulary: Vocabulary, terms: readonly string[], fields: readonly number[]): RequiredGroup {
  const [only] = fields;
  const cost = terms.reduce(
    (n, term) => n + (fields.length === 1 && only !== undefined ? vocabulary.fieldFrequency(term, only) : vocabulary.postingCount(term)),
    0,
  );
  return { terms, fields, cost, bit: 0 };
}

/** The terms the index holds for a word as typed (and, while it is being typed, its completions). */
function expandWord(vocabulary: Vocabulary, word: QueryWord, index: number, asPrefix: boolean): Expansion[] {
  const out: Expansion[] = [];
  for (const term of word.terms) if (vocabulary.documentFrequency(term) > 0) out.push({ term, weight: 1, word: index });
  // Surnames are indexed unstemmed ("Vlachos", not "vlacho"), so also try the word as typed.
  if (!word.terms.includes(word.word) && word.word.length >= 2 && vocabulary.documentFrequency(word.word) > 0) {
    out.push({ term: word.word, weight: 1, word: index });
  }
  const primary = word.terms[0];
  if (!primary) return out;
  if (asPrefix) {
    for (const e of prefixExpansions(vocabulary, primary)) out.push({ ...e, word: index });
  }
  return out;
}

/**
 * Words typed apart that a title holds joined: two or three adjacent words, stopwords and
 * digits included ("fast vlm" → fastvlm, "llama 3" → llama3, "bio tamper net" →
 * biotampernet). The joined term stands for each of its words, so a title holding it counts
 * as matching all of them. Returns the positions of the words that were joined.
 */
function addJoinedWords(
  vocabulary: Vocabulary,
  all: readonly QueryWord[],
  planned: readonly { w: QueryWord; i: number }[],
  expansionsOf: Expansion[][],
): Set<number> {
  const joinedPositions = new Set<number>();
  const positionOf = new Map(planned.map(({ i }, position) => [i, position]));
  for (let start = 0; start < all.length - 1; start++) {
    for (let end = start + 2; end <= Math.min(all.length, start + 3); end++) {
      const span = all.slice(start, end);
      const joined = span.map((w) => w.word).join('');
      if (joined.length < 4 || joined.length > QUERY_BUDGET.fuzzyWordChars || !span.some((w) => isFragment(vocabulary, w))) continue;
      const term = stem(joined);
      if (vocabulary.documentFrequency(term) === 0) continue;
      for (let i = start; i < end; i++) {
        const position = positionOf.get(i);
        const expansions = position === undefined ? undefined : expansionsOf[position];
        if (!expansions || position === undefined) continue;
        joinedPositions.add(position);
        if (!expansions.some((e) => e.term === term)) expansions.push({ term, weight: WEIGHTS.joined, word: i });
      }
    }
  }
  return joinedPositions;
}

/**
 * Whether a word reads as a piece of a name rather than a word of its own: a number ("3"), a
 * few letters ("vl", "sr"), or a word the index hardly knows ("omnidoc"). Only spans with such a
 * piece are joined: "retrieval augmented" should not prefer "Retrieval-Augmented" titles.
 */
function isFragment(vocabulary: Vocabulary, w: QueryWord): boolean {
  if (w.terms.length === 0) return !STOPWORDS.has(w.word);
  return w.word.length <= 3 || vocabulary.documentFrequency(w.terms[0]!) <= 2;
}

/** A typo correction or split of one word, before the choice among them. */
type Candidate = { terms: string[]; distance: number; papers: number };

/**
 * What a word the index hardly knows may have meant: words run together split into title terms
 * ("omnidoc" → omni doc, "theattention" → attention), or, failing that, title terms within an
 * edit budget by length (1 edit or a swap of two adjacent letters; for 5+ letters 2 edits when
 * nothing is nearer, see `near`), every title term counting, a single paper's included (on a small library most
 * title words occur once). A run-together word whose first part is a stopword has its rest
 * corrected ("theattenton" → attention).
 */
function typoCandidates(vocabulary: Vocabulary, word: QueryWord, fuzzyBudget: { left: number; wide: { left: number } }): Candidate[] {
  const primary = word.terms[0];
  if (!primary || /^\d+$/.test(primary) || primary.length > QUERY_BUDGET.fuzzyWordChars) return [];
  const df = vocabulary.documentFrequency(primary);
  if (df > 2) return [];
  const split = df === 0 ? splitWord(vocabulary, word.word) : undefined;
  if (split?.together) return [{ terms: split.parts, distance: 0, papers: 0 }];
  // A split whose parts never meet in a title is a guess; a typo correction is likelier.
  if (primary.length < 4 || fuzzyBudget.left <= 0) return split ? [{ terms: split.parts, distance: 1, papers: 0 }] : [];
  fuzzyBudget.left -= 1;
  // A word some abstract holds as typed (a rare word remembered from it) gets only one-edit
  // readings beside itself; two edits from a real word reach too many others.
  const found = near(vocabulary, primary, fuzzyBudget.wide, df === 0);
  if (found.length === 0 && split) return [{ terms: split.parts, distance: 1, papers: 0 }];
  if (found.length > 0 || df > 0) return found;
  // Words run together with their capitals kept ("SetalthyPlisoning"): each capitalised piece
  // is a word of its own, corrected on its own.
  const segments = word.terms.slice(1).filter((t) => t.length >= 4 && !/\d/.test(t) && t !== primary);
  if (segments.length >= 2 && segments.join('').length >= primary.length - 2) {
    const parts: string[] = [];
    for (const segment of segments) {
      if (vocabulary.titleFrequency(segment) > 0) parts.push(segment);
      else if (fuzzyBudget.left > 0) {
        fuzzyBudget.left -= 1;
        const best = near(vocabulary, segment, fuzzyBudget.wide)[0];
        if (best) parts.push(...best.terms);
      }
    }
    if (parts.length >= 2) return [{ terms: parts, distance: 1, papers: 0 }];
  }
  // Two words run together, each with a typo ("curratedmedical", "cronwinstance").
  const pieces = splitMisspelt(vocabulary, word.word);
  if (pieces) return [pieces];
  // Nothing near: maybe a stopword typed onto a word with a typo ("theattenton", "attentonof").
  const w = word.word;
  for (let k = 2; k <= 5 && fuzzyBudget.left > 0; k++) {
    for (const [stop, rest] of [[w.slice(0, k), w.slice(k)], [w.slice(w.length - k), w.slice(0, w.length - k)]] as const) {
      if (!STOPWORDS.has(stop) || rest.length < 4 || fuzzyBudget.left <= 0) continue;
      fuzzyBudget.left -= 1;
      const restTerm = stem(rest);
      if (vocabulary.titleFrequency(restTerm) > 0) return [{ terms: [restTerm], distance: 0, papers: 0 }];
      const corrected = near(vocabulary, restTerm, fuzzyBudget.wide);
      if (corrected.length > 0) return corrected;
    }
  }
  return [];
}

/**
 * Title terms near `term`: within 1 edit, or an adjacent swap for 4–7 letters; for 5+ letters,
 * when nothing is that near, within 2 edits after the first letter, and failing that (at most
 * QUERY_BUDGET.wideFuzzyWords times a query) within 2 edits anywhere, the first letter included.
 */
function near(vocabulary: Vocabulary, term: string, wideBudget: { left: number }, twoEdits = true): Candidate[] {
  const maxDistance = twoEdits && term.length >= 5 ? 2 : 1;
  const found = new Map<string, Candidate>();
  const add = (hits: Iterable<[string, number, number]>) => {
    for (const [t, papers, distance] of hits) if (distance > 0 && t !== term) found.set(t, { terms: [t], distance, papers });
  };
  // One edit first: a long word's two-edit neighbourhood costs several times more to search.
  add(vocabulary.titleTermsNear(term, 1));
  if (term.length < 8) {
    // Levenshtein counts a swap ("mdoel") as two edits; people make it as one.
    for (let i = 0; i + 1 < term.length; i++) {
      const swapped = term.slice(0, i) + term[i + 1] + term[i] + term.slice(i + 2);
      const papers = swapped === term || found.has(swapped) ? 0 : vocabulary.titleFrequency(swapped);
      if (papers > 0) found.set(swapped, { terms: [swapped], distance: 1, papers });
    }
  }
  if (found.size === 0 && maxDistance === 2) {
    // Two edits from anywhere walk most of the title vocabulary's tree (~4 ms a word at 122k
    // papers); keeping the first letter walks one subtree (~0.2 ms). Only when that finds
    // nothing, and a few times a query, is the first letter doubted too ("uanum" of quantum).
    add(vocabulary.titleTermsNear(term, 2, true));
    if (found.size === 0 && wideBudget.left > 0) {
      wideBudget.left -= 1;
      add(vocabulary.titleTermsNear(term, 2));
    }
  }
  return [...found.values()].sort((a, b) => a.distance - b.distance || b.papers - a.papers);
}

/**
 * Two words run together with typos in them: the split whose pieces, each as typed or one edit
 * away (the first letter kept), are title terms that share a title. Only for words of 8+ letters
 * that nothing else explained, within QUERY_BUDGET.splitProbes vocabulary searches.
 */
function splitMisspelt(vocabulary: Vocabulary, word: string): Candidate | undefined {
  if (word.length < 8 || word.length > MAX_SPLIT_CHARS || !/^\p{L}+$/u.test(word)) return undefined;
  const probes = { left: QUERY_BUDGET.splitProbes };
  const cooccurrence = { left: QUERY_BUDGET.cooccurrenceProbes / 10 };
  const memo = new Map<string, [term: string, distance: number][]>();
  const readings = (piece: string): [string, number][] => {
    const known = memo.get(piece);
    if (known) return known;
    const term = stem(piece);
    let out: [string, number][] = [];
    if (vocabulary.titleFrequency(term) > 0) out = [[term, 0]];
    else if (piece.length >= 4 && probes.left > 0) {
      probes.left -= 1;
      out = [...vocabulary.titleTermsNear(term, 1, true)]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([t, , d]) => [t, d]);
    }
    memo.set(piece, out);
    return out;
  };
  let best: Candidate | undefined;
  // Splits near the middle first: two words of a title are rarely one letter and fifteen.
  const cuts = Array.from({ length: word.length - 5 }, (_, i) => i + 3).sort((a, b) => Math.abs(a - word.length / 2) - Math.abs(b - word.length / 2));
  for (const k of cuts) {
    if (probes.left <= 0 && !memo.has(word.slice(0, k))) break;
    const left = STOPWORDS.has(word.slice(0, k)) ? [] : readings(word.slice(0, k));
    if (left.length === 0) continue;
    const right = STOPWORDS.has(word.slice(k)) ? [] : readings(word.slice(k));
    for (const [l, dl] of left) {
      for (const [r, dr] of right) {
        const distance = dl + dr;
        if (distance === 0 || (best && best.distance <= distance)) continue;
        if (vocabulary.shareTitle(l, r, cooccurrence)) best = { terms: [l, r], distance: Math.min(2, distance), papers: 0 };
      }
    }
    if (best?.distance === 1) break;
  }
  return best;
}

/**
 * The best split of a word typed together into 2–3 title terms (stopwords are dropped): the
 * split whose parts share a title, else the one with the longest shortest part of at least
 * MIN_SPLIT_PART characters. Undefined when no split exists.
 */
function splitWord(vocabulary: Vocabulary, word: string): { parts: string[]; together: boolean } | undefined {
  if (word.length < 4 || word.length > MAX_SPLIT_CHARS || !/^[\p{L}\p{N}]+$/u.test(word)) return undefined;
  const known = (part: string) => STOPWORDS.has(part) || (part.length >= MIN_SPLIT_PART && vocabulary.titleFrequency(stem(part)) > 0);
  const splits: string[][] = [];
  for (let k = 2; k <= word.length - 2; k++) {
    const left = word.slice(0, k);
    if (!known(left)) continue;
    const right = word.slice(k);
    if (known(right)) splits.push([left, right]);
    else if (MAX_SPLIT_PARTS >= 3) {
      for (let j = 2; j <= right.length - 2; j++) {
        if (known(right.slice(0, j)) && known(right.slice(j))) splits.push([left, right.slice(0, j), right.slice(j)]);
      }
    }
  }
  const budget = { left: QUERY_BUDGET.cooccurrenceProbes / 10 };
  const content = splits
    .map((parts) => parts.filter((p) => !STOPWORDS.has(p)).map(stem))
    .filter((parts) => parts.length > 0);
  if (content.length === 0) return undefined;
  const ranked = content
    .map((parts) => {
      const together = parts.length < 2 || parts.every((p, i) => i === 0 || vocabulary.shareTitle(parts[0]!, p, budget));
      const shortest = Math.min(...parts.map((p) => p.length));
      return { parts, together, score: (together ? 100 : 0) - 10 * parts.length + shortest, shortest };
    })
    .filter((s) => s.together || s.shortest >= MIN_SPLIT_PART)
    .sort((a, b) => b.score - a.score);
  return ranked[0];
}

/**
 * Adds each word's chosen corrections to its expansions. Corrections that share a title with
 * the other words (their terms, or their own corrections when they are typos too) come first:
 * "transfromers arithmetci" means the two words of one title, not the nearest common words.
 */
function chooseCorrections(
  vocabulary: Vocabulary,
  planned: readonly { w: QueryWord; i: number }[],
  expansionsOf: Expansion[][],
  typos: readonly Candidate[][],
): void {
  const budget = { left: QUERY_BUDGET.cooccurrenceProbes };
  // What each word is known to mean: its exact terms, else its nearest corrections.
  const anchors = planned.map((_, k) => {
    const exact = expansionsOf[k]!.filter((e) => e.weight === 1).map((e) => e.term);
    return exact.length > 0 ? exact.slice(0, 3) : typos[k]!.slice(0, 6).flatMap((c) => c.terms);
  });
  planned.forEach(({ i }, k) => {
    const candidates = typos[k]!;
    if (candidates.length === 0) return;
    const others = anchors.filter((a, j) => j !== k && a.length > 0);
    const scored = candidates.slice(0, FUZZY_CANDIDATES).map((c) => ({
      c,
      shared: others.length === 0 ? 0 : others.filter((terms) => terms.some((t) => c.terms.every((ct) => vocabulary.shareTitle(ct, t, budget)))).length,
    }));
    scored.sort((a, b) => b.shared - a.shared || a.c.distance - b.c.distance || b.c.papers - a.c.papers);
    const expansions = expansionsOf[k]!;
    for (const { c, shared } of scored.slice(0, FUZZY_PER_WORD)) {
      const base = c.distance === 0 ? WEIGHTS.splitPart : c.distance === 1 ? WEIGHTS.distance1 : WEIGHTS.distance2;
      const weight = base + (shared > 0 ? WEIGHTS.sharedTitle : 0);
      for (const term of c.terms) if (!expansions.some((e) => e.term === term)) expansions.push({ term, weight, word: i });
    }
  });
}

function prefixExpansions(vocabulary: Vocabulary, prefix: string): { term: string; weight: number }[] {
  if (prefix.length < 2) return [];
  // Short prefixes fan out into thousands of terms: complete those from the (small) title
  // vocabulary, longer ones from the whole index.
  const source = prefix.length >= 4 ? vocabulary.indexTermsWithPrefix(prefix) : vocabulary.titleTermsWithPrefix(prefix);
  const found: { term: string; df: number }[] = [];
  let seen = 0;
  for (const term of source) {
    if (term === prefix) continue;
    if (++seen > PREFIX_SCAN) break;
    found.push({ term, df: vocabulary.documentFrequency(term) });
  }
  found.sort((a, b) => b.df - a.df);
  return found
    .slice(0, QUERY_BUDGET.prefixExpansions)
    .map(({ term }) => ({ term, weight: 0.8 * (prefix.length / (prefix.length + 0.3 * (term.length - prefix.length))) }));
}
