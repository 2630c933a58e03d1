import { ButtonStyle, ComponentType, type APIButtonComponent, type APIEmbed } from 'discord.js';
import { cardSummary } from '../../core/card-summary.js';
import { latexToText } from '../../core/latex-text.js';
import { paperLink, type Paper } from '../../core/paper.js';
import { arxivAbsUrl, huggingFaceUrl, isArxivId } from '../../core/paper-id.js';
import { DISCORD_LIMITS, customId, ephemeral, finalizeMessage, type EphemeralMessage, type MessageActionRow, type RenderedMessage } from './limits.js';
import { codePoints, plainLinkSafe, plainText, safeText } from './text.js';

/** arXiv red: the card reads as "a paper" at a glance. */
export const PAPER_COLOR = 0xb31b1b;

/**
 * custom_id of the card's own button: `paper:abstract:<paperId>`, routed by commands/paper.ts's
 * `paper` component handler like Bookmark and Post (see CUSTOM_ID in search-results.ts).
 */
export const FULL_ABSTRACT_ID = 'paper:abstract';

/** Names shown before "… +N": a card's author line stays one short line. */
const AUTHORS_SHOWN = 2;
/** Up to this many authors are all named ("+1" would take the room of the name it hides). */
const AUTHORS_ALL_UP_TO = 3;
const CATEGORIES_SHOWN = 3;
const KEYWORDS_SHOWN = 5;
const KEYWORD_MAX = 40;

export type PaperCardOptions = {
  /** Extra footer text after the paper id, e.g. the topic that posted it. */
  footer?: string;
  /** What the viewer can do with the paper (Bookmark, Post in channel): these share Full abstract's row. */
  actions?: readonly APIButtonComponent[];
};

/**
 * One paper, readable at a glance: linked title, a few authors, a short summary (the AI summary
 * or the abstract's first sentences, LaTeX cleaned), date · categories · upvotes and keywords on
 * two compact lines, the paper id in the footer; under it a row of link buttons (arXiv, PDF,
 * Hugging Face, Code, Project) and a Full abstract button answering with the whole abstract.
 * `/paper show`, a card opened from search results and topic posts all use this one renderer.
 */
export function renderPaperCard(paper: Paper, options: PaperCardOptions = {}): RenderedMessage {
  const summary = cardSummary(paper);
  const embed: APIEmbed = {
    title: safeText(paper.title, DISCORD_LIMITS.embedTitle),
    color: PAPER_COLOR,
    footer: { text: plainText(options.footer ? `${paper.id} · ${options.footer}` : paper.id, DISCORD_LIMITS.footer) },
  };
  const url = paperUrl(paper);
  if (url) embed.url = url;
  const authors = authorLine(paper.authors);
  if (authors) embed.author = { name: authors };
  const description = [summary ? summaryText(summary) : '', detailLines(paper)].filter(Boolean).join('\n\n');
  if (description) embed.description = description;
  const thumbnail = plainLinkSafe(paper.thumbnail);
  if (thumbnail) embed.thumbnail = { url: thumbnail };

  const buttons: APIButtonComponent[] = [];
  if (summary?.abstractHasMore) buttons.push(fullAbstractButton(paper.id));
  buttons.push(...(options.actions ?? []));
  const components: MessageActionRow[] = [];
  const links = linkButtons(paper);
  if (links.length > 0) components.push(buttonRow(links));
  for (let i = 0; i < buttons.length; i += DISCORD_LIMITS.buttonsPerRow) components.push(buttonRow(buttons.slice(i, i + DISCORD_LIMITS.buttonsPerRow)));
  return finalizeMessage({ embeds: [embed], components });
}

