/**
 * The README's picture of a card (docs/card.png): a real paper's card in the sandbox page, as
 * Discord renders it. The bundled sample papers name no authors and carry no links, so the sandbox
 * here starts with one more paper, "Attention Is All You Need", taken in through the library's own
 * ingest (startSandbox's extraPapers) from two of the repository's fixtures, as the feeds bring it:
 * the arXiv API record (eight authors, categories, the full abstract) and a Hugging Face paper
 * record (upvotes, AI summary, keywords, links). Ada runs `/paper show` in #general, publicly, so
 * the card carries the bot's 🔖; the screenshot of that one message goes to
 * test-results/sandbox/card.png (copied by hand to docs/card.png when the card changes).
 *
 * Without /usr/bin/chromium the test skips, except in CI (as in sandbox-page.test.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArxivAtom } from '../../src/core/parsers/arxiv-atom.js';
import { parsePaperRecord } from '../../src/core/parsers/paper-records.js';
import type { Paper } from '../../src/core/paper.js';
import { startSandbox, type Sandbox } from '../../sandbox/start-sandbox.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(import.meta.dirname, '..', '..', 'test-results', 'sandbox');
const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'sources');
const PAPER_ID = '1706.03762';
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && process.env.CI === 'true') {
  throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium); the browser test must not skip in CI`);
}

/** The paper as arXiv and Hugging Face describe it, parsed by the bot's own parsers. */
async function attentionRecords(): Promise<Paper[]> {
  const arxiv = parseArxivAtom(await readFile(path.join(FIXTURES, 'arxiv-api-legacy-1706.03762.xml'), 'utf8')).papers;
  const lines = (await readFile(path.join(FIXTURES, 'paper-records-small.jsonl'), 'utf8')).split('\n');
  const hf = lines.filter((line) => line.includes(`"id": "${PAPER_ID}"`)).map((line) => parsePaperRecord(JSON.parse(line)));
  const records = [...arxiv, ...hf].filter((p) => p.id === PAPER_ID);
  expect(records).toHaveLength(2);
  return records;
}

describe.skipIf(!haveChromium)('the README’s card picture', () => {
  let sandbox: Sandbox;
  let browser: BrowserContext;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'paperboy-card-'));
    await mkdir(SCREENSHOTS, { recursive: true });
    sandbox = await startSandbox({
      port: 0,
      dataDir: dir,
      feedIntervalMs: null,
      interactionAckDeadlineMs: 10_000,
      logDestination: { write: () => undefined },
      extraPapers: await attentionRecords(),
    });
    await sandbox.bot.indexReady;
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

  it('shows a real paper’s card with its authors, keywords, link buttons, Full abstract and 🔖', { timeout: 60_000 }, async () => {
    const input = page.locator('#command-input');
    await input.fill(`/paper show id: ${PAPER_ID} public: true`);
    await input.press('Escape');
    await input.press('Enter');

    const card = page
      .locator('#messages .message:not(.ephemeral)')
      .filter({ has: page.locator('.embed-title', { hasText: 'Attention Is All You Need' }) })
      .last();
    await card.waitFor({ timeout: 15_000 });
    await expect.poll(() => card.locator('.reaction[data-emoji="🔖"]').textContent(), { timeout: 10_000 }).toBe('🔖 1');
    // The thumbnail is served by the page; wait for it so the picture has it.
    await expect.poll(() => card.locator('img.embed-thumbnail').evaluate((img) => { const i = img as unknown as { complete: boolean; naturalWidth: number }; return i.complete && i.naturalWidth > 0; })).toBe(true);

    expect(await card.locator('.interaction-line').textContent()).toContain('Ada used /paper');
    expect((await card.locator('.embed-author').textContent())?.trim()).toBe('Ashish Vaswani, Noam Shazeer … +6');
    const description = (await card.locator('.embed-description').textContent()) ?? '';
    expect(description).toContain('AI summary:');
    expect(description).toContain('2017-06-12 · cs.CL · cs.LG · ▲ 120');
    expect(description).toContain('Keywords: attention · Transformer');
    const buttons = (await card.locator('button.button').allTextContents()).map((b) => b.trim());
    expect(buttons).toEqual(['arXiv ↗', 'PDF ↗', 'Hugging Face ↗', 'Code ↗', '📄 Full abstract']);

    await card.screenshot({ path: path.join(SCREENSHOTS, 'card.png') });
    expect(sandbox.fake.violations.map((v) => v.summary)).toEqual([]);
  });
});
