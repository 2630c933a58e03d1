import { UserFacingError } from '../errors.js';
import { findPaperIds, normalizeTitleKey, parsePaperId, TITLE_ID_PREFIX } from '../paper-id.js';
import { authorFilterTerms, queryWords, type QueryWord } from './tokenize.js';

/**
 * The query language of `/paper search` and `paperboy search`:
 *
 *   free words                 match title, abstract, authors, categories, keywords (typo tolerant)
 *   "quoted phrase"            all its words must match; the exact phrase in a title ranks first
 *   author:hinton              an author's surname; author:"Tri Dao", author:"Y. Bengio" one author
 *   cat:cs.CL  cat:cs          an arXiv category, or a whole archive
 *   after:2024-06  before:2025-01-01  year:2025   publication date (after: inclusive, before: exclusive)
 *   has:code                   papers with a code repository link
 *   -word  -"phrase"  -cat:cs.CL   leaves out papers that have it (any item, or a group: -(a OR b))
 *   a OR b, (a OR b) c         either one; OR binds tighter than the space between items, so
 *                              `a b OR c d` means a, (b or c), d; parentheses group
 *   title:word  abstract:"a phrase"   the word or phrase in that part of the paper only
 *   2405.17399, arXiv:…, URLs  those papers first, in the order named (ids are found anywhere in the
 *                              text, with any punctuation around them; the rest is searched as words);
 *                              an id under `-` is refused: a paper is named by its id, never left out
 *
 * Every query is bounded here, in one place, whoever sends it (slash command, topic, CLI,
 * stdin): see QUERY_LIMITS. Free words are ranking signals, so words past the limit are dropped
 * and `notes` says so; phrases, filters and ids narrow the results, and dropping one would
 * quietly answer another question, so more of them than the limits allow is refused with a
 * UserFacingError. Messages never echo more than a short prefix of what was typed.
 */
export const QUERY_LIMITS = {
  /** Characters of a whole query. /paper search and topics allow 300; the CLI and stdin anything. */
  chars: 1_000,
  /** Free words with index terms (stopwords are free: they cost nothing to search). */
  words: 24,
  /** Free words of any kind, stopwords included, that are read at all. */
  typedWords: 64,
  /** Index terms of one word: a long hyphenated chain ("a-b-c-…") yields one per part. */
  termsPerWord: 8,
  phrases: 4,
  phraseWords: 12,
  /** author: and cat: filters, each. */
  filtersOfAKind: 6,
  filterValueChars: 80,
  ids: 10,
  /** Items inside parentheses, excluded with `-` or scoped with title:/abstract: (words, phrases, filters). */
  operands: 24,
  /** Parentheses inside parentheses. */
  depth: 4,
  /** What a message quotes of the user's text at most. */
  echoChars: 40,
} as const;

/** Where a word or phrase must occur: anywhere search looks, or only in the title or the abstract. */
export const MATCH_SCOPES = ['any', 'title', 'abstract'] as const;
export type MatchScope = (typeof MATCH_SCOPES)[number];

/** The filters of a query, or of one filter item inside a group (`-cat:cs.CL`). */
export type QueryFilters = {
  /** Terms that must match the authors field, one group per `author:` filter. */
  authors: string[][];
  /** Lowercased categories or archives ("cs.cl", "cs"). */
  categories: string[];
  /** Inclusive lower bound, as yyyymmdd. */
  after?: number;
  /** Exclusive upper bound, as yyyymmdd. */
  before?: number;
  hasCode: boolean;
};

/**
 * A query as a boolean expression, what topics match and what /topic why explains (see
 * query-filter.ts). `text` is the item as typed, for explanations. A phrase's `key` is its words
 * as normalizeTitleKey writes them, padded with spaces, to look for in a title or abstract.
 */
export type MatchNode =
  | { kind: 'word'; text: string; scope: MatchScope; word: QueryWord }
  | { kind: 'phrase'; text: string; scope: MatchScope; words: QueryWord[]; key: string }
  | { kind: 'filter'; text: string; filters: QueryFilters }
  | { kind: 'not'; text: string; node: MatchNode }
  | { kind: 'all' | 'any'; text: string; nodes: MatchNode[] };

