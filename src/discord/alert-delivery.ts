import { DiscordAPIError, RESTJSONErrorCodes, type Client } from 'discord.js';
import type { AlertDelivery, AlertDmResult } from '../core/alerts.js';
import type { RenderedMessage } from './render/limits.js';
import { renderAlertMessage, renderAlertsResumedDm } from './render/alert-views.js';

/**
 * Alert DMs. `POST /users/@me/channels` opens (or finds) the DM channel, then the message goes
 * out with the alert's deterministic nonce and `enforce_nonce`, so a resend after a crash gets the
 * first message back. 50007 (the member closed DMs or blocked the bot) is an answer, not an
 * error: the runner pauses that member's alerts.
 */
export function createAlertDelivery(deps: { client: Client }): AlertDelivery {
  const { client } = deps;

  async function dm(userId: string, message: RenderedMessage, nonce?: string): Promise<AlertDmResult> {
    try {
      const channel = await client.users.createDM(userId);
      const sent = await channel.send(nonce ? { ...message, nonce, enforceNonce: true } : message);
      return { kind: 'sent', messageId: sent.id };
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.CannotSendMessagesToThisUser) return { kind: 'closed' };
      throw error;
    }
  }

  return {
    send: (user, alert, papers, nonce) => dm(user.userId, renderAlertMessage(alert, papers, user.timezone), nonce),
    greet: (userId) => dm(userId, renderAlertsResumedDm()),
  };
}
