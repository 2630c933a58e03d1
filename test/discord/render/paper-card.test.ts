import { readFileSync } from 'node:fs';
import { ButtonStyle, ComponentType, MessageFlags } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { SUMMARY_MAX } from '../../../src/core/card-summary.js';
import { normalizePaper, type Paper, type PaperInput } from '../../../src/core/paper.js';
import { titleId } from '../../../src/core/paper-id.js';
import { parsePaperRecord } from '../../../src/core/parsers/paper-records.js';
import { DISCORD_LIMITS, embedTextLength, type RenderedMessage } from '../../../src/discord/render/limits.js';
import { PAPER_COLOR, authorLine, renderFullAbstract, renderPaperCard } from '../../../src/discord/render/paper-card.js';
import { paperActionButtons } from '../../../src/discord/render/search-results.js';
import { codePoints } from '../../../src/discord/render/text.js';
import { renderTopicPost } from '../../../src/discord/render/topic-messages.js';
import { describeShared, hasShared, sharedPath } from '../../helpers/shared.js';
import { discordIssues } from './discord-body.js';

const ZWSP = '\u200b';

/** Mamba's real abstract (arXiv 2312.00752), 1,300 characters: far more than a card should show. */
const MAMBA_ABSTRACT =
  'Foundation models, now powering most of the exciting applications in deep learning, are almost universally based on the Transformer architecture and its core attention module. ' +
  'Many subquadratic-time architectures such as linear attention, gated convolution and recurrent models, and structured state space models (SSMs) have been developed to address Transformers\' computational inefficiency on long sequences, but they have not performed as well as attention on important modalities such as language. ' +
  'We identify that a key weakness of such models is their inability to perform content-based reasoning, and make several improvements. ' +
  'First, simply letting the SSM parameters be functions of the input addresses their weakness with discrete modalities, allowing the model to selectively propagate or forget information along the sequence length dimension depending on the current token. ' +
  'Second, even though this change prevents the use of efficient convolutions, we design a hardware-aware parallel algorithm in recurrent mode. ' +
  'We integrate these selective SSMs into a simplified end-to-end neural network architecture without attention or even MLP blocks (Mamba). ' +
  'Mamba enjoys fast inference (5$\\times$ higher throughput than Transformers) and linear scaling in sequence length~\\citep{gu2023}.';