/** What Full abstract answers: the whole abstract, LaTeX cleaned, only to the member who pressed. */
export function renderFullAbstract(paper: Paper): EphemeralMessage {
  const abstract = latexToText(paper.abstract);
  const embed: APIEmbed = {
    title: safeText(paper.title, DISCORD_LIMITS.embedTitle),
    color: PAPER_COLOR,
    description: abstract ? safeText(abstract, DISCORD_LIMITS.embedDescription) : '*No abstract in the library for this paper.*',
    footer: { text: plainText(paper.id, DISCORD_LIMITS.footer) },
  };
  const url = paperUrl(paper);
  if (url) embed.url = url;
  return ephemeral(finalizeMessage({ embeds: [embed], components: [] }));
}

/** Where the title points: the paper's reader link (see paperLink), made safe for a markdown link. */
export function paperUrl(paper: Paper): string | undefined {
  return plainLinkSafe(paperLink(paper));
}

/**
 * "First Author, Second Author … +N", or every name when there are at most three; within 256
 * code points. The author line is a plain surface (Discord renders no markdown or mentions
 * there), so names are not escaped.
 */
export function authorLine(authors: readonly string[]): string {
  const names = authors.map((a) => plainText(a, 64)).filter((a) => a.length > 0);
  if (names.length === 0) return '';
  const shown = names.length <= AUTHORS_ALL_UP_TO ? names.length : AUTHORS_SHOWN;
  const rest = names.length - shown;
  return plainText(names.slice(0, shown).join(', ') + (rest > 0 ? ` … +${rest}` : ''), DISCORD_LIMITS.author);
}

function summaryText(summary: NonNullable<ReturnType<typeof cardSummary>>): string {
  // Said plainly: a reader should know when a machine wrote the text they are skimming.
  const label = summary.from === 'ai-summary' ? '*AI summary:* ' : '';
  return label + safeText(summary.text, DISCORD_LIMITS.embedDescription - 200);
}

/** `2023-12-01 · cs.LG · cs.AI · ▲ 191` and `Keywords: a · b · c`, each line only when it has something. */
function detailLines(paper: Paper): string {
  const categories = paper.categories.slice(0, CATEGORIES_SHOWN).map((c) => safeText(c, 32));
  const moreCategories = paper.categories.length - categories.length;
  if (moreCategories > 0) categories.push(`+${moreCategories}`);
  const facts = [paper.published, ...categories, paper.upvotes !== undefined ? `▲ ${paper.upvotes}` : undefined].filter(Boolean);
  const keywords = paper.keywords.slice(0, KEYWORDS_SHOWN).map((k) => safeText(k, KEYWORD_MAX));
  const lines = [facts.join(' · ')];
  if (keywords.length > 0) lines.push(`Keywords: ${keywords.join(' · ')}`);
  return lines.filter(Boolean).join('\n');
}

/** Known http(s) links as link buttons, in a fixed order: at most five, one row. */
function linkButtons(paper: Paper): APIButtonComponent[] {
  const arxiv = isArxivId(paper.id);
  const entries: [string, string | undefined][] = [
    ['arXiv', paper.links.arxiv ?? (arxiv ? arxivAbsUrl(paper.id) : undefined)],
    ['PDF', paper.links.pdf],
    ['Hugging Face', paper.links.huggingface ?? (arxiv && paper.sources.includes('hf') ? huggingFaceUrl(paper.id) : undefined)],
    ['Code', paper.links.code],
    ['Project', paper.links.project],
  ];
  return entries.flatMap(([label, link]) => {
    const url = plainLinkSafe(link);
    // Discord refuses a button URL over 512 characters: such a link is left out, not cut.
    return url && codePoints(url) <= LINK_URL_MAX ? [{ type: ComponentType.Button, style: ButtonStyle.Link, label, url } as const] : [];
  });
}

/** Discord's limit on a link button's URL. */
const LINK_URL_MAX = 512;

function fullAbstractButton(paperId: string): APIButtonComponent {
  return {
    type: ComponentType.Button,
    style: ButtonStyle.Secondary,
    label: 'Full abstract',
    emoji: { name: '📄' },
    custom_id: customId(FULL_ABSTRACT_ID, paperId),
  };
}

function buttonRow(buttons: readonly APIButtonComponent[]): MessageActionRow {
  return { type: ComponentType.ActionRow, components: [...buttons] };
}
