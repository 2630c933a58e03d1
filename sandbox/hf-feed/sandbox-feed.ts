/**
 * The sandbox's Hugging Face Daily Papers feed: the bundled library as the listings of the last
 * few days, minus the newest papers, which it holds back and lists a few at a time (every
 * couple of minutes in `npm run sandbox`; on demand in tests and from the page's button). The
 * bot's sources poll it like the real API, so topic channels see papers arrive.
 *
 * Papers keep their own ids (the bundled ones are `title:` ids) and dates, so what arrives
 * merges into the library's records instead of duplicating them.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Clock } from '../../src/core/search-sessions.js';
import { startFakeHf, type FakeHf, type HfPaper } from './fake-hf.js';

/** What the page shows about the feed. */
export type FeedStatus = {
  listed: number;
  /** Papers still held back. */
  toCome: number;
  /** When the next batch is listed (ms since epoch), or null when none is scheduled. */
  nextAt: number | null;
};

export type SandboxFeed = {
  /** For HF_API_URL. */
  readonly url: string;
  status(): FeedStatus;
  /** Lists the next batch of held-back papers now; returns them (empty once all are listed). */
  publishNext(): HfPaper[];
  close(): Promise<void>;
};

export type SandboxFeedOptions = {
  /** The bundled library (JSONL records). */
  seedFile: string;
  clock: Clock;
  /** Papers held back at start, listed `batchSize` at a time. */
  heldBack?: number;
  batchSize?: number;
  /** Every `intervalMs` the next batch is listed; null: only through publishNext. */
  intervalMs?: number | null;
  /** Days the initial listings are spread over (the bot's HF source reads 3 by default). */
  days?: number;
  /** The listing thumbnail of a paper (cards show it). */
  thumbnailUrl?: (id: string) => string;
  /** Called after every batch (the page hears about it). */
  onPublish?: (papers: readonly HfPaper[]) => void;
};

/** The bundled file is ~40 records; anything far larger is not the file this feed expects. */
const MAX_SEED_BYTES = 8 * 1024 * 1024;
const MAX_RECORDS = 5_000;
const DAY_MS = 86_400_000;

const seedRecord = z.object({
  id: z.string().min(1).max(300),
  title: z.string().min(1).max(2_000),
  abstract: z.string().max(50_000).optional(),
  authors: z.array(z.string().max(500)).max(2_000).optional(),
  published: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  upvotes: z.number().int().nonnegative().optional(),
});

export async function readSeedPapers(file: string): Promise<HfPaper[]> {
  const text = await readFile(file, 'utf8');
  if (Buffer.byteLength(text) > MAX_SEED_BYTES) throw new Error(`sandbox feed: ${file} is over ${MAX_SEED_BYTES} bytes`);
  const lines = text.split('\n').filter((line) => line.trim().length > 0);
  if (lines.length > MAX_RECORDS) throw new Error(`sandbox feed: ${file} has over ${MAX_RECORDS} records`);
  return lines.map((line, i) => {
    const parsed = seedRecord.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`sandbox feed: ${file} line ${i + 1}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const p = parsed.data;
    return {
      id: p.id,
      title: p.title,
      summary: p.abstract ?? '',
      // Explicitly empty: fake-hf invents authors for papers that name none.
      authors: p.authors ?? [],
      ...(p.published ? { published: p.published } : {}),
      ...(p.upvotes !== undefined ? { upvotes: p.upvotes } : {}),
    };
  });
}

export async function startSandboxFeed(options: SandboxFeedOptions): Promise<SandboxFeed> {
  const all = (await readSeedPapers(options.seedFile)).map((p) => (options.thumbnailUrl ? { ...p, thumbnail: options.thumbnailUrl(p.id) } : p));
  // The newest papers are the ones still to come, oldest of them first.
  const byDate = [...all].sort((a, b) => (a.published ?? '').localeCompare(b.published ?? '') || a.id.localeCompare(b.id));
  const heldBack = Math.max(0, Math.min(options.heldBack ?? 12, byDate.length));
  const batchSize = Math.max(1, options.batchSize ?? 3);
  const days = Math.max(1, Math.min(options.days ?? 3, 30));
  const initial = byDate.slice(0, byDate.length - heldBack);
  const toCome = byDate.slice(byDate.length - heldBack);

  const hf: FakeHf = await startFakeHf(options.clock);
  const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  initial.forEach((paper, i) => hf.publishOn(dayOf(options.clock.now() - (i % days) * DAY_MS), paper));
  let listed = initial.length;

  let timer: NodeJS.Timeout | undefined;
  let nextAt: number | null = null;
  const schedule = () => {
    if (options.intervalMs === null || options.intervalMs === undefined || toCome.length === 0) {
      nextAt = null;
      return;
    }
    const intervalMs = Math.max(1_000, options.intervalMs);
    nextAt = options.clock.now() + intervalMs;
    timer = setTimeout(() => {
      publishNext();
    }, intervalMs);
    timer.unref();
  };
  const publishNext = (): HfPaper[] => {
    clearTimeout(timer);
    const batch = toCome.splice(0, batchSize);
    if (batch.length > 0) {
      hf.publish(...batch);
      listed += batch.length;
    }
    schedule();
    options.onPublish?.(batch);
    return batch;
  };
  schedule();

  return {
    url: hf.url,
    status: () => ({ listed, toCome: toCome.length, nextAt }),
    publishNext,
    close: async () => {
      clearTimeout(timer);
      toCome.length = 0;
      await hf.close();
    },
  };
}
