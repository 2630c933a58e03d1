import type { PaperInput } from '../paper.js';
import { titleId } from '../paper-id.js';
import { findAbstractLinks } from './abstract-links.js';
import { ImportFormatError, type ParseResult } from './import-result.js';
import { calendarDay, collectPaper, monthNumber } from './source-fields.js';

/**
 * The Hugging Face Daily Papers listing copied as text (the seed page). Paragraphs are separated
 * by blank lines; one entry is
 *
 *     Title line
 *
 *     Abstract paragraph
 *
 *       • 7 authors          ← optional
 *     ·
 *     Dec 8, 2023          ← or "May 19" (no year: the page's year), optionally "Jan 17 3" = 3 upvotes
 *
 * and the whole meta block may be missing. Page chrome ("new", "Subscribe", "Daily Papers",
 * "byAK and the research community", a lone date) comes before the first entry.
 *
 * The page has no arXiv ids and no author names: ids are title ids (merged into the real record
 * when an arXiv or HF import brings it) and authors stay empty rather than invented.
 */

export type DailyPapersPageOptions = {
  /** Year for dates shown without one ("May 19"): the year the page was captured. */
  year: number;
};

const EXPECTED = 'entries of a title line, an abstract paragraph and a "· date" line';
const AUTHORS_LINE = /^\s*•\s*(\d+)\s+authors?\s*$/i;
const DOT_LINE = /^\s*·\s*$/;
const DATE_LINE =
  /^\s*(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+(\d{1,2})(?:,\s*(\d{4}))?(?:\s+(\d+))?\s*$/;
const PAGE_CHROME = /^(?:new|subscribe|daily papers|get trending papers.*|by\s*AK and the research community)$/i;
const MAX_TITLE_LENGTH = 300;
// An abstract is a real paragraph; chrome lines are short. Shorter text still counts as an
// abstract when the entry's "· date" block follows it.
const MIN_ABSTRACT_LENGTH = 100;

type Paragraph = { line: number; text: string; lineCount: number; meta?: Meta };
type Meta = { authorCount?: number; date?: { month: number; day: number; year?: number }; upvotes?: number };

export function parseDailyPapersPage(text: string, options: DailyPapersPageOptions): ParseResult {
  if (!Number.isInteger(options.year) || options.year < 1990 || options.year > 2999) {
    throw new RangeError(`year must be a four-digit year, got ${options.year}`);
  }
  const paragraphs = splitParagraphs(text);
  const result: ParseResult = { papers: [], skipped: [] };
  let entries = 0;

  for (let i = 0; i < paragraphs.length; ) {
    const title = paragraphs[i]!;
    if (!isTitleLike(title)) {
      i++; // chrome, a lone date, or stray text: not a paper
      continue;
    }
    const next = paragraphs[i + 1];
    let abstract = '';
    let j = i + 1;
    if (next && !next.meta && (next.text.length >= MIN_ABSTRACT_LENGTH || paragraphs[i + 2]?.meta)) {
      abstract = next.text;
      j = i + 2;
      // A paragraph that cannot be a title continues the abstract (multi-paragraph abstracts).
      while (paragraphs[j] && !paragraphs[j]!.meta && !isTitleLike(paragraphs[j]!)) {
        abstract += ` ${paragraphs[j]!.text}`;
        j++;
      }
    } else if (!next?.meta) {
      i++; // a short line followed by neither abstract nor date: chrome
      continue;
    }
    const meta = paragraphs[j]?.meta;
    if (meta) j++;
    entries++;
    collectPaper(result, `line ${title.line}`, () => toPaperInput(title.text, abstract, meta, options.year));
    i = j;
  }

  if (entries === 0) throw new ImportFormatError('page', EXPECTED, 'no entries found');
  return result;
}

function toPaperInput(title: string, abstract: string, meta: Meta | undefined, pageYear: number): PaperInput {
  const date = meta?.date;
  return {
    id: titleId(title),
    title,
    abstract,
    authors: [], // the page shows only "• N authors"
    published: date ? calendarDay(date.year ?? pageYear, date.month, date.day) : undefined,
    upvotes: meta?.upvotes,
    links: findAbstractLinks(abstract),
    sources: ['page'],
  };
}

function isTitleLike(p: Paragraph): boolean {
  return !p.meta && p.lineCount === 1 && p.text.length <= MAX_TITLE_LENGTH && !PAGE_CHROME.test(p.text);
}

function splitParagraphs(text: string): Paragraph[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const paragraphs: Paragraph[] = [];
  let block: string[] = [];
  let start = 0;
  const flush = () => {
    if (block.length > 0) paragraphs.push(toParagraph(block, start + 1));
    block = [];
  };
  lines.forEach((line, i) => {
    if (line.trim() === '') {
      flush();
      return;
    }
    if (block.length === 0) start = i;
    block.push(line);
  });
  flush();
  return paragraphs;
}

function toParagraph(lines: string[], line: number): Paragraph {
  return { line, text: lines.map((l) => l.trim()).join(' '), lineCount: lines.length, meta: parseMeta(lines) };
}

/** The "• N authors / · / date" block, or undefined when any line is something else. */
function parseMeta(lines: string[]): Meta | undefined {
  const meta: Meta = {};
  for (const line of lines) {
    const authors = AUTHORS_LINE.exec(line);
    if (authors) {
      meta.authorCount = Number(authors[1]);
      continue;
    }
    if (DOT_LINE.test(line)) continue;
    const date = DATE_LINE.exec(line);
    const month = date ? monthNumber(date[1]!) : undefined;
    if (!date || !month) return undefined;
    meta.date = { month, day: Number(date[2]), year: date[3] ? Number(date[3]) : undefined };
    if (date[4]) meta.upvotes = Number(date[4]);
  }
  return meta;
}
