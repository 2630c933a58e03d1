/**
 * Text → index terms. One function serves the index and the query planner, so a word is
 * spelled the same way on both sides.
 *
 * A "word" is a run of letters/digits possibly joined by `-`, `.`, `+`, `'` or `_`
 * ("HiFi-SR", "Qwen2.5-VL", "GPT-4o"). Each word yields its parts and, when it has several,
 * the parts joined ("hifisr"), because people type model names in all three shapes:
 * "HiFi-SR", "hifi sr", "hifisr". A part that mixes letters and digits also yields its
 * letter and digit runs ("gpt4" → "gpt", "4"), so "gpt 4" finds "GPT4". A camel-case part
 * also yields its segments ("OmniDocBench" → "omni", "doc", "bench"), so a name inside a name
 * ("doc bench", "dpo" in "SignDPO") and a name typed apart ("bio tamper net") find it. Joining
 * words typed apart and splitting words typed together is the query planner's job.
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

/** Words that start a multi-part surname ("Harm de Vries", "Laurens van der Maaten"). */
const SURNAME_PARTICLES: ReadonlySet<string> = new Set([
  'de', 'da', 'di', 'del', 'della', 'der', 'den', 'des', 'van', 'von', 'vom', 'zu', 'du', 'dos', 'das', 'le', 'la', 'ten', 'ter', 'bin', 'ibn', 'al', 'el',
]);
const NAME_SUFFIXES: ReadonlySet<string> = new Set(['jr', 'sr', 'ii', 'iii', 'iv']);

/**
 * A person's name as given names and a surname, each word folded with its hyphenated parts
 * joined ("Ana Ruiz-García" → ana, ruizgarcia). The surname is the last word; particles before
 * it belong to neither ("Harm de Vries" → harm / vries); "Jr." is dropped; "Bengio, Yoshua" is
 * read surname first. `given` is empty for a bare surname ("de Vries", "OpenAI").
 */
export type PersonName = { given: string[]; surname: string };

export function personName(name: string): PersonName {
  const comma = name.indexOf(',');
  const text = comma > 0 ? `${name.slice(comma + 1)} ${name.slice(0, comma)}` : name;
  const words: string[] = [];
  scanWords(foldCase(text), (parts) => {
    words.push(parts.join(''));
  });
  while (words.length > 1 && NAME_SUFFIXES.has(words.at(-1)!)) words.pop();
  const surname = words.at(-1) ?? '';
  let end = words.length - 1;
  while (end > 0 && SURNAME_PARTICLES.has(words[end - 1]!)) end--;
  return { given: words.slice(0, end), surname };
}

/** Whether a word starts a multi-part surname ("de", "van", "der"). */
export function isSurnameParticle(word: string): boolean {
  return SURNAME_PARTICLES.has(word);
}

/** The index term for "this given name (or initial) and this surname belong to one author". */
export function nameKey(given: string, surname: string): string {
  // "_" never occurs inside a term that tokenize produces, so name keys never meet title words.
  return `${given}_${surname}`;
}

/** Whether an index term is a name key. */
export function isNameKey(term: string): boolean {
  return term.includes('_');
}

/** Name keys hold at most this many given names of one author ("Jakob Nicolaus Foerster": 2). */
const MAX_GIVEN_KEYS = 3;

/**
 * The name keys an author is found by: each given name with the surname (first and middle
 * names: "yuanzhe_pang" and "richard_pang" for "Richard Yuanzhe Pang") and the first initial
 * with it ("r_pang"). A middle initial makes no key of its own. A name that is all particles
 * and surname ("Le Song", "Da Li") takes its first word as the given name.
 */
export function authorNameKeys(name: string): string[] {
  const { given, surname } = personName(name);
  if (!surname) return [];
  const names = given.length > 0 ? given : recordGivenFallback(name);
  if (names.length === 0) return [];
  const keys = new Set<string>();
  for (const g of names.slice(0, MAX_GIVEN_KEYS)) if (g.length >= 2) keys.add(nameKey(g, surname));
  keys.add(nameKey(names[0]!.charAt(0), surname));
  return [...keys];
}

function recordGivenFallback(name: string): string[] {
  const words: string[] = [];
  scanWords(foldCase(name), (parts) => {
    words.push(parts.join(''));
  });
  return words.length >= 2 ? [words[0]!] : [];
}

/**
 * What `author:` requires of one author: the name key when the value has a given name or an
 * initial in either order ("Tri Dao" → tri_dao; "Y. Bengio" and "Bengio Y" → y_bengio), else
 * every term of the surname, as the index's authors field holds it ("de vries" → vries,
 * "Garcia-Lopez" → garcia, lopez, garcialopez). Search and topics both read it.
 */
