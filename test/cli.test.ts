import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { editDistance, nearestName } from '../src/cli/nearest-name.js';
import type { Env } from '../src/config.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repoRoot, 'bin/paperboy.js');
const JSONL = path.join(repoRoot, 'test/fixtures/sources/paper-records-small.jsonl');

type Run = { code: number; stdout: string; stderr: string };

let dir: string;
const storeEnv = (): Env => ({ STORE_URL: `sqlite://${dir}/paperboy.sqlite`, INDEX_PATH: path.join(dir, 'paperboy.index') });

/** The CLI in this process, with string streams: fast enough to test every path. */
async function cli(args: string[], options: { stdin?: AsyncIterable<string> | string; env?: Env } = {}): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const stdin = typeof options.stdin === 'string' ? Readable.from([options.stdin]) : (options.stdin ?? Readable.from([]));
  const code = await runCli(args, { stdin, stdout, stderr, env: { ...storeEnv(), ...options.env } });
  return { code, stdout: out, stderr: err };
}

/** The real `paperboy` process (bin/paperboy.js through tsx), about a second each: used sparingly. */
function child(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    // Run from the temp dir with a minimal environment, so no .env or STORE_URL of the developer leaks in.
    const proc = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, ...storeEnv() },
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    proc.stdin.end(input ?? '');
  });
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'paperboy-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('paperboy (child process)', () => {
  it('given a fresh store, searches the bundled seed papers', async () => {
    const run = await child(['search', 'direct preference optimization', '--json']);
    expect(run.code).toBe(0);
    const hits = JSON.parse(run.stdout) as { id: string; title: string; score: number }[];
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]).toEqual({ id: expect.stringMatching(/^title:[0-9a-f]{12}$/), title: expect.stringMatching(/prefer/i), score: expect.any(Number) });
    expect(run.stderr).toContain('importing the bundled sample papers');
  });

  it('imports, searches, answers stdin queries line by line, shows and reports stats', async () => {
    const imported = await child(['import', JSONL]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^imported paper-records-small\.jsonl \(jsonl\) in /);
    // The fixture's MotionCrafter record is also a seed paper.
    expect(imported.stdout).toMatch(/^ {2}added +4\n {2}merged +0\n {2}unchanged +1\n/m);

    const search = await child(['search', 'attention is all you need', '--json', '--limit', '3']);
    expect(search.code).toBe(0);
    const hits = JSON.parse(search.stdout) as { id: string }[];
    expect(hits[0]?.id).toBe('1706.03762');
    expect(hits.length).toBeLessThanOrEqual(3);

    const stdin = await child(['search'], 'attention is all you need\nbreaking the memory barrier\n');
    expect(stdin.code).toBe(0);
    const lines = stdin.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string }[]);
    expect(lines).toHaveLength(2);
    expect(lines[0]![0]?.id).toBe('1706.03762');
    expect(lines[1]![0]?.id).toBe('2410.17243');

    const unknown = await child(['show', '2405.99999']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr.trimEnd().split('\n')).toEqual([
      "paperboy: 2405.99999 is not in Paperboy's library yet: https://arxiv.org/abs/2405.99999",
      'check the id, or import it (paperboy import <file>)',
    ]);

    const stats = await child(['stats']);
    expect(stats.code).toBe(0);
    // The 4 new papers and MotionCrafter, which the file brought too; the other 38 sample papers left.
    expect(stats.stdout).toMatch(/^papers +5$/m);
    expect(stats.stdout).toMatch(/^index +5 papers \(snapshot .*paperboy\.index, [\d.]+ KB, saved /m);
    expect(stats.stdout).toContain(`store     sqlite://${dir}/paperboy.sqlite`);
  });
});

