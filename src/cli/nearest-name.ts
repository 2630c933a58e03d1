/**
 * The name a mistyped command or option most likely meant, for "did you mean …?". Distances are
 * optimal string alignment (Levenshtein plus swapping two neighbours, the commonest typo:
 * `serach` is one edit from `search`). Short inputs allow one edit and longer ones one per three
 * characters, at most two, so `--colour` suggests nothing rather than a stretch.
 */
export function nearestName(input: string, names: Iterable<string>): string | undefined {
  const allowed = Math.min(2, Math.max(1, Math.floor(input.length / 3)));
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const name of names) {
    const distance = editDistance(input.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps, each 1. */
export function editDistance(a: string, b: string): number {
  // Three rows of the dynamic-programming table: the swap looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      current[j] = d;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}
