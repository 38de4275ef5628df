// A private file mapping's address reads the file until it gets its own copy. A user store tells
// the oracle itself; a COW fault without a store (GUP's FOLL_WRITE or FAULT_FLAG_UNSHARE, a
// stepwise GUP's fault before it completes, 5.8's forced break) and a private hugetlb mapping's
// read fault over a hole (hugetlb_no_page() maps a new anon huge page, not the page cache's) are
// seen here, in the step's PTE and PMD writes: an address the oracle still expects to view the file
// now maps an anon page.

import { folioTestAnon } from '../model/kernel.js';
import { shadowCowCopied } from '../oracle/shadow.js';
import type { World } from './world.js';

export function syncCowCopies(w: World): void {
  const j = w.journal;
  for (let i = 0; i < j.nPte; i++) {
    const n = j.pteNew[i]!;
    if (n.kind !== 'present') continue;
    const f = w.k.folios[n.folio];
    if (!f || !folioTestAnon(f)) continue;
    shadowCowCopied(w.shadow, j.pteMm[i]!, j.pteAddr[i]!, f.pages[n.idx]!.data);
  }
  for (let i = 0; i < j.nPmd; i++) {
    const n = j.pmdNew[i]!;
    if (n.kind !== 'huge') continue;
    const f = w.k.folios[n.folio];
    if (!f || !folioTestAnon(f)) continue;
    const base = j.pmdAddr[i]!;
    for (let p = 0; p < f.nr; p++) shadowCowCopied(w.shadow, j.pmdMm[i]!, base + p, f.pages[p]!.data);
  }
}
