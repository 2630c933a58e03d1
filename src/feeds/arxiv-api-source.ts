import { ArxivApiError, parseArxivFeedMeta } from '../core/parsers/arxiv-atom.js';
import type { Clock, HttpClient, HttpError } from './http-fetch.js';
import type { ValidatorStore } from './memory-validators.js';
import { createBodyParser, type BodyParser } from './parse-body.js';
import { checkArxivCategories, startSourceRun, trimBaseUrl, type Source } from './source.js';

/**
 * The arXiv API (`{baseUrl}/api/query`): the newest submissions in the configured categories,
 * one request per run:
 *   search_query=cat:cs.CL+OR+cat:cs.LG…&sortBy=submittedDate&sortOrder=descending&start=0&max_results=N
 * arXiv asks for 3 s between requests and one connection: the HTTP client paces the host
 * (createSources sets that up), not this file.
 *
 * The API announces papers once a day; a busy category set (cs.CL+cs.LG+cs.AI: ~1,000 a day) has
 * more than `maxResults` new entries at once. The RSS source carries the complete daily listing.
 */

export type ArxivApiSourceOptions = {
  http: HttpClient;
  baseUrl?: string;
  categories: string[];
  maxResults?: number;
  /** Unused: kept so every source takes the same deps. */
  clock?: Clock;
  validators: ValidatorStore;
  /** Big bodies parse off the event loop; createSources shares one between the sources. */
  bodyParser?: BodyParser;
};

// The API's own limit per request.
const MAX_RESULTS_LIMIT = 2000;

export function createArxivApiSource({
  http,
  baseUrl = 'https://export.arxiv.org',
  categories,
  maxResults = 100,
  validators,
  bodyParser = createBodyParser(),
}: ArxivApiSourceOptions): Source {
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS_LIMIT) {
    throw new RangeError(`arXiv maxResults must be an integer from 1 to ${MAX_RESULTS_LIMIT}, got ${maxResults}`);
  }
  const url = arxivQueryUrl(trimBaseUrl(baseUrl), checkArxivCategories(categories), maxResults);
  return {
    name: 'arxiv',
    async fetch() {
      const run = startSourceRun('arxiv', http, validators);
      await run.request(url, (body) => bodyParser.parse('arxiv', body), { explainHttpError: explainArxivError });
      return run.result;
    },
  };
}

/** Categories are checked by checkArxivCategories, so they need no escaping; `+` is the query's space. */
export function arxivQueryUrl(base: string, categories: readonly string[], maxResults: number): string {
  const query = categories.map((c) => `cat:${c}`).join('+OR+');
  return `${base}/api/query?search_query=${query}&sortBy=submittedDate&sortOrder=descending&start=0&max_results=${maxResults}`;
}

// A bad query comes back as HTTP 400 whose body is the error feed: its summary says what is wrong.
function explainArxivError(error: HttpError): string | undefined {
  if (!error.body) return undefined;
  try {
    parseArxivFeedMeta(error.body);
  } catch (parsed) {
    if (parsed instanceof ArxivApiError) return `${parsed.message} (HTTP ${error.status})`;
  }
  return undefined;
}
