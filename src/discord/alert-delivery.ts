import { DiscordAPIError, RESTJSONErrorCodes, type Client, type DMChannel, type Message } from 'discord.js';
import type { AlertDelivery, AlertDmResult } from '../core/alerts.js';
import type { Clock } from '../core/search-sessions.js';
import { findListing } from './posted-lookup.js';
import type { RenderedMessage } from './render/limits.js';
import { renderAlertMessage, renderAlertsResumedDm } from './render/alert-views.js';
import { NONCE_TRUST_MS } from './topic-delivery.js';

/**
 * Alert DMs. `POST /users/@me/channels` opens (or finds) the DM channel, then the message goes
 * out with the alert's deterministic nonce and `enforce_nonce`, so a resend after a crash gets the
 * first message back. Past Discord's nonce window (NONCE_TRUST_MS, as for topic posts) the DM's
 * latest messages are read first: a DM of ours with the same title and the same paper links is the
 * one that went out. 50007 (the member closed DMs or blocked the bot) is an answer, not an error:
 * the runner pauses that member's alerts.
 */

/** Latest DM messages read back for that check: a member's DM with the bot holds little else. */
export const DM_LOOKBACK = 20;

export function createAlertDelivery(deps: { client: Client; clock: Clock }): AlertDelivery {
  const { client, clock } = deps;

  async function dm(userId: string, message: RenderedMessage, nonce?: string, pendingSince?: number): Promise<AlertDmResult> {
    try {
      const channel = await client.users.createDM(userId);
      const stale = pendingSince !== undefined && clock.now() - pendingSince > NONCE_TRUST_MS;
      const found = stale ? await findSent(channel, message) : undefined;
      if (found) return { kind: 'sent', messageId: found.id };
      const sent = await channel.send(nonce ? { ...message, nonce, enforceNonce: true } : message);
      return { kind: 'sent', messageId: sent.id };
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.CannotSendMessagesToThisUser) return { kind: 'closed' };
      throw error;
    }
  }

  /** Our DM with this title listing the same papers (by their links, which depend on the ids alone). */
  async function findSent(channel: DMChannel, message: RenderedMessage): Promise<Message | undefined> {
    const embed = message.embeds?.[0];
    const links = [...(embed?.description ?? '').matchAll(/\]\((https:\/\/arxiv\.org\/abs\/[^)\s]+)\)/g)].map((m) => m[1]!);
    if (!embed?.title || links.length === 0) return undefined;
    const page = await channel.messages.fetch({ limit: DM_LOOKBACK, cache: false });
    return findListing(
      [...page.values()].filter((m) => m.author.id === client.user?.id),
      embed.title,
      links,
    );
  }

  return {
    send: (user, alert, papers, nonce, pendingSince) => dm(user.userId, renderAlertMessage(alert, papers, user.timezone), nonce, pendingSince),
    greet: (userId) => dm(userId, renderAlertsResumedDm()),
  };
}
