import { DiscordAPIError, type Message } from 'discord.js';
import type { Paper } from '../core/paper.js';
import type { RenderedMessage } from './render/limits.js';
import { digestLink } from './render/topic-messages.js';

/**
 * What the delivery paths (topic channels, forum posts, alert DMs) share when they look back at
 * what they may already have posted, and how they log a failure: one implementation of each.
 */

/** A failure as a short log field: Discord's status and code, or the error's name and message. */
export function describeError(error: unknown): string {
  if (error instanceof DiscordAPIError) return `Discord ${error.status} (${error.code})`;
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 200);
  return String(error).slice(0, 200);
}

/**
 * A list message (a topic digest, a forum digest's starter message, an alert DM) is recognised by
 * its embed title and the link of every paper it lists: an arXiv paper's link is its abs page,
 * fixed by the id, so a list of other papers with the same count is never taken for this one.
 * Without a title or any link a list cannot be told from another and is not recognised.
 * `messages` newest first (as Discord pages them): the oldest match wins, the one to keep if a
 * list was ever posted twice.
 */
export function findListing(messages: readonly Message[], title: string | undefined, links: readonly string[]): Message | undefined {
  if (!title || links.length === 0) return undefined;
  return messages.findLast((m) => {
    const embed = m.embeds[0];
    return embed?.title === title && links.every((link) => (embed.description ?? '').includes(`](${link})`));
  });
}

/** A topic digest (in a channel's history, or a forum digest's starter message): its title ("N more new papers for <topic>") and every paper's link. */
export function findDigest(messages: readonly Message[], body: RenderedMessage, papers: readonly Paper[]): Message | undefined {
  return findListing(messages, body.embeds?.[0]?.title, papers.flatMap((p) => digestLink(p) ?? []));
}
