import type { HttpClient } from './http-fetch.js';
import type { ValidatorStore } from './memory-validators.js';
import { createBodyParser, type BodyParser } from './parse-body.js';
import { checkArxivCategories, startSourceRun, trimBaseUrl, type ParsedBody, type Source } from './source.js';

/**
 * arXiv's daily listings: ONE request for the combined feed `{baseUrl}/rss/cs.CL+cs.LG+cs.AI`.
 * Why combined rather than one feed per category: one request per run instead of N (arXiv asks
 * for few, spaced requests), one set of validators, and a paper cross-listed in two of the
 * categories comes once instead of once per feed. The feed is rebuilt once a day, so the
 * conditional request turns most runs into a 304.
 *
 * Replacement announcements (`replace`, `replace-cross`) are new versions of old papers, with the
 * announcement day as their only date: a topic channel would post them as new. They are left
 * out (counted in `ignored`) unless `includeReplacements` is set.
 */

export type ArxivRssSourceOptions = {
  http: HttpClient;
  baseUrl?: string;
  categories: string[];
  validators: ValidatorStore;
  includeReplacements?: boolean;
  /** Big bodies parse off the event loop; createSources shares one between the sources. */
  bodyParser?: BodyParser;
};

const NEW_ANNOUNCEMENTS = new Set(['new', 'cross']);

export function createArxivRssSource({
  http,
  baseUrl = 'https://rss.arxiv.org',
  categories,
  validators,
  includeReplacements = false,
  bodyParser = createBodyParser(),
}: ArxivRssSourceOptions): Source {
  const url = `${trimBaseUrl(baseUrl)}/rss/${checkArxivCategories(categories).join('+')}`;
  const parse = async (body: string): Promise<ParsedBody> => {
    const listing = await bodyParser.parse('rss-listing', body);
    if (includeReplacements) return listing;
    // No announce type at all (an unusual feed): keep the paper rather than lose it.
    const papers = listing.papers.filter((p) => {
      const type = listing.announceTypes.get(p.id);
      return type === undefined || NEW_ANNOUNCEMENTS.has(type);
    });
    return { papers, skipped: listing.skipped, ignored: listing.papers.length - papers.length };
  };
  return {
    name: 'rss',
    async fetch() {
      const run = startSourceRun('rss', http, validators);
      await run.request(url, parse);
      return run.result;
    },
  };
}
