/**
 * The sandbox page's pure parts: how the slash-command box reads a line, and how message
 * markdown becomes HTML (escaped: message text never reaches the page as markup).
 */
import { describe, expect, it } from 'vitest';
import { coerce, parseLine, toCommandRequest } from '../../sandbox/web/command-line.js';
import { renderMarkdown } from '../../sandbox/web/markdown.js';
import type { CommandBody } from '../../sandbox/web/types.js';

const COMMANDS: CommandBody[] = [
  {
    name: 'paper',
    description: 'papers',
    options: [
      {
        type: 1,
        name: 'search',
        description: 'search',
        options: [
          { type: 3, name: 'query', description: 'q', required: true, autocomplete: true },
          { type: 3, name: 'sort', description: 's', choices: [{ name: 'newest', value: 'newest' }] },
          { type: 5, name: 'public', description: 'p' },
        ],
      },
    ],
  },
  { name: 'topic', description: 'topics', options: [{ type: 1, name: 'add', description: 'add', options: [{ type: 7, name: 'channel', description: 'c', required: true }, { type: 4, name: 'max_per_run', description: 'm' }] }] },
];
const LOOKUP = { channels: [{ id: '111111111111111111', name: 'papers-ml' }], roles: [], people: [] };

describe('the slash-command line', () => {
  it('runs an option value up to the next option name, so search syntax with colons stays in the query', () => {
    const line = parseLine('/paper search query: dpo author:rafailov after:2024 sort: newest public: true', COMMANDS);
    expect(toCommandRequest(line, LOOKUP)).toEqual({
      request: { name: 'paper', subcommand: 'search', options: { query: 'dpo author:rafailov after:2024', sort: 'newest', public: true } },
    });
  });

  it('takes a command and subcommand typed in full without a trailing space', () => {
    expect(parseLine('/paper search', COMMANDS)).toMatchObject({ stage: 'options', sub: { name: 'search' } });
    expect(parseLine('/pap', COMMANDS)).toEqual({ stage: 'command', partial: 'pap' });
    expect(parseLine('/paper sea', COMMANDS)).toMatchObject({ stage: 'subcommand', partial: 'sea' });
  });

  it('names the missing required option and refuses values of the wrong type', () => {
    expect(toCommandRequest(parseLine('/paper search sort: newest', COMMANDS), LOOKUP)).toEqual({ error: 'Missing query' });
    expect(toCommandRequest(parseLine('/topic add channel: #papers-ml max_per_run: lots', COMMANDS), LOOKUP)).toEqual({ error: 'max_per_run must be a whole number' });
  });

  it('turns #channel into the channel id and refuses an unknown channel', () => {
    const option = { type: 7, name: 'channel', description: 'c' };
    expect(coerce(option, '#papers-ml', LOOKUP)).toEqual({ value: '111111111111111111' });
    expect(coerce(option, '#nowhere', LOOKUP)).toEqual({ error: 'channel: no channel called #nowhere' });
  });
});

describe('message markdown', () => {
  it('escapes HTML and shows backslash-escaped markdown as the characters themselves', () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)> \\*\\*not bold\\*\\* **bold**');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('**not bold**');
    expect(html).toContain('<strong>bold</strong>');
  });

  it('links only http(s) URLs', () => {
    expect(renderMarkdown('[arXiv](https://arxiv.org/abs/2305.18290)')).toContain('<a href="https://arxiv.org/abs/2305.18290"');
    expect(renderMarkdown('[click](javascript:alert(1))')).not.toContain('<a');
  });

  it('keeps markup inside code spans literal', () => {
    expect(renderMarkdown('`**x**`')).toContain('<code>**x**</code>');
  });
});
