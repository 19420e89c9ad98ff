// Binary searches over ascending number arrays (or typed arrays) (event times). Pure.

/** Index of the first element ≥ x. */
export function lowerBound(arr: ArrayLike<number>, x: number): number {
  return lowerBoundOf(arr.length, (i) => arr[i], x);
}

/** `lowerBound` over the `length` values `at(0)`, `at(1)`… (a column that is not an array). */
export function lowerBoundOf(length: number, at: (i: number) => number, x: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(mid) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > x. */
export function upperBound(arr: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
