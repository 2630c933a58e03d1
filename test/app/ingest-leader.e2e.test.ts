import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { openLibraryService, SEED_FILE } from '../../src/app/library-service.js';
import { createLibrary } from '../../src/core/library.js';
import { normalizePaper } from '../../src/core/paper.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { libraryStores, openStores } from '../../src/storage/stores.js';
import { describeWithServer, storeServers } from '../storage/servers.js';
import { fetchedPaper } from './ingest-worker.js';

/**
 * Two bot processes (without Discord) on one PostgreSQL or Redis store: exactly one fetches and
 * ingests; kill -9 of that one and the other takes over within one poll interval; what the leader
 * ingests is in the follower's own in-memory index within seconds, caught up from the change log.
 */

const WORKER = path.resolve(import.meta.dirname, 'ingest-worker.ts');
const LEASE_TTL_MS = 1_500;
const POLL_MS = 3_000;
const SYNC_MS = 200;

type Line = { type: string; [field: string]: unknown };
type Worker = { child: ChildProcess; lines: (Line & { at: number })[]; send(line: string): void; next(type: string, after?: number, ms?: number): Promise<Line & { at: number }> };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startWorker(url: string, name: string, n: number, dir: string): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, name, String(n), dir, String(LEASE_TTL_MS), String(POLL_MS), String(SYNC_MS)], {
    cwd: process.cwd(),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  cleanups.push(async () => void child.kill('SIGKILL'));
  const lines: Worker['lines'] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => lines.push({ ...(JSON.parse(text) as Line), at: Date.now() }));
  return {
    child,
    lines,
    send: (line) => void child.stdin!.write(`${line}\n`),
    async next(type, after = 0, ms = 20_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = lines.find((l) => l.type === type && l.at >= after);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`${name}: no "${type}" line within ${ms} ms (saw ${JSON.stringify(lines)})`);
        await sleep(20);
      }
    },
  };
}

/** Ms until the worker's own index has the paper and finds it by its words. */
async function searchableIn(worker: Worker, paper: { id: string; words: string }, ms: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const asked = Date.now();
    worker.send(`probe ${paper.id} ${paper.words}`);
    const answer = await worker.next('probe', asked);
    if (answer.has === true && answer.found === true) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`${paper.id} not searchable in the follower within ${ms} ms (${JSON.stringify(answer)})`);
    await sleep(25);
  }
}

for (const server of await storeServers(async () => '')) {
  if (server.name === 'SQLite') continue; // one process on SQLite: it always leads (ingest-leader.test.ts)
  describeWithServer(`one ingestion leader on ${server.name}`, server.server, () => {
    it('given two processes, only one fetches; kill -9 of it and the other leads within one interval; the follower’s index has the leader’s papers within seconds', async () => {
      const store = await server.create();
      cleanups.push(store.drop);
      const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-leader-e2e-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      // A library with papers already, as a running bot has: one paper per change is then an
      // in-place update of the index, never a rebuild.
      const storage = await openStorage(store.url);
      await createLibrary(libraryStores(openStores(storage)), { atomically: storage.atomically }).upsertMany(
        Array.from({ length: 30 }, (_, i) => normalizePaper({ id: `2501.${String(i).padStart(5, '0')}`, title: `Existing paper about topic ${i}`, sources: ['hf'] })),
      );
      await storage.close();

      const first = startWorker(store.url, 'first', 0, dir);
      expect((await first.next('ready')).leads).toBe(true);
      const second = startWorker(store.url, 'second', 1, dir);
      expect((await second.next('ready')).leads).toBe(false);

      // The leader's startup run, and one scheduled run: papers from it alone.
      await first.next('fetch');
      const startedBoth = Date.now();
      const leaderFetch = await first.next('fetch', startedBoth, POLL_MS + 5_000);
      expect(second.lines.filter((l) => l.type === 'fetch')).toEqual([]);

      const paper = fetchedPaper(0, Number(leaderFetch.n));
      const latency = await searchableIn(second, paper, 5_000);
      console.log(`${server.name}: a paper the leader fetched was searchable in the follower ${latency} ms after its fetch was reported`);

      // kill -9: no release, the lease has to run out.
      first.child.kill('SIGKILL');
      const killedAt = Date.now();
      const lead = await second.next('lead', killedAt, 10_000);
      const fetch = await second.next('fetch', killedAt, 10_000);
      console.log(`${server.name}: the follower led ${lead.at - killedAt} ms and fetched ${fetch.at - killedAt} ms after kill -9 (lease ttl ${LEASE_TTL_MS} ms, poll interval ${POLL_MS} ms)`);
      expect(fetch.at - killedAt).toBeLessThan(POLL_MS);

      // The new leader's own paper is in its index too, and its index was built once, at start.
      expect(await searchableIn(second, fetchedPaper(1, Number(fetch.n)), 5_000)).toBeLessThan(5_000);
      expect(second.lines.filter((l) => l.type === 'build')).toHaveLength(1);

      second.send('stop');
      await second.next('stopped');
    }, 60_000);

    it('given two processes starting at once on an empty store, seeds the sample papers once and remembers all of them as the sample', async () => {
      const store = await server.create();
      cleanups.push(store.drop);
      const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-seed-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const services = await Promise.all(
        ['a', 'b'].map((name) => openLibraryService({ storeUrl: store.url, indexPath: path.join(dir, `${name}.index`) }, { seedFile: SEED_FILE })),
      );
      cleanups.push(async () => void (await Promise.all(services.map((s) => s.close()))));
      const count = await services[0]!.library.count();
      expect(count).toBeGreaterThan(10);
      expect(await services[0]!.library.revision()).toBe(1);
      const sample = (await services[1]!.stores.meta.get('sample')) as { ids: string[] };
      expect(sample.ids).toHaveLength(count);
    });
  });
}
