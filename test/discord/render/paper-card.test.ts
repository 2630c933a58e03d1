import { describe, expect, it } from 'vitest';
import { normalizePaper, type Paper, type PaperInput } from '../../../src/core/paper.js';
import { titleId } from '../../../src/core/paper-id.js';
import { DISCORD_LIMITS, embedTextLength } from '../../../src/discord/render/limits.js';
import { PAPER_COLOR, authorLine, renderPaperCard } from '../../../src/discord/render/paper-card.js';
import { renderPaperActions } from '../../../src/discord/render/search-results.js';
import { codePoints } from '../../../src/discord/render/text.js';
import { discordIssues } from './discord-body.js';

const ZWSP = '\u200b';

const mamba: PaperInput = {
  id: '2312.00752',
  title: 'Mamba: Linear-Time Sequence Modeling with Selective State Spaces',
  abstract:
    'Foundation models, now powering most of the exciting applications in deep learning, are almost universally based on the Transformer architecture and its core attention module.',
  authors: ['Albert Gu', 'Tri Dao'],
  published: '2023-12-01',
  categories: ['cs.LG', 'cs.AI'],
  upvotes: 191,
  links: { huggingface: 'https://huggingface.co/papers/2312.00752', code: 'https://github.com/state-spaces/mamba' },
  thumbnail: 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2312.00752.png',
  sources: ['hf'],
};

function paper(overrides: Partial<PaperInput> = {}): Paper {
  return normalizePaper({ ...mamba, ...overrides });
}

function embedOf(p: Paper, options?: Parameters<typeof renderPaperCard>[1]) {
  const message = renderPaperCard(p, options);
  expect(message.embeds).toHaveLength(1);
  return { message, embed: message.embeds![0]! };
}

