/**
 * Builds data/seed-papers.jsonl, the sample library a fresh store starts with, from the Daily
 * Papers page the project was created from (../shared/seed/daily-papers-search-page.txt).
 *
 *   npm run build-seed [-- --year 2025] [--page path] [--out path]
 *
 * The output is one Paper per line, sorted by id, so re-running it gives the same bytes and a
 * parser change shows up as a readable diff. The page was captured in 2025: it lists year-less
 * dates ("Oct 30", "Nov 16") after dated ones up to "Nov 19, 2024", so 2025 is the default year.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDailyPapersPage } from '../src/core/parsers/daily-papers-page.js';
import { describeSkip } from '../src/core/parsers/import-result.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    year: { type: 'string', default: '2025' },
    page: { type: 'string', default: path.resolve(repoRoot, '../shared/seed/daily-papers-search-page.txt') },
    out: { type: 'string', default: path.resolve(repoRoot, 'data/seed-papers.jsonl') },
  },
});

const year = Number(values.year);
if (!/^\d{4}$/.test(values.year)) {
  console.error(`build-seed: --year must be a four-digit year, got "${values.year}"`);
  process.exit(2);
}

const { papers, skipped } = parseDailyPapersPage(await readFile(values.page, 'utf8'), { year });
// Plain code-unit order, not localeCompare: the same on every machine and locale.
papers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
await writeFile(values.out, papers.map((paper) => `${JSON.stringify(paper)}\n`).join(''));

console.log(`build-seed: ${papers.length} papers → ${path.relative(process.cwd(), values.out)}`);
for (const skip of skipped) console.log(`  skipped ${describeSkip(skip)}`);
