import { paperLink, type Paper } from './paper.js';
import { isArxivId } from './paper-id.js';

/**
 * A reading list as files people take elsewhere: BibTeX for LaTeX, Markdown for notes, CSV for
 * spreadsheets. Pure text in, text out; the Discord side only attaches the result.
 */

// ---------------------------------------------------------------------------------------------
// BibTeX

/**
 * One `@misc` entry per paper, the form arXiv's own "Export BibTeX citation" uses for preprints
 * (`@article` would need a journal, which a preprint lacks). Keys are Google Scholar style
 * (`vaswani2017attention`) and unique within the file: papers sharing a key all get a, b, c….
 *
 * Text stays UTF-8 (biber, and bibtex with inputenc, read it); only TeX's special characters are
 * escaped, braces as `\textbraceleft{}`/`\textbraceright{}` because BibTeX counts `\{` as a brace
 * and would end the field early. Titles sit in double braces so their capitals survive styles.
 */
export function toBibtex(papers: readonly Paper[]): string {
  const keys = uniqueKeys(papers.map(baseKey));
  return papers.map((paper, i) => bibtexEntry(paper, keys[i]!)).join('\n');
}

function bibtexEntry(paper: Paper, key: string): string {
  const fields: [string, string][] = [['title', `{${escapeTex(paper.title)}}`]];
  if (paper.authors.length > 0) fields.push(['author', paper.authors.map(bibtexName).join(' and ')]);
  const year = paper.published?.slice(0, 4);
  if (year) fields.push(['year', year]);
  if (isArxivId(paper.id)) {
    fields.push(['eprint', paper.id], ['archivePrefix', 'arXiv']);
    if (paper.categories[0]) fields.push(['primaryClass', escapeTex(paper.categories[0])]);
  }
  const url = paperLink(paper);
  // \url{} typesets URLs verbatim, so no TeX escaping; braces cannot occur in a valid URL but are
  // percent-encoded anyway so they cannot unbalance the entry.
  if (url) fields.push(['url', url.replace(/\{/g, '%7B').replace(/\}/g, '%7D')]);
  const body = fields.map(([name, value]) => `  ${name} = {${value}},`).join('\n');
  return `@misc{${key},\n${body}\n}\n`;
}

const TEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\textbraceleft{}',
  '}': '\\textbraceright{}',
  '%': '\\%',
  '&': '\\&',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '^': '\\textasciicircum{}',
  '~': '\\textasciitilde{}',
};

/** Plain text → TeX that prints the same characters (so `$x^2$` prints as typed, not as math). */
export function escapeTex(text: string): string {
  return text.replace(/[\\{}%&$#_^~]/g, (c) => TEX_SPECIALS[c]!);
}

// A name holding the word "and" would split into two authors; braces make it one.
function bibtexName(name: string): string {
  const escaped = escapeTex(name);
  return /\band\b/i.test(name) ? `{${escaped}}` : escaped;
}

const KEY_STOPWORDS = new Set(['a', 'an', 'the', 'on', 'of', 'in', 'for', 'to', 'towards', 'toward', 'is', 'are', 'do', 'does', 'with', 'and', 'from', 'via', 'what', 'how', 'why', 'when']);

/** `surname` + `year` + first significant title word, ASCII letters and digits only. */
function baseKey(paper: Paper): string {
  const first = paper.authors[0] ?? '';
  // "Surname, Given" names the surname first; otherwise it is the last word.
  const surname = first.includes(',') ? first.split(',')[0]! : (first.trim().split(/\s+/).at(-1) ?? '');
  const words = asciiWords(paper.title);
  const word = words.find((w) => !KEY_STOPWORDS.has(w)) ?? words[0] ?? 'paper';
  return `${asciiWords(surname).join('') || 'anon'}${paper.published?.slice(0, 4) ?? ''}${word}`;
}

function asciiWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[øØ]/g, 'o')
    .replace(/[łŁ]/g, 'l')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

function uniqueKeys(bases: readonly string[]): string[] {
  const count = new Map<string, number>();
  for (const base of bases) count.set(base, (count.get(base) ?? 0) + 1);
  const used = new Set<string>(bases.filter((base) => count.get(base) === 1));
  const next = new Map<string, number>();
  return bases.map((base) => {
    if (count.get(base) === 1) return base;
    // Shared key: suffix a, b, c, …, z, aa, ab…; skip a suffixed key another paper already owns.
    let n = next.get(base) ?? 0;
    let key: string;
    do key = base + letterSuffix(n++);
    while (used.has(key));
    next.set(base, n);
    used.add(key);
    return key;
  });
}

function letterSuffix(n: number): string {
  let suffix = '';
  for (let i = n + 1; i > 0; i = Math.floor((i - 1) / 26)) suffix = String.fromCharCode(97 + ((i - 1) % 26)) + suffix;
  return suffix;
}

// ---------------------------------------------------------------------------------------------
// Markdown

/**
 * `- [Title](url) — A, B, C et al. (2024-05-27) · arXiv:2405.17399`, one line per paper.
 * Titles are escaped for CommonMark so a `*` or `[` in a title stays a character.
 */
export function toMarkdown(papers: readonly Paper[]): string {
  return papers.map((paper) => `${markdownLine(paper)}\n`).join('');
}

function markdownLine(paper: Paper): string {
  const title = escapeCommonMark(paper.title);
  const url = paperLink(paper);
  let line = `- ${url ? `[${title}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29')})` : title}`;
  const details: string[] = [];
  if (paper.authors.length > 0) {
    const names = paper.authors.slice(0, 3).map(escapeCommonMark).join(', ');
    details.push(paper.authors.length > 3 ? `${names} et al.` : names);
  }
  if (paper.published) details.push(`(${paper.published})`);
  if (details.length > 0) line += ` — ${details.join(' ')}`;
  if (isArxivId(paper.id)) line += ` · arXiv:${paper.id}`;
  return line;
}

// One line per paper: whitespace (a stray newline would end the list item) collapses to a space.
function escapeCommonMark(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\\`*_[\]<>|#!~]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// CSV

export const CSV_HEADER = ['id', 'title', 'authors', 'published', 'url'] as const;

/**
 * RFC 4180: CRLF line ends, a field quoted when it holds a comma, quote, CR or LF, quotes
 * doubled. Authors are joined with "; ".
 *
 * No byte-order mark: RFC 4180 and most tools (pandas, csvkit, Google Sheets, LibreOffice) read
 * UTF-8 without one, and a BOM ends up glued to the first header name in naive parsers. Excel
 * users import via Data → From Text/CSV, which asks for the encoding.
 *
 * A field starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so a spreadsheet
 * shows it as text instead of running it as a formula (OWASP "CSV injection"); titles come from
 * the internet.
 */
export function toCsv(papers: readonly Paper[]): string {
  const rows: string[][] = [[...CSV_HEADER]];
  for (const paper of papers) {
    rows.push([paper.id, paper.title, paper.authors.join('; '), paper.published ?? '', paperLink(paper) ?? '']);
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
