/**
 * The `n` items with the smallest keys, smallest first, equal keys in the items' order: what a stable
 * sort by key then `slice(0, n)` gives, without sorting them all (a screen shows six sites of
 * thousands). Keys must not be NaN.
 */
export function smallestByKey<T>(items: readonly T[], n: number, key: (item: T) => number): T[] {
  if (n <= 0 || items.length === 0) return [];
  const keyed = items.map((item) => ({ item, key: key(item) }));
  // Past a quarter of the list, sorting it all is as cheap (and the stable sort gives the same order).
  if (n >= items.length / 4)
    return keyed
      .sort((a, b) => a.key - b.key)
      .slice(0, n)
      .map((e) => e.item);
  const best: { item: T; key: number }[] = [];
  for (const entry of keyed) {
    if (best.length === n && !(entry.key < (best[n - 1] as { key: number }).key)) continue;
    // After every kept item whose key is equal or smaller: an equal key came earlier and stays first.
    let low = 0;
    let high = best.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((best[middle] as { key: number }).key <= entry.key) low = middle + 1;
      else high = middle;
    }
    best.splice(low, 0, entry);
    if (best.length > n) best.pop();
  }
  return best.map((e) => e.item);
}
