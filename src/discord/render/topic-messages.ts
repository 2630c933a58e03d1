import type { Paper } from '../../core/paper.js';
import { arxivAbsUrl, isArxivId } from '../../core/paper-id.js';
import type { Topic } from '../../core/topics.js';
import { DISCORD_LIMITS, finalizeMessage, type RenderedMessage } from './limits.js';
import { renderNotice } from './notices.js';
import { PAPER_COLOR, paperUrl, renderPaperCard } from './paper-card.js';
import { codePoints, escapeMarkdown, plainLinkSafe, safeText } from './text.js';

/**
 * What topic channels receive: a paper card per new paper, one digest listing the overflow, and
 * the notice that tells a server its topic was paused. Only the topic's own role is ever pinged:
 * the content holds `<@&role>` and allowed_mentions lists that role and nothing else.
 */

type TopicLabel = Pick<Topic, 'name' | 'roleId'>;

/** A new paper in a topic channel: the usual card, the topic named in the footer, its role pinged. */
export function renderTopicPost(paper: Paper, topic: TopicLabel): RenderedMessage {
  const card = renderPaperCard(paper, { footer: topic.name });
  return withPing(card, topic.roleId);
}

/** Links longer than this are left out of a digest line (the title stays): a line must stay short. */
const DIGEST_URL_MAX = 120;
const DIGEST_TITLE_MAX = 150;

/**
 * One message listing every paper over the topic's max_per_run as a link, so none is dropped
 * silently. Every paper gets its line: the titles share the description's 4,096 code points
 * (each line gets its fair share of what is left), so a long list has shorter titles, never
 * fewer lines. A line is never cut inside its link, which would show as broken markdown.
 */
export function renderTopicDigest(papers: readonly Paper[], topic: TopicLabel): RenderedMessage {
  const header = `${papers.length} more new ${papers.length === 1 ? 'paper' : 'papers'} for ${topic.name}`;
  const lines: string[] = [];
  let used = 0;
  papers.forEach((paper, i) => {
    const separator = lines.length > 0 ? 1 : 0;
    const share = Math.floor((DISCORD_LIMITS.embedDescription - used) / (papers.length - i)) - separator;
    const line = digestLine(paper, share);
    lines.push(line);
    used += codePoints(line) + separator;
  });
  return withPing(
    finalizeMessage({
      embeds: [{ title: safeText(header, DISCORD_LIMITS.embedTitle), description: lines.join('\n'), color: PAPER_COLOR }],
      components: [],
    }),
    topic.roleId,
  );
}

/**
 * The link a paper's digest line carries, if any. For an arXiv id it depends on the id alone, so
 * a digest can be recognised in the channel's history by these links (see topic-delivery).
 */
export function digestLink(paper: Paper): string | undefined {
  const url = plainLinkSafe(isArxivId(paper.id) ? arxivAbsUrl(paper.id) : paperUrl(paper));
  return url && codePoints(url) <= DIGEST_URL_MAX ? url : undefined;
}

function digestLine(paper: Paper, room: number): string {
  const link = digestLink(paper);
  // "• [title](url)" or "• title": the title gets whatever the line's share leaves, at least 1.
  const overhead = 2 + (link ? 4 + codePoints(link) : 0);
  const title = safeText(paper.title, Math.max(1, Math.min(DIGEST_TITLE_MAX, room - overhead)));
  return link ? `• [${title}](${link})` : `• ${title}`;
}

/**
 * The one message a server gets when a topic pauses itself (sent to its system channel, or to
 * the topic's creator by DM): which topic, why, and how to restart it.
 */
export function renderTopicPausedNotice(topic: Pick<Topic, 'name'>, reason: string, guildName?: string): RenderedMessage {
  const where = guildName ? ` in **${escapeMarkdown(guildName)}**` : '';
  return renderNotice(
    `I paused the topic **${escapeMarkdown(topic.name)}**${where}: ${escapeMarkdown(reason)}.`,
    `Fix that, then run /topic resume with the topic ${escapeMarkdown(topic.name)} and posting picks up where it stopped.`,
  );
}

function withPing(message: RenderedMessage, roleId: string | undefined): RenderedMessage {
  if (!roleId) return message;
  return finalizeMessage({ ...message, content: `<@&${roleId}>`, allowedMentions: { roles: [roleId] } });
}
