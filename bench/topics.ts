import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startBot } from '../src/app/start-bot.js';
import { loadConfig } from '../src/config.js';
import type { Paper } from '../src/core/paper.js';
import { planTopicRun, toCandidates } from '../src/core/topic-posts.js';
import { checkTopicInput, type Topic } from '../src/core/topics.js';
import { createLogger } from '../src/logger.js';
import { startFakeDiscord } from '../sandbox/fake-discord/fake-discord.js';
import { startFakeHf } from '../sandbox/hf-feed/fake-hf.js';
import { loadCorpus } from './corpus.js';
import { mulberry32, type Random } from './random.js';

/**
 * Topic channels, measured (`node --import tsx bench/topics.ts`, or through bench/run.ts):
 *
 * 1. Matching: 1,000 new papers against 500 topics, the way a run does it (each paper's terms
 *    once, then planTopicRun per topic). Target ≤ 1 s.
 * 2. Posting: N papers across M channels through the real bot (runNow, discord.js, its REST
 *    queue) against the fake Discord enforcing Discord's limits: 5 messages per 5 s per channel
 *    (reactions have their own bucket of the same size) and 50 requests/s overall. Compared with
 *    the least time those limits allow; target ≤ 1.2×.
 */

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLE = path.resolve(REPO_ROOT, '../shared/corpus/papers.sample-2k.jsonl');
const NOW = Date.parse('2026-03-02T09:00:00Z');
const HOUR = 3_600_000;

export const TOPIC_TARGETS = { matchMs: 1000, postingRatio: 1.2 } as const;

export type MatchingResult = { papers: number; topics: number; matches: number; corpus: string; ms: { first: number; median: number } };
export type PostingResult = {
  papers: number;
  channels: number;
  posted: number;
  elapsedMs: number;
  /** The least time both limits together allow (see idealPostingMs). */
  idealMs: number;
  ratio: number;
  /** The per-channel bound alone and the ratio against it. */
  perChannelIdealMs: number;
  perChannelRatio: number;
  requests: number;
  served429: number;
  violations: number;
};
export type TopicBenchReport = { matching: MatchingResult; posting: PostingResult[] };

// ---------------------------------------------------------------------------------------------
// Matching

const STOP = new Set(['with', 'from', 'that', 'this', 'their', 'using', 'based', 'towards', 'toward', 'via', 'into', 'over', 'under', 'what', 'when', 'your']);

/** 500 queries like people write them: one or two title words, a phrase, a category or an author. */
function generateTopicQueries(papers: readonly Paper[], count: number, random: Random): string[] {
  const queries: string[] = [];
  const words = (p: Paper) => p.title.toLowerCase().match(/[a-z][a-z-]{4,}/g)?.filter((w) => !STOP.has(w)) ?? [];
  let guard = 0;
  while (queries.length < count && guard++ < count * 20) {
    const p = random.pick(papers);
    const w = words(p);
    if (w.length === 0) continue;
    const kind = random.int(0, 5);
    let query: string;
    if (kind <= 1) query = random.pick(w);
    else if (kind === 2 && w.length >= 2) query = `${random.pick(w)} ${random.pick(w)}`;
    else if (kind === 3 && w.length >= 2) query = `"${w[0]} ${w[1]}"`;
    else if (kind === 4 && p.categories[0]) query = `${random.pick(w)} cat:${p.categories[0]}`;
    else if (p.authors[0]) query = `author:${p.authors[0].split(' ').at(-1)!.toLowerCase()}`;
    else query = random.pick(w);
    try {
      queries.push(checkTopicInput(`t${queries.length}`, query).query);
    } catch {
      // a query the /topic command would refuse: draw another
    }
  }
  return queries;
}

/** Papers from the shared sample when present, else generated ones (a bare clone still runs). */
async function matchingPapers(count: number, random: Random): Promise<{ papers: Paper[]; corpus: string }> {
  if (existsSync(SAMPLE)) return { papers: (await loadCorpus(SAMPLE)).slice(0, count), corpus: path.relative(REPO_ROOT, SAMPLE) };
  const vocabulary = ['diffusion', 'transformer', 'retrieval', 'reasoning', 'alignment', 'agents', 'vision', 'speech', 'graph', 'robot', 'protein', 'quantum', 'sparse', 'memory'];
  const papers = Array.from({ length: count }, (_, i): Paper => {
    const title = `${random.pick(vocabulary)} ${random.pick(vocabulary)} for ${random.pick(vocabulary)} tasks ${i}`;
    return {
      id: `2603.${String(i).padStart(5, '0')}`,
      title,
      abstract: `We study ${title} and ${random.pick(vocabulary)} methods.`,
      authors: [`Author ${random.pick(vocabulary)}`],
      categories: [random.pick(['cs.CL', 'cs.LG', 'cs.CV', 'cs.AI'])],
      links: {},
      keywords: [],
      sources: ['hf'],
    };
  });
  return { papers, corpus: 'generated' };
}

