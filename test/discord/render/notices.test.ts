import { describe, expect, it } from 'vitest';
import { renderFailure, renderNotice } from '../../../src/discord/render/notices.js';
import { codePoints } from '../../../src/discord/render/text.js';
import { discordIssues } from './discord-body.js';

describe('renderNotice', () => {
  it('shows our text with its markdown and a hint as subtext', () => {
    const message = renderNotice('Saved **Mamba** to your bookmarks.', 'See them with /bookmarks list.');
    expect(message).toEqual({
      content: 'Saved **Mamba** to your bookmarks.\n-# See them with /bookmarks list.',
      embeds: [],
      components: [],
      allowedMentions: { parse: [] },
    });
    expect(discordIssues(message)).toEqual([]);
  });

  it('makes mentions inert even in our own text (it may quote user input)', () => {
    const message = renderNotice('"@everyone <@&1>" is not a paper id.', 'Ask <@123>');
    expect(message.content).toBe('"@\u200beveryone <\u200b@&1>" is not a paper id.\n-# Ask <\u200b@123>');
    expect(message.allowedMentions).toEqual({ parse: [] });
  });

  it('keeps a very long notice within 2000 code points', () => {
    expect(codePoints(renderNotice('🔖'.repeat(3000)).content!)).toBe(2000);
  });
});

describe('renderFailure', () => {
  it('gives a reference id and never the error itself', () => {
    expect(renderFailure('abc123').content).toBe('Something went wrong (ref `abc123`). It has been logged.');
  });

  it('keeps a strange reference id from breaking out of its code span', () => {
    expect(renderFailure('a`b @everyone').content).toBe('Something went wrong (ref `abeveryone`). It has been logged.');
    expect(renderFailure('``').content).toBe('Something went wrong (ref `unknown`). It has been logged.');
  });
});