describe('renderPaperCard', () => {
  it('shows the paper: linked title, authors, abstract, date, categories, upvotes, links, thumbnail, id', () => {
    const { message, embed } = embedOf(paper());
    expect(embed).toEqual({
      title: 'Mamba: Linear-Time Sequence Modeling with Selective State Spaces',
      url: 'https://arxiv.org/abs/2312.00752',
      color: PAPER_COLOR,
      author: { name: 'Albert Gu, Tri Dao' },
      description: mamba.abstract,
      fields: [
        { name: 'Published', value: '2023-12-01', inline: true },
        { name: 'Categories', value: 'cs.LG, cs.AI', inline: true },
        { name: 'Upvotes', value: '▲ 191', inline: true },
        {
          name: 'Links',
          value:
            '[arXiv](https://arxiv.org/abs/2312.00752) · [PDF](https://arxiv.org/pdf/2312.00752) · ' +
            '[Hugging Face](https://huggingface.co/papers/2312.00752) · [Code](https://github.com/state-spaces/mamba)',
        },
      ],
      thumbnail: { url: 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2312.00752.png' },
      footer: { text: '2312.00752' },
    });
    expect(message.allowedMentions).toEqual({ parse: [] });
    expect(message.components).toEqual([]);
    expect(discordIssues(message)).toEqual([]);
  });

  it('keeps a 5000-character abstract card within 6000 characters in total', () => {
    const abstract = `${'state space model '.repeat(277)}abcdefghijklmn`;
    const authors = Array.from({ length: 500 }, (_, i) => `Author Number${i} Surname`);
    const big = paper({ abstract, authors, title: `${'Long Title '.repeat(40)}`, categories: Array.from({ length: 200 }, (_, i) => `cs.X${i}`) });
    const { message, embed } = embedOf(big);
    expect(big.abstract).toHaveLength(5000);
    expect(embedTextLength(message.embeds!)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(codePoints(embed.title!)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTitle);
    expect(codePoints(embed.description!)).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
    expect(embed.description!.endsWith('…')).toBe(true);
    expect(embed.author!.name).toMatch(/^Author Number0 Surname, .* \+\d+ more$/);
    expect(codePoints(embed.author!.name)).toBeLessThanOrEqual(DISCORD_LIMITS.author);
    for (const field of embed.fields!) expect(codePoints(field.value)).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    expect(discordIssues(message)).toEqual([]);
  });

  it('stays within 6000 when an abstract of 5000 markdown characters doubles on escaping', () => {
    const { message } = embedOf(paper({ abstract: '*_'.repeat(2500) }), {
      footer: 'f'.repeat(3000),
    });
    expect(embedTextLength(message.embeds!)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(discordIssues(message)).toEqual([]);
  });

  it('renders a title holding @everyone, <@123> and **markdown** harmlessly', () => {
    const { message, embed } = embedOf(
      paper({
        title: '**Free Nitro** @everyone <@123> <#456> [click](https://evil.example)',
        abstract: '# Heading\n> quote <@&789> <t:1700000000:R> ||spoiler||',
        authors: ['@here', '<@123>'],
      }),
    );
    expect(embed.title).toBe(`\\*\\*Free Nitro\\*\\* @${ZWSP}everyone <${ZWSP}@123> <${ZWSP}#456> \\[click\\]\\(https://evil.example\\)`);
    expect(embed.description).toBe(`\\# Heading > quote <${ZWSP}@&789> <${ZWSP}t:1700000000:R> \\|\\|spoiler\\|\\|`);
    expect(embed.author!.name).toBe(`@${ZWSP}here, <${ZWSP}@123>`);
    const json = JSON.stringify(message.embeds);
    expect(json).not.toMatch(/@everyone|@here|<@\d|<@&|<#\d|<t:/);
    expect(message.allowedMentions).toEqual({ parse: [] });
  });

  it('uses the AI summary when there is no abstract', () => {
    const { embed } = embedOf(paper({ abstract: '', aiSummary: 'Selective state spaces match Transformers at linear cost.' }));
    expect(embed.description).toBe('Selective state spaces match Transformers at linear cost.');
  });

  it('links a paper known only by its title to Hugging Face and leaves out the arXiv links', () => {
    const p = paper({ id: titleId(mamba.title), links: { huggingface: 'https://huggingface.co/papers/2312.00752' } });
    const { embed } = embedOf(p);
    expect(embed.url).toBe('https://huggingface.co/papers/2312.00752');
    expect(embed.fields!.find((f) => f.name === 'Links')!.value).toBe('[Hugging Face](https://huggingface.co/papers/2312.00752)');
    expect(embed.footer!.text).toBe(p.id);
  });

  it('leaves out links, thumbnails and fields it does not know or cannot trust', () => {
    const bare: Paper = {
      id: titleId('A paper with nothing'),
      title: 'A paper with nothing',
      abstract: '',
      authors: [],
      categories: [],
      links: { code: 'javascript:alert(1)', project: 'ftp://example.org/x' },
      thumbnail: 'data:image/png;base64,AAAA',
      keywords: [],
      sources: ['page'],
    };
    const { message, embed } = embedOf(bare);
    expect(embed).toEqual({ title: 'A paper with nothing', color: PAPER_COLOR, footer: { text: bare.id } });
    expect(discordIssues(message)).toEqual([]);
  });

  it('adds footer text after the paper id and passes action rows through', () => {
    const { message, embed } = embedOf(paper(), { footer: 'topic: state space models', components: [renderPaperActions('2312.00752')] });
    expect(embed.footer).toEqual({ text: '2312.00752 · topic: state space models' });
    expect(message.components).toHaveLength(1);
    expect(discordIssues(message)).toEqual([]);
  });
});

describe('authorLine', () => {
  it('names up to 8 authors and counts the rest', () => {
    const authors = Array.from({ length: 11 }, (_, i) => `Author ${i + 1}`);
    expect(authorLine(authors)).toBe('Author 1, Author 2, Author 3, Author 4, Author 5, Author 6, Author 7, Author 8 +3 more');
    expect(authorLine(['Albert Gu'])).toBe('Albert Gu');
    expect(authorLine([])).toBe('');
  });

  it('names fewer authors when long names would pass 256 characters', () => {
    const authors = Array.from({ length: 10 }, (_, i) => `${'Ω'.repeat(50)}${i}`);
    const line = authorLine(authors);
    expect(codePoints(line)).toBeLessThanOrEqual(DISCORD_LIMITS.author);
    expect(line).toMatch(/ \+\d+ more$/);
    expect(line.split(', ').length).toBe(4);
  });
});
