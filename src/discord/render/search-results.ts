import { ButtonStyle, ComponentType, type APIButtonComponent, type APIEmbed } from 'discord.js';
import { arxivAbsUrl, isArxivId, notInLibraryText } from '../../core/paper-id.js';
import type { SearchHit, SearchSort } from '../../core/search/paper-index.js';
import { PAPER_COLOR } from './paper-card.js';
import { DISCORD_LIMITS, customId, finalizeMessage, type MessageActionRow, type RenderedMessage } from './limits.js';
import { codePoints, maskedLink, plainText, safeText } from './text.js';

/**
 * custom_id layouts (the router splits on the first `:`s only: paper ids may hold `:` and `/`):
 *   search:open:<sessionId>            select menu; the chosen value is the paper id
 *   search:page:<sessionId>:<offset>   ◀ / ▶
 *   paper:bookmark:<paperId>           paper:post:<paperId>
 *   paper:abstract:<paperId>           Full abstract, on every card (FULL_ABSTRACT_ID in paper-card.ts)
 * Session ids must stay short (≈10 characters) for these to fit in 100 code points.
 */
export const CUSTOM_ID = {
  searchOpen: 'search:open',
  searchPage: 'search:page',
  paperBookmark: 'paper:bookmark',
  paperPost: 'paper:post',
} as const;

export type SearchResultsView = {
  query: string;
  hits: readonly SearchHit[];
  total: number;
  offset: number;
  pageSize: number;
  sort: SearchSort;
  sessionId: string;
  /** Ids the query names that the library does not hold: each gets a line with its arXiv link. */
  unknownIds?: readonly string[];
  /**
   * How the query was read where it was not taken as typed (words past the limit left out, an
   * unclosed parenthesis closed): shown above the results so nobody wonders why a word did nothing.
   */
  notes?: readonly string[];
};

/** Notes shown at most, each cut to NOTE_CHARS: the parser writes a few short ones. */
const MAX_NOTES = 3;
const NOTE_CHARS = 200;

/** A paper in a list: the fields a list line shows. */
export type ListedPaper = { id: string; title: string; published?: string; upvotes?: number };

const TITLE_IN_LIST = 200;
const QUERY_IN_TITLE = 200;

export const SEARCH_SYNTAX_HINT =
  'Try fewer or other words, or narrow with filters: `author:hinton` · `cat:cs.CL` · `after:2024-06` · ' +
  '`before:2025-01-01` · `year:2025` · `has:code` · `"a quoted phrase"`. An arXiv id or link finds that paper.';

/** One page of search results: a numbered list, a menu to open a paper, and ◀ ▶ paging. */
export function renderSearchResults(view: SearchResultsView): RenderedMessage {
  assertPaging(view);
  const title = view.query.trim() ? `Search: ${safeText(view.query, QUERY_IN_TITLE)}` : 'Search';
  // Ids are canonical (digits, dots, an archive name): nothing in them to escape.
  const unknown = [
    ...(view.notes ?? []).slice(0, MAX_NOTES).map((note) => `*${safeText(note, NOTE_CHARS)}*`),
    ...(view.unknownIds ?? []).map(notInLibraryText),
  ].join('\n');
  if (view.hits.length === 0) {
    const pager = view.total > 0 ? renderPager([CUSTOM_ID.searchPage, view.sessionId], view) : undefined;
    const embed: APIEmbed = {
      title,
      color: PAPER_COLOR,
      description:
        view.total > 0
          ? `This page is empty: the results changed since the search (${view.total} in all). Go back a page.`
          : unknown || `No papers matched.\n\n${SEARCH_SYNTAX_HINT}`,
    };
    return finalizeMessage({ embeds: [embed], components: pager ? [pager] : [] });
  }

  const from = view.offset + 1;
  const to = view.offset + view.hits.length;
  const header = `${unknown ? `${unknown}\n\n` : ''}Results ${from}–${to} of ${view.total} · sorted by ${view.sort}`;
  const embed: APIEmbed = {
    title,
    color: PAPER_COLOR,
    description: listDescription(header, view.hits, from),
    footer: { text: `Page ${pageNumber(view)} of ${pageCount(view)} · pick a paper below to open it` },
  };
  const components: MessageActionRow[] = [openMenu(view)];
  const pager = renderPager([CUSTOM_ID.searchPage, view.sessionId], view);
  if (pager) components.push(pager);
  return finalizeMessage({ embeds: [embed], components });
}

/** The buttons under a paper card opened from a search or a list, as one row. */
export function renderPaperActions(paperId: string): MessageActionRow {
  return { type: ComponentType.ActionRow, components: paperActionButtons(paperId) };
}

