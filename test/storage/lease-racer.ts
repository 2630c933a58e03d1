/**
 * One racing process for the lease test (lease.test.ts): opens the store at argv[2] and, as owner
 * argv[3], tries to take lease `race-<i>` for round i = 0 … argv[4]-1 at the moment argv[5] +
 * i × ROUND_MS (epoch ms), so two racers ask for each lease at the same instant. Prints the rounds
 * it won as one JSON array.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { openStorage } from '../../src/storage/open-storage.js';

export const ROUND_MS = 40;

async function main(url: string, owner: string, rounds: number, startAt: number): Promise<void> {
  const storage = await openStorage(url);
  const won: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      await sleep(Math.max(0, startAt + i * ROUND_MS - Date.now()));
      if (await storage.lease(`race-${i}`, owner, 60_000).acquire()) won.push(i);
    }
  } finally {
    await storage.close();
  }
  process.stdout.write(`${JSON.stringify(won)}\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv[2]!, process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));
}
