import type { Paper } from '../core/paper.js';
import { notInLibraryText, singlePaperId } from '../core/paper-id.js';
import { EXIT, formatError, write, type Command } from './command.js';
import { formatCount, printable, wrap } from './format.js';

const WIDTH = 88;
const AUTHORS_SHOWN = 12;

export const showCommand: Command = {
  args: '<id-or-url>',
  summary: 'show one paper (arXiv id, arXiv or Hugging Face URL, or title: id)',
  options: {},
  positionals: { min: 1, max: 1 },
  async run({ positionals }, ctx) {
    const input = positionals[0]!;
    const id = singlePaperId(input);
    if (!id) {
      const accepted = 'an arXiv id (2405.17399), an arXiv or Hugging Face URL, or a title: id from search';
      await write(ctx.io.stderr, formatError(`"${printable(input)}" is not a paper id: use ${accepted}`));
      return EXIT.usage;
    }
    const paper = await (await ctx.openService()).library.get(id);
    if (!paper) {
      await write(ctx.io.stderr, formatError(notInLibraryText(id), 'check the id, or import it (paperboy import <file>)'));
      return EXIT.failure;
    }
    await write(ctx.io.stdout, renderPaper(paper));
    return EXIT.ok;
  },
};

export function renderPaper(paper: Paper): string {
  const rows: [label: string, value: string, wrap?: boolean][] = [['id', paper.id]];
  if (paper.authors.length > 0) {
    const shown = paper.authors.slice(0, AUTHORS_SHOWN).join(', ');
    const more = paper.authors.length - AUTHORS_SHOWN;
    rows.push(['authors', more > 0 ? `${shown}, … and ${formatCount(more)} more` : shown]);
  }
  if (paper.published) rows.push(['published', paper.published]);
  if (paper.categories.length > 0) rows.push(['categories', paper.categories.join(', ')]);
  if (paper.upvotes !== undefined) rows.push(['upvotes', `▲${formatCount(paper.upvotes)}`]);
  if (paper.githubStars !== undefined) rows.push(['github stars', formatCount(paper.githubStars)]);
  if (paper.keywords.length > 0) rows.push(['keywords', paper.keywords.join(', ')]);
  if (paper.comment) rows.push(['comment', paper.comment]);
  const links = Object.entries(paper.links);
  const linkWidth = Math.max(0, ...links.map(([name]) => name.length)) + 2;
  // URLs are not wrapped: a terminal can only open one that stays on its line.
  links.forEach(([name, url], i) => rows.push([i === 0 ? 'links' : '', `${name.padEnd(linkWidth)}${url}`, false]));
  rows.push(['sources', paper.sources.join(', ')]);

  const labelWidth = Math.max(...rows.map(([k]) => k.length)) + 2;
  const indent = ' '.repeat(labelWidth + 2);
  const lines = [printable(paper.title), ''];
  for (const [label, value, wrapped = true] of rows) {
    const text = wrapped ? wrap(printable(value), WIDTH, indent).slice(indent.length) : printable(value);
    lines.push(`  ${label.padEnd(labelWidth)}${text}`);
  }
  if (paper.aiSummary) lines.push('', wrap(`Summary: ${printable(paper.aiSummary)}`, WIDTH, '  '));
  lines.push('', paper.abstract ? wrap(printable(paper.abstract), WIDTH, '  ') : '  (no abstract)');
  return `${lines.join('\n')}\n`;
}