/** Bookmark and Post in channel, for `renderPaperCard`'s `actions` (they share the Full abstract row). */
export function paperActionButtons(paperId: string): APIButtonComponent[] {
  return [
    {
      type: ComponentType.Button,
      style: ButtonStyle.Primary,
      label: 'Bookmark',
      emoji: { name: '🔖' },
      custom_id: customId(CUSTOM_ID.paperBookmark, paperId),
    },
    {
      type: ComponentType.Button,
      style: ButtonStyle.Secondary,
      label: 'Post in channel',
      custom_id: customId(CUSTOM_ID.paperPost, paperId),
    },
  ];
}

/** `**1.** [Title](https://arxiv.org/abs/id) — 2024-05-27 · ▲12`; a paper without an arXiv id gets no link. */
export function renderPaperLine(position: number, paper: ListedPaper): string {
  const title = safeText(paper.title, TITLE_IN_LIST);
  const linked = isArxivId(paper.id) ? maskedLink(title, arxivAbsUrl(paper.id)) : title;
  const details = [paper.published, paper.upvotes ? `▲${paper.upvotes}` : undefined].filter(Boolean);
  return `**${position}.** ${linked}${details.length > 0 ? ` — ${details.join(' · ')}` : ''}`;
}

/** A header line, a blank line, then whole lines while they fit in a description. */
export function listDescription(header: string, papers: readonly ListedPaper[], firstPosition: number): string {
  let text = header;
  let shown = 0;
  for (const [i, paper] of papers.entries()) {
    const next = `${text}${i === 0 ? '\n\n' : '\n'}${renderPaperLine(firstPosition + i, paper)}`;
    if (codePoints(next) > DISCORD_LIMITS.embedDescription - 40) break;
    text = next;
    shown += 1;
  }
  const hidden = papers.length - shown;
  return hidden > 0 ? `${text}\n… and ${hidden} more on this page` : text;
}

type Paging = { offset: number; pageSize: number; total: number };

/**
 * ◀ ▶ for a paged list, with custom_id `<prefix…>:<offset of the target page>`; undefined when
 * everything fits on one page. The two ids always differ (Discord refuses duplicate custom_ids).
 */
export function renderPager(prefix: readonly string[], paging: Paging): MessageActionRow | undefined {
  const { offset, pageSize, total } = paging;
  if (offset === 0 && total <= pageSize) return undefined;
  // Past the end (the list shrank since it was shown): ◀ goes to the last page that exists.
  const lastPage = Math.max(0, Math.floor((total - 1) / pageSize) * pageSize);
  const previous = offset >= total ? lastPage : Math.max(0, offset - pageSize);
  const next = offset + pageSize;
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: '◀',
        custom_id: customId(...prefix, previous),
        disabled: offset === 0,
      },
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: '▶',
        custom_id: customId(...prefix, next),
        disabled: next >= total,
      },
    ],
  };
}

export function pageNumber(paging: Paging): number {
  return Math.floor(paging.offset / paging.pageSize) + 1;
}

export function pageCount(paging: Paging): number {
  return Math.max(1, Math.ceil(paging.total / paging.pageSize));
}

export function assertPaging(paging: Paging): void {
  const ok =
    Number.isInteger(paging.pageSize) && paging.pageSize >= 1 && Number.isInteger(paging.offset) && paging.offset >= 0;
  if (!ok) throw new RangeError(`bad paging: offset ${paging.offset}, page size ${paging.pageSize}`);
}

function openMenu(view: SearchResultsView): MessageActionRow {
  const seen = new Set<string>();
  const hits = view.hits.filter((hit) => !seen.has(hit.id) && seen.add(hit.id));
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.StringSelect,
        custom_id: customId(CUSTOM_ID.searchOpen, view.sessionId),
        placeholder: 'Open a paper…',
        min_values: 1,
        max_values: 1,
        options: hits.slice(0, DISCORD_LIMITS.selectOptions).map((hit, i) => ({
          // Select labels are plain text: no markdown escaping (it would show as backslashes).
          label: plainText(`${view.offset + i + 1}. ${hit.title}`, DISCORD_LIMITS.selectLabel),
          value: hit.id,
          description: plainText(optionDescription(hit), DISCORD_LIMITS.selectDescription),
        })),
      },
    ],
  };
}

function optionDescription(hit: SearchHit): string {
  const date = hit.published ?? 'date unknown';
  return isArxivId(hit.id) ? `${date} · arXiv:${hit.id}` : date;
}
