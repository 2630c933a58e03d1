import { UserFacingError } from '../core/errors.js';
import type { PaperIndex, SearchPage, SearchHit, SearchSort } from '../core/search/paper-index.js';
import { notInLibraryText } from '../core/paper-id.js';
import { shorten, unknownIds } from '../core/search/query.js';
import { readLines } from '../app/read-lines.js';
import { EXIT, formatError, UsageError, write, type Command, type CommandContext } from './command.js';
import { formatCount, printable } from './format.js';

const SORTS = ['relevance', 'newest', 'upvotes'] as const satisfies readonly SearchSort[];

export const searchCommand: Command = {
  args: '[query]',
  summary: 'search the library (no query: one JSON line per stdin line)',
  options: {
    limit: { type: 'string', value: 'N', help: 'results per query, 1–100 (default 10)' },
    sort: { type: 'string', value: 'S', help: `${SORTS.join(', ')} (default relevance)` },
    json: { type: 'boolean', help: 'print a JSON array of {id, title, score}' },
  },
  positionals: { min: 0, max: Infinity },
  async run({ positionals, values }, ctx) {
    const options = { limit: parseLimit(values.limit), sort: parseSort(values.sort) };
    // Unquoted words are one query: `paperboy search direct preference optimization`.
    const query = positionals.join(' ');
    const index = await (await ctx.openService()).index();
    if (positionals.length === 0) return answerStdin(index, options, ctx);

    // The query's length is bounded in core (parseQuery), whatever the shell passed.
    let page: SearchPage;
    try {
      page = index.search(query, options);
    } catch (error) {
      if (!(error instanceof UserFacingError)) throw error;
      await write(ctx.io.stderr, formatError(error.message, error.hint));
      return EXIT.usage;
    }
    const { hits } = page;
    for (const note of page.query.notes) await write(ctx.io.stderr, `note: ${note}\n`);
    // An id the library lacks is an answer, not "no papers match": where to read it meanwhile.
    // In --json mode stdout stays the array, so it goes to stderr as a note.
    const unknown = unknownIds(page.query, index.has).map((id) => `${notInLibraryText(id)}\n`);
    if (values.json) {
      for (const line of unknown) await write(ctx.io.stderr, `note: ${line}`);
      await write(ctx.io.stdout, `${JSON.stringify(hits.map(toJson))}\n`);
    } else if (unknown.length > 0 || hits.length > 0) {
      await write(ctx.io.stdout, `${unknown.join('')}${hits.length > 0 ? renderHits(hits) : ''}`);
    } else {
      await write(ctx.io.stdout, `no papers match "${printable(shorten(query))}"\n`);
    }
    return EXIT.ok;
  },
};

/**
 * One JSON line per input line, written as soon as its query is answered: the benchmark (and any
 * script) keeps one process with the index loaded and feeds it queries. A malformed query gets
 * `{"error": …}` and the next line is answered as usual.
 */
async function answerStdin(
  index: PaperIndex,
  options: { limit: number; sort: SearchSort },
  ctx: CommandContext,
): Promise<number> {
  if (ctx.io.stdin.isTTY) await write(ctx.io.stderr, 'reading queries from stdin, one per line (end with Ctrl-D)\n');
  for await (const line of readLines(ctx.io.stdin)) {
    const query = line.trim();
    let answer: unknown;
    try {
      answer = query === '' ? [] : index.search(query, options).hits.map(toJson);
    } catch (error) {
      if (!(error instanceof UserFacingError)) throw error;
      answer = error.hint ? { error: error.message, hint: error.hint } : { error: error.message };
    }
    await write(ctx.io.stdout, `${JSON.stringify(answer)}\n`);
  }
  return EXIT.ok;
}

function toJson(hit: SearchHit): { id: string; title: string; score: number } {
  return { id: hit.id, title: hit.title, score: hit.score };
}

/** `1. 2405.17399  Title (2024-05-27, ▲12)`, numbers and ids aligned. */
export function renderHits(hits: SearchHit[]): string {
  const numberWidth = String(hits.length).length;
  const idWidth = Math.max(...hits.map((h) => h.id.length));
  return hits
    .map((hit, i) => {
      const facts = [hit.published, hit.upvotes ? `▲${formatCount(hit.upvotes)}` : undefined].filter(Boolean);
      const suffix = facts.length > 0 ? ` (${facts.join(', ')})` : '';
      return `${String(i + 1).padStart(numberWidth)}. ${hit.id.padEnd(idWidth)}  ${printable(hit.title)}${suffix}\n`;
    })
    .join('');
}

function parseLimit(value: string | boolean | undefined): number {
  if (value === undefined) return 10;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 100)) throw new UsageError('--limit must be a whole number from 1 to 100');
  return n;
}

function parseSort(value: string | boolean | undefined): SearchSort {
  if (value === undefined) return 'relevance';
  if (typeof value === 'string' && (SORTS as readonly string[]).includes(value)) return value as SearchSort;
  throw new UsageError(`--sort must be one of ${SORTS.join(', ')}`);
}
