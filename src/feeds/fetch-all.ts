import type { Paper } from '../core/paper.js';
import type { ImportSkip } from '../core/parsers/import-result.js';
import type { Logger } from '../logger.js';
import { createArxivApiSource } from './arxiv-api-source.js';
import { createArxivRssSource } from './arxiv-rss-source.js';
import { createHfDailySource } from './hf-daily-source.js';
import { createHttpClient, type Clock, type HttpClient, type HttpClientOptions } from './http-fetch.js';
import type { ValidatorStore } from './memory-validators.js';
import { createBodyParser, type BodyParser } from './parse-body.js';
import type { Source, SourceName, SourceResult } from './source.js';

/**
 * Run every source at once; one failing never stops the others. Logs one line per source with
 * its counts. New/updated counts are only known after the caller merged the papers into the
 * library: logSourceOutcome logs those.
 */

export type SourceOutcome = {
  name: SourceName;
  /** False when the source failed outright or any of its requests did; its papers still count. */
  ok: boolean;
  papers: Paper[];
  skipped: ImportSkip[];
  ignored: number;
  notModified: number;
  requests: number;
  durationMs: number;
  /** Why it was not ok, one line ("date 2026-08-21: GET huggingface.co/api/daily_papers: HTTP 500 (4 attempts)"). */
  error?: string;
};

export type FetchAllResult = {
  /** Every source's papers in source order; the same paper may come from several sources (the library merges). */
  papers: Paper[];
  results: SourceOutcome[];
  /** Save the validators of every source that delivered; call after the papers are in the library. */
  commit(): Promise<void>;
};

// A few examples of skipped records in the log line; the rest are counted.
const SKIP_EXAMPLES = 3;

export async function fetchAllSources(sources: readonly Source[], logger: Logger): Promise<FetchAllResult> {
  const settled = await Promise.allSettled(sources.map((source) => timed(source)));
  const results: SourceOutcome[] = [];
  const committable: SourceResult[] = [];
  settled.forEach((outcome, i) => {
    const name = sources[i]!.name;
    const entry =
      outcome.status === 'fulfilled'
        ? toOutcome(name, outcome.value.result, outcome.value.durationMs)
        : failedOutcome(name, outcome.reason);
    if (outcome.status === 'fulfilled') committable.push(outcome.value.result);
    logFetch(logger, entry);
    results.push(entry);
  });
  return {
    papers: results.flatMap((r) => r.papers),
    results,
    async commit() {
      for (const result of committable) await result.commit();
    },
  };
}

/** The caller's line after merging one source's papers into the library. */
export function logSourceOutcome(logger: Logger, name: SourceName, counts: { new: number; updated: number; skipped: number }): void {
  logger.info({ source: name, new: counts.new, updated: counts.updated, skipped: counts.skipped }, 'source merged');
}

async function timed(source: Source): Promise<{ result: SourceResult; durationMs: number }> {
  const started = performance.now();
  const result = await source.fetch();
  return { result, durationMs: Math.round(performance.now() - started) };
}

function toOutcome(name: SourceName, result: SourceResult, durationMs: number): SourceOutcome {
  const outcome: SourceOutcome = {
    name,
    ok: result.failures.length === 0,
    papers: result.papers,
    skipped: result.skipped,
    ignored: result.ignored,
    notModified: result.notModified,
    requests: result.requests,
    durationMs,
  };
  if (result.failures.length > 0) {
    outcome.error = result.failures.map((f) => (f.where === name ? f.error : `${f.where}: ${f.error}`)).join('; ');
  }
  return outcome;
}

// A rejected fetch is a bug or a storage failure, not a network problem: say so briefly, log the rest.
function failedOutcome(name: SourceName, reason: unknown): SourceOutcome {
  const message = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  return {
    name,
    ok: false,
    papers: [],
    skipped: [],
    ignored: 0,
    notModified: 0,
    requests: 0,
    durationMs: 0,
    error: message.slice(0, 300),
  };
}

