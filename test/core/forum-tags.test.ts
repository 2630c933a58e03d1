import { describe, expect, it } from 'vitest';
import { chooseForumTags, FORUM_LIMITS, type ForumTagInfo } from '../../src/core/forum-tags.js';

const tags = (...names: string[]): ForumTagInfo[] => names.map((name, i) => ({ id: String(i + 1), name, moderated: false }));

describe('chooseForumTags', () => {
  it('applies the tags named like a category or keyword, ignoring case, in the paper’s order, each once', () => {
    const choice = chooseForumTags(tags('Robotics', 'cs.cv', 'diffusion'), { categories: ['cs.CV', 'cs.LG'], keywords: ['Diffusion', 'diffusion', 'robots'] }, { createMissing: false, canApplyModerated: false });
    expect(choice).toEqual({ apply: ['2', '3'], create: [] });
  });

  it('applies at most 5 tags, and skips moderated ones without Manage Threads', () => {
    const available = [...tags('a', 'b', 'c', 'd', 'e', 'f'), { id: 'm', name: 'staff', moderated: true }];
    const paper = { categories: ['staff', 'a', 'b', 'c', 'd', 'e', 'f'], keywords: [] };
    expect(chooseForumTags(available, paper, { createMissing: false, canApplyModerated: false }).apply).toEqual(['1', '2', '3', '4', '5']);
    expect(chooseForumTags(available, paper, { createMissing: false, canApplyModerated: true }).apply).toEqual(['m', '1', '2', '3', '4']);
  });

  it('creates only missing categories (not keywords) of at most 20 characters, within 20 forum tags and 5 per post', () => {
    const paper = { categories: ['cs.CV', 'a-category-name-longer-than-twenty', 'cs.LG'], keywords: ['video'] };
    expect(chooseForumTags(tags('cs.LG'), paper, { createMissing: true, canApplyModerated: false })).toEqual({ apply: ['1'], create: ['cs.CV'] });
    expect(chooseForumTags(tags('cs.LG'), paper, { createMissing: false, canApplyModerated: false }).create).toEqual([]);
    const full = tags(...Array.from({ length: FORUM_LIMITS.forumTags }, (_, i) => `t${i}`));
    expect(chooseForumTags(full, paper, { createMissing: true, canApplyModerated: false }).create).toEqual([]);
    const many = { categories: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'], keywords: [] };
    expect(chooseForumTags([], many, { createMissing: true, canApplyModerated: false }).create).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
  });
});
