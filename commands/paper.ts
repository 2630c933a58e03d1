import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  MessageFlags,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type MessageComponentInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { UserFacingError } from '../src/core/errors.js';
import type { Paper } from '../src/core/paper.js';
import { notInLibraryText, singlePaperId } from '../src/core/paper-id.js';
import type { SearchSort } from '../src/core/search/paper-index.js';
import { unknownIds } from '../src/core/search/query.js';
import { searchWithRecords } from '../src/core/search/search-records.js';
import type { BotContext, Command, ComponentHandler } from '../src/discord/bot-context.js';
import { publicAnswerRefusal } from '../src/discord/interaction-errors.js';
import { postPublicCard } from '../src/discord/paper-delivery.js';
import { finalizeChoices } from '../src/discord/render/limits.js';
import { renderNotice, withNote } from '../src/discord/render/notices.js';
import { renderFullAbstract, renderPaperCard } from '../src/discord/render/paper-card.js';
import { paperActionButtons, renderSearchResults } from '../src/discord/render/search-results.js';
import { safeText } from '../src/discord/render/text.js';

/** Results per page: five embeds' worth of titles stays readable on a phone. */
export const PAGE_SIZE = 5;
const SORTS = ['relevance', 'newest', 'upvotes'] as const satisfies readonly SearchSort[];

const publicOption = {
  type: ApplicationCommandOptionType.Boolean,
  name: 'public',
  description: 'Show the answer to everyone in the channel (default: only you)',
} as const;

const idOption = {
  type: ApplicationCommandOptionType.String,
  name: 'id',
  description: 'arXiv id or arXiv / Hugging Face URL (e.g. 2405.17399)',
  required: true,
  autocomplete: true,
  max_length: 300,
} as const;

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'paper',
  description: 'Find research papers in the library',
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'search',
      description: 'Search: words, "phrase", author:name, cat:cs.CL, after:2024-06, year:2025, has:code, ids',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'query',
          description: 'e.g. dpo author:rafailov after:2024 — or an arXiv id / URL',
          required: true,
          autocomplete: true,
          max_length: 300,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'sort',
          description: 'Order of the results (default: relevance)',
          choices: SORTS.map((s) => ({ name: s, value: s })),
        },
        publicOption,
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'show', description: 'Show one paper’s card', options: [idOption, publicOption] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'similar', description: 'Papers like this one', options: [idOption, publicOption] },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'recent',
      description: 'Papers published in the last days, newest first',
      options: [
        { type: ApplicationCommandOptionType.Integer, name: 'days', description: 'How many days back (1–30, default 7)', min_value: 1, max_value: 30 },
        publicOption,
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'trending', description: 'The most upvoted papers of the last 7 days', options: [publicOption] },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** How to answer: in public, or only to the asker, with a note when public was asked but not allowed. */
type Visibility = { isPublic: true } | { isPublic: false; note?: string };

/**
 * Public only when asked and the member may post such a message here themselves: otherwise the
 * bot would be a way around the channel's permissions (a read-only channel, a timeout).
 */
function visibility(interaction: MessageComponentInteraction | ChatInputCommandInteraction, askedPublic: boolean): Visibility {
  if (!askedPublic) return { isPublic: false };
  const refusal = publicAnswerRefusal(interaction);
  if (!refusal) return { isPublic: true };
  return { isPublic: false, note: `Only you see this: you don't have **${refusal.missing.join(', ')}** in ${refusal.where}, so I won't post it there for you.` };
}

/** The view as the visibility says: as is in public, else ephemeral with the note (if any). */
function asVisible(view: ReturnType<typeof renderSearchResults>, how: Visibility) {
  if (how.isPublic) return view;
  return { ...(how.note ? withNote(view, how.note) : view), flags: MessageFlags.Ephemeral as const };
}

async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const how = visibility(interaction, interaction.options.getBoolean('public') ?? false);
  switch (interaction.options.getSubcommand()) {
    case 'search':
      return showResults(interaction, ctx, interaction.options.getString('query', true), (interaction.options.getString('sort') as SearchSort | null) ?? 'relevance', how);
    case 'show': {
      const paper = await findPaper(ctx, interaction.options.getString('id', true));
      if (how.isPublic) await postPublicCard(interaction, paper, ctx);
      else await interaction.reply(asVisible(withActions(paper), how));
      return;
    }
    case 'similar':
      return showSimilar(interaction, ctx, await findPaper(ctx, interaction.options.getString('id', true)), how);
    case 'recent': {
      const days = interaction.options.getInteger('days') ?? 7;
      return showResults(interaction, ctx, `after:${daysAgo(ctx, days)}`, 'newest', how);
    }
    case 'trending':
      return showResults(interaction, ctx, `after:${daysAgo(ctx, 7)}`, 'upvotes', how);
    default:
      throw new UserFacingError('This subcommand is not known to this version of Paperboy.');
  }
}

async function showResults(
  interaction: ChatInputCommandInteraction,
  ctx: BotContext,
  query: string,
  sort: SearchSort,
  how: Visibility,
): Promise<void> {
  // Parse errors (a malformed filter) throw UserFacingError before anything is sent. Phrases the
  // index cannot decide are checked against the records, as topics check them (search-records.ts).
  const page = await searchWithRecords(ctx.index, (ids) => ctx.library.getMany(ids), query, { limit: PAGE_SIZE, offset: 0, sort });
  const session = ctx.sessions.open(interaction.user.id, query, sort);
  const view = renderSearchResults({
    query,
    hits: page.hits,
    total: page.total,
    offset: 0,
    pageSize: PAGE_SIZE,
    sort,
    sessionId: session.id,
    unknownIds: unknownIds(page.query, ctx.index.has),
    notes: page.query.notes,
  });
  await interaction.reply(asVisible(view, how));
}

