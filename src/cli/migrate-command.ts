import { performance } from 'node:perf_hooks';
import { migrateStore, MigrationRefused, type MigrationReport } from '../app/migrate-store.js';
import { redactStoreUrl } from '../config.js';
import { EXIT, UsageError, formatError, write, type Command } from './command.js';
import { formatCount, formatDuration } from './format.js';

/** Longer than any store URL anyone types; a bound on what reaches the drivers. */
const MAX_URL_LENGTH = 2048;

export const migrateCommand: Command = {
  args: '',
  summary: 'copy a whole store into another (SQLite → PostgreSQL or Redis), resumable, verified by counts',
  options: {
    from: { type: 'string', value: 'URL', help: 'the store to copy, e.g. sqlite://data/paperboy.sqlite (stop the bot on it first)' },
    to: { type: 'string', value: 'URL', help: 'the store to fill, e.g. postgres://user@host/paperboy or redis://host:6379' },
    resume: { type: 'boolean', help: 'continue an interrupted migration into a target that already holds part of it' },
  },
  positionals: { min: 0, max: 0 },
  async run({ values }, ctx) {
    const from = storeUrl(values.from, 'from');
    const to = storeUrl(values.to, 'to');
    const started = performance.now();
    await write(ctx.io.stderr, `migrating ${redactStoreUrl(from)} → ${redactStoreUrl(to)}${values.resume === true ? ' (resuming)' : ''}\n`);
    let report: MigrationReport;
    try {
      report = await migrateStore({
        from,
        to,
        resume: values.resume === true,
        onProgress: ({ namespace, copied, skipped }) =>
          ctx.progress.show(`${namespace}  ${formatCount(copied)} copied  ${formatCount(skipped)} already there`),
      });
    } catch (error) {
      if (!(error instanceof MigrationRefused)) throw error;
      ctx.progress.clear();
      await write(ctx.io.stderr, formatError(error.message));
      return EXIT.failure;
    }
    ctx.progress.clear();
    await write(ctx.io.stdout, renderReport(report, performance.now() - started));
    if (report.verified) return EXIT.ok;
    const off = report.namespaces.filter((n) => n.source !== n.target).map((n) => `${n.namespace} (source ${formatCount(n.source)}, target ${formatCount(n.target)})`);
    await write(ctx.io.stderr, formatError(`counts differ in ${off.join(', ')}`, 'the target held entries the source does not, or writes failed: check it, then rerun with --resume'));
    return EXIT.failure;
  },
};

function storeUrl(value: string | boolean | undefined, option: 'from' | 'to'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${option} URL is required`);
  if (value.length > MAX_URL_LENGTH) throw new UsageError(`--${option} is longer than ${MAX_URL_LENGTH} characters`);
  if (!/^(?:sqlite|redis|rediss|postgres|postgresql):\/\/./i.test(value)) throw new UsageError(`--${option} must start with sqlite://, redis:// or postgres://`);
  return value.trim();
}

export function renderReport(report: MigrationReport, durationMs: number): string {
  const header = ['namespace', 'source', 'target', 'copied', 'already'];
  const rows = report.namespaces.map((n) => [
    n.namespace,
    formatCount(n.source),
    formatCount(n.target),
    n.resumed ? '(earlier run)' : formatCount(n.copied),
    n.resumed ? '' : formatCount(n.skipped),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const verdict = report.verified
    ? `verified: every namespace has as many entries in the target as in the source (${formatDuration(durationMs)})`
    : 'NOT verified: the counts differ (see above)';
  return `${[line(header), ...rows.map(line), verdict].join('\n')}\n`;
}
