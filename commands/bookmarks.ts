import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ButtonStyle,
  ComponentType,
  InteractionContextType,
  MessageFlags,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type MessageComponentInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { alertIdsEver } from '../src/core/alerts.js';
import { toBibtex, toCsv, toMarkdown } from '../src/core/bookmark-export.js';
import { UserFacingError } from '../src/core/errors.js';
import type { Paper } from '../src/core/paper.js';
import { parsePaperId } from '../src/core/paper-id.js';
import type { BotContext, Command, ComponentHandler } from '../src/discord/bot-context.js';
import { renderBookmarkList } from '../src/discord/render/bookmark-list.js';
import { finalizeChoices } from '../src/discord/render/limits.js';
import { renderNotice } from '../src/discord/render/notices.js';
import { safeText } from '../src/discord/render/text.js';

/**
 * /bookmarks: the user's own reading list. Every answer is ephemeral: nobody sees anyone
 * else's bookmarks, and the data is keyed by the user who runs the command.
 */

const LIST_PAGE = 10;

export const EXPORT_FORMATS = {
  bibtex: { file: 'bookmarks.bib', render: toBibtex },
  markdown: { file: 'bookmarks.md', render: toMarkdown },
  csv: { file: 'bookmarks.csv', render: toCsv },
} as const;
type ExportFormat = keyof typeof EXPORT_FORMATS;

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'bookmarks',
  description: 'Your reading list (react 🔖 on a paper to save it); only you see it',
  contexts: [InteractionContextType.Guild],
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'Show your bookmarks, newest first' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'export',
      description: 'Download your bookmarks as a file',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'format',
          description: 'File format',
          required: true,
          choices: [
            { name: 'BibTeX (.bib)', value: 'bibtex' },
            { name: 'Markdown (.md)', value: 'markdown' },
            { name: 'CSV (.csv)', value: 'csv' },
          ],
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'remove',
      description: 'Remove one paper from your bookmarks',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'id', description: 'The paper (start typing its title)', required: true, autocomplete: true, max_length: 300 },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'clear', description: 'Remove all your bookmarks (asks first)' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'forget-me', description: 'Delete everything Paperboy stores about you (asks first)' },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const userId = interaction.user.id;
  switch (interaction.options.getSubcommand()) {
    case 'list':
      await interaction.reply({ ...(await listPage(ctx, userId, 0)), flags: MessageFlags.Ephemeral });
      return;
    case 'export': {
      // Reading every bookmarked paper can take longer than Discord's 3 seconds: acknowledge first.
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const format = interaction.options.getString('format', true) as ExportFormat;
      const spec = EXPORT_FORMATS[format];
      if (!spec) throw new UserFacingError('Choose bibtex, markdown or csv.');
      const papers = await bookmarkedPapers(ctx, userId);
      if (papers.length === 0) {
        await interaction.editReply(renderNotice('You have no bookmarks to export yet.', 'React 🔖 on a paper or press Bookmark on a search result.'));
        return;
      }
      await interaction.editReply({
        ...renderNotice(`Your ${papers.length} bookmark${papers.length === 1 ? '' : 's'} as ${spec.file}.`),
        files: [{ attachment: Buffer.from(spec.render(papers), 'utf8'), name: spec.file }],
      });
      return;
    }
    case 'remove': {
      const input = interaction.options.getString('id', true);
      const id = parsePaperId(input);
      if (!id) throw new UserFacingError(`"${safeText(input, 80)}" is not a paper id.`, 'Pick one of the suggestions while typing.');
      const paper = await ctx.library.get(id);
      const removed = await ctx.bookmarks.remove(userId, paper?.id ?? id);
      const name = paper ? `**${safeText(paper.title, 200)}**` : id;
      await interaction.reply({ ...renderNotice(removed ? `Removed ${name} from your bookmarks.` : `${name} is not in your bookmarks.`), flags: MessageFlags.Ephemeral });
      return;
    }
    case 'clear':
      await interaction.reply({ ...confirm('Remove all your bookmarks?', 'clear', 'Remove all'), flags: MessageFlags.Ephemeral });
      return;
    case 'forget-me':
      await interaction.reply({
        ...confirm('Delete everything Paperboy stores about you (your bookmarks, alerts and open searches)?', 'forget', 'Delete everything'),
        flags: MessageFlags.Ephemeral,
      });
      return;
    default:
      throw new UserFacingError('This subcommand is not known to this version of Paperboy.');
  }
}

