import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  MessageComponentInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { BotConfig } from '../config.js';
import type { Bookmarks, MessagePapers } from '../core/bookmarks.js';
import type { Library } from '../core/library.js';
import type { PaperIndex } from '../core/search/paper-index.js';
import type { Clock, SearchSessions } from '../core/search-sessions.js';
import type { Logger } from '../logger.js';

/** Everything a command handler may use, built once by src/bot.ts and passed down read-only. */
export type BotContext = Readonly<{
  config: BotConfig;
  logger: Logger;
  library: Library;
  index: PaperIndex;
  bookmarks: Bookmarks;
  messages: MessagePapers;
  sessions: SearchSessions;
  clock: Clock;
}>;

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
