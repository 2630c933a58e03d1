import type { APIEmbed } from 'discord.js';
import { PAPER_COLOR } from './paper-card.js';
import { finalizeMessage, type MessageActionRow, type RenderedMessage } from './limits.js';
import {
  assertPaging,
  listDescription,
  pageCount,
  pageNumber,
  renderPager,
  type ListedPaper,
} from './search-results.js';

/** custom_id of the pager: `bookmarks:page:<sessionId>:<offset>`. */
export const BOOKMARKS_PAGE = 'bookmarks:page';

export const NO_BOOKMARKS = 'No bookmarks yet — react 🔖 on a paper or press Bookmark on a search result.';

export type BookmarkListView = {
  papers: readonly ListedPaper[];
  offset: number;
  pageSize: number;
  total: number;
  sessionId: string;
};

/**
 * A user's reading list, one page at a time. Meant to be seen only by its owner: the first reply
 * adds `flags: MessageFlags.Ephemeral` (or `ephemeral(…)`); a ◀ ▶ press sends it unchanged to
 * `interaction.update`, which refuses that flag.
 */
export function renderBookmarkList(view: BookmarkListView): RenderedMessage {
  assertPaging(view);
  if (view.total === 0) {
    const embed: APIEmbed = { title: 'Your bookmarks', color: PAPER_COLOR, description: NO_BOOKMARKS };
    return finalizeMessage({ embeds: [embed], components: []});
  }
  const from = view.offset + 1;
  const to = view.offset + view.papers.length;
  const header =
    view.papers.length > 0
      ? `${view.total} saved · showing ${from}–${to}`
      : `${view.total} saved · this page is empty now: go back a page.`;
  const embed: APIEmbed = {
    title: 'Your bookmarks',
    color: PAPER_COLOR,
    description: listDescription(header, view.papers, from),
    footer: { text: `Page ${pageNumber(view)} of ${pageCount(view)}` },
  };
  const pager = renderPager([BOOKMARKS_PAGE, view.sessionId], view);
  const components: MessageActionRow[] = pager ? [pager] : [];
  return finalizeMessage({ embeds: [embed], components});
}
