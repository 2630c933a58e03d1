import type { APIEmbed } from 'discord.js';
import { paperLink } from '../../core/paper.js';
import { BACKFILL, RECENT_DAYS } from '../../core/topic-posts.js';
import type { TopicWhy } from '../../core/topic-why.js';
import type { Topic } from '../../core/topics.js';
import { DISCORD_LIMITS, finalizeMessage, type RenderedMessage } from './limits.js';
import { maskedLink, safeText, truncate } from './text.js';

/**
 * The answer of /topic why: per topic, what happened to the paper and why, in one embed (the
 * verdict as its description for one topic, a field per topic otherwise). Paper titles, queries
 * and the items of a query are typed by others: escaped. Times are Discord timestamps (each
 * reader's own time zone); a posted paper links to its message.
 */

const WHY_COLOR = 0x2b6cb0;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Failing query items listed per topic; the rest are counted. */
const FAILURES_SHOWN = 5;

export type TopicWhyView = {
  guildId: string;
  /** Verdicts, one per topic asked about. */
  verdicts: readonly { topic: Topic; why: TopicWhy }[];
  /** Topics of the server not shown (only the first ones are asked about without a topic). */
  more: number;
  /** Channels that are forums: a post there is a thread, linked by its own id. */
  forums: ReadonlySet<string>;
};

export function renderTopicWhy(view: TopicWhyView): RenderedMessage {
  const first = view.verdicts[0]?.why;
  const paper = first && first.kind !== 'not-fetched' ? first.paper : undefined;
  const title = paper ? `Why: ${truncate(paper.title, 200)}` : `Why: ${first?.kind === 'not-fetched' ? first.id : 'that paper'}`;
  const embed: APIEmbed = { title: safeText(title, DISCORD_LIMITS.embedTitle), color: WHY_COLOR };
  const link = paper && paperLink(paper);
  if (link) embed.url = link;
  const text = (v: TopicWhyView['verdicts'][number]) => verdictText(v.why, v.topic, view);
  if (view.verdicts.length === 1 && view.more === 0) {
    const only = view.verdicts[0]!;
    embed.description = truncate(`Topic **${safeText(only.topic.name, 100)}** · query ${safeText(only.topic.query, 300)}\n\n${text(only)}`, 4000);
  } else {
    embed.fields = view.verdicts.map((v) => ({
      name: safeText(`${v.topic.name} · ${v.topic.query}`, DISCORD_LIMITS.fieldName),
      value: truncate(text(v), DISCORD_LIMITS.fieldValue),
    }));
    if (view.more > 0) embed.footer = { text: `${view.more} more topic${view.more === 1 ? '' : 's'}: name one with topic: to ask about it.` };
  }
  return finalizeMessage({ embeds: [embed], components: [] });
}

