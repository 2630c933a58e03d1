import type { Paper } from './paper.js';

/**
 * Which of a forum's tags a paper's post carries, and which tags the bot would add to the forum
 * for it. Pure: the Discord side (reading the forum, the permission to edit it) is the caller's.
 *
 * A tag matches when its name equals one of the paper's categories or keywords, ignoring case
 * and surrounding spaces. Only categories are ever created as tags: arXiv's category names form
 * a small, fixed vocabulary a forum can be filtered by, whereas free keywords (a Hugging Face
 * paper lists a dozen) would fill Discord's 20 tags within a few posts.
 */

export const FORUM_LIMITS = {
  /** Tags one forum post may carry. */
  appliedTags: 5,
  /** Tags one forum may offer. */
  forumTags: 20,
  /** Code points in a tag name. */
  tagName: 20,
} as const;

export type ForumTagInfo = { id: string; name: string; moderated: boolean };

export type TagChoice = {
  /** Ids of existing tags to apply, in the paper's order (categories, primary first, then keywords). */
  apply: string[];
  /** Category names to add to the forum before posting, when creating tags is allowed. */
  create: string[];
};

export type TagOptions = {
  /** The topic asks for missing tags and the bot may edit the forum (Manage Channels). */
  createMissing: boolean;
  /** Moderated tags can only be applied with Manage Threads. */
  canApplyModerated: boolean;
};

const key = (name: string) => name.trim().toLowerCase();

export function chooseForumTags(available: readonly ForumTagInfo[], paper: Pick<Paper, 'categories' | 'keywords'>, options: TagOptions): TagChoice {
  const byName = new Map<string, ForumTagInfo>();
  for (const tag of available) if (!byName.has(key(tag.name))) byName.set(key(tag.name), tag);
  const apply: string[] = [];
  const create: string[] = [];
  const taken = new Set<string>();
  const room = () => FORUM_LIMITS.appliedTags - apply.length - create.length;
  for (const [i, name] of [...paper.categories, ...paper.keywords].entries()) {
    if (room() <= 0) break;
    const k = key(name);
    if (!k || taken.has(k)) continue;
    taken.add(k);
    const tag = byName.get(k);
    if (tag) {
      if (!tag.moderated || options.canApplyModerated) apply.push(tag.id);
      continue;
    }
    const isCategory = i < paper.categories.length;
    const fits = [...name.trim()].length <= FORUM_LIMITS.tagName && available.length + create.length < FORUM_LIMITS.forumTags;
    if (options.createMissing && isCategory && fits) create.push(name.trim());
  }
  return { apply, create };
}

/** After the forum gained `created`: the ids to apply, matched again against the forum's tags as they now are. */
export function appliedTagIds(available: readonly ForumTagInfo[], paper: Pick<Paper, 'categories' | 'keywords'>, canApplyModerated: boolean): string[] {
  return chooseForumTags(available, paper, { createMissing: false, canApplyModerated }).apply;
}
