import { describe, expect, it } from 'vitest';
import {
  codePoints,
  escapeMarkdown,
  maskedLink,
  neutralizeMentions,
  plainLinkSafe,
  plainText,
  safeText,
  truncate,
} from '../../../src/discord/render/text.js';

const ZWSP = '\u200b';

describe('codePoints', () => {
  it('counts an astral emoji as one and a combining accent as its own code point', () => {
    expect(codePoints('abc')).toBe(3);
    expect(codePoints('🔖')).toBe(1);
    expect('🔖'.length).toBe(2);
    expect(codePoints('e\u0301')).toBe(2); // e + combining acute
    expect(codePoints('')).toBe(0);
  });
});

describe('truncate', () => {
  it('returns text within the limit unchanged', () => {
    expect(truncate('Attention Is All You Need', 25)).toBe('Attention Is All You Need');
  });

  it('cuts by code points and ends with an ellipsis within the limit', () => {
    const out = truncate('Attention Is All You Need', 10);
    expect(out).toBe('Attention…');
    expect(codePoints(out)).toBeLessThanOrEqual(10);
  });

  it('never splits a surrogate pair', () => {
    const text = '🔖'.repeat(50);
    const out = truncate(text, 10);
    expect(out).toBe(`${'🔖'.repeat(9)}…`);
    expect(codePoints(out)).toBe(10);
    expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('keeps an emoji ZWJ sequence or an accented letter whole or drops it whole', () => {
    const family = '👩‍👩‍👧'; // 5 code points, one grapheme
    expect(truncate(`ab${family}cd`, 5)).toBe('ab…');
    expect(truncate('cafe\u0301 au lait', 5)).toBe('caf…'); // e + U+0301 is one letter: not cut between them
  });

  it('does not leave a dangling backslash that would escape the ellipsis', () => {
    const escaped = escapeMarkdown('a*b*c*d*e*f');
    expect(escaped).toBe('a\\*b\\*c\\*d\\*e\\*f');
    for (let max = 2; max < codePoints(escaped); max += 1) {
      const out = truncate(escaped, max);
      expect(codePoints(out)).toBeLessThanOrEqual(max);
      expect(out.slice(0, -1)).not.toMatch(/(^|[^\\])(\\\\)*\\$/);
    }
  });

  it('keeps an escaped backslash pair intact', () => {
    expect(truncate('ab\\\\cdef', 5)).toBe('ab\\\\…');
  });

  it('drops whitespace before the ellipsis', () => {
    expect(truncate('Large language models are', 16)).toBe('Large language…');
  });

  it('returns nothing for a limit of zero and no ellipsis when it alone would not fit', () => {
    expect(truncate('abc', 0)).toBe('');
    expect(truncate('abcdef', 2, '...')).toBe('ab');
  });
});

describe('escapeMarkdown', () => {
  it('escapes emphasis, code, spoilers, strike-through and masked links', () => {
    expect(escapeMarkdown('**bold** _it_ __u__ ~~s~~ `code` ||spoiler|| [x](https://evil.example)')).toBe(
      '\\*\\*bold\\*\\* \\_it\\_ \\_\\_u\\_\\_ \\~\\~s\\~\\~ \\`code\\` \\|\\|spoiler\\|\\| \\[x\\]\\(https://evil.example\\)',
    );
  });

  it('escapes a backslash first so an escape cannot be undone', () => {
    expect(escapeMarkdown('\\*')).toBe('\\\\\\*');
  });

  it('escapes headings, quotes, lists and subtext only at the start of a line', () => {
    expect(escapeMarkdown('# Title\n> quote\n- item\n-# small\n  - nested\n1. first')).toBe(
      '\\# Title\n\\> quote\n\\- item\n\\-# small\n  \\- nested\n1\\. first',
    );
    expect(escapeMarkdown('x > y - z #1 2. 3')).toBe('x > y - z #1 2. 3');
  });

  it('leaves ordinary scientific text readable', () => {
    expect(escapeMarkdown('Scaling Laws for Neural Language Models: a 1.5B-parameter study')).toBe(
      'Scaling Laws for Neural Language Models: a 1.5B-parameter study',
    );
  });
});

describe('neutralizeMentions', () => {
  it.each([
    ['@everyone', `@${ZWSP}everyone`],
    ['@here', `@${ZWSP}here`],
    ['<@123456789012345678>', `<${ZWSP}@123456789012345678>`],
    ['<@!123>', `<${ZWSP}@!123>`],
    ['<@&123>', `<${ZWSP}@&123>`],
    ['<#123>', `<${ZWSP}#123>`],
    ['</paper search:123>', `<${ZWSP}/paper search:123>`],
    ['<t:1700000000:R>', `<${ZWSP}t:1700000000:R>`],
    ['<:pepe:123>', `<${ZWSP}:pepe:123>`],
    ['<a:party:1>', `<${ZWSP}a:party:1>`],
    ['<id:customize>', `<${ZWSP}id:customize>`],
  ])('makes %s inert', (input, expected) => {
    expect(neutralizeMentions(input)).toBe(expected);
  });

  it('leaves comparisons, e-mail addresses and arrows alone', () => {
    const text = 'x < y, mail me at a@b.org, f: A -> B <= C';
    expect(neutralizeMentions(text)).toBe(text);
  });
});

describe('safeText', () => {
  it('renders a title holding @everyone, <@123> and **markdown** harmlessly', () => {
    const out = safeText('**Ping** @everyone and <@123> in [a](https://x.y)', 256);
    expect(out).toBe(`\\*\\*Ping\\*\\* @${ZWSP}everyone and <${ZWSP}@123> in \\[a\\]\\(https://x.y\\)`);
    expect(out).not.toMatch(/@everyone|<@\d/);
  });

  it('escapes before truncating so the limit holds after escaping', () => {
    const out = safeText('*'.repeat(300), 100);
    expect(codePoints(out)).toBeLessThanOrEqual(100);
    expect(out.endsWith('…')).toBe(true);
    expect(out.slice(0, -1)).toBe('\\*'.repeat(49));
  });
});

describe('plainText', () => {
  it('puts a multi-line name on one line, mention-inert, within the limit', () => {
    expect(plainText('  Yann\n LeCun @here ', 256)).toBe(`Yann LeCun @${ZWSP}here`);
    expect(plainText('**not escaped**', 256)).toBe('**not escaped**');
    expect(codePoints(plainText('x'.repeat(500), 100))).toBe(100);
  });
});

describe('plainLinkSafe', () => {
  it('accepts http and https URLs', () => {
    expect(plainLinkSafe('https://arxiv.org/abs/2405.17399')).toBe('https://arxiv.org/abs/2405.17399');
    expect(plainLinkSafe('http://example.org/a b')).toBe('http://example.org/a%20b');
  });

  it.each(['javascript:alert(1)', 'ftp://example.org/x', 'data:text/html,hi', '//example.org', 'not a url', '', undefined])(
    'refuses %s',
    (url) => {
      expect(plainLinkSafe(url)).toBeUndefined();
    },
  );

  it('encodes parentheses so a markdown link cannot be closed early', () => {
    expect(plainLinkSafe('https://en.wikipedia.org/wiki/Transformer_(model)')).toBe(
      'https://en.wikipedia.org/wiki/Transformer_%28model%29',
    );
    expect(maskedLink('Wiki', 'https://en.wikipedia.org/wiki/A_(b)')).toBe('[Wiki](https://en.wikipedia.org/wiki/A_%28b%29)');
    expect(maskedLink('Nothing', 'javascript:alert(1)')).toBe('Nothing');
  });
});
