/**
 * What synchronous=FULL costs on the write paths, measured on a file in the OS temp directory:
 * outbox writes (one small transaction each, as a topic run records a card before sending it)
 * and import batches (1,000 paper-sized values per transaction, as the CLI import writes them),
 * each under NORMAL (the default) and under `durably` (FULL for that transaction).
 *
 *   node --import tsx bench/durable-writes.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStorage, type Storage } from '../src/storage/open-storage.js';

const OUTBOX_WRITES = 300;
const IMPORT_BATCHES = 20;
const BATCH = 1_000;
const ABSTRACT = 'x'.repeat(1_200);

async function outboxPerSecond(storage: Storage, mode: 'atomically' | 'durably'): Promise<number> {
  const posted = storage.store<unknown>('posted');
  const began = performance.now();
  for (let i = 0; i < OUTBOX_WRITES; i++) {
    await storage[mode](() => posted.setMany([
      { key: `c:${mode}:${i}`, value: { state: 'pending', topic: 't', at: i, nonce: 'n' } },
      { key: `outbox:c:${mode}`, value: [String(i)] },
    ]));
  }
  return OUTBOX_WRITES / ((performance.now() - began) / 1000);
}

async function importPerSecond(storage: Storage, mode: 'atomically' | 'durably'): Promise<number> {
  const papers = storage.store<unknown>('papers');
  const began = performance.now();
  for (let b = 0; b < IMPORT_BATCHES; b++) {
    const entries = Array.from({ length: BATCH }, (_, i) => ({ key: `${mode}:${b}:${i}`, value: { title: `Paper ${i}`, abstract: ABSTRACT } }));
    await storage[mode](() => papers.setMany(entries));
  }
  return (IMPORT_BATCHES * BATCH) / ((performance.now() - began) / 1000);
}

const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-durable-'));
try {
  const storage = await openStorage(`sqlite://${dir}/bench.sqlite`);
  for (const mode of ['atomically', 'durably'] as const) {
    const outbox = await outboxPerSecond(storage, mode);
    const imported = await importPerSecond(storage, mode);
    console.log(`${mode === 'atomically' ? 'NORMAL' : 'FULL  '}  outbox writes/s ${outbox.toFixed(0).padStart(6)}   import papers/s ${imported.toFixed(0).padStart(7)}`);
  }
  await storage.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