function logFetch(logger: Logger, o: SourceOutcome): void {
  const fields = {
    source: o.name,
    papers: o.papers.length,
    skipped: o.skipped.length,
    ignored: o.ignored,
    notModified: o.notModified,
    requests: o.requests,
    durationMs: o.durationMs,
    ...(o.skipped.length > 0 ? { skippedExamples: o.skipped.slice(0, SKIP_EXAMPLES).map((s) => `${s.where}: ${s.reason}`) } : {}),
  };
  if (o.ok) logger.info(fields, 'source fetched');
  else logger.warn({ ...fields, error: o.error }, 'source failed');
}

// ---------------------------------------------------------------------------------------------
// Wiring from config

/** arXiv asks automated clients for at least 3 s between requests, over one connection. */
export const ARXIV_MIN_INTERVAL_MS = 3000;

export const DEFAULT_SOURCE_URLS = {
  hf: 'https://huggingface.co',
  arxiv: 'https://export.arxiv.org',
  rss: 'https://rss.arxiv.org',
} as const satisfies Record<SourceName, string>;

export type SourceSettings = {
  sources: SourceName[];
  arxivCategories: string[];
  hfApiUrl?: string;
  arxivApiUrl?: string;
  arxivRssUrl?: string;
  hfDays?: number;
  arxivMaxResults?: number;
  /** Largest response body a source may send, decompressed (FEED_MAX_BYTES); default DEFAULT_MAX_BYTES. */
  maxBytes?: number;
};

export type SourceDeps = {
  /** When given, it must pace the arXiv hosts itself (see sourceHostIntervals). */
  http?: HttpClient;
  clock: Clock;
  validators: ValidatorStore;
  logger: Logger;
  /** Overrides for the HTTP client built when `http` is not given (tests: short timeouts). */
  httpOptions?: Omit<HttpClientOptions, 'clock' | 'logger'>;
  /** Where big bodies are parsed, off the event loop; by default one shared by these sources. */
  bodyParser?: BodyParser;
};

/** The paced hosts for these settings: both arXiv services at ARXIV_MIN_INTERVAL_MS. */
export function sourceHostIntervals(settings: Pick<SourceSettings, 'arxivApiUrl' | 'arxivRssUrl'>): Record<string, number> {
  return {
    [new URL(settings.arxivApiUrl ?? DEFAULT_SOURCE_URLS.arxiv).host]: ARXIV_MIN_INTERVAL_MS,
    [new URL(settings.arxivRssUrl ?? DEFAULT_SOURCE_URLS.rss).host]: ARXIV_MIN_INTERVAL_MS,
  };
}

/** The enabled sources, in the order configured, sharing one HTTP client. */
export function createSources(settings: SourceSettings, deps: SourceDeps): Source[] {
  const { clock, validators, logger } = deps;
  const bodyParser = deps.bodyParser ?? createBodyParser();
  const http =
    deps.http ??
    createHttpClient({
      ...deps.httpOptions,
      maxBytes: deps.httpOptions?.maxBytes ?? settings.maxBytes,
      minIntervalMs: { ...sourceHostIntervals(settings), ...deps.httpOptions?.minIntervalMs },
      clock,
      logger,
    });
  return [...new Set(settings.sources)].map((name): Source => {
    switch (name) {
      case 'hf':
        return createHfDailySource({ http, baseUrl: settings.hfApiUrl, days: settings.hfDays, clock, validators, bodyParser });
      case 'arxiv':
        return createArxivApiSource({
          http,
          baseUrl: settings.arxivApiUrl,
          categories: settings.arxivCategories,
          maxResults: settings.arxivMaxResults,
          clock,
          validators,
          bodyParser,
        });
      case 'rss':
        return createArxivRssSource({ http, baseUrl: settings.arxivRssUrl, categories: settings.arxivCategories, validators, bodyParser });
    }
  });
}