describe('paperboy usage', () => {
  it('given no command, prints the usage to stderr and exits 2', async () => {
    const run = await cli([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^usage: paperboy <command>/);
  });

  it('prints the usage for help and --help, and one command’s options for <command> --help', async () => {
    for (const args of [['help'], ['--help'], ['-h']]) {
      const run = await cli(args);
      expect(run.code).toBe(0);
      for (const name of ['import', 'search', 'show', 'stats', 'help']) expect(run.stdout).toMatch(new RegExp(`^ {2}${name}\\b`, 'm'));
    }
    const search = await cli(['search', '--help']);
    expect(search.code).toBe(0);
    expect(search.stdout).toMatch(/^usage: paperboy search \[query\] \[options\]/);
    expect(search.stdout).toContain('--sort S');
    expect((await cli(['help', 'import'])).stdout).toMatch(/^usage: paperboy import <file>/);
  });

  it('given an unknown command, prints the usage and exits 2', async () => {
    const run = await cli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^paperboy: unknown command frobnicate\n\nusage:/);
  });

  it('given bad options, names the problem and exits 2 before touching the store', async () => {
    const cases: [string[], RegExp][] = [
      [['search', 'x', '--limit', '0'], /^paperboy: --limit must be a whole number from 1 to 100\n/],
      [['search', 'x', '--sort', 'oldest'], /^paperboy: --sort must be one of relevance, newest, upvotes\n/],
      [['import', JSONL, '--format', 'xml'], /^paperboy: --format must be one of auto, hf, arxiv, rss, page, jsonl\n/],
      [['import', JSONL, '--format', 'hf', '--year', '2025'], /^paperboy: --year applies only to Daily Papers pages/],
      [['import'], /^paperboy: missing <file>\n/],
      [['show', 'a', 'b'], /^paperboy: unexpected argument "b"\n/],
      [['stats', '--colour'], /^paperboy: unknown option --colour\n/],
      [['search', 'x', '--limit'], /^paperboy: Option '--limit <value>' argument missing\n/],
      [['deploy-commands', '--guild', 'general'], /^paperboy: --guild must be a server id \(17–20 digits\)\n/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain(`usage: paperboy ${args[0]}`);
    }
  });

  it('given a mistyped option or command, suggests the nearest one and exits 2', async () => {
    const cases: [string[], string][] = [
      [['search', 'x', '--limt', '5'], 'paperboy: unknown option --limt; did you mean --limit?\n'],
      [['search', '--jsno', 'x'], 'paperboy: unknown option --jsno; did you mean --json?\n'],
      [['import', JSONL, '--fromat=jsonl'], 'paperboy: unknown option --fromat; did you mean --format?\n'],
      [['stats', '-x'], 'paperboy: unknown option -x\n'],
      [['serach', 'x'], 'paperboy: unknown command serach; did you mean search?\n'],
      [['help', 'imprt'], 'paperboy: unknown command imprt; did you mean import?\n'],
      [['deploy'], 'paperboy: unknown command deploy\n'],
    ];
    for (const [args, first] of cases) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.slice(0, run.stderr.indexOf('\n') + 1)).toBe(first);
      expect(run.stderr).toMatch(/^usage: paperboy /m);
    }
  });

  it('measures names by edits, counting a swap of neighbours as one', () => {
    expect(editDistance('serach', 'search')).toBe(1);
    expect(editDistance('limt', 'limit')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'help')).toBe(4);
    expect(nearestName('stat', ['search', 'stats', 'show'])).toBe('stats');
    expect(nearestName('colour', ['limit', 'sort', 'json', 'help'])).toBeUndefined();
  });
});

