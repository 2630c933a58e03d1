import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

/**
 * ../shared holds the real recorded data (HF and arXiv responses, the seed page, the corpus).
 * CI always has it; a bare clone does not, and then these suites are reported as skipped with
 * "(needs ../shared)" in their name instead of failing.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sharedRoot = path.resolve(repoRoot, '../shared');

export const hasShared = existsSync(sharedRoot);

export function sharedPath(...parts: string[]): string {
  return path.join(sharedRoot, ...parts);
}

export function describeShared(name: string, fn: () => void): void {
  describe.skipIf(!hasShared)(`${name} (needs ../shared)`, fn);
}
