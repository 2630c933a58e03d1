import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLibraryService } from '../../src/app/library-service.js';
import { diffusionPapers, startTopicBot, type TopicBot } from '../topics/start-topic-bot.js';
import { startTestBot, type TestBot } from '../discord/start-test-bot.js';

/**
 * The library as an operator meets it: a `paperboy import` beside the running bot, a snapshot
 * that cannot be written, a bot still loading its index. End to end with the real bot.
 */

let t: TestBot | TopicBot | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
}, 20_000);

/** `count` made-up papers with a distinct, searchable title each. */
async function importFile(dir: string, count: number): Promise<string> {
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      id: `2512.${String(30000 + i)}`,
      title: `Quokka Lattice Method ${i} for Sparse Retrieval`,
      abstract: `We introduce the quokka${i} lattice for sparse retrieval.`,
      authors: ['Grace Hopper'],
      published: '2025-12-01',
      categories: ['cs.IR'],
    }),
  );
  const file = path.join(dir, 'import.jsonl');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

const searchIds = async (bot: TestBot, query: string): Promise<string[]> => {
  const answer = await bot.slash({ name: 'paper', subcommand: 'search', options: { query } });
  const menu = answer.data.components?.[0]?.components?.[0];
  return (menu?.options ?? []).map((o: { value: string }) => o.value);
};

describe('a paperboy import while the bot runs', () => {
  it('makes the imported papers searchable in the running bot within one run, and after a restart', async () => {
    const bot = (t = await startTopicBot());
    // The bot has loaded its index (and saved a snapshot of it). Now the operator imports.
    const cli = await openLibraryService(bot.config);
    const summary = await cli.importFile(await importFile(bot.dir, 30), { format: 'jsonl' });
    await cli.close();
    expect(summary.added).toBe(30);

    // The bot's own run writes too (the step that used to save its stale index under the new revision).
    bot.hf.publish(...diffusionPapers(2));
    await bot.run();
    expect((await searchIds(bot, 'Quokka Lattice Method 7 for Sparse Retrieval'))[0]).toBe('2512.30007');
    expect((await searchIds(bot, 'Diffusion Models for Task 2'))[0]).toBe('2603.00002');

    await bot.restart();
    expect((await searchIds(bot, 'Quokka Lattice Method 7 for Sparse Retrieval'))[0]).toBe('2512.30007');
    expect((await searchIds(bot, 'Quokka Lattice Method 29 for Sparse Retrieval'))[0]).toBe('2512.30029');
    expect((await searchIds(bot, 'Diffusion Models for Task 2'))[0]).toBe('2603.00002');
    // Loaded from the snapshot and caught up from the change log, not rebuilt.
    expect(bot.logs()).not.toMatch(/"msg":"building the search index"[^\n]*\n[^]*"msg":"stopped"[^]*"msg":"building the search index"/);
  }, 60_000);
});

describe('an index snapshot that cannot be written', () => {
  it('is logged, and searching and topic posting go on', async () => {
    // INDEX_PATH inside a regular file: every save fails with ENOTDIR.
    const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-blocked-'));
    dirs.push(dir);
    const blockedDir = path.join(dir, 'not-a-directory');
    await writeFile(blockedDir, 'a file where the snapshot directory should be');
    const bot = (t = await startTopicBot({ env: { INDEX_PATH: path.join(blockedDir, 'p.index') } }));
    await bot.addTopic({ name: 'Diffusion', query: 'diffusion', channel: 'papers-ml' });
    bot.hf.publish(...diffusionPapers(3));
    const report = await bot.run();
    expect(report.topics).toEqual([expect.objectContaining({ name: 'Diffusion', posted: 3 })]);
    expect(bot.botMessages('papers-ml')).toHaveLength(3);
    expect((await searchIds(bot, 'Diffusion Models for Task 3'))[0]).toBe('2603.00003');
    expect(bot.logs()).toMatch(/"level":"warn"[^\n]*index snapshot not saved/);
  }, 60_000);
});

describe('a bot still loading its index', () => {
  it('acknowledges a search at once with "still loading", ephemerally', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    t = await startTestBot({
      waitForIndex: false,
      service: async (config) => {
        const service = await openLibraryService(config);
        // The index takes as long as the test says: a large library building after a restart.
        return { ...service, index: () => held.then(() => service.index()) };
      },
    });
    const answer = await t.slash({ name: 'paper', subcommand: 'search', options: { query: 'preference' } });
    expect(answer.type).toBe(4);
    expect(answer.data.flags & 64).toBe(64);
    expect(answer.data.content).toMatch(/still loading/);
    release();
    await t.bot.indexReady;
    const ready = await t.slash({ name: 'paper', subcommand: 'search', options: { query: 'preference' } });
    expect(ready.data.embeds?.[0]?.description).toMatch(/^Results 1–/);
  }, 60_000);
});

describe('an index that fails to load', () => {
  it('is tried again, while topic runs go on; searches answer "still loading" until it loads', async () => {
    let failures = 2;
    t = await startTestBot({
      waitForIndex: false,
      indexRetryMs: { first: 20, max: 40 },
      service: async (config) => {
        const service = await openLibraryService(config);
        return { ...service, index: () => (failures-- > 0 ? Promise.reject(new Error('disk unavailable')) : service.index()) };
      },
    });
    const report = await t.bot.ctx.topicRunner.runNow('refresh');
    expect(report).toBeDefined();
    await t.bot.indexReady;
    expect(failures).toBe(-1);
    expect(t.logs().match(/the search index could not be loaded/g)).toHaveLength(2);
    const ready = await t.slash({ name: 'paper', subcommand: 'search', options: { query: 'preference' } });
    expect(ready.data.embeds?.[0]?.description).toMatch(/^Results 1–/);
  }, 60_000);
});