export type ParsedQuery = {
  /** Free words in the order typed (stopwords included, with no terms). */
  words: QueryWord[];
  /** Each quoted phrase as its words. */
  phrases: QueryWord[][];
  /** Terms that must match the authors field, one group per `author:` filter. */
  authors: string[][];
  /** Lowercased categories or archives ("cs.cl", "cs"). */
  categories: string[];
  /** Inclusive lower bound, as yyyymmdd. */
  after?: number;
  /** Exclusive upper bound, as yyyymmdd. */
  before?: number;
  hasCode: boolean;
  /** Paper ids named in the query (ids and paper-site URLs, see findPaperIds), each once, in the order named. */
  ids: string[];
  /**
   * The last free word is still being typed (no space after it): expand it as a prefix. Never a
   * stopword: "the" is a whole word, and completing it would turn `the` into "theory", "thermal", ….
   */
  lastWordIsPrefix: boolean;
  /** The free text without filters, for exact-title comparison. */
  text: string;
  /** What was left out of the query and why, for the renderer to show ("Searched the first 24 words…"). */
  notes: string[];
  /**
   * The whole query, every item (filters and the free words above included) as one expression:
   * `all` of the items typed side by side. Words and phrases in OR groups, excluded or scoped are
   * only here (and, when not excluded, in `words` too, to rank by).
   */
  match: MatchNode & { kind: 'all' };
  /**
   * Syntax read forgivingly (an unclosed parenthesis closed at the end, a stray `)`, a lone `-`,
   * an OR with nothing on one side): search goes on with that reading, a topic refuses it.
   */
  problems: string[];
};

const FILTER = /^(author|cat|category|after|before|year|has):(.*)$/i;

/** Parse a query. Throws UserFacingError naming the filter when a filter value is malformed. */
export function parseQuery(input: string): ParsedQuery {
  if (input.length > QUERY_LIMITS.chars) {
    throw new UserFacingError(
      `That query has ${input.length.toLocaleString('en-US')} characters; a query has at most ${QUERY_LIMITS.chars.toLocaleString('en-US')}.`,
      'Keep the words that say most about the paper: a title, a few distinctive words, an author.',
    );
  }
  const query: ParsedQuery = {
    words: [],
    phrases: [],
    authors: [],
    categories: [],
    hasCode: false,
    ids: [],
    lastWordIsPrefix: false,
    text: '',
    notes: [],
    match: { kind: 'all', text: '', nodes: [] },
    problems: [],
  };
  const normalized = input.normalize('NFC');
  // Each id is read where it stands (a placeholder token), so `-2405.17399` is known to be excluded.
  // findPaperIds names an id once: a second pass finds its repetitions (`2405.17399 -2405.17399`).
  const ids: string[] = [];
  let rest = normalized;
  for (let pass = 0; pass < ID_PASSES; pass++) {
    const found = findPaperIds(rest);
    if (found.length === 0) break;
    rest = withoutIds(rest, found, ids.length);
    ids.push(...found.map((f) => f.id));
  }
  const reader = createReader(query, ids);
  query.match = reader.read(splitTokens(rest));
  const ranked = rankedWords(query);
  query.text = reader.text.join(' ');
  query.words = boundWords(ranked, query.notes);
  query.notes.push(...query.problems);
  // Still typing the last word: the text ends in a letter or digit (an id at the end counts as
  // finished), its last token is a free word, and that word is not a stopword.
  const last = rest.at(-1);
  const lastWord = query.words.at(-1);
  query.lastWordIsPrefix =
    last !== undefined &&
    /[\p{L}\p{N}]/u.test(last) &&
    reader.lastFreeWord !== undefined &&
    lastWord === reader.lastFreeWord &&
    lastWord.terms.length > 0;
  return query;
}

function addId(query: ParsedQuery, id: string): void {
  if (query.ids.includes(id)) return;
  query.ids.push(id);
  if (query.ids.length > QUERY_LIMITS.ids) throw new UserFacingError(`A query names at most ${QUERY_LIMITS.ids} papers.`);
}

// A whitespace-delimited run that is a link up to the id: `papers.cool/arxiv/2405.17399`.
const LINK_BEFORE_ID = /^\S*[a-z0-9-]\.[a-z]{2,}\/\S*$/i;
// "arXiv 2405.17399" as people write it in prose: the word belongs to the id, it is not a search word.
const ARXIV_BEFORE_ID = /\barxiv\s*:?\s*$/i;