async function showSimilar(interaction: ChatInputCommandInteraction, ctx: BotContext, paper: Paper, how: Visibility): Promise<void> {
  const hits = ctx.index.similar(paper, PAGE_SIZE);
  const session = ctx.sessions.open(interaction.user.id, paper.id, 'relevance');
  const view = renderSearchResults({
    query: `similar to ${paper.title}`,
    hits,
    total: hits.length,
    offset: 0,
    pageSize: PAGE_SIZE,
    sort: 'relevance',
    sessionId: session.id,
  });
  await interaction.reply(asVisible(view, how));
}

/**
 * The paper an id option names, pasted as people paste it (`(2405.17399),`, a link with a trailing
 * dot); a clear user error when it names no paper, or one the library does not hold.
 */
export async function findPaper(ctx: BotContext, input: string): Promise<Paper> {
  const id = singlePaperId(input);
  if (!id) {
    throw new UserFacingError(`"${safeText(input, 80)}" is not an arXiv id or paper URL.`, 'Use an id like 2405.17399 or a link to arxiv.org or huggingface.co/papers.');
  }
  const paper = await ctx.library.get(id);
  if (!paper) {
    throw new UserFacingError(notInLibraryText(id), 'Try /paper search with words from its title, or check the id.');
  }
  return paper;
}

function withActions(paper: Paper) {
  return renderPaperCard(paper, { actions: paperActionButtons(paper.id) });
}

function daysAgo(ctx: BotContext, days: number): string {
  return new Date(ctx.clock.now() - days * 86_400_000).toISOString().slice(0, 10);
}

async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  const focused = interaction.options.getFocused(true);
  // The value of a suggestion is the paper id, so picking one searches (or shows) exactly that paper.
  const suggestions = ctx.index.suggest(String(focused.value), 25);
  await interaction.respond(finalizeChoices(suggestions.map((s) => ({ name: s.title, value: s.id }))));
}

/** ◀ ▶ paging and the "open a result" menu of search results. */
const searchComponents: ComponentHandler = {
  prefix: 'search',
  async handle(interaction: MessageComponentInteraction, ctx: BotContext, [action, sessionId = '', offsetText = '0']: string[]) {
    if (action === 'open' && interaction.isStringSelectMenu()) {
      const paper = await findPaper(ctx, interaction.values[0] ?? '');
      await interaction.reply({ ...withActions(paper), flags: MessageFlags.Ephemeral });
      return;
    }
    if (action !== 'page') throw new UserFacingError('This button belongs to an older version of Paperboy.', 'Run the search again.');
    const session = ctx.sessions.get(sessionId);
    if (!session) {
      await interaction.reply({ ...renderNotice('These results have expired.', 'Run /paper search again to page through fresh results.'), flags: MessageFlags.Ephemeral });
      return;
    }
    if (session.ownerId !== interaction.user.id) {
      await interaction.reply({ ...renderNotice('Only the person who searched can page these results.', 'Run /paper search yourself to get your own.'), flags: MessageFlags.Ephemeral });
      return;
    }
    const offset = Math.max(0, Number.parseInt(offsetText, 10) || 0);
    const page = await searchWithRecords(ctx.index, (ids) => ctx.library.getMany(ids), session.query, { limit: PAGE_SIZE, offset, sort: session.sort });
    const view = renderSearchResults({
      query: session.query,
      hits: page.hits,
      total: page.total,
      offset,
      pageSize: PAGE_SIZE,
      sort: session.sort,
      sessionId: session.id,
      unknownIds: unknownIds(page.query, ctx.index.has),
      notes: page.query.notes,
    });
    // Paging public results rewrites a message everyone sees: the searcher must still be allowed to post here.
    const how = visibility(interaction, !interaction.message.flags.has(MessageFlags.Ephemeral));
    if (how.isPublic || !how.note) await interaction.update(view);
    else await interaction.reply(asVisible(view, how));
  },
};

/** Buttons under a card: save it, post it into the channel for everyone, or read its whole abstract. */
const paperComponents: ComponentHandler = {
  prefix: 'paper',
  async handle(interaction: MessageComponentInteraction, ctx: BotContext, [action, ...rest]: string[]) {
    const paper = await findPaper(ctx, rest.join(':'));
    if (action === 'bookmark') {
      const added = await ctx.bookmarks.add(interaction.user.id, paper.id);
      const title = safeText(paper.title, 200);
      await interaction.reply({
        ...renderNotice(added ? `Saved **${title}** to your bookmarks.` : `**${title}** is already in your bookmarks.`, 'See them with /bookmarks list.'),
        flags: MessageFlags.Ephemeral,
      });
    } else if (action === 'post') {
      const refusal = publicAnswerRefusal(interaction);
      if (refusal) {
        throw new UserFacingError(`You can't post in ${refusal.where}: you don't have **${refusal.missing.join(', ')}** there.`, 'Bookmark keeps the paper for you.');
      }
      await postPublicCard(interaction, paper, ctx);
    } else if (action === 'abstract') {
      // Ephemeral: pressed under a topic post or a public card, the abstract is for the presser only.
      await interaction.reply(renderFullAbstract(paper));
    } else {
      throw new UserFacingError('This button belongs to an older version of Paperboy.', 'Run the command again.');
    }
  },
};

export const paperCommand: Command = { data, execute, autocomplete };
export const paperComponentHandlers: ComponentHandler[] = [searchComponents, paperComponents];
