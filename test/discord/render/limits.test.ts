import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  type APIEmbed,
  type InteractionReplyOptions,
  type InteractionUpdateOptions,
  type MessageCreateOptions,
  type MessageEditOptions,
  type InteractionEditReplyOptions,
} from 'discord.js';
import { describe, expect, it } from 'vitest';
import {
  DISCORD_LIMITS,
  asUpdate,
  customId,
  embedTextLength,
  ephemeral,
  finalizeChoices,
  finalizeMessage,
  type MessageActionRow,
  type RenderedMessage,
} from '../../../src/discord/render/limits.js';
import { codePoints } from '../../../src/discord/render/text.js';
import { discordBody, discordIssues } from './discord-body.js';

function button(id: string, label = id): MessageActionRow['components'][number] {
  return { type: ComponentType.Button, style: ButtonStyle.Secondary, custom_id: id, label };
}

describe('finalizeMessage: mentions', () => {
  it('always sends allowedMentions with parse: []', () => {
    expect(finalizeMessage({ content: 'hi' }).allowedMentions).toEqual({ parse: [] });
    const asked = finalizeMessage({ content: 'hi', allowedMentions: { parse: ['everyone', 'users', 'roles'], users: ['1'] } });
    expect(asked.allowedMentions).toEqual({ parse: [] });
  });

  it('keeps the role ids a topic pings, still with parse: []', () => {
    const message = finalizeMessage({ content: '<@&222>', allowedMentions: { roles: ['222', '222', 'not-an-id'] } });
    expect(message.allowedMentions).toEqual({ parse: [], roles: ['222'] });
  });
});

describe('finalizeMessage: text limits', () => {
  it('clamps content and every embed text by code points', () => {
    const embed: APIEmbed = {
      title: '🔖'.repeat(300),
      description: 'd'.repeat(5000),
      fields: [{ name: 'n'.repeat(300), value: 'v'.repeat(2000) }],
      footer: { text: 'f'.repeat(3000) },
      author: { name: 'a'.repeat(300) },
    };
    const message = finalizeMessage({ content: '🔖'.repeat(2500), embeds: [embed] });
    const out = message.embeds![0]!;
    expect(codePoints(message.content!)).toBe(DISCORD_LIMITS.content);
    expect(codePoints(out.title!)).toBe(DISCORD_LIMITS.embedTitle);
    expect(codePoints(out.fields![0]!.name)).toBe(DISCORD_LIMITS.fieldName);
    expect(codePoints(out.fields![0]!.value)).toBe(DISCORD_LIMITS.fieldValue);
    expect(codePoints(out.author!.name)).toBe(DISCORD_LIMITS.author);
    expect(embedTextLength(message.embeds!)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(discordIssues(message)).toEqual([]);
  });

  it('does not change the draft it was given', () => {
    const embed: APIEmbed = { description: 'd'.repeat(5000) };
    finalizeMessage({ embeds: [embed] });
    expect(embed.description).toHaveLength(5000);
  });

  it('fills empty field names and values and drops empty footers and authors', () => {
    const message = finalizeMessage({ embeds: [{ title: 't', fields: [{ name: '', value: '' }], footer: { text: '' }, author: { name: '' } }] });
    const out = message.embeds![0]!;
    expect(out.fields).toEqual([{ name: '\u200b', value: '\u200b' }]);
    expect(out.footer).toBeUndefined();
    expect(out.author).toBeUndefined();
    expect(discordIssues(message)).toEqual([]);
  });

  it('drops URLs Discord would refuse', () => {
    const message = finalizeMessage({
      embeds: [{ title: 't', url: 'javascript:alert(1)', thumbnail: { url: 'file:///etc/passwd' }, image: { url: 'https://example.org/a.png' } }],
    });
    expect(message.embeds![0]).toEqual({ title: 't', image: { url: 'https://example.org/a.png' } });
  });

  it('keeps at most 10 embeds and 25 fields', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, value: 'v' }));
    const embeds = Array.from({ length: 12 }, (_, i) => ({ title: `e${i}`, fields }));
    const message = finalizeMessage({ embeds });
    expect(message.embeds).toHaveLength(DISCORD_LIMITS.embeds);
    expect(message.embeds![0]!.fields).toHaveLength(DISCORD_LIMITS.embedFields);
    expect(discordIssues(message)).toEqual([]);
  });
});

