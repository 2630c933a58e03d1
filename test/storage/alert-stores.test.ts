import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { addAlert, alertIdsEver, type AlertDelivery, type AlertPosts } from '../../src/core/alerts.js';
import { normalizePaper } from '../../src/core/paper.js';
import { toCandidates } from '../../src/core/topic-posts.js';
import { createAlertRunner } from '../../src/app/alert-runner.js';
import { createLogger } from '../../src/logger.js';
import { openStorage, type Storage } from '../../src/storage/open-storage.js';
import { openAlertStores, openStores } from '../../src/storage/stores.js';
import { describeWithServer, storeServers } from './servers.js';

/**
 * Members' alerts on a store several processes share: each process is a connection of its own
 * (the alert runner on the ingestion leader, /alert and /bookmarks forget-me on any process).
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-alert-stores-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const T0 = Date.parse('2026-03-02T09:00:00Z');
const logger = createLogger('warn', new Writable({ write: (_chunk, _encoding, done) => done() }));

for (const server of await storeServers(tempDir)) {
  describeWithServer(`alerts shared by two processes on ${server.name}`, server.server, () => {
    /** Two connections to one fresh store, as two processes have. */
    async function twoProcesses(): Promise<[Storage, Storage]> {
      const store = await server.create();
      cleanups.push(store.drop);
      const a = await openStorage(store.url);
      cleanups.push(() => a.close());
      const b = await openStorage(store.url);
      cleanups.push(() => b.close());
      return [a, b];
    }
    const alertsOf = (storage: Storage) => openAlertStores(openStores(storage), storage);

    it('given a member adding two alerts at once through two processes, keeps both', async () => {
      const [a, b] = await twoProcesses();
      const [A, B] = [alertsOf(a).users, alertsOf(b).users];
      const members = Array.from({ length: 10 }, (_, i) => `90${i}`);
      await Promise.all(
        members.flatMap((user) => [
          A.update(user, (current) => addAlert(current, user, { query: 'diffusion', mode: 'instant' }, T0).user),
          B.update(user, (current) => addAlert(current, user, { query: 'transformer', mode: 'instant' }, T0).user),
        ]),
      );
      for (const user of members) {
        const stored = await A.get(user);
        expect(stored?.alerts.map((x) => x.query).sort(), `member ${user}`).toEqual(['diffusion', 'transformer']);
        expect(stored?.nextId).toBe(3);
      }
    }, 60_000);

    it('given forget-me on one process while the runner on another is sending a DM, records nothing for the forgotten member', async () => {
      const [leader, other] = await twoProcesses();
      const runnerSide = alertsOf(leader);
      const commandSide = alertsOf(other);
      await commandSide.users.update('901', (current) => addAlert(current, '901', { query: 'diffusion', mode: 'instant' }, T0).user);

      let sending!: () => void;
      const sendStarted = new Promise<void>((resolve) => (sending = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const delivery: AlertDelivery = {
        async send() {
          sending();
          await released;
          return { kind: 'sent', messageId: '1111' };
        },
        greet: async () => ({ kind: 'sent', messageId: '1112' }),
      };
      const runner = createAlertRunner({ alerts: runnerSide.users, records: runnerSide.records, delivery, clock: { now: () => T0 + 60_000 }, logger });
      const papers = [1, 2].map((n) => normalizePaper({ id: `2603.0000${n}`, title: `Diffusion paper ${n}`, abstract: 'About diffusion.', sources: ['hf'] }));
      const run = runner.run(toCandidates(papers, new Map(papers.map((p) => [p.id, T0 + 1]))), T0 + 60_000);

      await sendStarted;
      // /bookmarks forget-me, as commands/bookmarks.ts does it, on the other process.
      let ids: string[] = [];
      await commandSide.users.update('901', (current) => {
        ids = current ? alertIdsEver(current) : [];
        return null;
      });
      await commandSide.records.forget('901', ids);
      release();
      await run;

      expect(await commandSide.users.get('901')).toBeUndefined();
      const left: { key: string; value: AlertPosts }[] = [];
      for await (const batch of openStores(other).alert_posts.entries(100)) left.push(...batch);
      expect(left).toEqual([]);
    }, 60_000);
  });
}