/** Passes over the text for ids; an id repeated more often than this is read as words past the last. */
const ID_PASSES = 4;

/** Stands for the k-th found id in the text the reader splits: ID_OPEN k ID_CLOSE (private-use characters). */
const ID_OPEN = '\uE000';
const ID_CLOSE = '\uE001';

/**
 * The text with every found id replaced by a placeholder token (see ID_OPEN), so that a query of
 * ids and punctuation has no words left, `2405.17399, diffusion` searches "diffusion", and the
 * reader sees whether an id stands excluded (`-2405.17399`, `-"…"`, `-(… OR …)`).
 * An id inside a link of a site findPaperIds does not know takes the whole link with it, and a
 * spelled-out "arXiv" before an id goes with the id.
 */
function withoutIds(text: string, found: readonly { start: number; end: number }[], first: number): string {
  const spans = found.map(({ start, end }, i) => {
    const k = first + i;
    const runStart = start - /\S*$/.exec(text.slice(0, start))![0].length;
    if (LINK_BEFORE_ID.test(text.slice(runStart, start))) {
      return { k, start: runStart, end: end + /^\S*/.exec(text.slice(end))![0].length };
    }
    const word = ARXIV_BEFORE_ID.exec(text.slice(0, start));
    return { k, start: word ? word.index : start, end };
  });
  let out = '';
  let from = 0;
  for (const span of spans.sort((a, b) => a.start - b.start)) {
    if (span.start > from) out += text.slice(from, span.start);
    const blankFrom = Math.max(from, span.start);
    if (span.end > blankFrom) {
      out += `${ID_OPEN}${span.k}${ID_CLOSE}`;
      from = span.end;
    }
  }
  return out + text.slice(from);
}

/**
 * The first QUERY_LIMITS.words words with index terms (and at most QUERY_LIMITS.typedWords words
 * in all), each with at most QUERY_LIMITS.termsPerWord terms; a note when words were dropped.
 */
function boundWords(words: QueryWord[], notes: string[]): QueryWord[] {
  let content = 0;
  let kept = 0;
  for (const w of words) {
    if (w.terms.length > 0) content++;
    if (content > QUERY_LIMITS.words || kept === QUERY_LIMITS.typedWords) break;
    kept++;
  }
  if (kept < words.length) {
    notes.push(
      `Searched the first ${kept} of ${words.length} words (at most ${QUERY_LIMITS.words}, not counting words like "the"); every filter and quoted phrase still applies.`,
    );
  }
  return words
    .slice(0, kept)
    .map((w) => (w.terms.length > QUERY_LIMITS.termsPerWord ? { word: w.word, terms: w.terms.slice(0, QUERY_LIMITS.termsPerWord) } : w));
}

/**
 * The ids a query names that the library does not hold (`has` asks the index), in the order
 * named: callers answer them with notInLibraryText instead of an empty list.
 */
export function unknownIds(query: ParsedQuery, has: (id: string) => boolean): string[] {
  return query.ids.filter((id) => !has(id));
}

/** At most QUERY_LIMITS.echoChars characters of user text, for a message. */
export function shorten(text: string): string {
  const chars = [...text];
  return chars.length <= QUERY_LIMITS.echoChars ? text : `${chars.slice(0, QUERY_LIMITS.echoChars - 1).join('')}…`;
}

type Token =
  | { kind: 'open'; negated: boolean }
  | { kind: 'close' }
  | { kind: 'or' }
  | { kind: 'id'; k: number; negated: boolean }
  | { kind: 'item'; value: string; negated: boolean; quoted: boolean; prefix?: string };

// `(` or `-(`; `)`; a "phrase", maybe excluded and maybe after a name (author:"de vries"); an id's
// placeholder, maybe excluded; any other run (which stops at a placeholder).
const TOKEN = /(-?)\(|\)|(-?)(?:(\w+):)?"([^"]*)"?|(-?)\uE000(\d+)\uE001|[^\s()"\uE000]+/uy;

