import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FORMAT_CHOICES, type FormatChoice } from '../app/import-file.js';
import type { ImportSummary } from '../app/library-service.js';
import { EXIT, UsageError, write, type Command } from './command.js';
import { formatBytes, formatCount, formatDuration, printable } from './format.js';

export const importCommand: Command = {
  args: '<file>',
  summary: 'add the papers in a file (plain or gzip) to the library',
  options: {
    format: { type: 'string', value: 'F', help: `${FORMAT_CHOICES.join(', ')} (default auto: detected from the content)` },
    year: { type: 'string', value: 'N', help: 'year of dates a Daily Papers page shows without one (default: this year)' },
  },
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, ctx) {
    const file = positionals[0]!;
    const format = parseFormat(values.format);
    const year = parseYear(values.year, format);
    const service = await ctx.openService();

    const started = performance.now();
    const summary = await service.importFile(file, {
      format,
      year,
      onProgress: ({ records, bytesRead, totalBytes }) => {
        const seconds = Math.max((performance.now() - started) / 1000, 0.001);
        const fraction = totalBytes > 0 ? bytesRead / totalBytes : undefined;
        const bytes = `${formatBytes(bytesRead)} of ${formatBytes(totalBytes)}`;
        const rate = `${formatCount(Math.round(records / seconds))}/s`;
        ctx.progress.show(`reading ${path.basename(file)}  ${bytes}  ${formatCount(records)} records  ${rate}`, fraction);
      },
    });
    ctx.progress.clear();
    await write(ctx.io.stdout, renderSummary(summary));
    return EXIT.ok;
  },
};

function parseFormat(value: string | boolean | undefined): FormatChoice {
  if (value === undefined) return 'auto';
  if (typeof value === 'string' && (FORMAT_CHOICES as readonly string[]).includes(value)) return value as FormatChoice;
  throw new UsageError(`--format must be one of ${FORMAT_CHOICES.join(', ')}`);
}

function parseYear(value: string | boolean | undefined, format: FormatChoice): number | undefined {
  if (value === undefined) return undefined;
  if (format !== 'auto' && format !== 'page') {
    throw new UsageError('--year applies only to Daily Papers pages (--format page)');
  }
  const year = typeof value === 'string' && /^\d{4}$/.test(value) ? Number(value) : NaN;
  if (!(year >= 1990 && year <= 2999)) throw new UsageError('--year must be a four-digit year, e.g. --year 2025');
  return year;
}

export function renderSummary(s: ImportSummary): string {
  const rows: [string, number][] = [
    ['added', s.added],
    ['merged', s.updated],
    ['unchanged', s.unchanged],
    ['skipped', s.skipped],
  ];
  const width = Math.max(...rows.map(([, n]) => formatCount(n).length));
  const lines = [`imported ${path.basename(s.file)} (${s.format}) in ${formatDuration(s.durationMs)}`];
  for (const [label, n] of rows) lines.push(`  ${label.padEnd(10)} ${formatCount(n).padStart(width)}`);
  for (const reason of s.skipReasons) lines.push(`    ${printable(reason)}`);
  if (s.skipped > s.skipReasons.length) lines.push(`    … and ${formatCount(s.skipped - s.skipReasons.length)} more`);
  const documents = s.index.documents === undefined ? '' : `: ${formatCount(s.index.documents)} papers`;
  if (s.sampleRemoved > 0) lines.push(`the ${formatCount(s.sampleRemoved)} bundled sample papers were removed: the library has real papers now`);
  lines.push(`search index ${s.index.action}${documents}`);
  if (s.snapshotError) lines.push(`index snapshot not saved (${printable(s.snapshotError)}): the papers are stored; the next start catches the index up`);
  return `${lines.join('\n')}\n`;
}
