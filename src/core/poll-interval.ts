import { Cron } from 'croner';

/**
 * POLL_INTERVAL: how often the scheduler fetches and posts. Either a duration (`90s`, `30m`,
 * `2h`, `1h30m`, `1d`) or a cron expression of 5 fields (`*\/15 * * * *`) or 6 with seconds,
 * read in the process's local time zone (set TZ to change it).
 *
 * At least MIN_POLL_INTERVAL_MS between runs: a run asks Hugging Face for several days of
 * papers and arXiv for each category at 3 s intervals, and neither publishes more often than
 * every few minutes, so polling faster only costs them (and us) requests.
 */

export const MIN_POLL_INTERVAL_MS = 60_000;
export const MAX_POLL_INTERVAL_MS = 30 * 86_400_000;

export type PollSchedule =
  | { kind: 'every'; ms: number; text: string }
  | { kind: 'cron'; pattern: string; text: string };

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(?:\d+[smhd])+$/;
// Consecutive cron runs checked against the minimum: enough to catch `*/10 * * * * *` or
// `0,0-59/1 …`-style patterns whose tightest gap is not the first one.
const CRON_GAPS_CHECKED = 60;

/** Parse POLL_INTERVAL; throws an Error whose message says what is accepted (never echoing the value). */
export function parsePollInterval(input: string): PollSchedule {
  const text = input.trim();
  const compact = text.toLowerCase().replace(/\s+/g, '');
  if (DURATION.test(compact)) {
    let ms = 0;
    for (const [, amount, unit] of compact.matchAll(/(\d+)([smhd])/g)) ms += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
    if (ms < MIN_POLL_INTERVAL_MS) throw new Error('must be at least 60s (sources publish far less often)');
    if (ms > MAX_POLL_INTERVAL_MS) throw new Error('must be at most 30d');
    return { kind: 'every', ms, text };
  }
  if (/\s/.test(text)) {
    let cron: Cron;
    try {
      cron = new Cron(text, { mode: '5-or-6-parts' });
    } catch {
      throw new Error('is not a valid cron expression (5 fields, e.g. "*/30 * * * *", or 6 with seconds first)');
    }
    const runs = cron.nextRuns(CRON_GAPS_CHECKED + 1);
    cron.stop();
    if (runs.length === 0) throw new Error('is a cron expression that never runs');
    for (let i = 1; i < runs.length; i++) {
      if (runs[i]!.getTime() - runs[i - 1]!.getTime() < MIN_POLL_INTERVAL_MS) {
        throw new Error('is a cron expression that runs more often than once a minute');
      }
    }
    return { kind: 'cron', pattern: text, text };
  }
  throw new Error('must be a duration like 90s, 30m, 2h or 1h30m, or a cron expression like "*/30 * * * *"');
}

/** Milliseconds from `now` to the next run; undefined when a cron expression has no further run. */
export function delayUntilNextRun(schedule: PollSchedule, now: Date): number | undefined {
  if (schedule.kind === 'every') return schedule.ms;
  const cron = new Cron(schedule.pattern, { mode: '5-or-6-parts' });
  try {
    const next = cron.nextRun(now);
    return next ? Math.max(0, next.getTime() - now.getTime()) : undefined;
  } finally {
    cron.stop();
  }
}
