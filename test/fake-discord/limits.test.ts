import { describe, expect, it } from 'vitest';
import {
  codePoints,
  describeIssues,
  embedTextLength,
  isEmptyMessage,
  validateCommands,
  validateInteractionCallback,
  validateMessagePayload,
} from '../../sandbox/fake-discord/limits.js';

const paths = (result: ReturnType<typeof validateMessagePayload>): string[] => (result?.issues ?? []).map((i) => `${i.path} ${i.code}`);

describe('message limits', () => {
  it('given 2000 emoji (4000 UTF-16 units) then the content is accepted, and 2001 code points are not', () => {
    expect(codePoints('📄'.repeat(2000))).toBe(2000);
    expect(validateMessagePayload({ content: '📄'.repeat(2000) })).toBeNull();
    expect(paths(validateMessagePayload({ content: 'a'.repeat(2001) }))).toEqual(['content BASE_TYPE_MAX_LENGTH']);
  });

  it('given embeds totalling 6000 characters then they pass, and 6001 fail with MAX_EMBED_SIZE_EXCEEDED on `embeds`', () => {
    const at6000 = [{ title: 't'.repeat(256), description: 'd'.repeat(4096) }, { description: 'x'.repeat(1648) }];
    expect(embedTextLength(at6000)).toBe(6000);
    expect(validateMessagePayload({ embeds: at6000 })).toBeNull();

    const at6001 = [...at6000, { footer: { text: 'f' } }];
    const result = validateMessagePayload({ embeds: at6001 });
    expect(result?.errors).toEqual({
      embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' }] },
    });
  });

  it('given every per-field embed limit exceeded by one then each is reported at its own path', () => {
    const embed = {
      title: 'a'.repeat(257),
      description: 'a'.repeat(4097),
      footer: { text: 'a'.repeat(2049) },
      author: { name: 'a'.repeat(257) },
      fields: [{ name: 'a'.repeat(257), value: 'v' }, { name: 'n', value: 'a'.repeat(1025) }, { name: '', value: 'v' }],
    };
    expect(paths(validateMessagePayload({ embeds: [embed] }))).toEqual([
      'embeds.0.title BASE_TYPE_MAX_LENGTH',
      'embeds.0.description BASE_TYPE_MAX_LENGTH',
      'embeds.0.fields.0.name BASE_TYPE_BAD_LENGTH',
      'embeds.0.fields.1.value BASE_TYPE_BAD_LENGTH',
      'embeds.0.fields.2.name BASE_TYPE_BAD_LENGTH',
      'embeds.0.footer.text BASE_TYPE_BAD_LENGTH',
      'embeds.0.author.name BASE_TYPE_BAD_LENGTH',
      'embeds MAX_EMBED_SIZE_EXCEEDED',
    ]);
  });

  it('given 11 embeds or 26 fields then the counts are rejected', () => {
    expect(paths(validateMessagePayload({ embeds: Array.from({ length: 11 }, () => ({ title: 't' })) }))).toEqual(['embeds BASE_TYPE_MAX_LENGTH']);
    const fields = Array.from({ length: 26 }, (_, i) => ({ name: `n${i}`, value: 'v' }));
    expect(paths(validateMessagePayload({ embeds: [{ fields }] }))).toEqual(['embeds.0.fields BASE_TYPE_MAX_LENGTH']);
  });

  it('given six rows, six buttons, a long custom_id or a select beside a button then components are rejected', () => {
    const button = (id: string) => ({ type: 2, style: 1, label: 'b', custom_id: id });
    const row = (n: number) => ({ type: 1, components: Array.from({ length: n }, (_, i) => button(`b${i}`)) });
    expect(validateMessagePayload({ components: [row(5), row(5), row(5), row(5), row(5)] })).toBeNull();
    expect(paths(validateMessagePayload({ components: Array.from({ length: 6 }, () => row(1)) }))).toEqual(['components BASE_TYPE_MAX_LENGTH']);
    expect(paths(validateMessagePayload({ components: [row(6)] }))).toEqual(['components.0.components BASE_TYPE_MAX_LENGTH']);
    expect(paths(validateMessagePayload({ components: [{ type: 1, components: [button('x'.repeat(101))] }] }))).toEqual([
      'components.0.components.0.custom_id BASE_TYPE_BAD_LENGTH',
    ]);
    const select = { type: 3, custom_id: 's', options: [{ label: 'a', value: 'a' }] };
    expect(paths(validateMessagePayload({ components: [{ type: 1, components: [select, button('b')] }] }))).toEqual([
      'components.0.components COMPONENT_LAYOUT_WIDTH_EXCEEDED',
    ]);
  });

  it('given a link button then it needs a url and no custom_id', () => {
    expect(validateMessagePayload({ components: [{ type: 1, components: [{ type: 2, style: 5, label: 'arXiv', url: 'https://arxiv.org/abs/1706.03762' }] }] })).toBeNull();
    expect(paths(validateMessagePayload({ components: [{ type: 1, components: [{ type: 2, style: 5, label: 'x' }] }] }))).toEqual([
      'components.0.components.0.url BASE_TYPE_REQUIRED',
    ]);
  });

  it('given a select menu with 26 options then it is rejected', () => {
    const options = Array.from({ length: 26 }, (_, i) => ({ label: `l${i}`, value: `v${i}` }));
    expect(paths(validateMessagePayload({ components: [{ type: 1, components: [{ type: 3, custom_id: 's', options }] }] }))).toEqual([
      'components.0.components.0.options BASE_TYPE_MAX_LENGTH',
    ]);
  });

  it('given a nonce of 26 characters then it is rejected (25 is the limit, integers are fine)', () => {
    expect(validateMessagePayload({ content: 'x', nonce: 'n'.repeat(25) })).toBeNull();
    expect(validateMessagePayload({ content: 'x', nonce: 1234567890 })).toBeNull();
    expect(paths(validateMessagePayload({ content: 'x', nonce: 'n'.repeat(26) }))).toEqual(['nonce BASE_TYPE_MAX_LENGTH']);
  });

  it('given parse:["roles"] together with a roles list then allowed_mentions is rejected', () => {
    expect(validateMessagePayload({ content: 'x', allowed_mentions: { parse: [], roles: ['1'] } })).toBeNull();
    expect(paths(validateMessagePayload({ content: 'x', allowed_mentions: { parse: ['roles'], roles: ['1'] } }))).toEqual([
      'allowed_mentions MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
    ]);
  });

  it('given whitespace-only content and nothing else then the message counts as empty', () => {
    expect(isEmptyMessage({ content: '  \n' }, 0)).toBe(true);
    expect(isEmptyMessage({ content: '' }, 1)).toBe(false);
    expect(isEmptyMessage({ embeds: [{ title: 't' }] }, 0)).toBe(false);
  });
});

