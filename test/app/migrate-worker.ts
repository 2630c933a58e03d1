/**
 * A migration in a process of its own, for the kill -9 test (migrate-store.test.ts): argv from,
 * to, lease ttl ms. Prints one line per batch copied, so the parent knows when to kill it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateStore } from '../../src/app/migrate-store.js';

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [from, to, ttl] = process.argv.slice(2);
  await migrateStore({
    from: from!,
    to: to!,
    leaseTtlMs: Number(ttl),
    onProgress: ({ namespace, copied }) => void process.stdout.write(`${JSON.stringify({ namespace, copied })}\n`),
  });
}