export async function benchMatching(paperCount = 1000, topicCount = 500, repeats = 5): Promise<MatchingResult> {
  const random = mulberry32(20260302);
  const { papers, corpus } = await matchingPapers(paperCount, random);
  const queries = generateTopicQueries(papers, topicCount, random);
  const topics: Topic[] = queries.map((query, i) => ({
    guildId: 'g',
    name: `t${i}`,
    query,
    channelId: `c${i}`,
    maxPerRun: 5,
    digest: true,
    createdBy: 'u',
    createdAt: NOW - 2 * HOUR,
    status: 'active',
    since: NOW - HOUR,
  }));
  const seenAt = new Map(papers.map((p) => [p.id, NOW]));
  const times: number[] = [];
  let matches = 0;
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const candidates = toCandidates(papers, seenAt); // each paper's terms, once per run
    let found = 0;
    for (const topic of topics) {
      const plan = planTopicRun(topic, candidates, new Set(), NOW);
      found += plan.posts.length + plan.digest.length + plan.deferred.length;
    }
    times.push(performance.now() - started);
    matches = found;
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { papers: papers.length, topics: topics.length, matches, corpus, ms: { first: times[0]!, median: sorted[Math.floor(sorted.length / 2)]! } };
}

// ---------------------------------------------------------------------------------------------
// Posting

const CHANNEL_WORDS = [
  'diffusion', 'transformer', 'retrieval', 'robotics', 'speech', 'quantum', 'protein', 'compiler', 'vision', 'causality',
  'bandit', 'kernel', 'ontology', 'tokenizer', 'wavelet', 'lattice', 'auction', 'genome', 'climate', 'seismic',
  'privacy', 'fairness', 'sarcasm', 'chess', 'origami', 'glacier', 'volcano', 'orchestra', 'tornado', 'lighthouse',
] as const;

const LIMITS = { perChannel: { count: 5, windowMs: 5000 }, globalPerSecond: 50 } as const;

/**
 * The least time Discord's limits allow for posting, both limits together. Per channel, cards go
 * 5 per 5 s window and their 🔖 reactions 5 per 5 s in a bucket of their own, so window k of a
 * channel releases up to 5 cards and 5 reactions at k × 5 s. Overall, at most 50 requests go per
 * 1 s window. Requests are taken as early as both allow; the run cannot end before the start of
 * the 1 s window that carries the last one. (The per-channel bound alone, max over channels of
 * (ceil(n/5) − 1) × 5 s, is reported as well: with a reaction per card it is not reachable once
 * a window's requests across channels exceed 50.)
 */
export function idealPostingMs(perChannel: readonly number[]): { jointMs: number; perChannelMs: number } {
  const { count, windowMs } = LIMITS.perChannel;
  const perChannelMs = Math.max(...perChannel.map((n) => Math.ceil(n / count) - 1)) * windowMs;
  const releases: number[] = [];
  for (const n of perChannel) {
    for (let k = 0; k * count < n; k++) {
      const cards = Math.min(count, n - k * count);
      for (let i = 0; i < 2 * cards; i++) releases.push(k * windowMs);
    }
  }
  releases.sort((a, b) => a - b);
  let window = 0;
  let used = 0;
  for (const release of releases) {
    if (release > window) {
      window = release;
      used = 0;
    }
    if (used === LIMITS.globalPerSecond) {
      window += 1000;
      used = 0;
    }
    used++;
  }
  return { jointMs: window, perChannelMs };
}

