// The visited set of exhaust: 64-bit fingerprints in an open-addressing hash table of two
// Uint32Arrays (16 bytes per state at most half full), instead of millions of strings.

export class VisitedSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private used: Uint8Array;
  size = 0;

  constructor(capacity = 1 << 16) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.used = new Uint8Array(capacity);
  }

  /** Adds the key; false if it was already there. */
  add(a: number, b: number): boolean {
    if ((this.size + 1) * 2 > this.hi.length) this.grow();
    const mask = this.hi.length - 1;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (;;) {
      if (!this.used[i]) {
        this.used[i] = 1;
        this.hi[i] = a;
        this.lo[i] = b;
        this.size++;
        return true;
      }
      if (this.hi[i] === a && this.lo[i] === b) return false;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const { hi, lo, used } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(hi.length * 2);
    this.used = new Uint8Array(hi.length * 2);
    this.size = 0;
    for (let i = 0; i < hi.length; i++) if (used[i]) this.add(hi[i]!, lo[i]!);
  }

  /** Bytes held by the table. */
  bytes(): number {
    return this.hi.byteLength + this.lo.byteLength + this.used.byteLength;
  }
}
