import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../../sandbox/fake-discord/fake-discord.js';
import { botEnv, fakeBotToken, within } from './start-test-bot.js';

/**
 * `npm start` as a process: `node --import tsx src/main.ts`, run from an empty temp dir (so no
 * .env is read) with only the variables the test sets. tsx is passed by its file URL because a
 * bare `--import tsx` resolves from the working directory.
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = path.join(repoRoot, 'src', 'main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

type Started = { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };

function startMain(cwd: string, env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd,
    // Nothing inherited: a DISCORD_TOKEN in the developer's shell must not leak into the test.
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitForLog(started: Started, message: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const line of started.stdout().split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === message) return entry;
    }
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no "${message}" log line within ${timeoutMs} ms\nstdout:\n${started.stdout()}\nstderr:\n${started.stderr()}`);
}

describe('npm start (node --import tsx src/main.ts)', () => {
  let dir: string;
  let fake: FakeDiscord | undefined;
  let started: Started | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'paperboy-start-'));
  });

  afterEach(async () => {
    if (started && started.child.exitCode === null && started.child.signalCode === null) {
      started.child.kill('SIGKILL');
      await within(5000, 'kill', started.exit).catch(() => undefined);
    }
    started = undefined;
    if (fake) await within(3000, 'fake.close()', fake.close()).catch(() => undefined);
    fake = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('given no DISCORD_TOKEN, exits 1 with exactly one line on stderr naming it', async () => {
    started = startMain(dir, { STORE_URL: `sqlite://${path.join(dir, 'p.sqlite')}`, INDEX_PATH: path.join(dir, 'p.index'), LOG_LEVEL: 'info' });
    const { code } = await within(20_000, 'main.ts exit', started.exit);
    expect(code).toBe(1);
    const lines = started.stderr().split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^paperboy: DISCORD_TOKEN: /);
    expect(lines[0]).not.toMatch(/\bat \S+:\d+/); // no stack trace
  }, 30_000);

  it('given a token Discord refuses, exits 1 and says on stderr that DISCORD_TOKEN was refused', async () => {
    fake = await startFakeDiscord({ token: fakeBotToken() });
    const refused = fakeBotToken();
    started = startMain(dir, { ...botEnv(fake, dir, refused, 'warn') });
    const { code } = await within(20_000, 'main.ts exit', started.exit);
    expect(code).toBe(1);
    expect(started.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^paperboy: DISCORD_TOKEN was refused/)]);
    expect(started.stdout() + started.stderr()).not.toContain(refused);
  }, 30_000);

  it('given DISCORD_API_URL pointing at a fake Discord, logs in, answers /paper search from the bundled library and exits 0 on SIGTERM', async () => {
    const token = fakeBotToken();
    fake = await startFakeDiscord({ token });
    started = startMain(dir, { ...botEnv(fake, dir, token, 'info') });
    const loggedIn = await waitForLog(started, 'logged in', 25_000);
    expect(loggedIn).toMatchObject({ level: 'info', user: 'Paperboy', guilds: 1 });
    // The index loads after login (interactions meanwhile answer "still loading").
    await waitForLog(started, 'search index ready', 25_000);

    const injected = fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'preference learning' } });
    const callback = await injected.firstResponse(4000);
    expect(callback.status).toBe(204);
    const body = callback.body as { type: number; data: { flags: number; embeds: { description: string }[]; components: any[] } };
    expect(body.type).toBe(4);
    expect(body.data.embeds[0]!.description).toMatch(/^Results 1–5 of \d+/);
    // Only the bundled seed is in this store: its papers carry title ids.
    const offered = body.data.components[0].components[0].options.map((o: { value: string }) => o.value);
    expect(offered.length).toBe(5);
    expect(offered.every((id: string) => id.startsWith('title:'))).toBe(true);
    expect(fake.violations).toEqual([]);

    started.child.kill('SIGTERM');
    const { code } = await within(10_000, 'main.ts exit after SIGTERM', started.exit);
    expect(code).toBe(0);
    await waitForLog(started, 'stopped', 100);
    expect(started.stdout()).not.toContain(token);
    expect(started.stdout()).not.toContain(injected.token);
    expect(started.stderr()).toBe('');
  }, 45_000);
});