describe('finalizeMessage: the 6000 total', () => {
  it('shrinks the longest description first', () => {
    const message = finalizeMessage({
      embeds: [
        { title: 'long', description: 'a'.repeat(4096) },
        { title: 'medium', description: 'b'.repeat(2500) },
        { title: 'short', description: 'c'.repeat(300) },
      ],
    });
    const [long, medium, short] = message.embeds!;
    // 6911 in all: the 911 over come out of the longest alone, which still stays the longest.
    expect(embedTextLength(message.embeds!)).toBe(DISCORD_LIMITS.embedTotal);
    expect(codePoints(long!.description!)).toBe(4096 - 911);
    expect(long!.description!.endsWith('…')).toBe(true);
    expect(medium!.description).toBe('b'.repeat(2500));
    expect(short!.description).toBe('c'.repeat(300));
    expect(long!.title).toBe('long');
  });

  it('cuts two long descriptions to one level when the longest alone is not enough', () => {
    const message = finalizeMessage({
      embeds: [
        { title: 'long', description: 'a'.repeat(4096) },
        { title: 'medium', description: 'b'.repeat(4000) },
        { title: 'short', description: 'c'.repeat(300) },
      ],
    });
    const [long, medium, short] = message.embeds!;
    expect(embedTextLength(message.embeds!)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(codePoints(long!.description!)).toBe(codePoints(medium!.description!));
    expect(short!.description).toBe('c'.repeat(300));
  });

  it('shrinks field values once descriptions are gone, and stays valid for Discord', () => {
    const fields = Array.from({ length: 25 }, (_, i) => ({ name: `field ${i}`, value: 'v'.repeat(1024) }));
    const embeds = Array.from({ length: 3 }, () => ({ title: 'many fields', description: 'd'.repeat(100), fields }));
    const message = finalizeMessage({ embeds });
    expect(embedTextLength(message.embeds!)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    for (const embed of message.embeds!) {
      expect(embed.description).toBeUndefined();
      expect(embed.fields).toHaveLength(25);
      expect(embed.fields![0]!.name).toBe('field 0');
    }
    expect(discordIssues(message)).toEqual([]);
  });

  it('holds the total for ten embeds at every limit at once', () => {
    const full: APIEmbed = {
      title: 't'.repeat(256),
      description: 'd'.repeat(4096),
      fields: Array.from({ length: 25 }, () => ({ name: 'n'.repeat(256), value: 'v'.repeat(1024) })),
      footer: { text: 'f'.repeat(2048) },
      author: { name: 'a'.repeat(256) },
    };
    const message = finalizeMessage({ embeds: Array.from({ length: 10 }, () => full) });
    expect(message.embeds).toHaveLength(10);
    expect(embedTextLength(message.embeds!)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(discordIssues(message)).toEqual([]);
  });

  it('counts emoji as one each when it decides what to cut', () => {
    const message = finalizeMessage({ embeds: [{ description: '🔖'.repeat(4000) }, { description: '🔖'.repeat(1900) }] });
    // 5900 code points (11800 UTF-16 units) fit: nothing is cut.
    expect(codePoints(message.embeds![0]!.description!)).toBe(4000);
    expect(codePoints(message.embeds![1]!.description!)).toBe(1900);
  });
});

describe('finalizeMessage: components', () => {
  it('keeps at most 5 rows of at most 5 buttons', () => {
    const rows: MessageActionRow[] = Array.from({ length: 7 }, (_, r) => ({
      type: ComponentType.ActionRow,
      components: Array.from({ length: 7 }, (_, b) => button(`b:${r}:${b}`)),
    }));
    const message = finalizeMessage({ components: rows });
    expect(message.components).toHaveLength(DISCORD_LIMITS.actionRows);
    for (const row of message.components!) expect(row.components).toHaveLength(DISCORD_LIMITS.buttonsPerRow);
    expect(discordIssues({ ...message, content: 'x' })).toEqual([]);
  });

  it('cuts button labels to 80 and select texts to 100, at most 25 options, no duplicate values', () => {
    const options = Array.from({ length: 30 }, (_, i) => ({ label: 'L'.repeat(150), value: `v${i % 28}`, description: 'D'.repeat(150) }));
    const message = finalizeMessage({
      content: 'x',
      components: [
        { type: ComponentType.ActionRow, components: [button('b', 'B'.repeat(100))] },
        { type: ComponentType.ActionRow, components: [{ type: ComponentType.StringSelect, custom_id: 's', options, max_values: 30 }] },
      ],
    });
    const [buttons, select] = message.components!;
    expect(codePoints((buttons!.components[0] as { label: string }).label)).toBe(DISCORD_LIMITS.buttonLabel);
    const menu = select!.components[0]!;
    if (menu.type !== ComponentType.StringSelect) throw new Error('expected a string select');
    expect(menu.options).toHaveLength(DISCORD_LIMITS.selectOptions);
    expect(new Set(menu.options.map((o) => o.value)).size).toBe(25);
    expect(codePoints(menu.options[0]!.label)).toBe(DISCORD_LIMITS.selectLabel);
    expect(codePoints(menu.options[0]!.description!)).toBe(DISCORD_LIMITS.selectDescription);
    expect(menu.max_values).toBe(25);
    expect(discordIssues(message)).toEqual([]);
  });

  it('throws on a custom_id over 100 code points', () => {
    const long = `search:page:${'x'.repeat(90)}`;
    expect(() => finalizeMessage({ components: [{ type: ComponentType.ActionRow, components: [button(long)] }] })).toThrow(/custom_id/);
    expect(() => customId('search', 'page', 'x'.repeat(90))).toThrow(RangeError);
    expect(customId('search', 'page', 'abcdefghij', 5)).toBe('search:page:abcdefghij:5');
  });

  it('throws on a custom_id used twice and on a select sharing its row', () => {
    expect(() =>
      finalizeMessage({ components: [{ type: ComponentType.ActionRow, components: [button('same'), button('same')] }] }),
    ).toThrow(/twice/);
    expect(() =>
      finalizeMessage({
        components: [
          {
            type: ComponentType.ActionRow,
            components: [button('b'), { type: ComponentType.StringSelect, custom_id: 's', options: [{ label: 'a', value: 'a' }] }],
          },
        ],
      }),
    ).toThrow(/alone/);
  });

  it('drops link buttons whose URL is not http(s)', () => {
    const message = finalizeMessage({
      components: [
        {
          type: ComponentType.ActionRow,
          components: [
            { type: ComponentType.Button, style: ButtonStyle.Link, url: 'javascript:alert(1)', label: 'bad' },
            { type: ComponentType.Button, style: ButtonStyle.Link, url: 'https://arxiv.org/abs/2405.17399', label: 'arXiv' },
          ],
        },
      ],
    });
    expect(message.components![0]!.components).toEqual([
      { type: ComponentType.Button, style: ButtonStyle.Link, url: 'https://arxiv.org/abs/2405.17399', label: 'arXiv' },
    ]);
  });
});

describe('finalizeChoices', () => {
  it('keeps 25 choices with names cut to 100 code points and no duplicate values', () => {
    const choices = Array.from({ length: 40 }, (_, i) => ({ name: `${'🔖'.repeat(120)} ${i}`, value: `id-${i % 30}` }));
    const out = finalizeChoices(choices);
    expect(out).toHaveLength(DISCORD_LIMITS.choices);
    expect(new Set(out.map((c) => c.value)).size).toBe(25);
    for (const choice of out) expect(codePoints(choice.name)).toBeLessThanOrEqual(DISCORD_LIMITS.choiceName);
  });

  it('drops a choice whose value is too long to send and names a blank choice by its value', () => {
    const out = finalizeChoices([
      { name: 'too long', value: 'x'.repeat(101) },
      { name: '  \n ', value: '2405.17399' },
      { name: 'Attention\nIs All You Need', value: '1706.03762' },
    ]);
    expect(out).toEqual([
      { name: '2405.17399', value: '2405.17399' },
      { name: 'Attention Is All You Need', value: '1706.03762' },
    ]);
  });
});

describe('how discord.js sends a rendered message', () => {
  const message = finalizeMessage({
    content: 'see below',
    embeds: [{ title: 'Paper', url: 'https://arxiv.org/abs/2405.17399', footer: { text: '2405.17399', icon_url: 'https://example.org/i.png' } }],
    components: [
      { type: ComponentType.ActionRow, components: [button('search:page:abc1234567:5', '▶')] },
      {
        type: ComponentType.ActionRow,
        components: [{ type: ComponentType.StringSelect, custom_id: 'search:open:abc1234567', min_values: 1, max_values: 1, options: [{ label: 'A', value: 'title:0123456789ab' }] }],
      },
    ],
    allowedMentions: { roles: ['222'] },
  });

  it('passes raw API embeds and components through unchanged and maps allowedMentions to allowed_mentions', () => {
    const body = discordBody(message);
    expect(body.embeds).toEqual(message.embeds);
    expect(body.components).toEqual(message.components);
    expect(body.allowed_mentions).toEqual({ parse: [], roles: ['222'] });
    expect(body.content).toBe('see below');
  });

  it('sends the ephemeral flag of an interaction reply', () => {
    expect(discordBody(ephemeral(message)).flags).toBe(MessageFlags.Ephemeral);
  });

  it('ignores a snake_case allowed_mentions at the top level (it is not a discord.js option)', () => {
    const snake = { content: 'x', allowed_mentions: { parse: [] } } as unknown as RenderedMessage;
    expect(discordBody(snake).allowed_mentions).toBeUndefined();
  });

  it('turns a message into a full replacement for interaction.update', () => {
    expect(asUpdate(ephemeral({ embeds: [{ title: 't' }], allowedMentions: { parse: [] } }))).toEqual({
      content: '',
      embeds: [{ title: 't' }],
      components: [],
      allowedMentions: { parse: [] },
    });
  });

  it('type-checks against the discord.js option types it is meant for', () => {
    // Compile-time checks (tsc): a rendered message fits every send/edit method…
    const create: MessageCreateOptions = message;
    const reply: InteractionReplyOptions = ephemeral(message);
    const update: InteractionUpdateOptions = asUpdate(ephemeral(message));
    const edit: MessageEditOptions = message;
    const editReply: InteractionEditReplyOptions = message;
    // …but an ephemeral one does not fit the methods that refuse the flag.
    // @ts-expect-error update refuses the ephemeral flag
    const wrong: InteractionUpdateOptions = ephemeral(message);
    expect([create, reply, update, edit, editReply, wrong]).toHaveLength(6);
  });
});
