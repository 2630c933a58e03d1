import { describe, expect, it } from 'vitest';
import { CSV_HEADER, escapeTex, toBibtex, toCsv, toMarkdown } from '../../src/core/bookmark-export.js';
import { normalizePaper, type Paper, type PaperInput } from '../../src/core/paper.js';
import { titleId } from '../../src/core/paper-id.js';

function paper(input: Omit<PaperInput, 'sources'> & { sources?: PaperInput['sources'] }): Paper {
  return normalizePaper({ sources: ['arxiv'], ...input });
}

const attention = paper({
  id: '1706.03762',
  title: 'Attention Is All You Need',
  authors: ['Ashish Vaswani', 'Noam Shazeer', 'Niki Parmar'],
  published: '2017-06-12',
  categories: ['cs.CL', 'cs.LG'],
});
// Same first author, year and first word as `attention`: the keys clash.
const attentionQuoted = paper({
  id: '1706.99999',
  title: 'Attention, "Really", Is All, You Need',
  authors: ['Ashish Vaswani'],
  published: '2017-07-01',
  categories: ['cs.CL'],
});
const attentionAgain = paper({
  id: '1707.00001',
  title: 'Attention heads, revisited',
  authors: ['A. Vaswani'],
  published: '2017-07-02',
  categories: ['cs.LG'],
});
const specials = paper({
  id: '2401.01234',
  title: 'On {Braces} and \\backslashes: 100% of $x^2$ & #tags_with_underscores ~ tilde',
  authors: ['José Müller', 'Søren Kierkegaard', 'Zoë Ångström'],
  published: '2024-01-03',
  categories: ['math.AP'],
});
const titleOnly = paper({
  id: titleId('Open Models for Everyone'),
  title: 'Open Models for Everyone',
  authors: ['Research and Development Team', 'Jane Doe'],
  published: '2025-02-11',
  links: { huggingface: 'https://huggingface.co/papers/2502.00001' },
  sources: ['page'],
});
// Built by hand: normalizePaper would collapse the newline, but an export must survive one.
const multiline: Paper = {
  id: '2402.00002',
  title: 'Line one,\nline "two"',
  abstract: '',
  authors: ['Ann Lee'],
  published: '2024-02-01',
  categories: ['cs.CL'],
  links: { arxiv: 'https://arxiv.org/abs/2402.00002' },
  keywords: [],
  sources: ['arxiv'],
};
const formula = paper({ id: '2403.00003', title: '=HYPERLINK("http://evil.example","click")', authors: ['@attacker'], published: '2024-03-01', categories: [] });

const all = [attention, attentionQuoted, attentionAgain, specials, titleOnly, multiline, formula];

// ---------------------------------------------------------------------------------------------
// A small BibTeX reader, written to BibTeX's rules: braces nest and a backslash does not escape
// them (BibTeX counts `\{` as a brace), entries are `@type{key, name = {value}, …}`.

type BibEntry = { type: string; key: string; fields: Map<string, string> };

function parseBibtex(text: string): BibEntry[] {
  const entries: BibEntry[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i += 1;
  };
  const expect = (char: string) => {
    if (text[i] !== char) throw new Error(`expected "${char}" at ${i}, found "${text.slice(i, i + 20)}"`);
    i += 1;
  };
  const readWhile = (re: RegExp) => {
    const start = i;
    while (i < text.length && re.test(text[i]!)) i += 1;
    return text.slice(start, i);
  };
  const readBraced = () => {
    expect('{');
    const start = i;
    let depth = 1;
    while (depth > 0) {
      if (i >= text.length) throw new Error('unbalanced braces: entry never closes');
      if (text[i] === '{') depth += 1;
      else if (text[i] === '}') depth -= 1;
      i += 1;
    }
    return text.slice(start, i - 1);
  };
  skipSpace();
  while (i < text.length) {
    expect('@');
    const type = readWhile(/[a-z]/i);
    expect('{');
    const key = readWhile(/[^,\s}]/);
    skipSpace();
    expect(',');
    const fields = new Map<string, string>();
    for (;;) {
      skipSpace();
      if (text[i] === '}') {
        i += 1;
        break;
      }
      const name = readWhile(/[a-z]/i).toLowerCase();
      if (!name) throw new Error(`expected a field name at ${i}: "${text.slice(i, i + 20)}"`);
      if (fields.has(name)) throw new Error(`field ${name} twice in ${key}`);
      skipSpace();
      expect('=');
      skipSpace();
      fields.set(name, readBraced());
      skipSpace();
      if (text[i] === ',') i += 1;
    }
    entries.push({ type, key, fields });
    skipSpace();
  }
  return entries;
}

