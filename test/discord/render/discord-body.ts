import { MessagePayload, Options } from 'discord.js';
import type { RenderedMessage } from '../../../src/discord/render/limits.js';
import { validateMessagePayload, type FormIssue } from '../../../sandbox/fake-discord/limits.js';

/**
 * The JSON body discord.js would send for a rendered message: the real MessagePayload#resolveBody
 * with the default client options (jsonTransformer = toSnakeCase). A plain object stands in for
 * the target: it is no Webhook, Message or User, so the channel-message path runs.
 */
export function discordBody(message: RenderedMessage): Record<string, unknown> {
  const target = { client: { options: Options.createDefault() } };
  const payload = new MessagePayload(target as never, message).resolveBody();
  return payload.body as Record<string, unknown>;
}

/** What Discord would refuse in that body (the fake Discord's checks), [] when nothing. */
export function discordIssues(message: RenderedMessage): readonly FormIssue[] {
  return validateMessagePayload(discordBody(message))?.issues ?? [];
}
