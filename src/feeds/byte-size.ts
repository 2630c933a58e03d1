/**
 * Sizes as people write them in settings ("10MB", "512 KB", "2000000") and as logs show them.
 * Binary units: 1 KB = 1024 bytes, 1 MB = 1024 KB, 1 GB = 1024 MB.
 */

const UNITS = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const;
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i;

/** "10MB" → 10485760; a bare number is bytes. Throws RangeError with the accepted forms. */
export function parseByteSize(text: string): number {
  const m = SIZE.exec(text.trim());
  if (!m) throw new RangeError('must be a size like 10MB, 512KB or a number of bytes');
  const unit = (m[2]?.toLowerCase() ?? 'b') as keyof typeof UNITS;
  return Math.floor(Number(m[1]) * UNITS[unit]);
}

/** 10485760 → "10 MB", 1536 → "1.5 KB", 700 → "700 B". */
export function formatBytes(bytes: number): string {
  for (const unit of ['gb', 'mb', 'kb'] as const) {
    if (bytes >= UNITS[unit]) return `${Number((bytes / UNITS[unit]).toFixed(1))} ${unit.toUpperCase()}`;
  }
  return `${bytes} B`;
}
