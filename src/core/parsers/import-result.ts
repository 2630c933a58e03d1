import type { Paper } from '../paper.js';

/** A record an importer could not turn into a Paper. `where` is 1-based: "entry 3", "line 17". */
export type ImportSkip = { where: string; reason: string };

/** What every parser returns: the papers it could read and a note for each record it could not. */
export type ParseResult = { papers: Paper[]; skipped: ImportSkip[] };

export const IMPORT_FORMATS = ['hf', 'arxiv', 'rss', 'page', 'jsonl'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

const FORMAT_NAMES = {
  hf: 'a Hugging Face Daily Papers response',
  arxiv: 'an arXiv API Atom feed',
  rss: 'an arXiv RSS/Atom listing feed',
  page: 'a Daily Papers page text',
  jsonl: 'a paper records file',
} as const satisfies Record<ImportFormat, string>;

/**
 * The input as a whole is not of the format it was parsed as (wrong file, truncated JSON, broken
 * XML). Records that are merely bad are skipped instead; this is for "nothing here can be read".
 */
export class ImportFormatError extends Error {
  override name = 'ImportFormatError';

  constructor(
    readonly format: ImportFormat,
    expected: string,
    detail?: string,
  ) {
    super(`not ${FORMAT_NAMES[format]}: expected ${expected}${detail ? ` (${detail})` : ''}`);
  }
}

/** "entry 3: paper.id missing": the one-line form import summaries print. */
export function describeSkip(skip: ImportSkip): string {
  return `${skip.where}: ${skip.reason}`;
}
