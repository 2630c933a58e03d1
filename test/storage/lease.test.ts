import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/storage/open-storage.js';
import { describeWithServer, storeServers } from './servers.js';

/** The lease contract (storage.lease) as every backend must keep it, with two processes racing. */

const run = promisify(execFile);
const RACER = path.resolve(import.meta.dirname, 'lease-racer.ts');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-lease-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

for (const server of await storeServers(tempDir)) {
  describeWithServer(`leases on ${server.name}`, server.server, () => {
    async function fresh(): Promise<{ url: string; storage: Storage }> {
      const store = await server.create();
      cleanups.push(store.drop);
      return { url: store.url, storage: await open(store.url) };
    }
    async function open(url: string): Promise<Storage> {
      const storage = await openStorage(url);
      cleanups.push(() => storage.close());
      return storage;
    }

    it('gives a free lease to the first owner only, and tells everyone who holds it', async () => {
      const { url, storage } = await fresh();
      const other = await open(url);
      const a = storage.lease('ingest', 'a', 10_000);
      const b = other.lease('ingest', 'b', 10_000);
      expect(await a.holder()).toBeUndefined();
      expect(await a.acquire()).toBe(true);
      expect(await b.acquire()).toBe(false);
      const holder = await b.holder();
      expect(holder?.owner).toBe('a');
      expect(holder?.expiresInMs).toBeGreaterThan(5_000);
      expect(holder?.expiresInMs).toBeLessThanOrEqual(10_000);
      // Another name is another lease.
      expect(await other.lease('other', 'b', 10_000).acquire()).toBe(true);
    });

    it('extends the holder’s lease on acquire and renew, and renews nobody else’s', async () => {
      const { storage } = await fresh();
      const a = storage.lease('ingest', 'a', 400);
      expect(await a.acquire()).toBe(true);
      await sleep(250);
      expect(await a.renew()).toBe(true);
      await sleep(250);
      expect(await a.acquire()).toBe(true);
      await sleep(250);
      // 750 ms after the first take, yet held: each step moved the expiry.
      expect((await a.holder())?.owner).toBe('a');
      expect(await storage.lease('ingest', 'b', 400).renew()).toBe(false);
      expect((await a.holder())?.owner).toBe('a');
    });

    it('hands an expired lease to the next owner, and the old holder learns it lost it', async () => {
      const { storage } = await fresh();
      const a = storage.lease('ingest', 'a', 200);
      const b = storage.lease('ingest', 'b', 10_000);
      expect(await a.acquire()).toBe(true);
      expect(await b.acquire()).toBe(false);
      await sleep(350);
      expect(await a.holder()).toBeUndefined();
      expect(await b.acquire()).toBe(true);
      expect(await a.renew()).toBe(false);
      expect(await a.acquire()).toBe(false);
      expect((await a.holder())?.owner).toBe('b');
    });

    it('frees the lease on release by its holder and ignores a release by anyone else', async () => {
      const { storage } = await fresh();
      const a = storage.lease('ingest', 'a', 10_000);
      const b = storage.lease('ingest', 'b', 10_000);
      expect(await a.acquire()).toBe(true);
      await b.release();
      expect((await a.holder())?.owner).toBe('a');
      await a.release();
      expect(await a.holder()).toBeUndefined();
      expect(await b.acquire()).toBe(true);
    });

    it('refuses a malformed name, owner or ttl before touching the store', async () => {
      const { storage } = await fresh();
      expect(() => storage.lease('bad name', 'a', 1000)).toThrow(/invalid lease name/);
      expect(() => storage.lease('ingest', '', 1000)).toThrow(/owner/);
      expect(() => storage.lease('ingest', 'a', 10)).toThrow(/ttlMs/);
      expect(() => storage.lease('ingest', 'a', 1.5e3 + 0.5)).toThrow(/ttlMs/);
    });

    it('given two processes asking for the same free lease at the same instant, gives each lease to exactly one', async () => {
      const { url } = await fresh();
      const rounds = 25;
      // Far enough ahead for both processes to start and connect.
      const startAt = Date.now() + 3_000;
      const outputs = await Promise.all(
        ['p0', 'p1'].map((owner) => run(process.execPath, ['--import', 'tsx', RACER, url, owner, String(rounds), String(startAt)], { cwd: process.cwd() })),
      );
      const [won0, won1] = outputs.map(({ stdout }) => JSON.parse(stdout) as number[]);
      expect([...won0!, ...won1!].sort((x, y) => x - y)).toEqual(Array.from({ length: rounds }, (_, i) => i));
    }, 30_000);
  });
}
