import type { Clock, HttpClient } from './http-fetch.js';
import type { ValidatorStore } from './memory-validators.js';
import { createBodyParser, type BodyParser } from './parse-body.js';
import { startSourceRun, trimBaseUrl, type Source } from './source.js';

/**
 * Hugging Face Daily Papers: `GET {baseUrl}/api/daily_papers?date=YYYY-MM-DD` for today and the
 * `days − 1` days before it (UTC dates, newest first, one request at a time). Each day is its own
 * URL with its own validators; a day that fails does not cost the others.
 */

export type HfDailySourceOptions = {
  http: HttpClient;
  baseUrl?: string;
  days?: number;
  clock: Clock;
  validators: ValidatorStore;
  /** Big bodies parse off the event loop; createSources shares one between the sources. */
  bodyParser?: BodyParser;
};

const DAY_MS = 86_400_000;

export function createHfDailySource({
  http,
  baseUrl = 'https://huggingface.co',
  days = 3,
  clock,
  validators,
  bodyParser = createBodyParser(),
}: HfDailySourceOptions): Source {
  if (!Number.isInteger(days) || days < 1 || days > 30) throw new RangeError(`HF days must be an integer from 1 to 30, got ${days}`);
  const base = trimBaseUrl(baseUrl);
  return {
    name: 'hf',
    async fetch() {
      const run = startSourceRun('hf', http, validators);
      for (const date of recentUtcDates(clock.now(), days)) {
        await run.request(`${base}/api/daily_papers?date=${date}`, (body) => bodyParser.parse('hf', body), { where: `date ${date}` });
      }
      return run.result;
    },
  };
}

/** The UTC calendar days ending at `now`, newest first: (2026-08-21T01:00Z, 3) → 08-21, 08-20, 08-19. */
export function recentUtcDates(now: number, days: number): string[] {
  return Array.from({ length: days }, (_, i) => new Date(now - i * DAY_MS).toISOString().slice(0, 10));
}
