import { parseArxivAtom } from '../core/parsers/arxiv-atom.js';
import { parseArxivListing } from '../core/parsers/arxiv-rss.js';
import { parseHfDailyPapers } from '../core/parsers/hf-daily-papers.js';

/** The parsers a source body can go through, by name: a name is what crosses to the parse worker. */
export const BODY_PARSERS = {
  hf: parseHfDailyPapers,
  arxiv: parseArxivAtom,
  'rss-listing': parseArxivListing,
} as const;

export type BodyFormat = keyof typeof BODY_PARSERS;
export type BodyParseResult<F extends BodyFormat> = ReturnType<(typeof BODY_PARSERS)[F]>;
