import type { Command, ComponentHandler } from '../src/discord/bot-context.js';
import { alertCommand } from './alert.js';
import { bookmarksCommand, bookmarksComponentHandlers } from './bookmarks.js';
import { followCommand, unfollowCommand } from './follow.js';
import { paperCommand, paperComponentHandlers } from './paper.js';
import { topicCommand, topicComponentHandlers } from './topic.js';

/** Every slash command, in one static list: the bot routes by it and deploy-commands registers it. */
export const commands: readonly Command[] = [paperCommand, bookmarksCommand, topicCommand, followCommand, unfollowCommand, alertCommand];

/** Button and select-menu handlers, by custom_id prefix. */
export const componentHandlers: readonly ComponentHandler[] = [...paperComponentHandlers, ...bookmarksComponentHandlers, ...topicComponentHandlers];
