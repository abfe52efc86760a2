/**
 * An open-addressing hash table from (row, col) pairs to summed counts, in typed arrays so that
 * tens of millions of increments stay fast and memory is linear in the distinct pairs (no per-entry
 * objects). Keys are row*cols+col stored as doubles (exact below 2^53). Emits CSR.
 */
import type { CsrCounts } from './csr';

const EMPTY = -1;

export class PairTable {
  private keys: Float64Array;
  private counts: Float64Array;
  private mask: number;
  private used = 0;

  constructor(
    readonly rows: number,
    readonly cols: number,
    initialCapacity = 1 << 16,
  ) {
    let cap = 1;
    while (cap < initialCapacity) cap <<= 1;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.counts = new Float64Array(cap);
    this.mask = cap - 1;
  }

  /** Distinct pairs stored. */
  get size(): number {
    return this.used;
  }

  /** Adds `value` to the count of (row, col). */
  add(row: number, col: number, value = 1): void {
    const key = row * this.cols + col;
    let h = (Math.imul(row, 0x9e3779b1) ^ Math.imul(col, 0x85ebca77)) & this.mask;
    const keys = this.keys;
    for (;;) {
      const k = keys[h];
      if (k === key) {
        this.counts[h] += value;
        return;
      }
      if (k === EMPTY) {
        keys[h] = key;
        this.counts[h] = value;
        if (++this.used * 2 > keys.length) this.grow();
        return;
      }
      h = (h + 1) & this.mask;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const cap = oldKeys.length * 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.counts = new Float64Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const key = oldKeys[i];
      if (key === EMPTY) continue;
      const row = Math.floor(key / this.cols);
      const col = key - row * this.cols;
      let h = (Math.imul(row, 0x9e3779b1) ^ Math.imul(col, 0x85ebca77)) & this.mask;
      while (this.keys[h] !== EMPTY) h = (h + 1) & this.mask;
      this.keys[h] = key;
      this.counts[h] = oldCounts[i];
    }
  }

  /** The table as CSR (rows sorted by column); entries whose count is ≤ 0 are dropped. */
  toCsr(): CsrCounts {
    const { rows, cols } = this;
    const indptr = new Int32Array(rows + 1);
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== EMPTY && this.counts[i] > 0) indptr[Math.floor(keys[i] / cols) + 1]++;
    }
    for (let r = 0; r < rows; r++) indptr[r + 1] += indptr[r];
    const n = indptr[rows];
    const next = indptr.slice(0, rows);
    const indices = new Int32Array(n);
    const values = new Float32Array(n);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === EMPTY || !(this.counts[i] > 0)) continue;
      const row = Math.floor(keys[i] / cols);
      const at = next[row]++;
      indices[at] = keys[i] - row * cols;
      values[at] = this.counts[i];
    }
    // sort each row by column (insertion sort on short rows, index sort on long ones)
    for (let r = 0; r < rows; r++) {
      const a = indptr[r];
      const b = indptr[r + 1];
      if (b - a < 2) continue;
      const idx = indices.subarray(a, b);
      const val = values.subarray(a, b);
      const order = Array.from({ length: b - a }, (_, i) => i).sort((x, y) => idx[x] - idx[y]);
      const i2 = Int32Array.from(order, (o) => idx[o]);
      const v2 = Float32Array.from(order, (o) => val[o]);
      idx.set(i2);
      val.set(v2);
    }
    return { rows, cols, indptr, indices, values };
  }
}
