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
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a ^= Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  b = Math.imul(b ^ (a >>> 16), 0x27d4eb2f);
  return (b >>> 0) * 0x200000 + ((a >>> 0) & 0x1fffff);
}