describe('paperboy errors', () => {
  it('prints a failure as one paperboy: line with its hint and exits 1', async () => {
    const missing = await cli(['import', path.join(dir, 'nowhere.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(new RegExp(`^paperboy: cannot read ${dir}/nowhere\\.jsonl: no such file\\.\\n$`, 'm'));

    await writeFile(path.join(dir, 'notes.txt'), 'just some notes\n');
    const unknown = await cli(['import', path.join(dir, 'notes.txt')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^paperboy: cannot tell what kind of file notes\.txt is\.\nPass --format with one of: /m);
  });

  it('given a bad environment, prints one line naming the key and exits 1', async () => {
    const run = await cli(['stats'], { env: { STORE_URL: 'ftp://admin:hunter2@files' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('paperboy: STORE_URL: must start with sqlite://, redis:// or postgres:// followed by a path or host (see .env.example)\n');
  });

  it('given a store it cannot open, prints one line without the credentials', async () => {
    // Port 1 on loopback: refused at once, whether or not a Redis server runs on this machine.
    const run = await cli(['stats'], { env: { STORE_URL: 'redis://admin:hunter2@127.0.0.1:1' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^paperboy: cannot open the Redis store: [^\n]*\n$/);
    expect(run.stderr).not.toContain('hunter2');
  });

  it('given an import file of the wrong format, prints one line and exits 1', async () => {
    const run = await cli(['import', JSONL, '--format', 'page']);
    expect(run.code).toBe(1);
    // After the note about seeding the fresh store: one line.
    expect(run.stderr).toMatch(/\npaperboy: not a Daily Papers page text: expected [^\n]*\n$/);
  });

  it('prints an unexpected error as one line, and its stack only with LOG_LEVEL=debug', async () => {
    async function* failingStdin(): AsyncGenerator<string> {
      yield 'attention\n';
      throw new Error('stdin broke');
    }
    const quiet = await cli(['search'], { stdin: failingStdin() });
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toMatch(/paperboy: unexpected error: Error: stdin broke \(LOG_LEVEL=debug shows the stack trace\)\n$/);
    expect(quiet.stderr).not.toMatch(/^\s+at /m);

    const debug = await cli(['search'], { stdin: failingStdin(), env: { LOG_LEVEL: 'debug' } });
    expect(debug.stderr).toMatch(/paperboy: unexpected error: Error: stdin broke\n\s+at /);
  });
});

describe('paperboy import, search, show (in process)', () => {
  it('prints an import summary with the skipped records and their reasons', async () => {
    const run = await cli(['import', JSONL]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}added +4\n {2}merged +0\n {2}unchanged +1\n {2}skipped +7\n {4}line 3: not valid JSON\n/m);
    expect(run.stdout).toMatch(/^the 38 bundled sample papers were removed: the library has real papers now$/m);
    expect(run.stdout).toMatch(/^search index rebuilt: 5 papers$/m);
  });

  it('prints search results as a numbered list with date and upvotes', async () => {
    await cli(['import', JSONL]);
    const run = await cli(['search', 'attention', 'is', 'all', 'you', 'need', '--limit', '2']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(/^1\. 1706\.03762 +Attention Is All You Need \(2017-06-12, ▲120\)$/);
    expect(run.stdout.trimEnd().split('\n').length).toBeLessThanOrEqual(2);
    expect((await cli(['search', 'qqqxxyyzz'])).stdout).toBe('no papers match "qqqxxyyzz"\n');
  });

  it('given a malformed filter, prints the error with exit 2, or an error line in stdin mode', async () => {
    const single = await cli(['search', 'attention', 'after:someday']);
    expect(single.code).toBe(2);
    expect(single.stdout).toBe('');
    expect(single.stderr).toMatch(/^paperboy: `after:someday` is not a date\.\n/m);

    const stdin = await cli(['search', '--limit', '1'], { stdin: 'attention is all you need\nafter:someday\n\ndirect preference' });
    expect(stdin.code).toBe(0);
    const lines = stdin.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatchObject({ error: '`after:someday` is not a date.' });
    expect(lines[2]).toEqual([]);
    expect(lines[3]).toHaveLength(1);
  });

  it('given a 100,000-character query, refuses it in a short line instead of crashing or echoing it', async () => {
    const huge = 'transfromers '.repeat(7_700).slice(0, 100_000);
    const single = await cli(['search', huge]);
    expect(single.code).toBe(2);
    expect(single.stdout).toBe('');
    const refusal = single.stderr.split('\n').filter((line) => line.startsWith('paperboy:'));
    expect(refusal).toEqual(['paperboy: That query has 100,000 characters; a query has at most 1,000.']);
    expect(Math.max(...single.stderr.split('\n').map((line) => line.length))).toBeLessThan(200);

    const stdin = await cli(['search', '--limit', '1'], { stdin: `${huge}\ndirect preference\n` });
    expect(stdin.code).toBe(0);
    const lines = stdin.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines[0]).toMatchObject({ error: expect.stringMatching(/^That query has 100,000 characters/) });
    expect(lines[1]).toHaveLength(1);
  });

  it('given a long query that matches nothing, echoes a short prefix of it and notes the dropped words', async () => {
    const words = Array.from({ length: 30 }, (_, i) => `qqq${i}zz`).join(' ');
    const run = await cli(['search', words]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('no papers match "qqq0zz qqq1zz qqq2zz qqq3zz qqq4zz qqq5…"\n');
    expect(run.stderr).toMatch(/^note: Searched the first 24 of 30 words/m);
  });

  it('shows a paper by id or URL, and says so for an unknown or malformed id', async () => {
    await cli(['import', JSONL]);
    const run = await cli(['show', 'https://arxiv.org/abs/1706.03762v5']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Attention Is All You Need\n\n {2}id +1706\.03762\n {2}authors +Ashish Vaswani, Noam Shazeer\n {2}published +2017-06-12\n/);
    expect(run.stdout).toMatch(/^ {2}categories +cs\.CL, cs\.LG$/m);
    expect(run.stdout).toMatch(/^ {2}upvotes +▲120$/m);
    expect(run.stdout).toMatch(/^ +code +https:\/\/github\.com\/tensorflow\/tensor2tensor$/m);
    expect(run.stdout).toMatch(/\n {2}The dominant sequence transduction models/);

    const malformed = await cli(['show', 'not an id']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^paperboy: "not an id" is not a paper id/);
  });
});

describe('paperboy invite and deploy-commands', () => {
  it('prints the invite link for DISCORD_CLIENT_ID', async () => {
    const run = await cli(['invite'], { env: { DISCORD_CLIENT_ID: '123456789012345678' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^https:\/\/discord\.com\/oauth2\/authorize\?client_id=123456789012345678&scope=bot\+applications\.commands&permissions=\d+\n$/);
  });

  it('names the missing key in one line when the ids or token are not set', async () => {
    const invite = await cli(['invite']);
    expect(invite.code).toBe(1);
    expect(invite.stderr).toMatch(/^paperboy: DISCORD_CLIENT_ID: missing/);
    expect(invite.stderr.trim().split('\n')).toHaveLength(1);
    const deploy = await cli(['deploy-commands'], { env: { DISCORD_CLIENT_ID: '123456789012345678' } });
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toMatch(/^paperboy: DISCORD_TOKEN: missing/);
  });
});
