import { ComponentType, MessageFlags, type APIButtonComponentWithCustomId } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { titleId } from '../../../src/core/paper-id.js';
import { BOOKMARKS_PAGE, NO_BOOKMARKS, renderBookmarkList } from '../../../src/discord/render/bookmark-list.js';
import { DISCORD_LIMITS, asUpdate, ephemeral } from '../../../src/discord/render/limits.js';
import { codePoints } from '../../../src/discord/render/text.js';
import { discordBody, discordIssues } from './discord-body.js';

const papers = [
  { id: '2405.17399', title: 'Transformers Can Do Arithmetic with the Right Embeddings', published: '2024-05-27' },
  { id: '2312.00752', title: 'Mamba: Linear-Time Sequence Modeling with Selective State Spaces', published: '2023-12-01' },
  { id: titleId('Scaling Laws for Neural Language Models'), title: 'Scaling Laws for Neural Language Models' },
];

const sessionId = '123456789012345678';

function buttons(message: ReturnType<typeof renderBookmarkList>): APIButtonComponentWithCustomId[] {
  return (message.components ?? []).flatMap((r) => r.components).filter((c): c is APIButtonComponentWithCustomId => c.type === ComponentType.Button);
}

describe('renderBookmarkList', () => {
  it('lists a page of bookmarks with links and dates', () => {
    const message = renderBookmarkList({ papers, offset: 0, pageSize: 3, total: 3, sessionId });
    const embed = message.embeds![0]!;
    expect(embed.title).toBe('Your bookmarks');
    expect(embed.description).toBe(
      [
        '3 saved · showing 1–3',
        '',
        '**1.** [Transformers Can Do Arithmetic with the Right Embeddings](https://arxiv.org/abs/2405.17399) — 2024-05-27',
        '**2.** [Mamba: Linear-Time Sequence Modeling with Selective State Spaces](https://arxiv.org/abs/2312.00752) — 2023-12-01',
        '**3.** Scaling Laws for Neural Language Models',
      ].join('\n'),
    );
    expect(message.components).toEqual([]);
    expect(message.allowedMentions).toEqual({ parse: [] });
    expect(discordIssues(message)).toEqual([]);
  });

  it('pages with ◀ ▶ carrying the session and the target offset', () => {
    const message = renderBookmarkList({ papers, offset: 3, pageSize: 3, total: 8, sessionId });
    expect(message.embeds![0]!.description!.split('\n')[0]).toBe('8 saved · showing 4–6');
    expect(message.embeds![0]!.footer).toEqual({ text: 'Page 2 of 3' });
    expect(buttons(message).map((b) => [b.label, b.custom_id, b.disabled])).toEqual([
      ['◀', `${BOOKMARKS_PAGE}:${sessionId}:0`, false],
      ['▶', `${BOOKMARKS_PAGE}:${sessionId}:6`, false],
    ]);
    for (const b of buttons(message)) expect(codePoints(b.custom_id)).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
    expect(discordIssues(message)).toEqual([]);
  });

  it('explains how to save a paper when there are no bookmarks', () => {
    const message = renderBookmarkList({ papers: [], offset: 0, pageSize: 10, total: 0, sessionId });
    expect(message.embeds![0]!.description).toBe(NO_BOOKMARKS);
    expect(NO_BOOKMARKS).toBe('No bookmarks yet — react 🔖 on a paper or press Bookmark on a search result.');
    expect(message.components).toEqual([]);
    expect(discordIssues(message)).toEqual([]);
  });

  it('escapes bookmarked titles holding mentions and markdown', () => {
    const message = renderBookmarkList({ papers: [{ id: '2401.00001', title: '@everyone **gotcha** <@1>' }], offset: 0, pageSize: 10, total: 1, sessionId });
    expect(message.embeds![0]!.description).toContain('[@\u200beveryone \\*\\*gotcha\\*\\* <\u200b@1>](https://arxiv.org/abs/2401.00001)');
  });

  it('is sent ephemeral on the first reply and as a full replacement on a page press', () => {
    const message = renderBookmarkList({ papers, offset: 3, pageSize: 3, total: 8, sessionId });
    expect(discordBody(ephemeral(message)).flags).toBe(MessageFlags.Ephemeral);
    const update = asUpdate(message);
    expect(update).not.toHaveProperty('flags');
    expect(update.components).toEqual(message.components);
  });
});