/** Parentheses, OR (upper case only: "or" stays a word) and items, each item maybe with a leading `-`. */
function splitTokens(input: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < input.length) {
    if (/\s/u.test(input[at]!)) {
      at++;
      continue;
    }
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(input)!;
    at = TOKEN.lastIndex;
    const text = m[0];
    if (text === '(' || text === '-(') tokens.push({ kind: 'open', negated: text === '-(' });
    else if (text === ')') tokens.push({ kind: 'close' });
    else if (m[6] !== undefined) tokens.push({ kind: 'id', k: Number(m[6]), negated: m[5] === '-' });
    else if (m[4] !== undefined) {
      if (m[3] || m[4].trim()) tokens.push({ kind: 'item', value: m[4], negated: m[2] === '-', quoted: true, ...(m[3] ? { prefix: m[3] } : {}) });
    } else if (text === 'OR') tokens.push({ kind: 'or' });
    else {
      const negated = text.length > 1 && text.startsWith('-');
      tokens.push({ kind: 'item', value: negated ? text.slice(1) : text, negated, quoted: false });
    }
  }
  return tokens;
}

const SCOPE = /^(title|abstract):(.*)$/is;

type Reader = {
  read(tokens: readonly Token[]): MatchNode & { kind: 'all' };
  /** The words and phrases as typed that are neither excluded nor scoped, for exact-title comparison. */
  text: string[];
  /** The last word of the last item when that item is a free word (what may still be being typed). */
  lastFreeWord: QueryWord | undefined;
};

/**
 * Items side by side mean all of them; OR binds tighter than that (`a b OR c` is a and (b or c)),
 * `-` excludes the item or group it starts. Malformed syntax is read forgivingly and noted in
 * `problems` (a stray `)` or a lone `-` is left out, an unclosed `(` closes at the end, an OR
 * without two sides is dropped); what no reading can bound (nesting, items) throws.
 */
