import type { Paper } from '../core/paper.js';
import { ArxivApiError } from '../core/parsers/arxiv-atom.js';
import { ImportFormatError, type ImportSkip } from '../core/parsers/import-result.js';
import { HttpError, type HttpClient, type Validators } from './http-fetch.js';
import { BodyFormatError } from './parse-body.js';
import type { ValidatorStore } from './memory-validators.js';

/**
 * What the network sources share: the result shape and one request helper that does the
 * conditional GET, the parse and the bookkeeping.
 *
 * Failure rules:
 * - A request that fails (HTTP error after retries, timeout) or whose body does not parse as a
 *   whole (truncated JSON, broken XML, the arXiv error feed) is a failure of that request: it is
 *   listed in `failures` and contributes no papers. The other requests of the source still count.
 * - A body that parses but holds bad records gives its good papers; the bad ones are in `skipped`.
 * - `fetch()` resolves even when every request failed; it rejects only on the unexpected (a bug,
 *   the validator store failing), which fetchAllSources reports as that source's error.
 *
 * Validators are not saved during fetch: `commit()` saves those of the bodies that parsed. Call
 * it once the papers are safely in the library. Saved too early, a crash before the merge would
 * turn the next run into a 304 and those papers would never arrive; not called at all, the next
 * run simply downloads again.
 */

export const SOURCE_NAMES = ['hf', 'arxiv', 'rss'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export type SourceFailure = { where: string; error: string };

export type SourceResult = {
  source: SourceName;
  papers: Paper[];
  /** Records that could not become a Paper: `where` names the request (when there are several) and the record. */
  skipped: ImportSkip[];
  /** Good records left out on purpose (RSS replacement announcements: old papers, new versions). */
  ignored: number;
  /** Requests answered 304 Not Modified. */
  notModified: number;
  requests: number;
  failures: SourceFailure[];
  /** Save the validators of this run's parsed responses (see above). */
  commit(): Promise<void>;
};

export type Source = {
  name: SourceName;
  fetch(): Promise<SourceResult>;
};

/** What a body parser hands back to the request helper. */
export type ParsedBody = { papers: Paper[]; skipped: ImportSkip[]; ignored?: number };

export type RequestOptions = {
  /** Prefix for skip notes and the failure label ("date 2026-08-21"); omit for single-request sources. */
  where?: string;
  /** Turn an HTTP error into a clearer message (the arXiv API explains a 400 in its body). */
  explainHttpError?: (error: HttpError) => string | undefined;
};

// Long parser messages stay readable in one log line.
const MAX_ERROR_LENGTH = 300;

export function startSourceRun(source: SourceName, http: HttpClient, store: ValidatorStore) {
  const pending = new Map<string, Validators>();
  const result: SourceResult = {
    source,
    papers: [],
    skipped: [],
    ignored: 0,
    notModified: 0,
    requests: 0,
    failures: [],
    async commit() {
      for (const [url, validators] of pending) await store.set(url, validators);
      pending.clear();
    },
  };

  function fail(where: string | undefined, error: string): void {
    const message = error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
    result.failures.push({ where: where ?? source, error: message });
  }

  async function request(url: string, parse: (body: string) => ParsedBody | Promise<ParsedBody>, options: RequestOptions = {}): Promise<void> {
    const { where, explainHttpError } = options;
    const known = await store.get(url);
    result.requests++;
    let response;
    try {
      response = await http.get(url, known ?? {});
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      fail(where, explainHttpError?.(error) ?? error.message);
      return;
    }
    if (response.status === 304) {
      result.notModified++;
      return;
    }
    let parsed: ParsedBody;
    try {
      parsed = await parse(response.body);
    } catch (error) {
      if (error instanceof ImportFormatError || error instanceof ArxivApiError || error instanceof BodyFormatError) {
        fail(where, error.message);
        return;
      }
      throw error;
    }
    result.papers.push(...parsed.papers);
    for (const skip of parsed.skipped) {
      result.skipped.push(where ? { where: `${where}, ${skip.where}`, reason: skip.reason } : skip);
    }
    result.ignored += parsed.ignored ?? 0;
    const fresh: Validators = {};
    if (response.etag) fresh.etag = response.etag;
    if (response.lastModified) fresh.lastModified = response.lastModified;
    // Nothing to remember and nothing stale to overwrite: leave the store alone.
    if (fresh.etag || fresh.lastModified || known?.etag || known?.lastModified) pending.set(url, fresh);
  }

  return { result, request };
}

/** `https://huggingface.co/` → `https://huggingface.co`; the config may write either. */
export function trimBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

// cs.CL, hep-th, astro-ph.CO, q-bio.NC, math.AG: what may appear in a query or feed path unescaped.
const ARXIV_CATEGORY = /^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[A-Za-z]+)?)?$/;

/** Validate the configured categories; a typo fails at start-up instead of as an odd query. */
export function checkArxivCategories(categories: readonly string[]): string[] {
  const cleaned = [...new Set(categories.map((c) => c.trim()).filter((c) => c.length > 0))];
  if (cleaned.length === 0) throw new Error('arXiv sources need at least one category');
  const bad = cleaned.find((c) => !ARXIV_CATEGORY.test(c));
  if (bad !== undefined) throw new Error(`"${bad.slice(0, 40)}" is not an arXiv category (expected e.g. cs.CL)`);
  return cleaned;
}