function confirm(question: string, action: 'clear' | 'forget', label: string) {
  return {
    ...renderNotice(question, 'This cannot be undone.'),
    components: [
      {
        type: ComponentType.ActionRow as const,
        components: [
          { type: ComponentType.Button as const, style: ButtonStyle.Danger as const, custom_id: `bookmarks:${action}`, label },
          { type: ComponentType.Button as const, style: ButtonStyle.Secondary as const, custom_id: 'bookmarks:cancel', label: 'Cancel' },
        ],
      },
    ],
  };
}

async function bookmarkedPapers(ctx: BotContext, userId: string): Promise<Paper[]> {
  const ids = await ctx.bookmarks.list(userId);
  const papers = await ctx.library.getMany(ids);
  return papers.filter((p): p is Paper => p !== undefined);
}

async function listPage(ctx: BotContext, userId: string, offset: number) {
  const ids = await ctx.bookmarks.list(userId);
  const pageIds = ids.slice(offset, offset + LIST_PAGE);
  const papers = await ctx.library.getMany(pageIds);
  return renderBookmarkList({
    papers: pageIds.map((id, i) => {
      const paper = papers[i];
      return paper ? { id: paper.id, title: paper.title, ...(paper.published ? { published: paper.published } : {}) } : { id, title: id };
    }),
    offset,
    pageSize: LIST_PAGE,
    total: ids.length,
    sessionId: userId,
  });
}

async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  const typed = String(interaction.options.getFocused()).toLowerCase();
  const ids = await ctx.bookmarks.list(interaction.user.id);
  const papers = await ctx.library.getMany(ids.slice(0, 200));
  const choices = ids
    .slice(0, 200)
    .map((id, i) => ({ name: papers[i]?.title ?? id, value: id }))
    .filter((c) => !typed || c.name.toLowerCase().includes(typed) || c.value.includes(typed));
  await interaction.respond(finalizeChoices(choices.slice(0, 25)));
}

const bookmarkComponents: ComponentHandler = {
  prefix: 'bookmarks',
  async handle(interaction: MessageComponentInteraction, ctx: BotContext, [action, owner = '', offsetText = '0']: string[]) {
    const userId = interaction.user.id;
    switch (action) {
      case 'page': {
        // Bookmark lists are ephemeral, but check the owner anyway: a custom_id can be forged.
        if (owner !== userId) throw new UserFacingError('These are someone else’s bookmarks.');
        await interaction.update(await listPage(ctx, userId, Math.max(0, Number.parseInt(offsetText, 10) || 0)));
        return;
      }
      case 'clear': {
        const count = await ctx.bookmarks.clear(userId);
        await interaction.update({ ...renderNotice(`Removed ${count} bookmark${count === 1 ? '' : 's'}.`), components: [] });
        return;
      }
      case 'forget': {
        const count = await ctx.bookmarks.clear(userId);
        ctx.sessions.forgetUser(userId);
        let alerts = 0;
        let alertIds: string[] = [];
        await ctx.alerts.users.update(userId, (current) => {
          alerts = current?.alerts.length ?? 0;
          // Every id the member's alerts had, removed ones too (their deliveries may not be gone yet).
          alertIds = current ? alertIdsEver(current) : [];
          return null;
        });
        const what = [`${count} bookmark${count === 1 ? '' : 's'}`, ...(alerts > 0 ? [`${alerts} alert${alerts === 1 ? '' : 's'}`] : [])].join(', ');
        await interaction.update({ ...renderNotice(`Deleted everything Paperboy stored about you (${what}).`), components: [] });
        ctx.logger.info({ userId }, 'user data deleted on request');
        // What the alerts delivered (a key per alert) after the answer, which Discord wants within 3 s.
        // The runner records nothing more for them: each of its writes checks the alert is still there.
        try {
          await ctx.alerts.records.forget(userId, alertIds);
        } catch (error) {
          ctx.logger.warn({ userId, err: error }, 'could not delete what the alerts of a forgotten member delivered; their records are left behind');
        }
        return;
      }
      case 'cancel':
        await interaction.update({ ...renderNotice('Nothing was changed.'), components: [] });
        return;
      default:
        throw new UserFacingError('This button belongs to an older version of Paperboy.', 'Run the command again.');
    }
  },
};

export const bookmarksCommand: Command = { data, execute, autocomplete };
export const bookmarksComponentHandlers: ComponentHandler[] = [bookmarkComponents];