const mamba: PaperInput = {
  id: '2312.00752',
  title: 'Mamba: Linear-Time Sequence Modeling with Selective State Spaces',
  abstract: MAMBA_ABSTRACT,
  authors: ['Albert Gu', 'Tri Dao'],
  published: '2023-12-01',
  categories: ['cs.LG', 'cs.AI'],
  upvotes: 191,
  keywords: ['selective state spaces', 'linear-time inference'],
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

const link = (label: string, url: string) => ({ type: ComponentType.Button, style: ButtonStyle.Link, label, url });
const fullAbstract = (id: string) => ({
  type: ComponentType.Button,
  style: ButtonStyle.Secondary,
  label: 'Full abstract',
  emoji: { name: '📄' },
  custom_id: `paper:abstract:${id}`,
});

type Button = { style: ButtonStyle; label?: string; custom_id?: string; url?: string };

function buttons(message: RenderedMessage): Button[] {
  return (message.components ?? []).flatMap((row) => row.components as Button[]);
}

/** What Discord refuses, plus what it counts in code points and discord.js does not check. */
function expectWithinDiscordLimits(message: RenderedMessage): void {
  expect(discordIssues(message)).toEqual([]);
  expect(embedTextLength(message.embeds ?? [])).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
  for (const embed of message.embeds ?? []) {
    expect(codePoints(embed.title ?? '')).toBeLessThanOrEqual(DISCORD_LIMITS.embedTitle);
    expect(codePoints(embed.description ?? '')).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
    expect(codePoints(embed.author?.name ?? '')).toBeLessThanOrEqual(DISCORD_LIMITS.author);
    expect(codePoints(embed.footer?.text ?? '')).toBeLessThanOrEqual(DISCORD_LIMITS.footer);
  }
  const rows = message.components ?? [];
  expect(rows.length).toBeLessThanOrEqual(DISCORD_LIMITS.actionRows);
  for (const row of rows) expect(row.components.length).toBeLessThanOrEqual(DISCORD_LIMITS.buttonsPerRow);
  for (const button of buttons(message)) {
    if (button.label) expect(codePoints(button.label)).toBeLessThanOrEqual(DISCORD_LIMITS.buttonLabel);
    if (button.custom_id) expect(codePoints(button.custom_id)).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
    if (button.url) expect(codePoints(button.url)).toBeLessThanOrEqual(512);
  }
}

describe('renderPaperCard', () => {
  it('leads with the first sentences, then date · categories · upvotes and keywords, with link buttons and Full abstract', () => {
    const { message, embed } = embedOf(paper());
    expect(embed).toEqual({
      title: 'Mamba: Linear-Time Sequence Modeling with Selective State Spaces',
      url: 'https://arxiv.org/abs/2312.00752',
      color: PAPER_COLOR,
      author: { name: 'Albert Gu, Tri Dao' },
      description:
        'Foundation models, now powering most of the exciting applications in deep learning, are almost universally based on the Transformer architecture and its core attention module.\n\n' +
        '2023-12-01 · cs.LG · cs.AI · ▲ 191\nKeywords: selective state spaces · linear-time inference',
      thumbnail: { url: 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2312.00752.png' },
      footer: { text: '2312.00752' },
    });
    expect(message.components).toEqual([
      {
        type: ComponentType.ActionRow,
        components: [
          link('arXiv', 'https://arxiv.org/abs/2312.00752'),
          link('PDF', 'https://arxiv.org/pdf/2312.00752'),
          link('Hugging Face', 'https://huggingface.co/papers/2312.00752'),
          link('Code', 'https://github.com/state-spaces/mamba'),
        ],
      },
      { type: ComponentType.ActionRow, components: [fullAbstract('2312.00752')] },
    ]);
    expect(message.allowedMentions).toEqual({ parse: [] });
    expectWithinDiscordLimits(message);
  });

  it('leads with the source’s AI summary, labelled, LaTeX cleaned', () => {
    const { embed } = embedOf(paper({ aiSummary: 'Mamba runs in $\\mathcal{O}(n)$ with \\textbf{selective} state spaces.' }));
    expect(embed.description!.split('\n\n')[0]).toBe('*AI summary:* Mamba runs in O\\(n\\) with selective state spaces.');
  });

  it('shows a short abstract whole, without a Full abstract button', () => {
    const { message, embed } = embedOf(paper({ abstract: 'Selective state spaces match Transformers at linear cost~\\cite{x}.' }));
    expect(embed.description!.split('\n\n')[0]).toBe('Selective state spaces match Transformers at linear cost.');
    expect(buttons(message).map((b) => b.label)).toEqual(['arXiv', 'PDF', 'Hugging Face', 'Code']);
  });

  it('keeps a card short however long the record: 5,000-character abstract, 500 authors, 200 categories, 50 keywords', () => {
    const abstract = `${'state space model '.repeat(277)}abcdefghijklmn`;
    const authors = Array.from({ length: 500 }, (_, i) => `Author Number${i} Surname`);
    const big = paper({
      abstract,
      authors,
      title: 'Long Title '.repeat(40),
      categories: Array.from({ length: 200 }, (_, i) => `cs.X${i}`),
      keywords: Array.from({ length: 50 }, (_, i) => `keyword ${'k'.repeat(60)} ${i}`),
    });
    const { message, embed } = embedOf(big);
    expect(codePoints(embed.description!)).toBeLessThan(SUMMARY_MAX + 400);
    expect(embed.description).toContain('cs.X0 · cs.X1 · cs.X2 · +197');
    expect(embed.author!.name).toBe('Author Number0 Surname, Author Number1 Surname … +498');
    expect(buttons(message).at(-1)!.label).toBe('Full abstract');
    expectWithinDiscordLimits(message);
  });

  it('renders a title, abstract and authors holding @everyone, <@123> and **markdown** harmlessly', () => {
    const { message, embed } = embedOf(
      paper({
        title: '**Free Nitro** @everyone <@123> <#456> [click](https://evil.example)',
        abstract: '# Heading\n> quote <@&789> <t:1700000000:R> ||spoiler||',
        authors: ['@here', '<@123>'],
        keywords: ['<@&1> **bold**'],
      }),
    );
    expect(embed.title).toBe(`\\*\\*Free Nitro\\*\\* @${ZWSP}everyone <${ZWSP}@123> <${ZWSP}#456> \\[click\\]\\(https://evil.example\\)`);
    expect(embed.description!.split('\n\n')[0]).toBe(`\\# Heading > quote <${ZWSP}@&789> <${ZWSP}t:1700000000:R> \\|\\|spoiler\\|\\|`);
    expect(embed.author!.name).toBe(`@${ZWSP}here, <${ZWSP}@123>`);
    const json = JSON.stringify(message);
    expect(json).not.toMatch(/@everyone|@here|<@\d|<@&|<#\d|<t:|(?<!\\)\*\*bold/);
    expect(message.allowedMentions).toEqual({ parse: [] });
  });

  it('links a paper known only by its title to Hugging Face and offers no arXiv buttons', () => {
    const p = paper({ id: titleId(mamba.title), links: { huggingface: 'https://huggingface.co/papers/2312.00752' } });
    const { message, embed } = embedOf(p);
    expect(embed.url).toBe('https://huggingface.co/papers/2312.00752');
    expect(buttons(message).filter((b) => b.style === ButtonStyle.Link)).toEqual([link('Hugging Face', 'https://huggingface.co/papers/2312.00752')]);
    expect(embed.footer!.text).toBe(p.id);
  });

  it('leaves out links, thumbnails and lines it does not know or cannot trust', () => {
    const bare: Paper = {
      id: titleId('A paper with nothing'),
      title: 'A paper with nothing',
      abstract: '',
      authors: [],
      categories: [],
      links: { code: 'javascript:alert(1)', project: `https://example.org/${'p'.repeat(600)}` },
      thumbnail: 'data:image/png;base64,AAAA',
      keywords: [],
      sources: ['page'],
    };
    const { message, embed } = embedOf(bare);
    // The title still links the project page; a button refuses a URL over 512 characters, so there is none.
    expect(embed).toEqual({ title: 'A paper with nothing', url: bare.links.project, color: PAPER_COLOR, footer: { text: bare.id } });
    expect(message.components).toEqual([]);
    expectWithinDiscordLimits(message);
  });

  it('puts Bookmark and Post in channel beside Full abstract, under all five link buttons', () => {
    const p = paper({ links: { ...mamba.links, project: 'https://state-spaces.github.io/mamba' } });
    const { message, embed } = embedOf(p, { footer: 'topic: state space models', actions: paperActionButtons(p.id) });
    expect(embed.footer).toEqual({ text: '2312.00752 · topic: state space models' });
    expect(message.components!.map((row) => (row.components as Button[]).map((b) => b.label))).toEqual([
      ['arXiv', 'PDF', 'Hugging Face', 'Code', 'Project'],
      ['Full abstract', 'Bookmark', 'Post in channel'],
    ]);
    expectWithinDiscordLimits(message);
  });

  it('starts a new row when the actions pass five buttons', () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ type: ComponentType.Button, style: ButtonStyle.Secondary, label: `A${i}`, custom_id: `a:${i}` }) as const);
    const message = renderPaperCard(paper(), { actions: many });
    expect(message.components!.map((row) => row.components.length)).toEqual([4, 5, 3]);
    expectWithinDiscordLimits(message);
  });

  it('is the same card in a topic post, with the topic in the footer', () => {
    const p = paper();
    const post = renderTopicPost(p, { name: 'SSMs' });
    const card = renderPaperCard(p, { footer: 'SSMs' });
    expect(post).toEqual(card);
  });
});

