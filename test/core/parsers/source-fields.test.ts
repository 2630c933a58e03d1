import { describe, expect, it } from 'vitest';
import type { ParseResult } from '../../../src/core/parsers/import-result.js';
import { calendarDay, collectPaper, httpUrl, isoDay, monthNumber, rfc822Day } from '../../../src/core/parsers/source-fields.js';

describe('isoDay', () => {
  it.each([
    ['2024-10-22T17:59:30.000Z', '2024-10-22'],
    ['2026-09-25T00:00:00-04:00', '2026-09-25'], // the day as written, not shifted to UTC
    ['2017-06-12', '2017-06-12'],
    [' 2017-06-12 ', '2017-06-12'],
    ['2024-02-29', '2024-02-29'],
  ])('reads %j', (text, day) => {
    expect(isoDay(text)).toBe(day);
  });

  it.each(['2025-02-29', '2024-13-01', '2024/01/01', '20240101', 'yesterday', '', undefined])('rejects %j', (text) => {
    expect(isoDay(text)).toBeUndefined();
  });
});

describe('rfc822Day', () => {
  it.each([
    ['Mon, 27 Apr 2026 00:00:00 -0400', '2026-04-27'],
    ['Thu, 24 Sep 2026 00:00:00 -0400', '2026-09-24'],
    ['3 Mar 2026 00:00:00 +0000', '2026-03-03'],
  ])('reads %j', (text, day) => {
    expect(rfc822Day(text)).toBe(day);
  });

  it.each(['Mon, 31 Apr 2026 00:00:00 -0400', 'Mon, 27 Foo 2026', '2026-04-27', undefined])('rejects %j', (text) => {
    expect(rfc822Day(text)).toBeUndefined();
  });
});

describe('calendarDay and monthNumber', () => {
  it('pads and validates', () => {
    expect(calendarDay(2024, 3, 5)).toBe('2024-03-05');
    expect(calendarDay(2023, 2, 29)).toBeUndefined();
    expect(monthNumber('Sept')).toBe(9);
    expect(monthNumber('december')).toBe(12);
    expect(monthNumber('Foo')).toBeUndefined();
  });
});

describe('httpUrl', () => {
  it('keeps absolute http(s) URLs, trimmed', () => {
    expect(httpUrl(' https://github.com/a/b ')).toBe('https://github.com/a/b');
    expect(httpUrl('http://example.org')).toBe('http://example.org');
  });

  it.each(['', '  ', 'github.com/a/b', 'ftp://example.org/x', 'javascript:alert(1)', 'not a url', undefined])(
    'drops %j',
    (text) => {
      expect(httpUrl(text)).toBeUndefined();
    },
  );
});

describe('collectPaper', () => {
  it('skips a record that cannot be read, whatever it throws, and keeps the records around it', () => {
    const result: ParseResult = { papers: [], skipped: [] };
    collectPaper(result, 'entry 1', () => ({ id: '2608.11001', title: 'Before', sources: ['hf'] }));
    collectPaper(result, 'entry 2', () => ({ id: 'junk', title: 'Bad id', sources: ['hf'] }));
    collectPaper(result, 'entry 3', () => {
      throw new URIError('URI malformed');
    });
    collectPaper(result, 'entry 4', () => ({ id: '2608.11004', title: 'After', sources: ['hf'] }));
    expect(result.papers.map((p) => p.id)).toEqual(['2608.11001', '2608.11004']);
    expect(result.skipped).toEqual([
      { where: 'entry 2', reason: 'id "junk" is not an arXiv id' },
      { where: 'entry 3', reason: 'unreadable (URIError: URI malformed)' },
    ]);
  });
});
