// A fast 53-bit hash of a term combination's JSON text, the leading integer of the terms key: SQLite
// compares one integer instead of a long string on every B-tree step. The combination text stays in the
// key after it, so a hash collision can never merge two combinations. Two multiply–xor lanes over UTF-16
// code units, mixed at the end; 53 bits so the value is an exact JS number and a SQLite INTEGER.

export function hash53(text: string): number {
  let a = 0x9e3779b1;
  let b = 0x85ebca77;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return final53(a, b);
}

/** hash53's last mixing of its two lanes into 53 bits. */
function final53(a: number, b: number): number {
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a ^= Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  b = Math.imul(b ^ (a >>> 16), 0x27d4eb2f);
  return (b >>> 0) * 0x200000 + ((a >>> 0) & 0x1fffff);
}

/**
 * A second, independent 32-bit hash of the same text (murmur3-style mixing over UTF-16 code units) with a
 * caller-chosen seed. The terms index (state/term-index.ts) keys on hash53 plus this one; the store seeds
 * it at random per open, so a combination crafted offline to collide with a known one cannot be aimed at
 * it (hash53 is fixed because it is stored).
 */
export function hash32(text: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return final32(h, text.length);
}

/** hash32's finalisation (murmur3 fmix32 over the state and the length). */
function final32(h: number, length: number): number {
  h ^= length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The second hash of the text last given to hash53x (module state, so a lookup allocates nothing). */
export let lastHash32 = 0;

/**
 * hash53(text) and hash32(text, seed) in one pass over the text (the terms index's lookup path computes
 * both); the second is left in `lastHash32`. Same values as the two functions.
 */
export function hash53x(text: string, seed: number): number {
  let a = 0x9e3779b1;
  let b = 0x85ebca77;
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
    let k = Math.imul(c, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  lastHash32 = final32(h, text.length);
  return final53(a, b);
}