function createReader(query: ParsedQuery, ids: readonly string[]): Reader {
  let tokens: readonly Token[] = [];
  let pos = 0;
  let operands = 0;
  let phrases = 0;
  const counts = { author: 0, cat: 0 };
  const reader: Reader = { read, text: [], lastFreeWord: undefined };
  return reader;

  function read(all: readonly Token[]): MatchNode & { kind: 'all' } {
    tokens = all;
    pos = 0;
    const nodes = sequence(0, false, false);
    return { kind: 'all', text: nodes.map((n) => n.text).join(' '), nodes };
  }

  function problem(text: string): void {
    if (!query.problems.includes(text)) query.problems.push(text);
  }

  /** Items side by side until the `)` that closes this group, or the end. */
  function sequence(depth: number, excluded: boolean, inGroup: boolean): MatchNode[] {
    const nodes: MatchNode[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos]!;
      if (t.kind === 'close') {
        pos++;
        if (inGroup) return nodes;
        problem('A `)` had no `(` before it; it was left out.');
        continue;
      }
      if (t.kind === 'or') {
        pos++;
        problem('An OR needs something on each side (`diffusion OR flow`); the lone OR was left out.');
        continue;
      }
      const alternatives: MatchNode[] = [];
      const first = unary(depth, excluded);
      if (first) alternatives.push(first);
      while (tokens[pos]?.kind === 'or') {
        pos++;
        const next = tokens[pos];
        if (!next || next.kind !== 'item' && next.kind !== 'open' && next.kind !== 'id') {
          problem('An OR needs something on each side (`diffusion OR flow`); the lone OR was left out.');
          break;
        }
        const alternative = unary(depth, excluded);
        if (alternative) alternatives.push(alternative);
      }
      if (alternatives.length === 1) nodes.push(alternatives[0]!);
      else if (alternatives.length > 1) nodes.push({ kind: 'any', text: alternatives.map((a) => a.text).join(' OR '), nodes: alternatives });
    }
    if (inGroup) problem('A `(` was not closed; it was closed at the end of the query.');
    return nodes;
  }

  /**
   * One item or parenthesised group, excluded when it starts with `-`. `excluded` says the item
   * stands under an exclusion, however many: in `-(a -b)` b is no search word either (it only
   * narrows what is left out), so it never ranks and is never read as a free word.
   */
  function unary(depth: number, excluded: boolean): MatchNode | undefined {
    const t = tokens[pos++]!;
    if (t.kind === 'id') {
      namedId(ids[t.k]!, excluded || t.negated);
      return undefined;
    }
    if (t.kind === 'open') {
      if (depth >= QUERY_LIMITS.depth) {
        throw new UserFacingError(`Parentheses go at most ${QUERY_LIMITS.depth} deep in a query.`, 'Write the groups side by side: `(a OR b) (c OR d)`.');
      }
      const inner = sequence(depth + 1, excluded || t.negated, true);
      if (inner.length === 0) {
        problem('An empty `()` was left out.');
        return undefined;
      }
      const group: MatchNode = inner.length === 1 ? inner[0]! : { kind: 'all', text: inner.map((n) => n.text).join(' '), nodes: inner };
      if (group.kind === 'all' || group.kind === 'any') group.text = `(${group.text})`;
      return t.negated ? { kind: 'not', text: `-${group.text}`, node: group } : group;
    }
    if (t.kind !== 'item') return undefined; // sequence() handles ) and OR before calling
    const node = item(t, depth, excluded || t.negated);
    return node && t.negated ? { kind: 'not', text: `-${node.text}`, node } : node;
  }

  function item(t: Extract<Token, { kind: 'item' }>, depth: number, excluded: boolean): MatchNode | undefined {
    reader.lastFreeWord = undefined;
    const prefix = t.prefix?.toLowerCase();
    if (t.quoted) {
      if (prefix === undefined) return phrase(t.value, 'any', `"${t.value}"`, depth, excluded);
      if (prefix === 'title' || prefix === 'abstract') return phrase(t.value, prefix, `${prefix}:"${t.value}"`, depth, excluded);
      if (FILTER.test(`${prefix}:`)) return filterItem(prefix, t.value, `${prefix}:"${t.value}"`, depth, excluded);
      return words(`${t.prefix} ${t.value}`, 'any', depth, excluded);
    }
    if (t.value === '-') {
      problem('A lone `-` was left out (write `-word` to leave out papers with that word).');
      return undefined;
    }
    const filter = FILTER.exec(t.value);
    if (filter) return filterItem(filter[1]!.toLowerCase(), filter[2]!, t.value, depth, excluded);
    // A paper known only by its title has a `title:` id; autocomplete offers it as the value to search.
    const titleId = t.value.toLowerCase().startsWith(TITLE_ID_PREFIX) ? parsePaperId(t.value.toLowerCase()) : undefined;
    if (titleId) {
      namedId(titleId, excluded);
      return undefined;
    }
    const scoped = SCOPE.exec(t.value);
    if (scoped) return words(scoped[2]!, scoped[1]!.toLowerCase() as MatchScope, depth, excluded, t.value);
    // What pasting around an id leaves ("," "(" ")") is no word, and no part of the text a title is compared with.
    if (!/[\p{L}\p{N}]/u.test(t.value)) return undefined;
    return words(t.value, 'any', depth, excluded);
  }

  /**
   * A paper named by its id: those papers first. Leaving one out by its id is refused rather than
   * read as naming it (search would list it first, a topic would match nothing).
   */
  function namedId(id: string, excluded: boolean): void {
    if (excluded) {
      throw new UserFacingError(
        `\`-${shorten(id)}\`: a query cannot leave out a paper by its id.`,
        'Leave out its distinctive words instead (`-"its title words"`), or drop the id.',
      );
    }
    addId(query, id);
  }

  /** The placeholders of ids inside a quoted phrase taken as named ids (see namedId), and the phrase without them. */
  function phraseIds(raw: string, excluded: boolean): string {
    return raw.replace(/\uE000(\d+)\uE001/g, (_, k: string) => {
      namedId(ids[Number(k)]!, excluded);
      return ' ';
    });
  }

  /** The phrase limits (QUERY_LIMITS.phrases, .phraseWords), for quoted phrases and for joined words read as one (`-a-b`, `title:a-b`). */
  function countPhrase(raw: string, words: number): void {
    if (words > QUERY_LIMITS.phraseWords) {
      throw new UserFacingError(
        `The phrase "${shorten(raw)}" has ${words} words; a phrase has at most ${QUERY_LIMITS.phraseWords}.`,
        'Quote the few words that must appear together, and leave the rest unquoted.',
      );
    }
    if (++phrases > QUERY_LIMITS.phrases) {
      throw new UserFacingError(
        `A query has at most ${QUERY_LIMITS.phrases} quoted phrases (words joined by \`-\` after \`-\`, title: or abstract: count as one).`,
        'Leave the less important ones unquoted.',
      );
    }
  }

  function countOperand(depth: number, excluded: boolean, scope: MatchScope): void {
    if (depth === 0 && !excluded && scope === 'any') return;
    if (++operands > QUERY_LIMITS.operands) {
      throw new UserFacingError(
        `A query has at most ${QUERY_LIMITS.operands} words, phrases and filters inside parentheses, excluded with \`-\` or limited to title: or abstract:.`,
        'Keep the exclusions and groups that matter most.',
      );
    }
  }

  /**
   * A run of text as words. Free words (not excluded, not scoped) are each a word of the query,
   * stopwords included (they match anything: "the" narrows nothing). Excluded or scoped text
   * must say something: several words are read as a phrase (`-state-of-the-art`).
   */
  function words(raw: string, scope: MatchScope, depth: number, excluded: boolean, typed = raw): MatchNode | undefined {
    const all = queryWords(raw);
    const free = scope === 'any' && !excluded;
    if (free) {
      if (all.length === 0) return undefined;
      countOperand(depth, excluded, scope);
      reader.text.push(raw);
      reader.lastFreeWord = all.at(-1);
      const leaves: MatchNode[] = all.map((word) => ({ kind: 'word', text: all.length === 1 ? typed : word.word, scope, word }));
      return leaves.length === 1 ? leaves[0] : { kind: 'all', text: typed, nodes: leaves };
    }
    // Excluding "state" for `-state-of-the-art`, or "doc" for `-OmniDocBench`, would leave out far
    // more than asked: joined parts are a phrase, and a compound stands for its whole form.
    const content = queryWords(raw.replace(/[^\p{L}\p{N}]+/gu, ' '))
      .filter((w) => w.terms.length > 0)
      .map((w) => (w.terms.length > 1 && w.terms.includes(w.word) ? { word: w.word, terms: [w.word] } : w));
    if (content.length === 0) {
      problem(`\`${shorten(typed)}\` has no word Paperboy looks for (words like "the" are not indexed); it was left out.`);
      return undefined;
    }
    countOperand(depth, excluded, scope);
    if (content.length === 1) return { kind: 'word', text: typed, scope, word: content[0]! };
    countPhrase(raw, content.length);
    return phraseNode(raw, content, scope, typed);
  }

  function phrase(typedRaw: string, scope: MatchScope, typedWithIds: string, depth: number, excluded: boolean): MatchNode | undefined {
    const raw = phraseIds(typedRaw, excluded);
    const typed = typedWithIds.replace(/\uE000(\d+)\uE001/g, (_, k: string) => ids[Number(k)]!);
    const content = queryWords(raw).filter((w) => w.terms.length > 0);
    if (content.length === 0) {
      if (excluded || scope !== 'any') problem(`\`${shorten(typed)}\` has no word Paperboy looks for (words like "the" are not indexed); it was left out.`);
      return undefined;
    }
    countPhrase(raw, content.length);
    countOperand(depth, excluded, scope);
    if (scope === 'any' && !excluded) reader.text.push(raw);
    return phraseNode(raw, content, scope, typed);
  }

  function phraseNode(raw: string, content: QueryWord[], scope: MatchScope, typed: string): MatchNode {
    return { kind: 'phrase', text: typed, scope, words: content, key: ` ${normalizeTitleKey(raw)} ` };
  }

  function filterItem(name: string, value: string, typed: string, depth: number, excluded: boolean): MatchNode {
    countOperand(depth, excluded, 'any');
    const filters: QueryFilters = { authors: [], categories: [], hasCode: false };
    applyFilter(filters, name, value, counts);
    return { kind: 'filter', text: typed, filters };
  }
}