export function authorFilterTerms(value: string): string[] {
  const { given, surname } = personName(value);
  const initialLast = given.length === 1 && given[0]!.length >= 2 && surname.length === 1;
  if (initialLast) return [nameKey(surname, given[0]!)];
  if (given.length > 0 && surname) return [nameKey(given[0]!, surname)];
  return nameTerms(value.trim().split(/\s+/).at(-1) ?? '');
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
  const { lower, cased } = foldForScan(text);
  scanWords(
    lower,
    (parts, mixed, camel, starts, innerCapital) => {
      const from = out.length;
      pushWordTerms(parts, mixed, camel, out);
      // Only words with a capital after a part's first letter have name runs.
      if (cased !== undefined && innerCapital) pushNameRuns(lower, cased, parts, starts, out, from);
    },
    cased,
  );
  return out;
}

/** A name is cut into at most this many pieces for its runs: 8 pieces make 35 runs. */
const MAX_NAME_PIECES = 8;
/** Runs longer than this are not indexed (a title of words run together is not a name). */
const MAX_RUN_CHARS = 24;
/** Two-letter pieces alone (`mu`, `li`, `ma` of LLaMA) would answer surnames and common words; a run needs three. */
const MIN_RUN_CHARS = 3;

/**
 * The index holds every run of a name's pieces, not only its parts, because people type a name
 * inside a name by the pieces they see: `cho` of MuChoMusic, `univi` of UniViTAR, `pv ne` of
 * PvNeXt (joined by the planner to `pvne`), `topiaxl` of 3DTopia-XL. Pieces are cut more finely
 * than camel-case segments (which keep LLaMA and LoRA whole so a query's terms stay few): at
 * every capital after a small letter, before a capital that starts a small-letter run
 * (BERT|Score, S|Hea|P, N|Fo|V), and at joiners. A piece of one character is kept inside runs
 * (the `s` of SHeaP joins `shea`) but never indexed alone, nor is a run of two. Only the index side adds runs: a
 * query's words keep the terms queryWords gives them, so typing `LLaMA-CMoE` does not turn
 * into twenty words.
 */
function pushNameRuns(lower: string, cased: string, parts: readonly string[], starts: readonly number[], out: string[], from: number): void {
  const pieces: string[] = [];
  let cutInside = false;
  for (let k = 0; k < parts.length; k++) {
    const start = starts[k]!;
    const end = start + parts[k]!.length;
    let cut = start;
    for (let i = start + 1; i < end; i++) {
      if (caseOf(cased.charCodeAt(i)) !== UPPER) continue;
      const prev = caseOf(cased.charCodeAt(i - 1));
      const next = i + 1 < end ? caseOf(cased.charCodeAt(i + 1)) : 0;
      const after = i + 2 < end ? caseOf(cased.charCodeAt(i + 2)) : 0;
      // A capital inside capitals starts a piece when small letters follow it and then a capital or
      // more small letters (NFoV, LLaMA, BERTScore); not a plural acronym (LLMs) or a version (YOLOv8).
      const startsPiece = prev === LOWER || (prev === UPPER && next === LOWER && (after === LOWER || after === UPPER));
      if (!startsPiece) continue;
      pieces.push(lower.slice(cut, i));
      cut = i;
      cutInside = true;
    }
    pieces.push(lower.slice(cut, end));
  }
  // Only names with a piece inside a part (MuCho, SHeaP): a hyphenated phrase ("state-of-the-art",
  // "Qwen2.5-VL") is already indexed by its parts and the whole.
  if (!cutInside || pieces.length > MAX_NAME_PIECES) return;
  const have = new Set(out.slice(from));
  for (let a = 0; a < pieces.length; a++) {
    let run = '';
    for (let b = a; b < pieces.length; b++) {
      run += pieces[b]!;
      if (run.length > MAX_RUN_CHARS) break;
      if (a === 0 && b === pieces.length - 1) continue; // the whole word: pushWordTerms gave it
      if (run.length < MIN_RUN_CHARS || STOPWORDS.has(run) || /^\d+$/.test(run)) continue;
      const term = stem(run);
      if (have.has(term)) continue;
      have.add(term);
      out.push(term);
    }
  }
}

/**
 * The text lowercased and accent-folded for scanning, and accent-folded with its case kept for
 * finding camel-case boundaries; the latter only when both have the same length (lowercasing
 * a few non-ASCII letters changes it, and such words simply get no camel-case segments).
 */
function foldForScan(text: string): { lower: string; cased: string | undefined } {
  // eslint-disable-next-line no-control-regex
  const cased = /^[\x00-\x7f]*$/.test(text) ? text : text.normalize('NFKD').replace(/\p{M}+/gu, '');
  const lower = cased.toLowerCase();
  return { lower, cased: lower.length === cased.length ? cased : undefined };
}