describe('renderFullAbstract', () => {
  it('answers ephemerally with the whole abstract, LaTeX cleaned', () => {
    const message = renderFullAbstract(paper());
    expect(message.flags).toBe(MessageFlags.Ephemeral);
    const embed = message.embeds![0]!;
    expect(embed.title).toBe(mamba.title);
    expect(embed.description).toMatch(/^Foundation models, now powering/);
    expect(embed.description).toContain('\\(5× higher throughput than Transformers\\) and linear scaling in sequence length.');
    expect(embed.description).not.toMatch(/citep|\$/);
    expectWithinDiscordLimits(message);
  });

  it('keeps a 10,000-character abstract within the description limit', () => {
    const message = renderFullAbstract(paper({ abstract: '*_ long '.repeat(1250) }));
    expect(message.embeds![0]!.description!.endsWith('…')).toBe(true);
    expectWithinDiscordLimits(message);
  });
});

describe('authorLine', () => {
  it('names all of three authors, else two and how many more', () => {
    expect(authorLine(['Albert Gu'])).toBe('Albert Gu');
    expect(authorLine(['A', 'B', 'C'])).toBe('A, B, C');
    expect(authorLine(Array.from({ length: 11 }, (_, i) => `Author ${i + 1}`))).toBe('Author 1, Author 2 … +9');
    expect(authorLine([])).toBe('');
  });

  it('stays within 256 code points with very long names', () => {
    const line = authorLine(Array.from({ length: 10 }, (_, i) => `${'Ω'.repeat(200)}${i}`));
    expect(codePoints(line)).toBeLessThanOrEqual(DISCORD_LIMITS.author);
  });
});

describeShared('cards for the 2,000 sample papers', () => {
  const papers = hasShared
    ? readFileSync(sharedPath('corpus', 'papers.sample-2k.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => parsePaperRecord(JSON.parse(line)))
    : [];

  it('are short, free of LaTeX markup and within every Discord limit, with the full abstract one press away', () => {
    for (const p of papers) {
      const card = renderTopicPost(p, { name: 'A topic name', roleId: '123456789012345678' });
      const embed = card.embeds![0]!;
      const summary = embed.description?.split('\n\n')[0] ?? '';
      // Escaping adds backslashes Discord hides; without them the summary is at most SUMMARY_MAX.
      expect(codePoints(summary.replace(/\\(?=[\\*_~`|[\]()#>-])/g, '')), p.id).toBeLessThanOrEqual(SUMMARY_MAX);
      expect(summary, p.id).not.toMatch(/\\(cite|citep|textbf|emph|mathcal|times)\b|\$\\/);
      expectWithinDiscordLimits(card);
      if (p.abstract.length > SUMMARY_MAX) expect(buttons(card).some((b) => b.label === 'Full abstract'), p.id).toBe(true);
      expectWithinDiscordLimits(renderFullAbstract(p));
    }
  });
});
