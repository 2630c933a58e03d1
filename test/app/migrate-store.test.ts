import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { INGEST_LEASE } from '../../src/app/ingest-leader.js';
import { openLibraryService } from '../../src/app/library-service.js';
import { MIGRATION_NAMESPACE, MIGRATION_ORDER, migrateStore } from '../../src/app/migrate-store.js';
import { runCli } from '../../src/cli.js';
import { createMessagePapers } from '../../src/core/bookmarks.js';
import { normalizePaper } from '../../src/core/paper.js';
import { createSeenPapers } from '../../src/core/topic-posts.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { openBookmarks, openStores, openTopicStores, STORE_NAMES } from '../../src/storage/stores.js';
import { describeWithServer, storeServers } from '../storage/servers.js';

/**
 * `paperboy migrate` from a real SQLite file into a real PostgreSQL database and Redis prefix:
 * every namespace copied and counted, an interrupted run resumed, and the refusals.
 */

const PAPERS = 1_234;
const START = Date.parse('2026-03-02T09:00:00Z');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-migrate-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A SQLite store as a bot leaves it: a library (sample seeded, then real papers), topics, posts, bookmarks, seen days, validators. */
async function sqliteSource(): Promise<string> {
  const dir = await tempDir();
  const url = `sqlite://${dir}/paperboy.sqlite`;
  const service = await openLibraryService({ storeUrl: url, indexPath: path.join(dir, 'paperboy.index') });
  try {
    const papers = Array.from({ length: PAPERS }, (_, i) =>
      normalizePaper({ id: `2401.${String(i).padStart(5, '0')}`, title: `Paper ${i} on diffusion`, authors: [`Author ${i % 17}`], published: '2026-03-01', sources: ['hf'] }),
    );
    await service.ingest(papers);
    const stores = service.stores;
    const { topics, posted } = openTopicStores(stores, service.storage);
    for (const [i, guildId] of ['111111111111111111', '222222222222222222'].entries()) {
      await topics.save({ guildId, name: 'diffusion', query: 'diffusion', channelId: `3${i}3333333333333333`, status: 'active', maxPerRun: 5, digest: true, createdBy: '2', createdAt: START });
      await posted.setMany(`3${i}3333333333333333`, [
        { paperId: papers[0]!.id, record: { state: 'sent', topic: 'diffusion', at: START, nonce: `n${i}`, messageId: `44444444444444444${i}` } },
        { paperId: papers[1]!.id, record: { state: 'pending', topic: 'diffusion', at: START, nonce: `p${i}` } },
      ]);
      await createMessagePapers(stores.messages).remember(`44444444444444444${i}`, papers[0]!.id);
    }
    const bookmarks = openBookmarks(stores, service.storage);
    for (let user = 0; user < 5; user++) for (let b = 0; b <= user; b++) await bookmarks.add(`55555555555555555${user}`, papers[b]!.id);
    await createSeenPapers(stores.seen).markSeen(papers.slice(0, 50).map((p) => p.id), START);
    await stores.source_validators.set('https://huggingface.co/api/daily_papers?date=2026-03-01', { etag: '"abc"' });
    await stores.deploys.set('global', 'hash');
  } finally {
    await service.close();
  }
  return url;
}

