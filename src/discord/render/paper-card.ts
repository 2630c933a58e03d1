import type { APIEmbed, APIEmbedField } from 'discord.js';
import { paperLink, type Paper } from '../../core/paper.js';
import { arxivAbsUrl, huggingFaceUrl, isArxivId } from '../../core/paper-id.js';
import { DISCORD_LIMITS, finalizeMessage, type MessageActionRow, type RenderedMessage } from './limits.js';
import { codePoints, maskedLink, plainLinkSafe, plainText, safeText } from './text.js';

/** arXiv red: the card reads as "a paper" at a glance. */
export const PAPER_COLOR = 0xb31b1b;

/**
 * arXiv caps abstracts at 1,920 characters, so this cut never touches a real abstract (escaping
 * adds some backslashes); it only keeps a runaway record from filling a channel.
 */
const DESCRIPTION_MAX = 2500;
const AUTHOR_NAMES_MAX = 8;

export type PaperCardOptions = {
  /** Extra footer text after the paper id, e.g. the topic that posted it. */
  footer?: string;
  /** Action rows under the card (e.g. `renderPaperActions(paper.id)` for a card opened from search). */
  components?: MessageActionRow[];
};

/** One paper as an embed: linked title, authors, abstract, date/categories/upvotes, links. */
export function renderPaperCard(paper: Paper, options: PaperCardOptions = {}): RenderedMessage {
  const embed: APIEmbed = {
    title: safeText(paper.title, DISCORD_LIMITS.embedTitle),
    color: PAPER_COLOR,
    fields: paperFields(paper),
    footer: { text: plainText(options.footer ? `${paper.id} · ${options.footer}` : paper.id, DISCORD_LIMITS.footer) },
  };
  const url = paperUrl(paper);
  if (url) embed.url = url;
  const authors = authorLine(paper.authors);
  if (authors) embed.author = { name: authors };
  const summary = paper.abstract || paper.aiSummary || '';
  if (summary) embed.description = safeText(summary, DESCRIPTION_MAX);
  const thumbnail = plainLinkSafe(paper.thumbnail);
  if (thumbnail) embed.thumbnail = { url: thumbnail };
  return finalizeMessage({ embeds: [embed], components: options.components ?? [] });
}

/** Where the title points: the paper's reader link (see paperLink), made safe for a markdown link. */
export function paperUrl(paper: Paper): string | undefined {
  return plainLinkSafe(paperLink(paper));
}

/**
 * "A, B, C +N more": at most 8 names and 256 code points. The author line is a plain surface
 * (Discord renders no markdown or mentions there), so names are not escaped.
 */
export function authorLine(authors: readonly string[]): string {
  const names = authors.map((a) => plainText(a, 64)).filter((a) => a.length > 0);
  if (names.length === 0) return '';
  const line = (count: number): string => {
    const rest = names.length - count;
    return names.slice(0, count).join(', ') + (rest > 0 ? ` +${rest} more` : '');
  };
  let count = Math.min(names.length, AUTHOR_NAMES_MAX);
  while (count > 1 && codePoints(line(count)) > DISCORD_LIMITS.author) count -= 1;
  return plainText(line(count), DISCORD_LIMITS.author);
}

function paperFields(paper: Paper): APIEmbedField[] {
  const fields: APIEmbedField[] = [];
  if (paper.published) fields.push({ name: 'Published', value: paper.published, inline: true });
  const categories = joinWithin(paper.categories.map((c) => safeText(c, 64)), ', ', DISCORD_LIMITS.fieldValue);
  if (categories) fields.push({ name: 'Categories', value: categories, inline: true });
  if (paper.upvotes !== undefined) fields.push({ name: 'Upvotes', value: `▲ ${paper.upvotes}`, inline: true });
  const links = joinWithin(paperLinks(paper), ' · ', DISCORD_LIMITS.fieldValue);
  if (links) fields.push({ name: 'Links', value: links });
  return fields;
}

/** Known http(s) links as markdown links, in a fixed order. */
function paperLinks(paper: Paper): string[] {
  const arxiv = isArxivId(paper.id);
  const entries: [string, string | undefined][] = [
    ['arXiv', paper.links.arxiv ?? (arxiv ? arxivAbsUrl(paper.id) : undefined)],
    ['PDF', paper.links.pdf],
    ['Hugging Face', paper.links.huggingface ?? (arxiv && paper.sources.includes('hf') ? huggingFaceUrl(paper.id) : undefined)],
    ['Code', paper.links.code],
    ['Project', paper.links.project],
  ];
  return entries.flatMap(([label, url]) => (plainLinkSafe(url) ? [maskedLink(label, url)] : []));
}

/** Join whole items while the result stays within `max` code points (a cut markdown link would show as junk). */
function joinWithin(items: readonly string[], separator: string, max: number): string {
  let out = '';
  for (const item of items) {
    const next = out ? `${out}${separator}${item}` : item;
    if (codePoints(next) > max) break;
    out = next;
  }
  return out;
}