describe('interaction callback limits', () => {
  it('given 26 autocomplete choices or a 101-character choice then the result is rejected under data.choices', () => {
    const choices = (n: number, name = 'n') => Array.from({ length: n }, (_, i) => ({ name, value: `v${i}` }));
    expect(validateInteractionCallback({ type: 8, data: { choices: choices(25) } })).toBeNull();
    expect(describeIssues(validateInteractionCallback({ type: 8, data: { choices: choices(26) } })?.issues ?? [])).toEqual([
      'data.choices: BASE_TYPE_MAX_LENGTH Must be 25 or fewer in length.',
    ]);
    expect(validateInteractionCallback({ type: 8, data: { choices: choices(1, 'x'.repeat(101)) } })?.issues.map((i) => i.path)).toEqual(['data.choices.0.name']);
  });

  it('given a reply whose content is too long then the error sits under data', () => {
    expect(validateInteractionCallback({ type: 4, data: { content: 'a'.repeat(2001) } })?.errors).toEqual({
      data: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } },
    });
  });

  it('given a modal with a 46-character title then it is rejected', () => {
    const modal = (title: string) => ({ type: 9, data: { custom_id: 'm', title, components: [{ type: 1, components: [{ type: 4, custom_id: 'note', style: 1, label: 'Note' }] }] } });
    expect(validateInteractionCallback(modal('t'.repeat(45)))).toBeNull();
    expect(validateInteractionCallback(modal('t'.repeat(46)))?.issues.map((i) => i.path)).toEqual(['data.title']);
  });
});

describe('command registration limits', () => {
  const paper = {
    name: 'paper',
    description: 'Find research papers',
    options: [
      {
        type: 1,
        name: 'search',
        description: 'Search the library',
        options: [
          { type: 3, name: 'query', description: 'Words to look for', required: true, autocomplete: true },
          { type: 4, name: 'limit', description: 'How many', choices: [{ name: 'five', value: 5 }] },
        ],
      },
    ],
  };

  it('given a well-formed command with a subcommand then it is accepted', () => {
    expect(validateCommands([paper, { type: 3, name: 'Save to reading list', description: '' }])).toBeNull();
  });

  it('given uppercase, spaces or 33 characters in a chat-input name then APPLICATION_COMMAND_INVALID_NAME', () => {
    for (const name of ['Paper', 'paper search', 'p'.repeat(33), '']) {
      expect(validateCommands([{ ...paper, name }])?.issues.map((i) => i.code)).toEqual(['APPLICATION_COMMAND_INVALID_NAME']);
    }
    expect(validateCommands([{ ...paper, name: 'статья' }])).toBeNull();
  });

  it('given an empty or 101-character description then BASE_TYPE_BAD_LENGTH', () => {
    expect(validateCommands([{ ...paper, description: '' }])?.issues.map((i) => `${i.path} ${i.code}`)).toEqual(['0.description BASE_TYPE_BAD_LENGTH']);
    expect(validateCommands([{ ...paper, description: 'd'.repeat(101) }])?.issues.map((i) => i.path)).toEqual(['0.description']);
  });

  it('given 26 options, 26 choices, a required option after an optional one, or choices with autocomplete then each is rejected', () => {
    const opt = (i: number) => ({ type: 3, name: `o${i}`, description: 'd' });
    expect(validateCommands([{ ...paper, options: Array.from({ length: 26 }, (_, i) => opt(i)) }])?.issues.map((i) => i.path)).toEqual(['0.options']);
    const choices = Array.from({ length: 26 }, (_, i) => ({ name: `c${i}`, value: `c${i}` }));
    expect(validateCommands([{ ...paper, options: [{ ...opt(0), choices }] }])?.issues.map((i) => i.path)).toEqual(['0.options.0.choices']);
    expect(validateCommands([{ ...paper, options: [opt(0), { ...opt(1), required: true }] }])?.issues.map((i) => i.code)).toEqual([
      'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
    ]);
    expect(validateCommands([{ ...paper, options: [{ ...opt(0), autocomplete: true, choices: [{ name: 'a', value: 'a' }] }] }])?.issues.map((i) => i.code)).toEqual([
      'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID',
    ]);
  });

  it('given two commands with the same name then the duplicate is rejected', () => {
    expect(validateCommands([paper, paper])?.issues.map((i) => `${i.path} ${i.code}`)).toEqual(['1.name APPLICATION_COMMANDS_DUPLICATE_NAME']);
  });
});
