// Byte comparisons by Buffer's native code, called on plain arrays: no Buffer or view is made per call. For runs of a
// page or more; two lines compare faster by a loop (crash.ts equalBytes).

const { equals, compare } = Buffer.prototype;

/** zeros to compare against, a window at a time */
const ZEROES = new Uint8Array(64 * 1024);

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  return equals.call(a, b);
}

/** whether every byte of `b` is zero, whatever its length */
export function isZero(b: Uint8Array): boolean {
  for (let at = 0; at < b.length; at += ZEROES.length) {
    const n = Math.min(ZEROES.length, b.length - at);
    if (compare.call(ZEROES, b, at, at + n, 0, n) !== 0) return false;
  }
  return true;
}