/**
 * What the planner and the index read from the expression: the words to rank by (every word not
 * excluded, stopwords included, in the order typed, also those in OR groups or scoped), and the
 * phrases and filters every result must hold (items side by side at the top, not excluded).
 */
function rankedWords(query: ParsedQuery): QueryWord[] {
  const words: QueryWord[] = [];
  const visit = (node: MatchNode, top: boolean, excluded: boolean): void => {
    switch (node.kind) {
      case 'word':
        if (!excluded) words.push(node.word);
        return;
      case 'phrase':
        if (excluded) return;
        if (top) query.phrases.push(node.words);
        else words.push(...node.words);
        return;
      case 'filter':
        if (!excluded && top) mergeFilters(query, node.filters);
        return;
      case 'not':
        // Under an exclusion nothing ranks, however many `-` (`-(a -b)`: b is no search word).
        return visit(node.node, false, true);
      case 'all':
        for (const n of node.nodes) visit(n, top, excluded);
        return;
      case 'any':
        for (const n of node.nodes) visit(n, false, excluded);
        return;
    }
  };
  visit(query.match, true, false);
  return words;
}

function mergeFilters(into: QueryFilters, f: QueryFilters): void {
  into.authors.push(...f.authors);
  into.categories.push(...f.categories);
  if (f.after !== undefined) into.after = Math.max(into.after ?? 0, f.after);
  if (f.before !== undefined) into.before = Math.min(into.before ?? 99_999_999, f.before);
  if (f.hasCode) into.hasCode = true;
}

