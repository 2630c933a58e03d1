/**
 * Text → index terms. One function serves the index and the query planner, so a word is
 * spelled the same way on both sides.
 *
 * A "word" is a run of letters/digits possibly joined by `-`, `.`, `+`, `'` or `_`
 * ("HiFi-SR", "Qwen2.5-VL", "GPT-4o"). Each word yields its parts and, when it has several,
 * the parts joined ("hifisr"), because people type model names in all three shapes:
 * "HiFi-SR", "hifi sr", "hifisr". A part that mixes letters and digits also yields its
 * letter and digit runs ("gpt4" → "gpt", "4"), so "gpt 4" finds "GPT4".
 */

// Common English function words plus the few words every abstract uses. They carry no signal
// for finding a paper and their posting lists are the largest, so they are not indexed at all.
const STOPWORDS_LIST = [
  'a', 'about', 'above', 'after', 'again', 'against', 'all', 'also', 'am', 'an', 'and', 'any', 'are', 'as', 'at',
  'be', 'because', 'been', 'before', 'being', 'below', 'between', 'both', 'but', 'by', 'can', 'could',
  'did', 'do', 'does', 'doing', 'down', 'during', 'each', 'few', 'for', 'from', 'further', 'had', 'has', 'have',
  'having', 'he', 'her', 'here', 'hers', 'him', 'his', 'how', 'i', 'if', 'in', 'into', 'is', 'it', 'its',
  'itself', 'just', 'may', 'me', 'might', 'more', 'most', 'must', 'my', 'no', 'nor', 'not', 'now', 'of', 'off',
  'on', 'once', 'only', 'or', 'other', 'our', 'ours', 'out', 'over', 'own', 'same', 'she', 'should', 'so',
  'some', 'such', 'than', 'that', 'the', 'their', 'them', 'then', 'there', 'these', 'they', 'this', 'those',
  'through', 'to', 'too', 'under', 'until', 'up', 'upon', 'us', 'very', 'via', 'was', 'we', 'were', 'what', 'when',
  'where', 'which', 'while', 'who', 'whom', 'why', 'will', 'with', 'within', 'without', 'would', 'you', 'your',
  'yet', 'however', 'thus', 'therefore', 'whether', 'among', 'across', 'towards', 'toward',
] as const;
export const STOPWORDS: ReadonlySet<string> = new Set(STOPWORDS_LIST);