function verdictText(why: TopicWhy, topic: Topic, view: TopicWhyView): string {
  switch (why.kind) {
    case 'not-fetched':
      return `**Never fetched.** ${safeText(why.id, 60)} is not in Paperboy's library: no source has brought it (yet). Topics post papers the feeds bring, once they arrive.`;
    case 'no-match': {
      const lines = why.failures.slice(0, FAILURES_SHOWN).map((f) => `• ${safeText(f.item, 120)}: ${safeText(f.reason, 200)}`);
      const rest = why.failures.length - FAILURES_SHOWN;
      if (rest > 0) lines.push(`• and ${rest} more`);
      return [`**Did not match** the query:`, ...lines].join('\n');
    }
    case 'not-from-feed':
      return '**Not from a feed.** The paper is in the library by an import; topics post the papers the feeds (`SOURCES`) bring.';
    case 'older': {
      const seen = `first seen ${timestamp(why.seenAt)}`;
      if (why.firstRun) {
        return `**Older than the topic.** It was ${seen}; the topic's first run posts only papers first seen in the ${BACKFILL.hours} h before it.`;
      }
      if (why.seenAt >= why.since - BACKFILL.hours * HOUR_MS) {
        return `**Older than the topic.** It was ${seen}, before the topic's first run (${timestamp(why.since)}), which posts at most ${BACKFILL.max} of the newest matches of the ${BACKFILL.hours} h before it; this was not one of them.`;
      }
      return `**Older than the topic.** It was ${seen}, before the topic started (${timestamp(why.since)}): a topic posts the papers first seen after that.`;
    }
    case 'posted': {
      const how = why.record.digest ? 'in a digest' : 'as a card';
      const earlier = why.earlier ? ' (by this topic before its query or channel last changed)' : '';
      const version = why.version
        ? ` ${safeText(why.version, 80)} is a version of ${safeText(why.paper.id, 40)}: a paper is posted once, and a new version is skipped as the same paper.`
        : '';
      return `**Posted** ${how} ${timestamp(why.record.at)}${earlier}: ${messageLink(view, topic.channelId, why.record.messageId)}.${version}`;
    }
    case 'duplicate': {
      const where = why.record.state === 'sent' ? `posted it ${timestamp(why.record.at)}: ${messageLink(view, topic.channelId, why.record.messageId)}` : 'is about to post it (in its outbox)';
      return `**Skipped: already in this channel.** The topic **${safeText(why.record.topic, 100)}** ${where}. A paper goes into a channel once, whichever topics match it.`;
    }
    case 'waiting':
      return `**Waiting.** ${waitText(why.reason, topic, why.seenAt)}`;
    case 'expired':
      return `**Expired unposted.** It matched (first seen ${timestamp(why.seenAt)}) but waited behind \`max_per_run\` (${topic.maxPerRun}) with the digest off for more than ${RECENT_DAYS} days. Raise max_per_run or turn the digest on.`;
  }
}

function waitText(reason: Extract<TopicWhy, { kind: 'waiting' }>['reason'], topic: Topic, seenAt: number | undefined): string {
  switch (reason) {
    case 'outbox':
      return 'It matched and is in the outbox: the next run sends it.';
    case 'paused':
      return `It matches, but the topic is paused (${safeText(topic.pausedReason ?? 'no reason recorded', 200)}). /topic resume posts it on the next run.`;
    case 'first-run':
      return `It matches; the topic has not run yet. Its first run posts at most ${BACKFILL.max} of the newest matches first seen in the ${BACKFILL.hours} h before it.`;
    case 'over-max': {
      const until = seenAt === undefined ? '' : ` until ${timestamp(seenAt + RECENT_DAYS * DAY_MS)}`;
      return `It matches, but more matches came than \`max_per_run\` (${topic.maxPerRun}) and the digest is ${topic.digest ? 'full' : 'off'}: it waits for a later run${until}.`;
    }
    case 'next-run':
      return 'It matches and is new: the next run posts it.';
    case 'no-tag':
      return `It matches, but this forum requires a tag on every post and none of its tags fits the paper (by category or keyword), so Discord would refuse the post: it waits until one does. Add a tag named after one of its categories${topic.createTags ? '' : ', or set create_tags:true'}.`;
  }
}

function timestamp(ms: number): string {
  return `<t:${Math.floor(ms / 1000)}:f>`;
}

/** The message's link (a forum post's link is its thread's); ids that are not snowflakes are not linked. */
function messageLink(view: TopicWhyView, channelId: string, messageId: string | undefined): string {
  const snowflake = (id: string | undefined): id is string => id !== undefined && /^\d{1,20}$/.test(id);
  if (!snowflake(messageId) || !snowflake(channelId) || !snowflake(view.guildId)) return 'the message is not known';
  const path = view.forums.has(channelId) ? `${view.guildId}/${messageId}` : `${view.guildId}/${channelId}/${messageId}`;
  return maskedLink('the message', `https://discord.com/channels/${path}`);
}
