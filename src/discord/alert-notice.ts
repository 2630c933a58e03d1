import { MessageFlags, type ChatInputCommandInteraction, type MessageComponentInteraction } from 'discord.js';
import type { BotContext } from './bot-context.js';
import { renderAlertsPausedNotice } from './render/alert-views.js';
import type { Logger } from '../logger.js';

/**
 * A member whose alert DMs Discord refused (50007) is told once, on their next command or button
 * in a server, by an ephemeral follow-up that only they see: a DM cannot reach them, and a public
 * message would tell everyone. The notice is marked told before it is sent, so two commands at
 * once do not both show it (a failed follow-up loses it; /alert list still says "paused").
 */
export async function tellPausedAlerts(interaction: ChatInputCommandInteraction | MessageComponentInteraction, ctx: BotContext, log: Logger): Promise<void> {
  if (!interaction.inGuild() || !(interaction.replied || interaction.deferred)) return;
  const userId = interaction.user.id;
  const user = await ctx.alerts.users.get(userId);
  if (!user?.noticePending) return;
  let mine = false;
  await ctx.alerts.users.update(userId, (current) => {
    if (!current?.noticePending) return undefined;
    mine = true;
    return { ...current, noticePending: false };
  });
  if (!mine) return;
  try {
    await interaction.followUp({ ...renderAlertsPausedNotice(), flags: MessageFlags.Ephemeral });
    log.info({ userId }, 'told a member their alerts are paused');
  } catch (error) {
    log.warn({ userId, err: error }, 'could not tell a member their alerts are paused');
  }
}
