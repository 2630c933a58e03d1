import { z } from 'zod';
import type { PaperInput } from '../paper.js';
import { huggingFaceUrl, isArxivId, parsePaperId } from '../paper-id.js';
import { ImportFormatError, type ParseResult } from './import-result.js';
import { collectPaper, httpUrl, isoDay } from './source-fields.js';

/**
 * `GET https://huggingface.co/api/daily_papers?date=YYYY-MM-DD`: a JSON array of items, each
 * `{ paper: {...}, title, summary?, thumbnail?, publishedAt, ... }`. Optional fields are omitted
 * rather than null. Only `paper.id` is required here; a malformed optional field is dropped
 * (`.catch`) instead of costing the whole paper, because HF adds and reshapes fields over time.
 */

const EXPECTED = 'a JSON array of items with a "paper" object';

const missingOr = (expected: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'missing' : expected;

const looseString = z.string().optional().catch(undefined);
const looseCount = z.number().int().nonnegative().optional().catch(undefined);

const hfAuthorSchema = z.object({ name: looseString }).catch({ name: undefined });

const hfPaperSchema = z.object(
  {
    id: z.string({ error: missingOr('expected a string') }).min(1, 'missing'),
    title: looseString,
    summary: looseString,
    authors: z.array(hfAuthorSchema).optional().catch(undefined),
    publishedAt: looseString,
    upvotes: looseCount,
    githubRepo: looseString,
    githubStars: looseCount,
    projectPage: looseString,
    ai_summary: looseString,
    ai_keywords: z.array(z.string()).optional().catch(undefined),
  },
  { error: missingOr('expected an object') },
);

const hfItemSchema = z.object(
  {
    paper: hfPaperSchema,
    // The clean one-line title; paper.title keeps arXiv's "\n  " wraps in 2024–2025 responses.
    title: looseString,
    summary: looseString,
    thumbnail: looseString,
    // When the item was posted to Daily Papers (not the arXiv date); used only as a fallback.
    publishedAt: looseString,
  },
  { error: missingOr('expected an object') },
);

export type HfDailyPapersItem = z.infer<typeof hfItemSchema>;

export function parseHfDailyPapers(text: string): ParseResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ImportFormatError('hf', EXPECTED, (error as Error).message);
  }
  if (!Array.isArray(body)) throw new ImportFormatError('hf', EXPECTED, `got ${describeJson(body)}`);
  // An array where no item has a `paper` object is some other file (a JSON array of paper records,
  // say), not a day of Daily Papers with every item broken.
  if (body.length > 0 && !body.some(hasPaperObject)) {
    throw new ImportFormatError('hf', EXPECTED, 'no item has a "paper" object');
  }

  const result: ParseResult = { papers: [], skipped: [] };
  body.forEach((raw, i) => {
    const where = `entry ${i + 1}`;
    const parsed = hfItemSchema.safeParse(raw);
    if (!parsed.success) {
      result.skipped.push({ where, reason: describeIssue(parsed.error.issues[0]!) });
      return;
    }
    collectPaper(result, where, () => toPaperInput(parsed.data));
  });
  return result;
}

function toPaperInput(item: HfDailyPapersItem): PaperInput {
  const p = item.paper;
  const canonical = parsePaperId(p.id);
  const id = canonical ?? p.id; // normalizePaper rejects a bad id with a clear reason
  const huggingface = canonical && isArxivId(canonical) ? huggingFaceUrl(canonical) : undefined;
  let project = httpUrl(p.projectPage);
  // Some papers list their own HF page as the project page; that is no extra link.
  if (project && huggingface && project.replace(/\/+$/, '') === huggingface) project = undefined;
  return {
    id,
    title: nonBlank(item.title) ?? nonBlank(p.title) ?? '',
    abstract: p.summary ?? item.summary,
    authors: (p.authors ?? []).flatMap((a) => (a.name ? [a.name] : [])),
    published: isoDay(p.publishedAt) ?? isoDay(item.publishedAt),
    upvotes: p.upvotes,
    links: { huggingface, code: httpUrl(p.githubRepo), project },
    thumbnail: httpUrl(item.thumbnail),
    aiSummary: p.ai_summary,
    keywords: p.ai_keywords,
    githubStars: p.githubStars,
    sources: ['hf'],
  };
}

function nonBlank(text: string | undefined): string | undefined {
  return text?.trim() ? text : undefined;
}

function hasPaperObject(item: unknown): boolean {
  if (typeof item !== 'object' || item === null) return false;
  const paper = (item as { paper?: unknown }).paper;
  return typeof paper === 'object' && paper !== null && !Array.isArray(paper);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.join('.') : 'item';
  return issue.message === 'missing' ? `${where} missing` : `${where}: ${issue.message}`;
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
