import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { Paper } from '../../core/paper.js';
import { BACKFILL, RECENT_DAYS, type TopicPlan } from '../../core/topic-posts.js';
import { MATCH_COUNT, type RecentMatchCount } from '../../core/topic-match-count.js';
import type { Topic } from '../../core/topics.js';
import { DISCORD_LIMITS, finalizeMessage, type MessageActionRow, type RenderedMessage } from './limits.js';
import { renderPager, renderPaperLine } from './search-results.js';
import { codePoints, safeText } from './text.js';

/**
 * What /topic and /follow show: topics as embed fields, a preview of a topic's next run, the
 * summary of a refresh, the followable topics. Channel and role mentions appear only inside
 * embeds, built from stored snowflake ids: there they render as links but never ping (and every
 * message goes out with `allowedMentions: { parse: [] }` anyway). Names, queries and reasons are
 * typed by people, so they are escaped.
 */

/** custom_id of the list pager: `topic:list:<offset>`. */
export const TOPIC_LIST_PAGE = ['topic', 'list'] as const;
export const TOPIC_LIST_PAGE_SIZE = 10;

const TOPIC_COLOR = 0x2b6cb0;
const PAUSED_COLOR = 0x9ca3af;

/** `<#id>` for an id that is a snowflake; anything else is not trusted into mention syntax. */
export function channelMention(id: string): string {
  return /^\d{1,20}$/.test(id) ? `<#${id}>` : '(unknown channel)';
}

export function roleMention(id: string | undefined): string {
  return id && /^\d{1,20}$/.test(id) ? `<@&${id}>` : 'nobody';
}

/** Discord's relative timestamp (`in 5 minutes`, `2 hours ago`), rendered in each reader's locale. */
export function relativeTime(ms: number): string {
  return `<t:${Math.floor(ms / 1000)}:R>`;
}

export function topicState(topic: Topic): string {
  if (topic.status === 'paused') return `⏸️ paused: ${safeText(topic.pausedReason ?? 'no reason recorded', 300)}`;
  return topic.since === undefined ? '🟢 active · first run pending' : '🟢 active';
}

function topicDetails(topic: Topic): string {
  return [
    `**Query** ${safeText(topic.query, 300)}`,
    `**Posts in** ${channelMention(topic.channelId)} · **pings** ${roleMention(topic.roleId)}`,
    `**State** ${topicState(topic)}`,
    `**Last post** ${topic.lastPostAt === undefined ? 'none yet' : relativeTime(topic.lastPostAt)} · **max per run** ${topic.maxPerRun} · **digest** ${topic.digest ? 'on' : 'off'}${topic.createTags ? ' · **creates forum tags**' : ''}`,
    ...backlogLine(topic),
  ].join('\n');
}

/** Matches over max_per_run: how many wait, how many expired unposted, and what fixes it. */
function backlogLine(topic: Topic): string[] {
  const backlog = topic.backlog;
  if (!backlog || (backlog.waiting === 0 && backlog.expired === 0)) return [];
  const expired = backlog.expired > 0 ? ` · **expired unposted** ${backlog.expired} (older than ${RECENT_DAYS} days)` : '';
  return [`**Waiting** ${backlog.waiting}${expired}: raise max per run or turn the digest on to keep up`];
}

/** How many recent papers a query matches, for /topic add and /topic edit (see topic-match-count.ts). */
export function renderMatchCountNote(count: RecentMatchCount): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const of = count.checked < count.seen ? `the latest ${n(count.checked)} of ${n(count.seen)}` : n(count.seen);
  const line = `**Recent matches** ${n(count.matched)} of ${of} papers the feeds brought since ${count.since} (the last ${MATCH_COUNT.days} days).`;
  if (count.matched === 0 && count.seen > 0) return `${line} A topic matches words exactly (plurals count, typos do not): check the spelling.`;
  return line;
}

