import { ButtonStyle, ComponentType, type APIButtonComponentWithCustomId, type APIStringSelectComponent } from 'discord.js';
import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../../src/core/search/paper-index.js';
import { titleId } from '../../../src/core/paper-id.js';
import { DISCORD_LIMITS, embedTextLength, type RenderedMessage } from '../../../src/discord/render/limits.js';
import {
  SEARCH_SYNTAX_HINT,
  renderPaperActions,
  renderPaperLine,
  renderSearchResults,
  type SearchResultsView,
} from '../../../src/discord/render/search-results.js';
import { codePoints } from '../../../src/discord/render/text.js';
import { discordIssues } from './discord-body.js';

const ZWSP = '\u200b';

const hits: SearchHit[] = [
  { id: '2405.17399', title: 'Transformers Can Do Arithmetic with the Right Embeddings', score: 9.1, published: '2024-05-27', upvotes: 12 },
  { id: '2312.00752', title: 'Mamba: Linear-Time Sequence Modeling with Selective State Spaces', score: 8.4, published: '2023-12-01', upvotes: 191 },
  { id: titleId('Scaling Laws for Neural Language Models'), title: 'Scaling Laws for Neural Language Models', score: 7.7 },
  { id: 'hep-th/9901001', title: 'Old-style ids still work', score: 5, published: '1999-01-04' },
  { id: '1706.03762', title: 'Attention Is All You Need', score: 4.2, published: '2017-06-12', upvotes: 0 },
];

function view(overrides: Partial<SearchResultsView> = {}): SearchResultsView {
  return { query: 'transformer arithmetic', hits, total: 37, offset: 0, pageSize: 5, sort: 'relevance', sessionId: 'k3J9xQ2mZa', ...overrides };
}

function pieces(message: RenderedMessage) {
  const embed = message.embeds![0]!;
  const rows = message.components ?? [];
  const select = rows.flatMap((r) => r.components).find((c): c is APIStringSelectComponent => c.type === ComponentType.StringSelect);
  const buttons = rows.flatMap((r) => r.components).filter((c): c is APIButtonComponentWithCustomId => c.type === ComponentType.Button);
  return { embed, select, buttons };
}