/** TeX as written by toBibtex → the characters it prints. */
function untex(value: string): string {
  return value
    .replace(/\\textbackslash\{\}/g, '\\')
    .replace(/\\textbraceleft\{\}/g, '{')
    .replace(/\\textbraceright\{\}/g, '}')
    .replace(/\\textasciicircum\{\}/g, '^')
    .replace(/\\textasciitilde\{\}/g, '~')
    .replace(/\\([%&$#_])/g, '$1');
}

/** No TeX special left bare: every `\` starts a known escape, and %&$#_^~ only appear escaped. */
function bareSpecials(value: string): string[] {
  const stripped = value.replace(/\\(?:textbackslash|textbraceleft|textbraceright|textasciicircum|textasciitilde)\{\}|\\[%&$#_]/g, '');
  return [...stripped.matchAll(/[\\%&$#_^~]/g)].map((m) => m[0]);
}

describe('toBibtex', () => {
  const bib = toBibtex(all);
  const entries = parseBibtex(bib);

  it('writes one parsable entry per paper with balanced braces', () => {
    expect(entries).toHaveLength(all.length);
    expect(entries.every((e) => e.type === 'misc')).toBe(true);
    // Each entry alone parses too: no brace of one entry is closed by another.
    for (const chunk of bib.split(/\n(?=@)/)) expect(parseBibtex(chunk)).toHaveLength(1);
  });

  it('gives every entry a unique key: surname + year + first title word, a/b/c on clashes', () => {
    const keys = entries.map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual([
      'vaswani2017attentiona',
      'vaswani2017attentionb',
      'vaswani2017attentionc',
      'muller2024braces',
      'team2025open',
      'lee2024line',
      'attacker2024hyperlink',
    ]);
    for (const key of keys) expect(key).toMatch(/^[a-z0-9]+$/);
  });

  it('gives every entry a title, authors and a year', () => {
    for (const entry of entries) {
      expect(entry.fields.get('title')).toBeTruthy();
      expect(entry.fields.get('author')).toBeTruthy();
      expect(entry.fields.get('year')).toMatch(/^\d{4}$/);
    }
  });

  it('writes the arXiv fields for arXiv papers and the best link for all', () => {
    const [first] = entries;
    expect(first!.fields.get('author')).toBe('Ashish Vaswani and Noam Shazeer and Niki Parmar');
    expect(first!.fields.get('year')).toBe('2017');
    expect(first!.fields.get('eprint')).toBe('1706.03762');
    expect(first!.fields.get('archiveprefix')).toBe('arXiv');
    expect(first!.fields.get('primaryclass')).toBe('cs.CL');
    expect(first!.fields.get('url')).toBe('https://arxiv.org/abs/1706.03762');
    const hf = entries[4]!;
    expect(hf.fields.has('eprint')).toBe(false);
    expect(hf.fields.get('url')).toBe('https://huggingface.co/papers/2502.00001');
  });

  it('protects titles with braces and escapes TeX specials so they print as typed', () => {
    for (const [i, entry] of entries.entries()) {
      const title = entry.fields.get('title')!;
      expect(title.startsWith('{') && title.endsWith('}')).toBe(true);
      const inner = title.slice(1, -1);
      expect(bareSpecials(inner)).toEqual([]);
      expect(untex(inner)).toBe(all[i]!.title);
    }
    expect(entries[3]!.fields.get('title')).toBe(
      '{On \\textbraceleft{}Braces\\textbraceright{} and \\textbackslash{}backslashes: 100\\% of \\$x\\textasciicircum{}2\\$ \\& \\#tags\\_with\\_underscores \\textasciitilde{} tilde}',
    );
  });

  it('keeps accents as UTF-8 and an "and" inside a name from splitting it', () => {
    expect(entries[3]!.fields.get('author')).toBe('José Müller and Søren Kierkegaard and Zoë Ångström');
    expect(entries[4]!.fields.get('author')).toBe('{Research and Development Team} and Jane Doe');
  });

  it('escapes each TeX special on its own', () => {
    expect(escapeTex('{}\\%&$#_^~')).toBe(
      '\\textbraceleft{}\\textbraceright{}\\textbackslash{}\\%\\&\\$\\#\\_\\textasciicircum{}\\textasciitilde{}',
    );
  });

  it('writes nothing for no papers', () => {
    expect(toBibtex([])).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------
// A small RFC 4180 reader: CRLF records, quoted fields may hold commas, CR, LF and "" for a quote.

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let atFieldStart = true;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i += 1;
        if (i < text.length && text[i] !== ',' && text[i] !== '\r') throw new Error(`text after a closing quote at ${i}`);
      } else {
        field += c;
        i += 1;
      }
      continue;
    }
    if (c === '"') {
      if (!atFieldStart) throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      atFieldStart = false;
      i += 1;
    } else if (c === ',') {
      row.push(field);
      field = '';
      atFieldStart = true;
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      atFieldStart = true;
      i += 2;
    } else {
      if (c === '\n' || c === '\r') throw new Error(`bare line break in an unquoted field at ${i}`);
      field += c;
      atFieldStart = false;
      i += 1;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (!atFieldStart || row.length > 0) throw new Error('last record does not end with CRLF');
  return rows;
}

describe('toCsv', () => {
  const csv = toCsv(all);
  const rows = parseCsv(csv);

  it('writes a header and one record per paper, every record with five fields, CRLF, no BOM', () => {
    expect(csv.charCodeAt(0)).not.toBe(0xfeff);
    expect(rows[0]).toEqual([...CSV_HEADER]);
    expect(rows[0]).toEqual(['id', 'title', 'authors', 'published', 'url']);
    expect(rows).toHaveLength(all.length + 1);
    for (const row of rows) expect(row).toHaveLength(5);
  });

  it('round-trips titles holding commas, quotes, braces, newlines, LaTeX and accents', () => {
    expect(rows[2]).toEqual(['1706.99999', 'Attention, "Really", Is All, You Need', 'Ashish Vaswani', '2017-07-01', 'https://arxiv.org/abs/1706.99999']);
    expect(rows[4]![1]).toBe(specials.title);
    expect(rows[4]![2]).toBe('José Müller; Søren Kierkegaard; Zoë Ångström');
    expect(rows[6]).toEqual(['2402.00002', 'Line one,\nline "two"', 'Ann Lee', '2024-02-01', 'https://arxiv.org/abs/2402.00002']);
    expect(rows[5]).toEqual([titleOnly.id, 'Open Models for Everyone', 'Research and Development Team; Jane Doe', '2025-02-11', 'https://huggingface.co/papers/2502.00001']);
  });

  it('quotes only the fields that need it', () => {
    expect(csv.split('\r\n')[1]).toBe(
      '1706.03762,Attention Is All You Need,Ashish Vaswani; Noam Shazeer; Niki Parmar,2017-06-12,https://arxiv.org/abs/1706.03762',
    );
    expect(csv).toContain('"Attention, ""Really"", Is All, You Need"');
  });

  it('keeps a spreadsheet from running a title or author as a formula', () => {
    expect(rows[7]![1]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(rows[7]![2]).toBe(`'@attacker`);
  });

  it('writes only the header for no papers', () => {
    expect(toCsv([])).toBe('id,title,authors,published,url\r\n');
  });
});

describe('toMarkdown', () => {
  it('writes a linked list item per paper with authors, date and arXiv id', () => {
    expect(toMarkdown([attention, titleOnly])).toBe(
      '- [Attention Is All You Need](https://arxiv.org/abs/1706.03762) — Ashish Vaswani, Noam Shazeer, Niki Parmar (2017-06-12) · arXiv:1706.03762\n' +
        '- [Open Models for Everyone](https://huggingface.co/papers/2502.00001) — Research and Development Team, Jane Doe (2025-02-11)\n',
    );
  });

  it('keeps markdown in titles literal and a newline from ending the item', () => {
    const evil = { ...multiline, title: 'A *bold* [link](http://x) and `code`\n- not an item', authors: Array.from({ length: 5 }, (_, i) => `Author ${i}`) };
    expect(toMarkdown([evil])).toBe(
      '- [A \\*bold\\* \\[link\\](http://x) and \\`code\\` - not an item](https://arxiv.org/abs/2402.00002) — Author 0, Author 1, Author 2 et al. (2024-02-01) · arXiv:2402.00002\n',
    );
  });
});
