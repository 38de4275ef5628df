// The buffers a check reads its sets from (see src/invariants/check-set.ts for how they are
// filled). They belong to the world so that no step allocates them anew.

/** A set of numbers kept in a reusable array; sort() orders it ascending without duplicates. */
export class NumSet {
  n = 0;
  readonly v: number[] = [];

  clear(): void {
    this.n = 0;
  }

  /** (the incremental fill, which runs every step, writes `v[n++]` itself: see src/invariants/check-set.ts) */
  add(x: number): void {
    this.v[this.n++] = x;
  }

  /** Linear search (before sort(); the sets are a handful of numbers). */
  has(x: number): boolean {
    for (let i = 0; i < this.n; i++) if (this.v[i] === x) return true;
    return false;
  }

  /** Insertion sort (the sets are a handful of numbers) and de-duplication, in place. */
  sort(): void {
    if (this.n < 2) return; // nothing to order or merge
    const v = this.v;
    for (let i = 1; i < this.n; i++) {
      const x = v[i]!;
      let j = i - 1;
      while (j >= 0 && v[j]! > x) {
        v[j + 1] = v[j]!;
        j--;
      }
      v[j + 1] = x;
    }
    let m = 0;
    for (let i = 0; i < this.n; i++) if (i === 0 || v[i] !== v[m - 1]) v[m++] = v[i]!;
    this.n = m;
  }
}

export interface CheckSet {
  /** folio ids, ascending (freed ones included: nothing may still name them) */
  readonly folios: NumSet;
  /** swp_entry_t values, ascending */
  readonly slots: NumSet;
  /** sites (mm, address), ascending */
  readonly sites: NumSet;
  /** file pages (objKey(): inode, page offset), ascending; some may lie past i_size (their page-cache entries are judged) */
  readonly files: NumSet;
  /** scratch: the folios whose data the sites were gathered from */
  readonly data: NumSet;
}

export function newCheckSet(): CheckSet {
  return { folios: new NumSet(), slots: new NumSet(), sites: new NumSet(), files: new NumSet(), data: new NumSet() };
}
