import {
  DiscordAPIError,
  MessageFlags,
  RESTJSONErrorCodes,
  type Message,
  type MessageComponentInteraction,
  type RepliableInteraction,
} from 'discord.js';
import type { Paper } from '../core/paper.js';
import type { BotContext } from './bot-context.js';
import { missingPermissionNames, REACTION_PERMISSIONS } from './interaction-errors.js';
import { BOOKMARK_EMOJI } from './reactions.js';
import { renderPaperCard } from './render/paper-card.js';
import { renderNotice } from './render/notices.js';

/**
 * Post a paper card publicly as the answer to an interaction, remember which paper the message
 * carries (for 🔖 reactions after restarts), and add the bot's own 🔖 as the bookmark affordance.
 */
export async function postPublicCard(interaction: RepliableInteraction | MessageComponentInteraction, paper: Paper, ctx: BotContext): Promise<Message | undefined> {
  const card = renderPaperCard(paper);
  const response = interaction.deferred
    ? await interaction.editReply(card)
    : interaction.replied
      ? await interaction.followUp(card)
      : (await interaction.reply({ ...card, withResponse: true })).resource?.message;
  if (!response) return undefined;
  await ctx.messages.remember(response.id, paper.id);
  try {
    await response.react(BOOKMARK_EMOJI);
  } catch (error) {
    // The card is posted; only the affordance is missing. Say what permission would fix it.
    if (error instanceof DiscordAPIError && (error.code === RESTJSONErrorCodes.MissingPermissions || error.code === RESTJSONErrorCodes.MissingAccess)) {
      // Only what reacting needs: the card itself was posted, so Send Messages is not the problem.
      const missing = missingPermissionNames(interaction.appPermissions, REACTION_PERMISSIONS);
      ctx.logger.warn({ messageId: response.id, missing }, 'could not add the bookmark reaction');
      await interaction
        .followUp({
          ...renderNotice(
            `Posted, but I couldn't add the ${BOOKMARK_EMOJI} reaction: I'm missing **${missing.join(', ') || 'Add Reactions'}** here.`,
            `People can still add ${BOOKMARK_EMOJI} themselves to save the paper.`,
          ),
          flags: MessageFlags.Ephemeral,
        })
        .catch(() => undefined);
    } else {
      throw error;
    }
  }
  return response;
}
