/**
 * The sandbox in a real browser: `startSandbox` (what `npm run sandbox` runs) on a free port and
 * a temp store, Debian's Chromium driven by playwright-core, one person's afternoon with the
 * bot: search with autocomplete, paging, opening a card, 🔖, /bookmarks list, a refusal for the
 * member, a topic whose posts arrive. Screenshots go to test-results/sandbox/ (gitignored).
 *
 * Without /usr/bin/chromium the test skips, except in CI (CI=true), where it fails: .ci/run
 * installs the package.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/start-sandbox.js';
import { SANDBOX_IDS } from '../../sandbox/sandbox-guild.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(import.meta.dirname, '..', '..', 'test-results', 'sandbox');
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && process.env.CI === 'true') {
  throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium); the browser test must not skip in CI`);
}

describe.skipIf(!haveChromium)('the sandbox page in Chromium', () => {
  let sandbox: Sandbox;
  let browser: BrowserContext;
  let page: Page;
  let dir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'paperboy-sandbox-'));
    await mkdir(SCREENSHOTS, { recursive: true });
    // No feed timer: the test lists papers itself, never waiting for "every couple of minutes".
    sandbox = await startSandbox({ port: 0, dataDir: dir, feedIntervalMs: null, interactionAckDeadlineMs: 10_000, logDestination: { write: (line) => void logs.push(line) } });
    await sandbox.bot.indexReady;
    // A fresh profile in the temp dir; never a downloaded browser.
    browser = await chromium.launchPersistentContext(path.join(dir, 'chromium'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
      viewport: { width: 1280, height: 860 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(sandbox.url);
    await page.locator('body[data-ready="true"]').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const input = () => page.locator('#command-input');
  const lastMessage = () => page.locator('#messages .message').last();

  /** Types a command line and sends it (Escape first: Enter on an open suggestion would pick it). */
  async function run(line: string): Promise<void> {
    await input().fill(line);
    await input().press('Escape');
    await input().press('Enter');
    await expect.poll(() => input().inputValue()).toBe('');
  }

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  it('searches with the bot’s own autocomplete, pages, and opens a card', { timeout: 60_000 }, async () => {
    await input().click();
    await input().pressSequentially('/pap');
    await expect.poll(() => page.locator('.suggestion-label').allTextContents()).toContain('/paper');
    await input().fill('');
    await input().pressSequentially('/paper search query: preference');
    // The suggestions come from a real autocomplete interaction answered by the bot.
    const suggested = page.locator('.suggestion[data-section="Paperboy suggests"]');
    await suggested.first().waitFor({ timeout: 10_000 });
    expect(await suggested.count()).toBeGreaterThan(1);
    expect((await suggested.allTextContents()).join(' ').toLowerCase()).toContain('preference');
    await shot('autocomplete');

    await input().press('Escape');
    await input().press('Enter');
    const results = lastMessage();
    await expect.poll(() => results.textContent(), { timeout: 10_000 }).toContain('Only you can see this');
    await expect.poll(() => results.locator('.embed').count()).toBeGreaterThan(0);
    expect(await results.locator('.interaction-line').textContent()).toContain('Ada used /paper search');
    const firstPage = await results.locator('.embed').first().textContent();

    await results.locator('button.button', { hasText: '▶' }).click();
    await expect.poll(async () => lastMessage().locator('.embed').first().textContent(), { timeout: 10_000 }).not.toBe(firstPage);
    await shot('search-page-2');

    const menu = lastMessage().locator('select.select-menu');
    const firstOption = await menu.locator('option:not([disabled])').first().getAttribute('value');
    expect(firstOption).toBeTruthy();
    await menu.selectOption(firstOption!);
    const card = lastMessage();
    await card.locator('button.button', { hasText: 'Bookmark' }).waitFor({ timeout: 10_000 });
    expect(await card.locator('.embed-title').count()).toBe(1);
    expect(await card.textContent()).toContain('Only you can see this');
  });

  it('saves a paper with 🔖 on a card posted in the channel, and lists it under /bookmarks list', { timeout: 60_000 }, async () => {
    const card = lastMessage();
    const title = (await card.locator('.embed-title').first().textContent())?.trim() ?? '';
    expect(title.length).toBeGreaterThan(5);
    await card.locator('button.button', { hasText: 'Post in channel' }).click();

    // The public card carries the bot's own 🔖; clicking it reacts as Ada.
    const posted = page.locator('#messages .message:not(.ephemeral)').filter({ has: page.locator('.reaction[data-emoji="🔖"]') }).last();
    await posted.waitFor({ timeout: 10_000 });
    await expect.poll(() => posted.locator('.reaction[data-emoji="🔖"]').textContent()).toBe('🔖 1');
    await posted.locator('.reaction[data-emoji="🔖"]').click();
    await expect.poll(() => posted.locator('.reaction.mine[data-emoji="🔖"]').textContent()).toBe('🔖 2');
    await expect.poll(async () => (await sandbox.bot.ctx.bookmarks.list(SANDBOX_IDS.admin)).length, { timeout: 10_000 }).toBe(1);

    await run('/bookmarks list');
    await expect.poll(() => lastMessage().textContent(), { timeout: 10_000 }).toContain(title.slice(0, 30));
    expect(await lastMessage().textContent()).toContain('Only you can see this');
    await shot('bookmarks');
  });

  it('refuses /topic add to the member and shows the admin’s topic posts arriving', { timeout: 60_000 }, async () => {
    await page.locator('#person').selectOption(SANDBOX_IDS.member);
    await run('/topic add name: prefs query: preference channel: #papers-ml');
    await expect.poll(() => lastMessage().textContent(), { timeout: 10_000 }).toContain('Manage Channels');
    expect(await lastMessage().textContent()).toContain('Only you can see this');
    await shot('member-refused');

    await page.locator('#person').selectOption(SANDBOX_IDS.admin);
    await run('/topic add name: prefs query: preference channel: #papers-ml');
    await expect.poll(() => lastMessage().textContent(), { timeout: 10_000 }).toContain('prefs');
    // The feed lists a few held-back papers; the refresh fetches them and runs the new topic.
    await page.locator('#feed-publish').click();
    await run('/topic refresh');
    await page.locator('[data-channel="papers-ml"]').click();
    const cards = page.locator('#messages .message:not(.ephemeral) .embed');
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    // Each topic post gets the bot's 🔖 once Discord has accepted it.
    const bookmarkable = page.locator('#messages .message:not(.ephemeral) .reaction[data-emoji="🔖"]');
    await expect.poll(async () => (await bookmarkable.count()) === (await cards.count()), { timeout: 20_000 }).toBe(true);
    await shot('topic-posts');

    expect(sandbox.fake.violations.map((v) => v.summary)).toEqual([]);
    expect(await page.locator('#violations').isHidden()).toBe(true);
    expect(logs.filter((line) => /"level":"(error|fatal)"/.test(line))).toEqual([]);
  });

  it('shows on the page a payload Discord would refuse', async () => {
    const answered = [...sandbox.fake.state.interactions.values()].find((i) => i.callbackType !== null);
    expect(answered).toBeDefined();
    // A second answer to an interaction the bot already answered, as a buggy bot would send it.
    const response = await fetch(`${sandbox.fake.apiUrl}/v10/interactions/${answered!.id}/${answered!.token}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'x'.repeat(2001) } }),
    });
    expect(response.status).toBe(400);
    await page.locator('#violations').waitFor({ timeout: 5_000 });
    expect(await page.locator('#violations').textContent()).toContain('1 payload Discord would refuse');
    await shot('violation');
  });
});
