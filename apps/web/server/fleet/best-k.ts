/**
 * The first `k` items in order, in one pass: each is compared with the worst kept so far and dropped
 * at once when it sorts after it, so the top 100 of 500,000 cost about one comparison per item
 * instead of a full sort.
 */
export class BestK<T> {
  readonly kept: T[] = [];

  constructor(
    private readonly k: number,
    private readonly cmp: (a: T, b: T) => number,
  ) {}

  offer(x: T): void {
    const kept = this.kept;
    if (kept.length === this.k && this.cmp(x, kept[kept.length - 1]!) >= 0) return;
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(kept[mid]!, x) <= 0) lo = mid + 1;
      else hi = mid;
    }
    kept.splice(lo, 0, x);
    if (kept.length > this.k) kept.pop();
  }
}