describe('renderSearchResults', () => {
  it('lists the page with links, dates and upvotes under a header with the query and the range', () => {
    const message = renderSearchResults(view());
    const { embed } = pieces(message);
    expect(embed.title).toBe('Search: transformer arithmetic');
    expect(embed.description).toBe(
      [
        'Results 1–5 of 37 · sorted by relevance',
        '',
        '**1.** [Transformers Can Do Arithmetic with the Right Embeddings](https://arxiv.org/abs/2405.17399) — 2024-05-27 · ▲12',
        '**2.** [Mamba: Linear-Time Sequence Modeling with Selective State Spaces](https://arxiv.org/abs/2312.00752) — 2023-12-01 · ▲191',
        '**3.** Scaling Laws for Neural Language Models',
        '**4.** [Old-style ids still work](https://arxiv.org/abs/hep-th/9901001) — 1999-01-04',
        '**5.** [Attention Is All You Need](https://arxiv.org/abs/1706.03762) — 2017-06-12',
      ].join('\n'),
    );
    expect(embed.footer!.text).toMatch(/^Page 1 of 8/);
    expect(message.allowedMentions).toEqual({ parse: [] });
    expect(discordIssues(message)).toEqual([]);
  });

  it('offers a menu with one option per hit to open its card', () => {
    const { select } = pieces(renderSearchResults(view()));
    expect(select!.custom_id).toBe('search:open:k3J9xQ2mZa');
    expect(select!.options.map((o) => o.value)).toEqual(hits.map((h) => h.id));
    expect(select!.options[0]).toEqual({
      label: '1. Transformers Can Do Arithmetic with the Right Embeddings',
      value: '2405.17399',
      description: '2024-05-27 · arXiv:2405.17399',
    });
    expect(select!.options[2]!.description).toBe('date unknown');
  });

  it('disables ◀ on the first page and pages by the page size', () => {
    const { buttons } = pieces(renderSearchResults(view()));
    expect(buttons.map((b) => [b.label, b.custom_id, b.disabled])).toEqual([
      ['◀', 'search:page:k3J9xQ2mZa:0', true],
      ['▶', 'search:page:k3J9xQ2mZa:5', false],
    ]);
    expect(buttons.every((b) => b.style === ButtonStyle.Secondary)).toBe(true);
  });

  it('disables ▶ on the last page and numbers hits from the offset', () => {
    const message = renderSearchResults(view({ offset: 35, hits: hits.slice(0, 2) }));
    const { embed, buttons, select } = pieces(message);
    expect(embed.description!.split('\n')[0]).toBe('Results 36–37 of 37 · sorted by relevance');
    expect(embed.description).toContain('**36.** [Transformers');
    expect(select!.options[1]!.label).toMatch(/^37\. Mamba/);
    expect(buttons.map((b) => [b.custom_id, b.disabled])).toEqual([
      ['search:page:k3J9xQ2mZa:30', false],
      ['search:page:k3J9xQ2mZa:40', true],
    ]);
    expect(discordIssues(message)).toEqual([]);
  });

  it('shows no paging buttons when everything fits on one page', () => {
    const message = renderSearchResults(view({ total: 5, sort: 'newest' }));
    const { buttons, embed } = pieces(message);
    expect(buttons).toEqual([]);
    expect(message.components).toHaveLength(1);
    expect(embed.description!.split('\n')[0]).toBe('Results 1–5 of 5 · sorted by newest');
  });

  it('says nothing matched and explains the query syntax for an empty result', () => {
    const message = renderSearchResults(view({ query: 'zzzqqq', hits: [], total: 0 }));
    const { embed } = pieces(message);
    expect(embed.title).toBe('Search: zzzqqq');
    expect(embed.description).toBe(`No papers matched.\n\n${SEARCH_SYNTAX_HINT}`);
    expect(embed.description).toContain('author:');
    expect(message.components).toEqual([]);
    expect(discordIssues(message)).toEqual([]);
  });

  it('offers the way back when a page past the end comes back empty', () => {
    const message = renderSearchResults(view({ hits: [], total: 12, offset: 15 }));
    const { embed, buttons } = pieces(message);
    expect(embed.description).toMatch(/page is empty/);
    expect(buttons.map((b) => [b.custom_id, b.disabled])).toEqual([
      ['search:page:k3J9xQ2mZa:10', false],
      ['search:page:k3J9xQ2mZa:20', true],
    ]);
  });

  it('escapes a query and titles holding mentions and markdown, but keeps select labels plain', () => {
    const evil: SearchHit = { id: '2401.00001', title: '**Win** @everyone <@123> [x](https://evil.example)', score: 1 };
    const message = renderSearchResults(view({ query: '@here <#1> `code`', hits: [evil], total: 1 }));
    const { embed, select } = pieces(message);
    expect(embed.title).toBe(`Search: @${ZWSP}here <${ZWSP}#1> \\\`code\\\``);
    expect(embed.description).toContain(
      `[\\*\\*Win\\*\\* @${ZWSP}everyone <${ZWSP}@123> \\[x\\]\\(https://evil.example\\)](https://arxiv.org/abs/2401.00001)`,
    );
    expect(select!.options[0]!.label).toBe(`1. **Win** @${ZWSP}everyone <${ZWSP}@123> [x](https://evil.example)`);
    expect(JSON.stringify(message)).not.toMatch(/@everyone|@here|<@\d|<#\d/);
  });

  it('keeps a page of 25 very long titles within every limit', () => {
    const long = Array.from({ length: 25 }, (_, i) => ({
      id: `2401.${String(10000 + i)}`,
      title: `${'🔖 Extremely long title '.repeat(30)}${i}`,
      score: 1,
      published: '2024-01-01',
      upvotes: 1000 + i,
    }));
    const message = renderSearchResults(view({ hits: long, total: 1000, pageSize: 25, offset: 975 }));
    const { embed, select } = pieces(message);
    expect(codePoints(embed.description!)).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
    expect(embedTextLength(message.embeds!)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(embed.description).toMatch(/… and \d+ more on this page$/);
    expect(select!.options).toHaveLength(25);
    expect(discordIssues(message)).toEqual([]);
  });

  it('fits the longest ids in custom_id: a 10-character session and a 40-character paper id', () => {
    const longestId = 'x'.repeat(40);
    const message = renderSearchResults(
      view({ sessionId: 'Z'.repeat(10), offset: 9_999_990, total: 10_000_000, pageSize: 10, hits: [{ id: longestId, title: 't', score: 1 }] }),
    );
    const ids = (message.components ?? []).flatMap((r) => r.components).map((c) => ('custom_id' in c ? c.custom_id : ''));
    for (const id of ids) expect(codePoints(id)).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
    for (const button of renderPaperActions(longestId).components) {
      expect(codePoints((button as APIButtonComponentWithCustomId).custom_id)).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
    }
    // The real longest ids are far shorter: old-style arXiv ids and title ids.
    expect(renderPaperActions('cond-mat/0101001').components.map((c) => (c as APIButtonComponentWithCustomId).custom_id)).toEqual([
      'paper:bookmark:cond-mat/0101001',
      'paper:post:cond-mat/0101001',
    ]);
  });

  it('refuses a session id that would push a custom_id past 100', () => {
    expect(() => renderSearchResults(view({ sessionId: 's'.repeat(95) }))).toThrow(/custom_id/);
  });
});

describe('renderPaperActions', () => {
  it('offers Bookmark and Post in channel for an opened card', () => {
    const id = titleId('Scaling Laws for Neural Language Models');
    expect(renderPaperActions(id)).toEqual({
      type: ComponentType.ActionRow,
      components: [
        { type: ComponentType.Button, style: ButtonStyle.Primary, label: 'Bookmark', emoji: { name: '🔖' }, custom_id: `paper:bookmark:${id}` },
        { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Post in channel', custom_id: `paper:post:${id}` },
      ],
    });
  });
});

describe('renderPaperLine', () => {
  it('links arXiv papers and leaves title-only papers unlinked', () => {
    expect(renderPaperLine(3, { id: '2405.17399', title: 'T', published: '2024-05-27', upvotes: 12 })).toBe(
      '**3.** [T](https://arxiv.org/abs/2405.17399) — 2024-05-27 · ▲12',
    );
    expect(renderPaperLine(4, { id: titleId('T'), title: 'T' })).toBe('**4.** T');
  });
});
