import { normalizePaper, PaperError, paperSchema, type Paper, type PaperInput } from '../paper.js';
import type { ParseResult } from './import-result.js';

/**
 * Small field conversions the importers share. Dates keep the calendar day the source wrote
 * (no timezone shift): arXiv's "2026-09-25T00:00:00-04:00" is an announcement on the 25th.
 */

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;
// "Mon, 27 Apr 2026 00:00:00 -0400" (RFC 822 as RSS uses it); the weekday is optional.
const RFC822_DAY = /^\s*(?:[a-z]{3},\s*)?(\d{1,2})\s+([a-z]{3})[a-z]*\s+(\d{4})\b/i;

/** A real calendar day as YYYY-MM-DD, or undefined (rejects 2025-02-30). `month` is 1-based. */
export function calendarDay(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** "2024-10-22T17:59:30.000Z" or "2024-10-22" → "2024-10-22". */
export function isoDay(text: string | undefined): string | undefined {
  const m = text === undefined ? null : ISO_DAY.exec(text.trim());
  return m ? calendarDay(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}

/** "Mon, 27 Apr 2026 00:00:00 -0400" → "2026-04-27". */
export function rfc822Day(text: string | undefined): string | undefined {
  const m = text === undefined ? null : RFC822_DAY.exec(text);
  if (!m) return undefined;
  const month = monthNumber(m[2]!);
  return month ? calendarDay(Number(m[3]), month, Number(m[1])) : undefined;
}

/** "Apr", "april" → 4; anything else → undefined. */
export function monthNumber(name: string): number | undefined {
  const i = MONTHS.indexOf(name.slice(0, 3).toLowerCase() as (typeof MONTHS)[number]);
  return i >= 0 ? i + 1 : undefined;
}

// The exact rule paperSchema applies to links and thumbnails, so a URL accepted here never makes
// normalizePaper reject the whole paper.
const httpUrlSchema = paperSchema.shape.thumbnail;

/** The text if it is an absolute http(s) URL, else undefined (sources send "" or junk at times). */
export function httpUrl(text: string | undefined): string | undefined {
  const s = text?.trim();
  if (!s) return undefined;
  return httpUrlSchema.safeParse(s).success ? s : undefined;
}

export function asArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

// Long messages of unexpected errors stay readable in a skip note.
const MAX_UNEXPECTED_REASON = 120;

/**
 * Build and normalise one record: a PaperError (from `build` or from normalizePaper) becomes a
 * skip note with its reason. Anything else thrown for one record becomes a skip note too, marked
 * "unreadable": a feed keeps listing the same record run after run, so letting it propagate would
 * fail the whole source until the record drops off (issue 7: a URIError did that for days). The
 * note is counted and shown in the source's log line, so such a bug still gets seen.
 */
export function collectPaper(result: ParseResult, where: string, build: () => PaperInput): Paper | undefined {
  try {
    const paper = normalizePaper(build());
    result.papers.push(paper);
    return paper;
  } catch (error) {
    const unexpected = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const reason = error instanceof PaperError ? error.message : `unreadable (${unexpected.slice(0, MAX_UNEXPECTED_REASON)})`;
    result.skipped.push({ where, reason });
    return undefined;
  }
}
