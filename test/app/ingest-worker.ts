/**
 * One bot process without Discord, for the two-process leader test (ingest-leader.e2e.test.ts):
 * the library service, the process roles (lease + index follower) and the topic runner wired as
 * start-bot.ts wires them, on the store at argv[2]. Its one source makes up a new paper on every
 * fetch, so the parent sees who fetched. Reports JSON lines on stdout; answers `probe <id> <words>`
 * on stdin with whether its in-memory index has the paper and finds it by those words.
 *
 * argv: url, name, worker number (0–9), directory for its index snapshot, lease ttl ms, poll ms, sync ms.
 */
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createProcessRoles } from '../../src/app/ingest-leader.js';
import { openLibraryService } from '../../src/app/library-service.js';
import { createTopicRunner } from '../../src/app/topic-runner.js';
import { normalizePaper } from '../../src/core/paper.js';
import { createSeenPapers } from '../../src/core/topic-posts.js';
import type { SourceResult } from '../../src/feeds/source.js';
import { createLogger } from '../../src/logger.js';
import { openTopicStores } from '../../src/storage/stores.js';

/** The paper worker `w` makes up on its `n`th fetch, and words only it has. */
export const fetchedPaper = (w: number, n: number) => ({
  id: `2512.${w}${String(n).padStart(4, '0')}`,
  words: `${['amber', 'birch', 'cedar', 'dune', 'ember'][w % 5]} ${['lynx', 'moth', 'newt', 'orca', 'puma', 'quail', 'raven', 'stoat', 'tapir', 'urchin'][n % 10]}`,
});

const report = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function main([url, name, workerArg, dir, ttlArg, pollArg, syncArg]: string[]): Promise<void> {
  const worker = Number(workerArg);
  const logger = createLogger('warn', { write: (line: string) => void process.stderr.write(line) });
  const service = await openLibraryService(
    { storeUrl: url!, indexPath: path.join(dir!, `${name}.index`) },
    { seedFile: null, onEvent: (event) => event.type === 'index-build' && report({ type: 'build', reason: event.reason }) },
  );
  await service.index();
  const { topics, posted } = openTopicStores(service.stores, service.storage);
  const clock = { now: () => Date.now() };
  let fetches = 0;
  const roles = createProcessRoles({
    storage: service.storage,
    syncIndex: service.syncIndex,
    logger,
    leaseTtlMs: Number(ttlArg),
    indexSyncMs: Number(syncArg),
    onLead: () => {
      report({ type: 'lead' });
      void runner.runNow('schedule').catch(() => undefined);
    },
  });
  const runner = createTopicRunner({
    leads: roles.leads,
    delivery: {
      deliver: () => Promise.reject(new Error('no topics in this test')),
      notifyPaused: async () => false,
    },
    library: service.library,
    ingest: service.ingest,
    syncIndex: service.syncIndex,
    topics,
    seen: createSeenPapers(service.stores.seen),
    posted,
    sources: [
      {
        name: 'hf',
        async fetch(): Promise<SourceResult> {
          const made = fetchedPaper(worker, ++fetches);
          report({ type: 'fetch', n: fetches, id: made.id });
          const paper = normalizePaper({ id: made.id, title: `Leader paper ${made.words}`, published: '2025-12-01', sources: ['hf'] });
          return { source: 'hf', papers: [paper], skipped: [], ignored: 0, notModified: 0, requests: 1, failures: [], commit: async () => {} };
        },
      },
    ],
    logger,
    clock,
    interval: { kind: 'every', ms: Number(pollArg), text: `${pollArg}ms` },
  });

  await roles.start();
  report({ type: 'ready', leads: roles.leads() });
  runner.start();

  for await (const line of createInterface({ input: process.stdin })) {
    const [command, id, ...words] = line.trim().split(' ');
    if (command === 'probe' && id) {
      const index = service.currentIndex();
      const found = index ? index.search(words.join(' ')).hits.some((hit) => hit.id === id) : false;
      report({ type: 'probe', id, has: index?.has(id) ?? false, found });
    } else if (command === 'stop') {
      await runner.stop();
      await roles.stop();
      await service.close();
      report({ type: 'stopped' });
      return;
    }
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