/** Camel-case segments of one part, for parts with at least this many letters. */
const MIN_CAMEL_PART = 4;
const MAX_CAMEL_SEGMENTS = 6;

/**
 * The camel-case segments of `lower.slice(start, end)`, read from the case of `cased`:
 * "OmniDocBench" → omni, doc, bench; "FastVLM" → fast, vlm; "BERTScore" → bert, score;
 * "DeepSeekV3" → deep, seek, v3. A plural acronym ("LLMs") and a version letter ("YOLOv8")
 * are not boundaries, and a segment has two characters or more ("iPhone", "xLSTM" stay whole).
 * Undefined unless there are 2..MAX_CAMEL_SEGMENTS segments.
 */
function camelSegments(lower: string, cased: string, start: number, end: number): string[] | undefined {
  if (end - start < MIN_CAMEL_PART) return undefined;
  const segments: string[] = [];
  let from = start;
  for (let i = start + 1; i < end; i++) {
    const prev = caseOf(cased.charCodeAt(i - 1));
    const cur = caseOf(cased.charCodeAt(i));
    if (cur !== UPPER) continue;
    // A single lower-case letter between capitals ("LLaMA", "LoRA", "HiFi", "ViT") is part of an
    // acronym-like name, not the end of a word.
    const boundary =
      (prev === LOWER && i - 2 >= start && caseOf(cased.charCodeAt(i - 2)) === LOWER) ||
      prev === NUMBER ||
      (prev === UPPER && i + 2 < end && caseOf(cased.charCodeAt(i + 1)) === LOWER && caseOf(cased.charCodeAt(i + 2)) === LOWER);
    // A one-character segment ("iPhone", "Bitnet1B") stays with its neighbour.
    if (!boundary || i - from < 2 || end - i < 2) continue;
    segments.push(lower.slice(from, i));
    from = i;
  }
  if (segments.length === 0 || segments.length >= MAX_CAMEL_SEGMENTS) return undefined;
  segments.push(lower.slice(from, end));
  return segments;
}

const LOWER = 1;
const UPPER = 2;
const NUMBER = 3;
function caseOf(code: number): number {
  if (code >= 97 && code <= 122) return LOWER;
  if (code >= 65 && code <= 90) return UPPER;
  if (code >= 48 && code <= 57) return NUMBER;
  return 0;
}

/**
 * Calls `onWord` for every word with its parts (split at joiners) and, per part, whether it
 * mixes letters and digits and its camel-case segments (only when `cased`, the same text with
 * its case, is given). Joiners count only between two word characters ("e.g." → "e", "g").
 */
function scanWords(
  s: string,
  onWord: (parts: string[], mixed: boolean[], camel: (string[] | undefined)[], starts: number[], innerCapital: boolean) => void,
  cased?: string,
): void {
  let parts: string[] = [];
  let mixed: boolean[] = [];
  let camel: (string[] | undefined)[] = [];
  let starts: number[] = [];
  let partStart = -1;
  let sawLetter = false;
  let sawDigit = false;
  let innerUpper = false;
  let wordInnerUpper = false;
  const n = s.length;
  const endPart = (end: number) => {
    parts.push(s.slice(partStart, end));
    starts.push(partStart);
    mixed.push(sawLetter && sawDigit);
    camel.push(innerUpper && cased !== undefined ? camelSegments(s, cased, partStart, end) : undefined);
    wordInnerUpper ||= innerUpper;
    partStart = -1;
    sawLetter = false;
    sawDigit = false;
    innerUpper = false;
  };
  const endWord = () => {
    if (parts.length > 0) onWord(parts, mixed, camel, starts, wordInnerUpper);
    parts = [];
    mixed = [];
    camel = [];
    starts = [];
    wordInnerUpper = false;
  };
  for (let i = 0; i < n; i++) {
    const code = s.charCodeAt(i);
    const kind = classify(code, s, i);
    if (kind === LETTER || kind === DIGIT) {
      if (partStart < 0) partStart = i;
      else if (cased !== undefined && !innerUpper) {
        // Only a capital after the first character can start a camel-case segment.
        const c = cased.charCodeAt(i);
        innerUpper = c >= 65 && c <= 90;
      }
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

function pushWordTerms(parts: string[], mixed: boolean[], camel: readonly (string[] | undefined)[], out: string[]): void {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    pushTerm(part, out);
    const segments = camel[i];
    if (segments) for (const segment of segments) pushTerm(segment, out);
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
  const { lower, cased } = foldForScan(text);
  scanWords(
    lower,
    (parts, mixed, camel) => {
      const terms: string[] = [];
      pushWordTerms(parts, mixed, camel, terms);
      words.push({ word: parts.join(''), terms });
    },
    cased,
  );
  return words;
}
