import { spawn } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { PaperIndex } from '../src/core/search/paper-index.js';
import { loadIndexSnapshot } from '../src/storage/index-snapshot.js';

/**
 * Start-up costs: the real CLI from process start to its first answer, and, in process, how long
 * loading the snapshot keeps the event loop from running (a bot that blocks > ~100 ms misses
 * gateway heartbeats and interaction deadlines).
 */

export type ColdStartRun = {
  /** Process spawn → first JSON line on stdout. */
  ms: number;
  /** The first answer contains the expected paper. */
  answered: boolean;
  /** The CLI said it was building the index: the snapshot was not used and the time is not a cold start. */
  rebuiltIndex: boolean;
};

const COLD_START_TIMEOUT_MS = 180_000;

/** Runs `node bin/paperboy.js search`, writes one query to its stdin and times the first answer line. */
export function measureColdStart(options: {
  binPath: string;
  cwd: string;
  storeUrl: string;
  indexPath: string;
  query: string;
  expectedId: string;
}): Promise<ColdStartRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [options.binPath, 'search'], {
      cwd: options.cwd,
      env: { ...process.env, STORE_URL: options.storeUrl, INDEX_PATH: options.indexPath, LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`no answer within ${COLD_START_TIMEOUT_MS / 1000} s`)), COLD_START_TIMEOUT_MS);

    function finish(result: ColdStartRun | Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdin.end();
      if (result instanceof Error) {
        child.kill();
        reject(new Error(`cold start: ${result.message}${stderr ? `\nCLI stderr:\n${stderr.trim()}` : ''}`));
      } else {
        // Closing stdin ends the CLI's query loop; wait for the exit so the next run starts clean.
        child.once('exit', () => resolve(result));
      }
    }

    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      const ms = performance.now() - started;
      const line = stdout.slice(0, newline);
      let answered = false;
      try {
        const hits = JSON.parse(line) as unknown;
        answered = Array.isArray(hits) && hits.some((h) => (h as { id?: unknown }).id === options.expectedId);
      } catch {
        // Not JSON: reported as not answered.
      }
      finish({ ms, answered, rebuiltIndex: /building the search index/.test(stderr) });
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error) => finish(error));
    child.on('exit', (code) => finish(new Error(`the CLI exited with ${code} before answering`)));
    child.stdin.write(`${options.query}\n`);
  });
}

export type SnapshotLoad = {
  loadMs: number;
  /** Longest time the event loop could not run a 5 ms timer (its lateness). */
  maxBlockedMs: number;
  /** Max of perf_hooks' event-loop delay histogram, as a second opinion. */
  histogramMaxMs: number;
  /**
   * CPU time the process used during the longest gap. On a busy 2-core machine a gap can be the
   * OS running another process rather than our code blocking: a gap of 150 ms with 20 ms of CPU
   * was mostly waiting for a core.
   */
  cpuInLongestGapMs: number;
  documents?: number;
  /** Why the snapshot was not loaded, when it was not. */
  problem?: string;
};

const TICK_MS = 5;

/**
 * loadIndexSnapshot while a 5 ms timer and monitorEventLoopDelay watch the event loop. Returns
 * the loaded index too, so the queries run on what a restarted bot would search.
 */
export async function measureSnapshotLoad(
  indexPath: string,
  revision: number,
): Promise<{ measurement: SnapshotLoad; index: PaperIndex | undefined }> {
  const histogram = monitorEventLoopDelay({ resolution: TICK_MS });
  let maxLateness = 0;
  let cpuInLongestGapMs = 0;
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const ticker = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const lateness = now - last - TICK_MS;
    if (lateness > maxLateness) {
      maxLateness = lateness;
      cpuInLongestGapMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    }
    last = now;
    lastCpu = cpu;
  }, TICK_MS);
  histogram.enable();
  // One tick first, so the timer is running before the load starts.
  await new Promise((resolve) => setTimeout(resolve, TICK_MS * 2));
  last = performance.now();
  lastCpu = process.cpuUsage();

  const started = performance.now();
  let loaded: Awaited<ReturnType<typeof loadIndexSnapshot>>;
  let loadMs: number;
  try {
    loaded = await loadIndexSnapshot(indexPath, { revision });
    loadMs = performance.now() - started;
  } finally {
    // The last stretch before the load returned counts too: wait for one more tick.
    await new Promise((resolve) => setTimeout(resolve, TICK_MS * 2));
    clearInterval(ticker);
    histogram.disable();
  }
  const measurement: SnapshotLoad = {
    loadMs,
    maxBlockedMs: Math.max(0, maxLateness),
    histogramMaxMs: histogram.max / 1e6,
    cpuInLongestGapMs,
    ...(loaded.index ? { documents: loaded.index.size } : { problem: loaded.reason }),
  };
  return { measurement, index: loaded.index };
}