function applyFilter(query: QueryFilters, name: string, rawValue: string, counts: { author: number; cat: number }): void {
  const value = rawValue.trim();
  if (!value) throw new UserFacingError(`\`${name}:\` needs a value.`, filterHint(name));
  if (value.length > QUERY_LIMITS.filterValueChars) {
    throw new UserFacingError(`\`${name}:${shorten(value)}\` is too long for a ${name}: filter.`, filterHint(name));
  }
  switch (name) {
    case 'author': {
      // A full name means that one author ("Tri Dao" → tri_dao), a surname any author of that name.
      const terms = authorFilterTerms(value);
      if (terms.length === 0) throw new UserFacingError(`\`author:${shorten(value)}\` has no name in it.`, filterHint(name));
      query.authors.push(terms.slice(0, QUERY_LIMITS.termsPerWord));
      if (++counts.author > QUERY_LIMITS.filtersOfAKind) {
        throw new UserFacingError(`A query has at most ${QUERY_LIMITS.filtersOfAKind} author: filters.`, filterHint(name));
      }
      return;
    }
    case 'cat':
    case 'category': {
      if (!/^[a-z-]+(\.[a-z-]+)?$/i.test(value)) {
        throw new UserFacingError(`\`cat:${shorten(value)}\` is not an arXiv category.`, filterHint('cat'));
      }
      query.categories.push(value.toLowerCase());
      if (++counts.cat > QUERY_LIMITS.filtersOfAKind) {
        throw new UserFacingError(`A query has at most ${QUERY_LIMITS.filtersOfAKind} cat: filters.`, filterHint('cat'));
      }
      return;
    }
    case 'after':
      query.after = Math.max(query.after ?? 0, parseDateBound(name, value));
      return;
    case 'before':
      query.before = Math.min(query.before ?? 99_999_999, parseDateBound(name, value));
      return;
    case 'year': {
      if (!/^\d{4}$/.test(value)) throw new UserFacingError(`\`year:${shorten(value)}\` is not a year.`, filterHint(name));
      const year = Number(value);
      query.after = Math.max(query.after ?? 0, year * 10_000 + 101);
      query.before = Math.min(query.before ?? 99_999_999, (year + 1) * 10_000 + 101);
      return;
    }
    case 'has':
      if (value.toLowerCase() !== 'code') throw new UserFacingError(`\`has:${shorten(value)}\` is not known.`, filterHint(name));
      query.hasCode = true;
      return;
  }
}

/** "2024", "2024-06" or "2024-06-15" → yyyymmdd of its first day. */
function parseDateBound(name: string, value: string): number {
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(value);
  const year = Number(m?.[1]);
  const month = m?.[2] ? Number(m[2]) : 1;
  const day = m?.[3] ? Number(m[3]) : 1;
  const valid = m && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
  if (!valid) throw new UserFacingError(`\`${name}:${shorten(value)}\` is not a date.`, filterHint(name));
  return year * 10_000 + month * 100 + day;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function filterHint(name: string): string {
  switch (name) {
    case 'author':
      return 'Try `author:hinton` or `author:"de vries"`.';
    case 'cat':
      return 'Try `cat:cs.CL` or `cat:cs`.';
    case 'has':
      return 'Try `has:code`.';
    case 'year':
      return 'Try `year:2025`.';
    default:
      return `Try \`${name}:2024-06\` or \`${name}:2025-01-15\`.`;
  }
}

/** "2024-05-27" → 20240527; undefined when absent. */
export function dateNumber(date: string | undefined): number | undefined {
  if (!date) return undefined;
  return Number(date.slice(0, 4)) * 10_000 + Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10));
}