async function counts(url: string): Promise<Record<string, number>> {
  const storage = await openStorage(url);
  try {
    const result: Record<string, number> = {};
    for (const name of STORE_NAMES) {
      let n = 0;
      for await (const batch of storage.store(name).entries(1000)) n += batch.length;
      result[name] = n;
    }
    return result;
  } finally {
    await storage.close();
  }
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(args, { stdin: Readable.from([]), stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

for (const server of await storeServers(tempDir)) {
  if (server.name === 'SQLite') continue;
  describeWithServer(`paperboy migrate from SQLite to ${server.name}`, server.server, () => {
    async function target(): Promise<string> {
      const store = await server.create();
      cleanups.push(store.drop);
      return store.url;
    }

    it('copies every namespace, prints the counts, and the target opens as the same library with its topics and bookmarks', async () => {
      const from = await sqliteSource();
      const to = await target();
      const run = await cli(['migrate', '--from', from, '--to', to]);
      expect(run.stderr).toContain('migrating sqlite://');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^namespace\s+source\s+target\s+copied\s+already$/m);
      expect(run.stdout).toMatch(new RegExp(`^papers\\s+1,2\\d\\d\\s+1,2\\d\\d\\s+1,2\\d\\d\\s+0$`, 'm'));
      expect(run.stdout).toContain('verified: every namespace has as many entries in the target as in the source');
      const source = await counts(from);
      expect(await counts(to)).toEqual(source);
      expect(source.topics).toBeGreaterThan(0);
      expect(source.bookmarks).toBeGreaterThan(0);

      // The bot's view of the target: same library (no second seeding), topics, posts, bookmarks.
      const dir = await tempDir();
      const service = await openLibraryService({ storeUrl: to, indexPath: path.join(dir, 'x.index') });
      cleanups.push(() => service.close());
      expect(await service.library.count()).toBe(PAPERS + 0);
      const stores = openStores(service.storage);
      const { topics, posted } = openTopicStores(stores, service.storage);
      expect((await topics.all()).map((t) => t.guildId).sort()).toEqual(['111111111111111111', '222222222222222222']);
      expect(await posted.pendingIds('303333333333333333')).toEqual(['2401.00001']);
      expect(await openBookmarks(stores, service.storage).list('555555555555555554')).toHaveLength(5);
      expect(await createMessagePapers(stores.messages).paperFor('444444444444444441')).toBe('2401.00000');
      expect((await service.index()).search('diffusion').total).toBeGreaterThan(0);
      // The checkpoint is gone once verified.
      expect(await service.storage.store(MIGRATION_NAMESPACE).get('state')).toBeUndefined();
    }, 60_000);

    it('given a run interrupted half way, refuses to go on without --resume, and with it finishes, copying only what was missing', async () => {
      const from = await sqliteSource();
      const to = await target();
      let batches = 0;
      await expect(
        migrateStore({
          from,
          to,
          onProgress: () => {
            // As if the process died after the second batch of papers.
            if (++batches === 2) throw new Error('interrupted');
          },
        }),
      ).rejects.toThrow('interrupted');
      const partial = await counts(to);
      expect(partial.papers).toBe(1_000);
      expect(partial.meta).toBe(0);

      const refused = await cli(['migrate', '--from', from, '--to', to]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/the target store is not empty \(it holds papers\): add --resume/);

      const resumed = await cli(['migrate', '--from', from, '--to', to, '--resume']);
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toMatch(/^papers\s+1,2\d\d\s+1,2\d\d\s+2\d\d\s+1,000$/m);
      expect(await counts(to)).toEqual(await counts(from));

      // A second resume over a finished migration copies nothing and verifies again.
      const again = await migrateStore({ from, to, resume: true });
      expect(again.verified).toBe(true);
      expect(again.namespaces.reduce((sum, n) => sum + n.copied, 0)).toBe(0);
      expect(again.namespaces.map((n) => n.namespace)).toEqual([...MIGRATION_ORDER]);
    }, 60_000);

    it('given a migration killed with SIGKILL mid-way, a rerun waits out its hold and then resumes to verified counts', async () => {
      const from = await sqliteSource();
      const to = await target();
      const ttlMs = 1_000;
      const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, 'migrate-worker.ts'), from, to, String(ttlMs)], {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      cleanups.push(async () => void child.kill('SIGKILL'));
      const lines = createInterface({ input: child.stdout });
      for await (const line of lines) {
        if ((JSON.parse(line) as { copied: number }).copied >= 500) break;
      }
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const partial = await counts(to);
      expect(partial.papers).toBeGreaterThanOrEqual(500);
      expect(partial.meta).toBe(0);

      await expect(migrateStore({ from, to, resume: true, leaseTtlMs: ttlMs })).rejects.toThrow(/another migration into the target is running \(migrate:.*\); if it was killed, its hold expires within 1 s: rerun then with --resume/);
      await sleep(ttlMs + 100);
      const resumed = await migrateStore({ from, to, resume: true, leaseTtlMs: ttlMs });
      expect(resumed.verified).toBe(true);
      expect(resumed.namespaces.find((n) => n.namespace === 'papers')?.skipped).toBeGreaterThanOrEqual(500);
      expect(await counts(to)).toEqual(await counts(from));
    }, 60_000);

    it('given a namespace finished before the interruption and added to in the source since, a resume copies it again and verifies', async () => {
      const from = await sqliteSource();
      const to = await target();
      await expect(
        migrateStore({
          from,
          to,
          onProgress: ({ namespace }) => {
            // Killed while copying `posted`, after `topics` was checkpointed as finished.
            if (namespace === 'posted') throw new Error('interrupted');
          },
        }),
      ).rejects.toThrow('interrupted');
      // The bot ran once more on the source before the operator resumed: a third topic.
      const source = await openStorage(from);
      await source.store('topics').set('333333333333333333:robots', { guildId: '333333333333333333', name: 'robots' });
      await source.close();

      const first = await migrateStore({ from, to, resume: true });
      expect(first.namespaces.filter((n) => n.source !== n.target)).toEqual([]);
      expect(first.verified).toBe(true);
      expect(first.namespaces.find((n) => n.namespace === 'topics')).toMatchObject({ copied: 1, resumed: false });
      expect(await counts(to)).toEqual(await counts(from));
    }, 60_000);

    it('given a bot that takes the lease mid-copy, stops before its next write and leaves what the bot wrote', async () => {
      const from = await sqliteSource();
      const to = await target();
      const bot = await openStorage(to);
      cleanups.push(() => bot.close());
      let takeover: Promise<void> | undefined;
      const migration = migrateStore({
        from,
        to,
        onProgress: ({ namespace }) => {
          // As if the migration stalled past its ttl: its lease is gone and a bot leads, writing its library counters.
          takeover ??= (async () => {
            expect(namespace).toBe('papers');
            const holder = await bot.lease(INGEST_LEASE, 'probe', 60_000).holder();
            await bot.lease(INGEST_LEASE, holder!.owner, 60_000).release();
            expect(await bot.lease(INGEST_LEASE, 'bot:host:1:abcd', 60_000).acquire()).toBe(true);
            await bot.store('meta').set('library', { count: 7, revision: 7 });
          })();
        },
      });
      await expect(migration).rejects.toThrow(/the migration lost its lease on the target/);
      await takeover;
      expect(await bot.store('meta').get('library')).toEqual({ count: 7, revision: 7 });
      expect((await bot.lease(INGEST_LEASE, 'probe', 60_000).holder())?.owner).toBe('bot:host:1:abcd');
    }, 60_000);

    it('refuses a target a bot is running on (it holds the ingestion lease), and says so; exits non-zero when counts differ', async () => {
      const from = await sqliteSource();
      const to = await target();
      const bot = await openStorage(to);
      cleanups.push(() => bot.close());
      const lease = bot.lease(INGEST_LEASE, 'bot:host:1:abcd', 60_000);
      expect(await lease.acquire()).toBe(true);
      const refused = await cli(['migrate', '--from', from, '--to', to]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('the target store is in use (bot:host:1:abcd holds its ingestion lease)');
      expect(await counts(to)).toEqual(Object.fromEntries(STORE_NAMES.map((n) => [n, 0])));
      await lease.release();

      // An entry the source does not have: copied around, then counted as a mismatch.
      await bot.store('deploys').set('extra', 'x');
      const mismatch = await cli(['migrate', '--from', from, '--to', to, '--resume']);
      expect(mismatch.code).toBe(1);
      expect(mismatch.stdout).toContain('NOT verified');
      expect(mismatch.stderr).toMatch(/counts differ in deploys \(source 1, target 2\)/);
    }, 60_000);
  });
}

it('refuses a missing SQLite source, the same store twice, and a malformed URL', async () => {
  const dir = await tempDir();
  const missing = await cli(['migrate', '--from', `sqlite://${dir}/nope.sqlite`, '--to', `sqlite://${dir}/to.sqlite`]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('no SQLite database at');
  const same = await cli(['migrate', '--from', `sqlite://${dir}/a.sqlite`, '--to', `sqlite://${dir}/./a.sqlite`]);
  expect(same.stderr).toContain('--from and --to name the same store');
  const bad = await cli(['migrate', '--from', 'mysql://x', '--to', `sqlite://${dir}/to.sqlite`]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--from must start with sqlite://');
  const none = await cli(['migrate', '--to', `sqlite://${dir}/to.sqlite`]);
  expect(none.code).toBe(2);
  expect(none.stderr).toContain('--from URL is required');
});
