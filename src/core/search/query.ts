import { UserFacingError } from '../errors.js';
import { findPaperIds, parsePaperId, TITLE_ID_PREFIX } from '../paper-id.js';
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
 *   2405.17399, arXiv:…, URLs  those papers first, in the order named (ids are found anywhere in the
 *                              text, with any punctuation around them; the rest is searched as words)
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
  /** What a message quotes of the user's text at most. */
  echoChars: 40,
} as const;

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
  };
  const normalized = input.normalize('NFC');
  const found = findPaperIds(normalized);
  for (const { id } of found) addId(query, id);
  const rest = withoutIds(normalized, found);
  const freeText: string[] = [];
  const allText: string[] = [];
  let lastTokenIsFree = false;
  for (const token of splitTokens(rest)) {
    lastTokenIsFree = false;
    if (token.quoted) {
      const words = queryWords(token.value).filter((w) => w.terms.length > 0);
      if (words.length > QUERY_LIMITS.phraseWords) {
        throw new UserFacingError(
          `The phrase "${shorten(token.value)}" has ${words.length} words; a quoted phrase has at most ${QUERY_LIMITS.phraseWords}.`,
          'Quote the few words that must appear together, and leave the rest unquoted.',
        );
      }
      if (words.length > 0) query.phrases.push(words);
      if (query.phrases.length > QUERY_LIMITS.phrases) {
        throw new UserFacingError(`A query has at most ${QUERY_LIMITS.phrases} quoted phrases.`, 'Leave the less important ones unquoted.');
      }
      allText.push(token.value);
      continue;
    }
    const filter = FILTER.exec(token.value);
    if (filter) {
      applyFilter(query, filter[1]!.toLowerCase(), filter[2]!);
      continue;
    }
    // A paper known only by its title has a `title:` id; autocomplete offers it as the value to search.
    const titleId = token.value.toLowerCase().startsWith(TITLE_ID_PREFIX) ? parsePaperId(token.value.toLowerCase()) : undefined;
    if (titleId) {
      addId(query, titleId);
      continue;
    }
    // What pasting around an id leaves ("," "(" ")") is no word, and no part of the text a title is compared with.
    if (!/[\p{L}\p{N}]/u.test(token.value)) continue;
    freeText.push(token.value);
    allText.push(token.value);
    lastTokenIsFree = true;
  }
  query.text = allText.join(' ');
  query.words = boundWords(queryWords(freeText.join(' ')), query.notes);
  // Still typing the last word: the text ends in a letter or digit (an id at the end counts as
  // finished), its last token is a free word, and that word is not a stopword.
  const last = rest.at(-1);
  const lastWord = query.words.at(-1);
  query.lastWordIsPrefix =
    last !== undefined && /[\p{L}\p{N}]/u.test(last) && lastTokenIsFree && lastWord !== undefined && lastWord.terms.length > 0;
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

/**
 * The text with every found id blanked out (spaces keep the words around it apart), so that a
 * query of ids and punctuation has no words left, and `2405.17399, diffusion` searches "diffusion".
 * An id inside a link of a site findPaperIds does not know takes the whole link with it, and a
 * spelled-out "arXiv" before an id goes with the id.
 */
function withoutIds(text: string, found: readonly { start: number; end: number }[]): string {
  const spans = found.map(({ start, end }) => {
    const runStart = start - /\S*$/.exec(text.slice(0, start))![0].length;
    if (LINK_BEFORE_ID.test(text.slice(runStart, start))) {
      return { start: runStart, end: end + /^\S*/.exec(text.slice(end))![0].length };
    }
    const word = ARXIV_BEFORE_ID.exec(text.slice(0, start));
    return { start: word ? word.index : start, end };
  });
  let out = '';
  let from = 0;
  for (const span of spans.sort((a, b) => a.start - b.start)) {
    if (span.start > from) out += text.slice(from, span.start);
    const blankFrom = Math.max(from, span.start);
    if (span.end > blankFrom) {
      out += ' '.repeat(span.end - blankFrom);
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

type RawToken = { value: string; quoted: boolean };

/** Whitespace-separated tokens; "double quotes" group words, also after a filter (author:"de vries"). */
function splitTokens(input: string): RawToken[] {
  const tokens: RawToken[] = [];
  const re = /(\w+:)?"([^"]*)"?|(\S+)/gu;
  for (const m of input.normalize('NFC').matchAll(re)) {
    if (m[2] !== undefined) {
      if (m[1]) tokens.push({ value: `${m[1]}${m[2]}`, quoted: false });
      else if (m[2].trim()) tokens.push({ value: m[2], quoted: true });
    } else if (m[3]) {
      tokens.push({ value: m[3], quoted: false });
    }
  }
  return tokens;
}

function applyFilter(query: ParsedQuery, name: string, rawValue: string): void {
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
      if (query.authors.length > QUERY_LIMITS.filtersOfAKind) {
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
      if (query.categories.length > QUERY_LIMITS.filtersOfAKind) {
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
