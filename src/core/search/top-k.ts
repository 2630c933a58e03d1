/**
 * The `k` best of the items offered, best first, in O(n log k) time and O(k) memory: a bounded
 * heap whose root is the worst item kept. `better(a, b)` must be a strict total order (break
 * ties, e.g. by position), so the answer does not depend on the heap's shape.
 */
export function createTopK<T>(k: number, better: (a: T, b: T) => boolean) {
  const heap: T[] = [];
  const worse = (i: number, j: number) => better(heap[j]!, heap[i]!);
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  return {
    offer(item: T): void {
      if (k <= 0) return;
      if (heap.length < k) {
        heap.push(item);
        for (let i = heap.length - 1; i > 0; ) {
          const parent = (i - 1) >> 1;
          if (!worse(i, parent)) break;
          swap(i, parent);
          i = parent;
        }
        return;
      }
      if (!better(item, heap[0]!)) return;
      heap[0] = item;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let worst = i;
        if (left < heap.length && worse(left, worst)) worst = left;
        if (right < heap.length && worse(right, worst)) worst = right;
        if (worst === i) break;
        swap(i, worst);
        i = worst;
      }
    },
    /** The items kept, best first. */
    result(): T[] {
      return [...heap].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
    },
  };
}
