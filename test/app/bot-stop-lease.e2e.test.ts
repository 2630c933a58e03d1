import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { INGEST_LEASE } from '../../src/app/ingest-leader.js';
import { openLibraryService, type LibraryService } from '../../src/app/library-service.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { startTestBot, type TestBot } from '../discord/start-test-bot.js';
import { createPostgresDatabase, describeWithServer, findPostgres } from '../storage/servers.js';

/**
 * Shutting down the ingestion leader while its run still merges: the lease stays held until the
 * run ends, so no new leader starts a second run beside it (two runs at once lose seen papers).
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describeWithServer('stopping the ingestion leader on PostgreSQL', await findPostgres(), (adminUrl) => {
  it('given a run still merging past the grace, keeps the lease until the merge ends, then releases it', async () => {
    const database = await createPostgresDatabase(adminUrl);
    cleanups.push(database.drop);
    let entered!: () => void;
    const merging = new Promise<void>((resolve) => (entered = resolve));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    // The leader's merge, held until the test lets it go (the fetch fails at once: no source answers).
    const slowIngest = (service: LibraryService): LibraryService =>
      new Proxy(service, {
        get: (target, key) =>
          key === 'ingest'
            ? async (...args: Parameters<LibraryService['ingest']>) => {
                entered();
                await finished;
                return target.ingest(...args);
              }
            : Reflect.get(target, key),
      });
    const bot: TestBot = await startTestBot({ env: { STORE_URL: database.url }, service: async (config) => slowIngest(await openLibraryService(config)) });
    cleanups.push(() => bot.close());
    const probe = await openStorage(database.url);
    cleanups.push(() => probe.close());
    const holder = async () => (await probe.lease(INGEST_LEASE, 'probe', 1_000).holder())?.owner;
    expect(await holder()).toMatch(/^bot:/);

    void bot.bot.ctx.topicRunner.runNow('refresh').catch(() => undefined);
    await merging;
    const stopped = bot.bot.stop(50);
    await sleep(500);
    expect(await holder()).toMatch(/^bot:/);
    finish();
    await stopped;
    expect(await holder()).toBeUndefined();
  }, 60_000);
});
