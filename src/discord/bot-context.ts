import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  MessageComponentInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { BotConfig } from '../config.js';
import type { Bookmarks, MessagePapers } from '../core/bookmarks.js';
import type { AlertDelivery, AlertRecords, Alerts } from '../core/alerts.js';
import type { Library } from '../core/library.js';
import type { PaperIndex } from '../core/search/paper-index.js';
import type { Clock, SearchSessions } from '../core/search-sessions.js';
import type { TopicPlan } from '../core/topic-posts.js';
import type { RecentMatchCount } from '../core/topic-match-count.js';
import type { TopicPaperFacts } from '../core/topic-why.js';
import type { Topic, Topics } from '../core/topics.js';
import type { Logger } from '../logger.js';

/** Everything a command handler may use, built once by src/app/start-bot.ts and passed down read-only. */
export type BotContext = Readonly<{
  config: BotConfig;
  logger: Logger;
  library: Library;
  index: PaperIndex;
  bookmarks: Bookmarks;
  messages: MessagePapers;
  sessions: SearchSessions;
  clock: Clock;
  topics: Topics;
  topicRunner: TopicRunner;
  /** Personal alerts: the members' alerts, what they delivered, and the DM port (/alert resume checks DMs with it). */
  alerts: { users: Alerts; records: AlertRecords; delivery: AlertDelivery };
}>;

/** What one fetch-and-post cycle did, for /topic refresh and the log. */
export type TopicRunReport = {
  startedAt: number;
  durationMs: number;
  sources: { name: string; ok: boolean; papers: number; error?: string }[];
  added: number;
  updated: number;
  topics: { guildId: string; name: string; posted: number; digested: number; deferred: number; edited: number; paused?: string }[];
};

/** The scheduler as commands see it. */
export type TopicRunner = {
  /** Run the cycle now; undefined when a run is already in progress (never two at once). */
  runNow(reason: 'schedule' | 'refresh' | 'startup'): Promise<TopicRunReport | undefined>;
  /** What the topic would post if a run happened now, without sending anything. */
  preview(topic: Topic): Promise<TopicPlan>;
  /** Milliseconds until /topic refresh may start another run (0: now). */
  refreshWaitMs(): number;
  /** What the runner recorded about a paper for a topic, for /topic why: first sight, the channel's post record. */
  paperFacts(topic: Topic, paperId: string): Promise<TopicPaperFacts>;
  /** How many papers the feeds brought in the last days a topic query matches (/topic add, /topic edit; topic-match-count.ts). */
  recentMatches(query: string): Promise<RecentMatchCount>;
};

/** A slash command: its registration body (plain JSON) and a thin handler. */
export type Command = {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
};

/**
 * Buttons and select menus, routed by the first segment of their custom_id
 * (`search:page:<session>:<offset>` → handler "search", args ["page", session, offset]).
 */
export type ComponentHandler = {
  prefix: string;
  handle(interaction: MessageComponentInteraction, ctx: BotContext, args: string[]): Promise<void>;
};
