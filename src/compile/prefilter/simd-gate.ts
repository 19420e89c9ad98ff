// The chunk gate's needles found in one pass (teddy.wat): a 1 MiB chunk of JSON lines is searched for up to
// 8 needles at once with 128-bit SIMD instead of one Buffer.indexOf pass per needle. indexOf is a memchr
// for the needle's rarest byte, which stops on every occurrence of that byte: the seed rule's gate (`"so"`,
// three producer markers and `\u`) cost 770-807 µs a MiB in 5 passes, the one pass 440-460 µs with the copy
// into the module's memory (bench lines, 2-core machine, one sitting); worker threads read chunks straight
// into that memory (inputView). gate.ts falls back to indexOf when the module cannot be compiled (no
// WebAssembly SIMD), for more needles, and for a chunk with too many occurrences.

import { TEDDY_WASM_BASE64 } from "./teddy-wasm.generated.js";

/** Needles one search can hold: one per bit of a byte. */
export const TEDDY_MAX_NEEDLES = 8;
/** Fingerprint bytes per needle (tables in teddy.wat). */
const FINGERPRINT = 3;
const TABLES = 0;
const BUCKETS = 128;
const NEEDLES = 256;
/** Bytes the kernel may read past the input's end (its last block's loads). */
const PAD = 32;
const PAGE = 65536;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where this WebAssembly has no SIMD. */
function teddyModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(TEDDY_WASM_BASE64, "base64"));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

interface TeddyExports {
  readonly memory: WebAssembly.Memory;
  readonly scan: (input: number, len: number, out: number, cap: number) => number;
}

/**
 * One set of needles, searched together. Each search owns its module instance (the tables and needles live
 * in its memory), so a worker thread's gates do not share state.
 */
export class TeddySearch {
  private bytes: Uint8Array;
  private words: Uint32Array;
  private readonly input: number;

  private constructor(
    private readonly exports: TeddyExports,
    needleEnd: number,
  ) {
    this.input = (needleEnd + 15) & ~15;
    this.bytes = new Uint8Array(exports.memory.buffer);
    this.words = new Uint32Array(exports.memory.buffer);
  }

  /**
   * A search for `needles` (1 to TEDDY_MAX_NEEDLES non-empty byte strings), fingerprinted at their rarest
   * bytes by `freq` (byte counts of a sample); undefined when this WebAssembly cannot run it.
   */
  static of(needles: readonly Uint8Array[], freq: ArrayLike<number>): TeddySearch | undefined {
    if (needles.length === 0 || needles.length > TEDDY_MAX_NEEDLES || needles.some((n) => n.length === 0)) return undefined;
    const mod = teddyModule();
    if (mod === null) return undefined;
    const exports = new WebAssembly.Instance(mod, {}).exports as unknown as TeddyExports;
    const needleBytes = needles.reduce((sum, n) => sum + n.length, 0);
    const grow = Math.ceil((NEEDLES + needleBytes + PAGE) / PAGE) - exports.memory.buffer.byteLength / PAGE;
    if (grow > 0) exports.memory.grow(grow);
    const mem = new Uint8Array(exports.memory.buffer);
    const view = new DataView(exports.memory.buffer);
    let at = NEEDLES;
    needles.forEach((n, b) => {
      const fp = rarestRun(n, freq);
      for (let k = 0; k < FINGERPRINT; k++) {
        const lo = TABLES + 32 * k;
        if (fp + k < n.length) {
          mem[lo + (n[fp + k] & 15)] |= 1 << b;
          mem[lo + 16 + (n[fp + k] >> 4)] |= 1 << b;
        } else {
          // a needle shorter than the fingerprint: any byte there
          for (let x = 0; x < 32; x++) mem[lo + x] |= 1 << b;
        }
      }
      view.setUint32(BUCKETS + 16 * b, fp, true);
      view.setUint32(BUCKETS + 16 * b + 4, n.length, true);
      view.setUint32(BUCKETS + 16 * b + 8, at, true);
      mem.set(n, at);
      at += n.length;
    });
    return new TeddySearch(exports, at);
  }

  /**
   * A view of `bytes` bytes where scan() reads its input: a chunk read into it is searched without a copy.
   * Valid until the next call (the memory may grow and move).
   */
  inputView(bytes: number): Buffer {
    this.reserve(bytes);
    return Buffer.from(this.exports.memory.buffer, this.input, bytes);
  }

  /** The output's place after an input of `len` bytes and its padding. */
  private outAt(len: number): number {
    return (this.input + len + PAD + 7) & ~7;
  }

  /** Grows the memory to hold an input of `len` bytes, its padding and its output. */
  private reserve(len: number): void {
    const need = this.outAt(len) + capOf(len) * 8;
    if (need > this.bytes.length) {
      this.exports.memory.grow(Math.ceil((need - this.bytes.length) / PAGE));
      this.bytes = new Uint8Array(this.exports.memory.buffer);
      this.words = new Uint32Array(this.exports.memory.buffer);
    }
  }

  /**
   * Calls `found(start, needle)` for every occurrence of a needle wholly inside `buf` (`needle`: its index
   * in the list given), in the order of their fingerprints; false (having called nothing) when there are
   * more than one per 8 bytes of `buf`, which a gate would not pay for anyway.
   */
  scan(buf: Uint8Array, found: (start: number, needle: number) => void): boolean {
    const cap = capOf(buf.length);
    const out = this.outAt(buf.length);
    // a chunk read into inputView() is already in place (and its room reserved)
    if (buf.buffer !== this.exports.memory.buffer || buf.byteOffset !== this.input) {
      this.reserve(buf.length);
      this.bytes.set(buf, this.input);
    }
    const n = this.exports.scan(this.input, buf.length, out, cap);
    if (n < 0) return false;
    const w = out >> 2;
    for (let i = 0; i < n; i++) found(this.words[w + 2 * i], this.words[w + 2 * i + 1]);
    return true;
  }
}

/** Occurrences one scan of `len` bytes keeps before it gives up (one per 8 bytes). */
const capOf = (len: number): number => (len >> 3) + 16;

/** Where in `needle` the FINGERPRINT bytes whose sample counts sum lowest start (0 for a short needle). */
function rarestRun(needle: Uint8Array, freq: ArrayLike<number>): number {
  let best = 0;
  let bestCount = Infinity;
  for (let i = 0; i + FINGERPRINT <= needle.length; i++) {
    let c = 0;
    for (let k = 0; k < FINGERPRINT; k++) c += freq[needle[i + k]] ?? 0;
    if (c < bestCount) {
      bestCount = c;
      best = i;
    }
  }
  return best;
}
