import type { Paper } from '../../core/paper.js';
import type { Topic } from '../../core/topics.js';
import { truncate } from './text.js';

/**
 * The names of forum posts. A thread name is plain text (no markdown, no mentions render in it),
 * so it is only tidied and cut to Discord's 100 code points; the card inside goes through the
 * usual renderer (renderTopicPost / renderTopicDigest).
 */

export const THREAD_NAME_MAX = 100;

/** A paper's forum post: its title (the id when the title is blank). */
export function renderForumPostName(paper: Pick<Paper, 'id' | 'title'>): string {
  const title = paper.title.replace(/\s+/g, ' ').trim();
  return truncate(title || paper.id, THREAD_NAME_MAX);
}

/**
 * The digest's forum post: "YYYY-MM-DD · N more new papers for <topic>", the digest's embed title
 * after the UTC day it was first attempted, so that one day's digest reads apart from another's
 * of the same size in the forum list (a retry recognises its post by the papers' links, not the name).
 */
export function renderForumDigestName(count: number, topic: Pick<Topic, 'name'>, at: number): string {
  const day = new Date(at).toISOString().slice(0, 10);
  return truncate(`${day} · ${count} more new ${count === 1 ? 'paper' : 'papers'} for ${topic.name}`, THREAD_NAME_MAX);
}