export async function benchPosting(paperCount: number, channelCount: number): Promise<PostingResult> {
  if (channelCount > CHANNEL_WORDS.length) throw new Error(`at most ${CHANNEL_WORDS.length} channels`);
  const words = CHANNEL_WORDS.slice(0, channelCount);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-bench-topics-'));
  const token = `MTE${randomBytes(18).toString('base64url')}.G${randomBytes(4).toString('base64url')}.${randomBytes(27).toString('base64url')}`;
  const fake = await startFakeDiscord({
    token,
    rateLimits: LIMITS,
    guilds: [{ name: 'Bench', channels: words.map((w) => ({ name: `papers-${w}`, type: 'text' as const })) }],
  });
  const clock = { now: () => NOW };
  const hf = await startFakeHf(clock);
  const perChannel = words.map(() => 0);
  for (let i = 0; i < paperCount; i++) {
    const c = i % channelCount;
    perChannel[c]!++;
    hf.publish({ id: `2603.${String(10_000 + i).padStart(5, '0')}`, title: `Advances in ${words[c]} number ${i}` });
  }
  const config = loadConfig(
    {
      DISCORD_TOKEN: token,
      DISCORD_API_URL: fake.apiUrl,
      STORE_URL: `sqlite://${path.join(dir, 'bench.sqlite')}`,
      INDEX_PATH: path.join(dir, 'bench.index'),
      LOG_LEVEL: 'warn',
      SOURCES: 'hf',
      HF_API_URL: hf.url,
      HF_DAYS: '1',
    },
    { require: 'bot' },
  );
  const bot = await startBot({ config, logger: createLogger('warn', { write: () => {} }), clock, schedule: false });
  try {
    const guild = fake.state.guild();
    for (const word of words) {
      const channel = fake.state.channelsOf(guild.id).find((ch) => ch.name === `papers-${word}`)!;
      await bot.ctx.topics.save({
        guildId: guild.id,
        name: word,
        query: word,
        channelId: channel.id,
        maxPerRun: 20,
        digest: false,
        createdBy: guild.ownerId,
        createdAt: NOW - 2 * HOUR,
        status: 'active',
        since: NOW - HOUR,
      });
    }
    const requestsBefore = fake.requests.length;
    const started = performance.now();
    const report = await bot.ctx.topicRunner.runNow('refresh');
    const elapsedMs = performance.now() - started;
    const posted = report?.topics.reduce((n, t) => n + t.posted, 0) ?? 0;
    const ideal = idealPostingMs(perChannel);
    const idealMs = ideal.jointMs;
    return {
      papers: paperCount,
      channels: channelCount,
      posted,
      elapsedMs,
      idealMs,
      ratio: idealMs > 0 ? elapsedMs / idealMs : Number.NaN,
      perChannelIdealMs: ideal.perChannelMs,
      perChannelRatio: ideal.perChannelMs > 0 ? elapsedMs / ideal.perChannelMs : Number.NaN,
      requests: fake.requests.length - requestsBefore,
      served429: fake.stats().served429,
      violations: fake.violations.length,
    };
  } finally {
    await bot.stop(1000);
    await fake.close();
    await hf.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Report

export async function runTopicBenchmarks(
  options: { print?: (line: string) => void; posting?: readonly { papers: number; channels: number }[] } = {},
): Promise<TopicBenchReport> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  print('topic channels');
  const matching = await benchMatching();
  const matchPass = matching.ms.median <= TOPIC_TARGETS.matchMs;
  print(
    `  matching   ${matching.papers} new papers × ${matching.topics} topics (${matching.corpus}): ` +
      `${matching.ms.median.toFixed(1)} ms median, ${matching.ms.first.toFixed(1)} ms first run, ${matching.matches} matches ` +
      `[target ≤ ${TOPIC_TARGETS.matchMs} ms: ${matchPass ? 'pass' : 'FAIL'}]`,
  );
  const posting: PostingResult[] = [];
  for (const { papers, channels } of options.posting ?? [
    { papers: 60, channels: 6 },
    { papers: 300, channels: 30 },
  ]) {
    const r = await benchPosting(papers, channels);
    posting.push(r);
    const pass = r.ratio <= TOPIC_TARGETS.postingRatio && r.posted === r.papers && r.violations === 0;
    print(
      `  posting    ${r.papers} papers in ${r.channels} channels: ${(r.elapsedMs / 1000).toFixed(2)} s, limits allow ${(r.idealMs / 1000).toFixed(2)} s, ` +
        `ratio ${r.ratio.toFixed(2)} (per-channel bound alone ${(r.perChannelIdealMs / 1000).toFixed(2)} s, ratio ${r.perChannelRatio.toFixed(2)}; ${r.posted} posted, ${r.requests} requests, ${r.served429} answered 429, ${r.violations} violations) ` +
        `[target ≤ ${TOPIC_TARGETS.postingRatio}×: ${pass ? 'pass' : 'FAIL'}]`,
    );
  }
  return { matching, posting };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runTopicBenchmarks();
}