/** One topic with every setting, after add/edit/pause/resume; `notes` are extra lines (warnings, next steps). */
export function renderTopicSummary(heading: string, topic: Topic, notes: readonly string[] = []): RenderedMessage {
  const embed: APIEmbed = {
    title: `${heading}: ${safeText(topic.name, 100)}`,
    color: topic.status === 'paused' ? PAUSED_COLOR : TOPIC_COLOR,
    description: [topicDetails(topic), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n'),
  };
  return finalizeMessage({ embeds: [embed], components: [] });
}

export type TopicListView = { topics: readonly Topic[]; offset: number; total: number; pageSize?: number };

/** The server's topics, a page of ten at a time (one field each), ◀ ▶ beyond that. */
export function renderTopicList(view: TopicListView): RenderedMessage {
  const pageSize = view.pageSize ?? TOPIC_LIST_PAGE_SIZE;
  if (view.total === 0) {
    const embed: APIEmbed = {
      title: 'Topics',
      color: TOPIC_COLOR,
      description: 'No topics yet. Add one with `/topic add name: query: channel:`, e.g. `query: diffusion cat:cs.CV`.',
    };
    return finalizeMessage({ embeds: [embed], components: [] });
  }
  const fields: APIEmbedField[] = view.topics.map((topic) => ({ name: safeText(topic.name, 100), value: topicDetails(topic) }));
  const from = view.offset + 1;
  const to = view.offset + view.topics.length;
  const paused = view.topics.filter((t) => t.status === 'paused').length;
  const embed: APIEmbed = {
    title: 'Topics',
    color: TOPIC_COLOR,
    description:
      view.topics.length > 0
        ? `${view.total} topic${view.total === 1 ? '' : 's'} · showing ${from}–${to}${paused > 0 ? ` · ${paused} paused on this page` : ''}`
        : `${view.total} topics · this page is empty now: go back a page.`,
    fields,
    footer: { text: `Page ${Math.floor(view.offset / pageSize) + 1} of ${Math.max(1, Math.ceil(view.total / pageSize))}` },
  };
  const pager = renderPager(TOPIC_LIST_PAGE, { offset: view.offset, pageSize, total: view.total });
  const components: MessageActionRow[] = pager ? [pager] : [];
  return finalizeMessage({ embeds: [embed], components });
}

/** Lines while they fit in `budget` code points, then "… and N more". */
function linesWithin(lines: readonly string[], budget: number): string {
  let text = '';
  let shown = 0;
  for (const line of lines) {
    const next = text ? `${text}\n${line}` : line;
    if (codePoints(next) > budget) break;
    text = next;
    shown += 1;
  }
  const hidden = lines.length - shown;
  return hidden > 0 ? `${text}\n… and ${hidden} more` : text;
}

function paperLines(papers: readonly Paper[]): string[] {
  return papers.map((paper, i) =>
    renderPaperLine(i + 1, { id: paper.id, title: paper.title, ...(paper.published ? { published: paper.published } : {}) }),
  );
}

/** What a run would do for the topic now: the cards, the digest, what waits. Nothing is sent. */
export function renderTopicPreview(topic: Topic, plan: TopicPlan): RenderedMessage {
  const parts: string[] = [];
  const firstRun = topic.since === undefined;
  if (firstRun) {
    parts.push(
      `This topic has not run yet: its first run posts at most ${BACKFILL.max} matching papers first seen in the last ${BACKFILL.hours} h, never the whole library.`,
    );
  }
  if (topic.status === 'paused') parts.push(`The topic is paused (${safeText(topic.pausedReason ?? 'no reason recorded', 200)}): nothing is posted until /topic resume.`);
  const total = plan.posts.length + plan.digest.length + plan.deferred.length;
  if (total === 0) {
    parts.push(
      firstRun
        ? 'Nothing matches among the papers fetched in that window yet. New matches appear here after the next fetch (/topic refresh runs one now).'
        : 'Nothing new to post: no paper fetched since the last run matches the query.',
    );
  }
  const budget = DISCORD_LIMITS.embedDescription - 200;
  if (plan.posts.length > 0) {
    parts.push(`**${plan.posts.length} as cards** in ${channelMention(topic.channelId)}, oldest first:`);
    parts.push(linesWithin(paperLines(plan.posts), Math.floor(budget * 0.6)));
  }
  if (plan.digest.length > 0) {
    parts.push(`**${plan.digest.length} more in one digest message** (over max per run ${topic.maxPerRun}):`);
    parts.push(linesWithin(paperLines(plan.digest), Math.floor(budget * 0.3)));
  }
  if (plan.deferred.length > 0) {
    parts.push(
      `**${plan.deferred.length} wait for the next run** (${topic.digest ? 'the digest is full' : 'digest is off'}).`,
    );
  }
  const embed: APIEmbed = {
    title: `Preview: ${safeText(topic.name, 100)}`,
    color: TOPIC_COLOR,
    description: parts.join('\n'),
    footer: { text: 'Nothing has been posted. This is what a run would do now.' },
  };
  return finalizeMessage({ embeds: [embed], components: [] });
}

/** The parts of a run report /topic refresh shows (see TopicRunReport in bot-context.ts). */
export type RunReportView = {
  durationMs: number;
  sources: readonly { name: string; ok: boolean; papers: number }[];
  added: number;
  updated: number;
  /** This server's topics only: other servers' topic names are not ours to show. */
  topics: readonly { name: string; posted: number; digested: number; deferred: number; edited: number; paused?: string | undefined }[];
};

/** The summary of a fetch-and-post cycle run with /topic refresh. Source errors stay in the log. */
export function renderRunReport(report: RunReportView): RenderedMessage {
  const sources =
    report.sources.length === 0
      ? 'No sources configured (SOURCES): nothing was fetched.'
      : report.sources
          .map((s) => (s.ok ? `✅ ${safeText(s.name, 40)}: ${s.papers} paper${s.papers === 1 ? '' : 's'}` : `⚠️ ${safeText(s.name, 40)}: failed, retried next run (details in the log)`))
          .join('\n');
  const topics =
    report.topics.length === 0
      ? 'No active topic in this server.'
      : linesWithin(
          report.topics.map((t) => {
            const counts = [`${t.posted} posted`, t.digested > 0 ? `${t.digested} in a digest` : '', t.deferred > 0 ? `${t.deferred} waiting` : '', t.edited > 0 ? `${t.edited} updated` : '']
              .filter(Boolean)
              .join(', ');
            return `**${safeText(t.name, 100)}**: ${counts}${t.paused ? ` · ⏸️ paused: ${safeText(t.paused, 200)}` : ''}`;
          }),
          DISCORD_LIMITS.fieldValue,
        );
  const embed: APIEmbed = {
    title: 'Refresh done',
    color: TOPIC_COLOR,
    description: `Fetched and posted in ${(report.durationMs / 1000).toFixed(1)} s. Library: ${report.added} new, ${report.updated} updated.`,
    fields: [
      { name: 'Sources', value: sources },
      { name: 'Topics in this server', value: topics },
    ],
  };
  return finalizeMessage({ embeds: [embed], components: [] });
}

/** The topics a member can follow (those with a role), marking the ones they follow. */
export function renderFollowList(topics: readonly Topic[], following: ReadonlySet<string>): RenderedMessage {
  const withRole = topics.filter((t) => t.roleId !== undefined);
  const without = topics.length - withRole.length;
  if (withRole.length === 0) {
    const embed: APIEmbed = {
      title: 'Topics you can follow',
      color: TOPIC_COLOR,
      description:
        topics.length === 0
          ? 'This server has no topics yet.'
          : 'No topic in this server pings anyone yet: ask an admin to set a role (`/topic edit name: role:`).',
    };
    return finalizeMessage({ embeds: [embed], components: [] });
  }
  const lines = withRole.map((t) => {
    const mark = following.has(t.roleId!) ? '✅ following' : '/follow to get pinged';
    return `**${safeText(t.name, 100)}** · ${channelMention(t.channelId)} · pings ${roleMention(t.roleId)} · ${mark}`;
  });
  const embed: APIEmbed = {
    title: 'Topics you can follow',
    color: TOPIC_COLOR,
    description: [
      'Following a topic gives you its role, so its new papers ping you. `/unfollow topic:` stops it.',
      '',
      linesWithin(lines, DISCORD_LIMITS.embedDescription - 400),
      ...(without > 0 ? ['', `${without} more topic${without === 1 ? '' : 's'} post without pinging anyone.`] : []),
    ].join('\n'),
  };
  return finalizeMessage({ embeds: [embed], components: [] });
}
