import { performance } from 'node:perf_hooks';
import type { OutStream } from './command.js';

/**
 * One status line on stderr. On a terminal it is redrawn in place (at most every 100 ms, so
 * drawing never costs more than the work it reports); anywhere else (a log file, CI) it becomes a
 * plain line every few seconds, so logs stay readable and a short run prints nothing.
 */
export type Progress = {
  /** `fraction` (0–1), when known, draws a bar on a terminal and a percentage elsewhere. */
  show(text: string, fraction?: number): void;
  /** A line that stays (a notice); the status line is cleared first. */
  note(line: string): void;
  /** Removes the status line. */
  clear(): void;
};

const BAR_WIDTH = 24;

export function createProgress(
  out: OutStream,
  options: { now?: () => number; ttyEveryMs?: number; plainEveryMs?: number } = {},
): Progress {
  const tty = out.isTTY === true;
  const now = options.now ?? (() => performance.now());
  const every = tty ? (options.ttyEveryMs ?? 100) : (options.plainEveryMs ?? 5000);
  let last = now();
  let drawn = false;

  const clear = () => {
    if (drawn) out.write('\r\x1b[K');
    drawn = false;
  };

  return {
    show(text, fraction) {
      const t = now();
      if (t - last < every) return;
      last = t;
      if (tty) {
        out.write(`\r\x1b[K${fraction === undefined ? '' : `${bar(fraction)} `}${text}`);
        drawn = true;
      } else {
        out.write(`${text}${fraction === undefined ? '' : ` (${Math.floor(fraction * 100)}%)`}\n`);
      }
    },
    note(line) {
      clear();
      out.write(`${line}\n`);
    },
    clear,
  };
}

function bar(fraction: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * BAR_WIDTH);
  return `[${'█'.repeat(full)}${'░'.repeat(BAR_WIDTH - full)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}