/** Lowercase and fold accents: "Schrödinger" → "schrodinger". */
export function foldCase(text: string): string {
  // NFKD and dropping marks costs time on long ASCII text; skip it when there is nothing to fold.
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(text);
  return ascii ? text.toLowerCase() : text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/**
 * A light plural stemmer: "models" → "model", "studies" → "study", "classes" → "class",
 * "approaches" → "approach". Stronger stemmers conflate words people keep apart in titles
 * ("learning"/"learned"); plurals are what queries miss most.
 */
export function stem(term: string): string {
  const n = term.length;
  if (n <= 3 || term.charCodeAt(n - 1) !== 115 /* s */) return term;
  if (NOT_PLURAL.has(term)) return term;
  const before = term.charCodeAt(n - 2);
  if (before >= 48 && before <= 57) return term; // "v2s", "3ds": names, not plurals
  if (n > 4 && term.endsWith('ies')) return `${term.slice(0, -3)}y`;
  // -sses, -xes, -ches, -shes take "es" ("classes", "boxes", "patches"); "caches" becomes
  // "cach", the same on both sides, which is all matching needs.
  if (n > 4 && (term.endsWith('sses') || term.endsWith('xes') || term.endsWith('ches') || term.endsWith('shes'))) {
    return term.slice(0, -2);
  }
  if (before === 115 /* ss */ || before === 105 /* is */) return term;
  // -us is Latin singular ("corpus", "status"), except acronyms' plurals ("gpus", "tpus").
  if (before === 117 /* us */ && !(n === 4 && term.charCodeAt(1) === 112 /* ?pus */)) return term;
  return term.slice(0, -1);
}

// Words ending in s that are not plurals and would otherwise lose it.
const NOT_PLURAL: ReadonlySet<string> = new Set(['news', 'series', 'species', 'lens', 'bias', 'atlas', 'canvas', 'alias', 'chaos', 'gas', 'physics', 'mathematics', 'robotics', 'statistics', 'economics', 'dynamics', 'kinematics', 'linguistics', 'genomics', 'semantics', 'graphics', 'ethics', 'optics', 'acoustics', 'analytics', 'diagnostics', 'mechanics', 'politics', 'logistics', 'electronics', 'photonics', 'proteomics', 'metabolomics', 'tactics']);

/**
 * Terms of a person's name: lowercased, accent-folded parts, no stopwords and no stemming
 * ("He", "An" and "You" are surnames; "Jones" is not a plural).
 */
export function nameTerms(name: string): string[] {
  const out: string[] = [];
  scanWords(foldCase(name), (parts) => {
    for (const part of parts) if (part.length >= MIN_TERM) out.push(part);
    if (parts.length > 1) out.push(parts.join(''));
  });
  return out;
}

/** Minimum term length: single characters match everything and mean little. */
const MIN_TERM = 2;
const LETTER_DIGIT_RUNS = /\p{L}+|\p{N}+/gu;

const NON_ASCII_WORD_CHAR = /[\p{L}\p{N}]/u;
const NON_ASCII_LETTER = /\p{L}/u;

// Character classes of the scanner below. A hand-written scanner, because the regex version
// cost ~1 µs per token and an import tokenizes ~25 million of them.
const OTHER = 0;
const LETTER = 1;
const DIGIT = 2;
const JOINER = 3;

function classify(code: number, s: string, i: number): number {
  if (code >= 97 && code <= 122) return LETTER;
  if (code >= 48 && code <= 57) return DIGIT;
  if (code === 45 || code === 46 || code === 43 || code === 39 || code === 95 || code === 0x2019) return JOINER;
  if (code < 128) return OTHER;
  const ch = s[i]!;
  return NON_ASCII_WORD_CHAR.test(ch) ? (NON_ASCII_LETTER.test(ch) ? LETTER : DIGIT) : OTHER;
}

/**
 * Split text into terms (lowercased, accent-folded, plural-stemmed, stopwords dropped).
 * Duplicates are kept: term frequency matters to BM25.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  scanWords(foldCase(text), (parts, mixed) => pushWordTerms(parts, mixed, out));
  return out;
}

/**
 * Calls `onWord` for every word with its parts (split at joiners) and, per part, whether it
 * mixes letters and digits. Joiners count only between two word characters ("e.g." → "e", "g").
 */
function scanWords(s: string, onWord: (parts: string[], mixed: boolean[]) => void): void {
  let parts: string[] = [];
  let mixed: boolean[] = [];
  let partStart = -1;
  let sawLetter = false;
  let sawDigit = false;
  const n = s.length;
  const endPart = (end: number) => {
    parts.push(s.slice(partStart, end));
    mixed.push(sawLetter && sawDigit);
    partStart = -1;
    sawLetter = false;
    sawDigit = false;
  };
  const endWord = () => {
    if (parts.length > 0) onWord(parts, mixed);
    parts = [];
    mixed = [];
  };
  for (let i = 0; i < n; i++) {
    const code = s.charCodeAt(i);
    const kind = classify(code, s, i);
    if (kind === LETTER || kind === DIGIT) {
      if (partStart < 0) partStart = i;
      if (kind === LETTER) sawLetter = true;
      else sawDigit = true;
      continue;
    }
    if (partStart >= 0) endPart(i);
    const next = i + 1 < n ? classify(s.charCodeAt(i + 1), s, i + 1) : OTHER;
    const joins = kind === JOINER && parts.length > 0 && (next === LETTER || next === DIGIT);
    if (!joins) endWord();
  }
  if (partStart >= 0) endPart(n);
  endWord();
}

function pushWordTerms(parts: string[], mixed: boolean[], out: string[]): void {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    pushTerm(part, out);
    if (mixed[i]) for (const run of splitLetterDigitRuns(part)) pushTerm(run, out);
  }
  if (parts.length > 1) {
    const joined = parts.join('');
    if (joined.length <= 40) pushTerm(joined, out);
  }
}

function splitLetterDigitRuns(part: string): string[] {
  return part.match(LETTER_DIGIT_RUNS) ?? [];
}

function pushTerm(term: string, out: string[]): void {
  if (term.length < MIN_TERM || STOPWORDS.has(term)) return;
  out.push(stem(term));
}

/** One word of a query with the terms the index holds for it (empty for a stopword). */
export type QueryWord = { word: string; terms: string[] };

/**
 * The words a person typed, in order, each with its index terms. Stopwords stay in the list
 * with no terms, because a query made only of stopwords ("the who") is still a query.
 */
export function queryWords(text: string): QueryWord[] {
  const words: QueryWord[] = [];
  scanWords(foldCase(text), (parts, mixed) => {
    const terms: string[] = [];
    pushWordTerms(parts, mixed, terms);
    words.push({ word: parts.join(''), terms });
  });
  return words;
}
