import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';

/** `paperboy search` and `paperboy show` given ids as people paste them, and ids the library lacks. */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const JSONL = path.join(repoRoot, 'test/fixtures/sources/paper-records-small.jsonl');
const MISSING_LINE = "2405.99999 is not in Paperboy's library yet: https://arxiv.org/abs/2405.99999";

let dir: string;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const env = { STORE_URL: `sqlite://${dir}/paperboy.sqlite`, INDEX_PATH: path.join(dir, 'paperboy.index') };
  const code = await runCli(args, { stdin: Readable.from([]), stdout, stderr, env });
  return { code, stdout: out, stderr: err };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'paperboy-cli-ids-'));
  expect((await cli(['import', JSONL])).code).toBe(0);
}, 30_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('paperboy search with ids', () => {
  it('given an id with punctuation around it, lists that paper alone', async () => {
    const run = await cli(['search', '(1706.03762),']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^1\. 1706\.03762 +Attention Is All You Need/);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  it('given a list of ids, lists every paper in the order given', async () => {
    const run = await cli(['search', '1706.03762, 2405.17399']);
    expect(run.stdout.trimEnd().split('\n').map((line) => line.split(/\s+/)[1])).toEqual(['1706.03762', '2405.17399']);
  });

  it('given an id the library does not hold, says so with its arXiv link instead of "no papers match"', async () => {
    expect((await cli(['search', '2405.99999,'])).stdout).toBe(`${MISSING_LINE}\n`);
    const mixed = await cli(['search', '2405.99999', 'https://arxiv.org/abs/1706.03762.']);
    expect(mixed.stdout.split('\n').slice(0, 2)).toEqual([MISSING_LINE, expect.stringMatching(/^1\. 1706\.03762 /)]);
  });

  it('given --json, keeps stdout a JSON array and notes the missing id on stderr', async () => {
    const run = await cli(['search', '--json', '2405.99999']);
    expect(run.stdout).toBe('[]\n');
    expect(run.stderr.split('\n')).toContain(`note: ${MISSING_LINE}`);
  });
});

describe('paperboy show with ids', () => {
  it('given an id pasted with brackets and a comma, shows the paper', async () => {
    const run = await cli(['show', '(1706.03762),']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Attention Is All You Need\n/);
  });

  it('given an id the library does not hold, answers with the arXiv link', async () => {
    const run = await cli(['show', 'https://arxiv.org/abs/2405.99999v2']);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe(`paperboy: ${MISSING_LINE}`);
  });
});
