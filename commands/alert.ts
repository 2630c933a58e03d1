import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  MessageFlags,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { addAlert, ALERT_LIMITS, checkTimezone, localTime, removeAlert, type AlertMode, type AlertUser } from '../src/core/alerts.js';
import { UserFacingError } from '../src/core/errors.js';
import type { BotContext, Command } from '../src/discord/bot-context.js';
import { alertLabel, renderAlertList } from '../src/discord/render/alert-views.js';
import { finalizeChoices } from '../src/discord/render/limits.js';
import { renderNotice } from '../src/discord/render/notices.js';
import { safeText } from '../src/discord/render/text.js';

/**
 * /alert: personal alerts by direct message, for any member. Read options → core (alerts.ts) →
 * store → an ephemeral answer. Delivery is the topic runner's (src/app/alert-runner.ts).
 */

/** A daily alert's hour when none is given: a morning digest. */
const DEFAULT_DIGEST_HOUR = 8;

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'alert',
  description: 'Personal alerts: new papers matching your query, by direct message',
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'add',
      description: `Get new papers matching a query by DM (at most ${ALERT_LIMITS.perUser} alerts)`,
      options: [
        { type: ApplicationCommandOptionType.String, name: 'query', description: 'Search syntax, e.g. diffusion cat:cs.CV', required: true, max_length: ALERT_LIMITS.queryMax },
        {
          type: ApplicationCommandOptionType.String,
          name: 'when',
          description: 'As each run finds papers (default), or one daily digest',
          choices: [
            { name: 'as papers appear', value: 'instant' },
            { name: 'daily digest', value: 'daily' },
          ],
        },
        { type: ApplicationCommandOptionType.Integer, name: 'hour', description: `Daily digest hour in your time zone, 0–23 (default ${DEFAULT_DIGEST_HOUR})`, min_value: 0, max_value: 23 },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'Your alerts and your time zone' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'remove',
      description: 'Delete one of your alerts',
      options: [{ type: ApplicationCommandOptionType.String, name: 'id', description: 'The alert (start typing)', required: true, autocomplete: true, max_length: 8 }],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'timezone',
      description: 'Your time zone for daily digests (default UTC)',
      options: [{ type: ApplicationCommandOptionType.String, name: 'zone', description: 'An IANA name, e.g. Europe/Berlin', required: true, max_length: ALERT_LIMITS.timezoneMax }],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'resume', description: 'Start your alerts again after opening your DMs' },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const userId = interaction.user.id;
  const users = ctx.alerts.users;
  const reply = (message: ReturnType<typeof renderNotice>) => interaction.reply({ ...message, flags: MessageFlags.Ephemeral });
  switch (interaction.options.getSubcommand()) {
    case 'add': {
      const mode = (interaction.options.getString('when') ?? 'instant') as AlertMode;
      const hour = mode === 'daily' ? (interaction.options.getInteger('hour') ?? DEFAULT_DIGEST_HOUR) : undefined;
      if (mode !== 'instant' && mode !== 'daily') throw new UserFacingError('Choose “as papers appear” or “daily digest”.');
      let added: ReturnType<typeof addAlert>['alert'] | undefined;
      const user = await users.update(userId, (current) => {
        const next = addAlert(current, userId, { query: interaction.options.getString('query', true), mode, hour }, ctx.clock.now());
        added = next.alert;
        return next.user;
      });
      const alert = added!;
      ctx.logger.info({ userId, alertId: alert.id, mode }, 'alert added');
      const when =
        alert.mode === 'daily'
          ? `One DM a day at ${String(alert.hour).padStart(2, '0')}:00 ${user?.timezone ?? 'UTC'} with the papers that matched since the last one.`
          : 'A DM whenever a run finds new matching papers.';
      const notes = [when, 'Only papers that appear from now on; make sure members of this server may send you DMs.'];
      if (user?.pausedAt !== undefined) notes.push('Your alerts are paused because a DM failed: run /alert resume once DMs are open.');
      await reply(renderNotice(`Added alert #${alert.id}: **${safeText(alert.query, ALERT_LIMITS.queryMax)}**`, notes.join(' ')));
      return;
    }
    case 'list':
      await reply(renderAlertList(await users.get(userId)));
      return;
    case 'remove': {
      const id = interaction.options.getString('id', true).trim();
      await users.update(userId, (current) => removeAlert(current, id));
      ctx.logger.info({ userId, alertId: id }, 'alert removed');
      await reply(renderNotice(`Removed alert #${safeText(id, 8)}.`));
      // What the alert delivered goes after the answer, which Discord wants within 3 s. The runner
      // records nothing more for it: each of its writes checks the alert is still there.
      try {
        await ctx.alerts.records.forget(userId, [id]);
      } catch (error) {
        ctx.logger.warn({ userId, alertId: id, err: error }, 'could not delete what a removed alert delivered; its record is left behind');
      }
      return;
    }
    case 'timezone': {
      const zone = checkTimezone(interaction.options.getString('zone', true));
      await users.update(userId, (current) => ({ ...(current ?? { userId, alerts: [], nextId: 1 }), timezone: zone }));
      const { hour } = localTime(ctx.clock.now(), zone);
      await reply(renderNotice(`Your time zone is now ${zone} (it is ${String(hour).padStart(2, '0')}:xx there).`, 'Daily digests arrive at their hour in this zone.'));
      return;
    }
    case 'resume': {
      const user = await users.get(userId);
      if (user?.pausedAt === undefined) throw new UserFacingError('Your alerts are not paused.', 'See them with /alert list.');
      // A DM is the only way to know DMs are open again; it also tells the member where alerts arrive.
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const result = await ctx.alerts.delivery.greet(userId);
      if (result.kind === 'closed') {
        await interaction.editReply(renderNotice('I still cannot send you a DM.', 'Allow direct messages from members of this server (Privacy Settings), then try again.'));
        return;
      }
      await users.update(userId, (current) => {
        if (!current) return undefined;
        const { pausedAt: _paused, noticePending: _notice, ...rest } = current;
        return rest as AlertUser;
      });
      ctx.logger.info({ userId }, 'alerts resumed');
      await interaction.editReply(renderNotice('Your alerts are on again.', 'Matches of the last 7 days you missed come with the next run.'));
      return;
    }
    default:
      throw new UserFacingError('This subcommand is not known to this version of Paperboy.');
  }
}

async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  const typed = String(interaction.options.getFocused()).toLowerCase();
  const alerts = (await ctx.alerts.users.get(interaction.user.id))?.alerts ?? [];
  const choices = alerts.filter((a) => !typed || alertLabel(a).toLowerCase().includes(typed)).map((a) => ({ name: alertLabel(a), value: a.id }));
  await interaction.respond(finalizeChoices(choices));
}

export const alertCommand: Command = { data, execute, autocomplete };
