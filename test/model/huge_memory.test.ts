// Transparent huge pages in the model: where a THP is faulted in, the huge zero folio, PMD splits on
// partial operations, copy_huge_pmd() at fork, do_huge_pmd_wp_page() per era, split_folio(), mTHP,
// and reclaim of a large folio into a naturally aligned run of swap slots. Every scenario runs in
// both check modes where a verdict is asserted.
import { describe, expect, it } from 'vitest';
import type { PmdHuge } from '../../src/model/pte.js';
import type { Folio } from '../../src/model/types.js';
import { CHECK_MODES, addrOf, mmOf, present, run, runClean, swapPte, type Ran } from '../helpers.js';
import { decision, type SwapBatchSite } from '../../src/model/policy.js';
import { anonExclusive } from '../../src/policy/eras/anon-exclusive.js';
import { variant } from '../../src/policy/variant.js';

/** The PMD over LABEL+page of a process. */
function pmdAt(r: Ran, proc: string, label = 'A', page = 0) {
  const a = addrOf(r, proc, label, page);
  return mmOf(r, proc).pmd[(a / r.world.k.pmdPages) | 0]!;
}

function hugeAt(r: Ran, proc: string, label = 'A', page = 0): PmdHuge {
  const p = pmdAt(r, proc, label, page);
  if (p.kind !== 'huge') throw new Error(`${proc} ${label}+${page}: the PMD is ${p.kind}`);
  return p;
}

function thpOf(r: Ran, proc: string, label = 'A'): Folio {
  return r.world.k.folios[hugeAt(r, proc, label).folio]!;
}

const THP = ['mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_HUGEPAGE'];
const ops = (...l: string[]): string => l.join('\n');

function verdictBoth(text: string, pol: string): string {
  const [a, b] = CHECK_MODES.map((m) => run(text, pol, m));
  expect(b!.verdict, b!.violation?.message ?? '').toBe(a!.verdict);
  expect(b!.at).toBe(a!.at);
  return a!.verdict;
}

describe('THP fault-in (do_huge_pmd_anonymous_page)', () => {
  it('a write in a MADV_HUGEPAGE, PMD-aligned range maps a new exclusive THP by a writable PMD', () => {
    const r = runClean(ops(...THP, 'write P0 A+1', 'read P0 A+1'));
    const f = thpOf(r, 'P0');
    expect(f.nr).toBe(4);
    expect(f.refcount).toBe(1);
    expect(f.entireMapcount).toBe(1);
    expect(f.pages.map((p) => p.anonExclusive)).toEqual([true, false, false, false]); // the head's bit counts for a PMD
    expect(hugeAt(r, 'P0').write).toBe(true);
    expect(mmOf(r, 'P0').pt.slice(addrOf(r, 'P0'), addrOf(r, 'P0') + 4).every((p) => p.kind === 'none')).toBe(true);
  });

  it('enabled=madvise (the model boots with it) needs MADV_HUGEPAGE; enabled=always does not; never never', () => {
    expect(pmdAt(runClean(ops('mmap P0 A 4 aligned', 'write P0 A')), 'P0').kind).toBe('table');
    expect(pmdAt(runClean(ops('thp always', 'mmap P0 A 4 aligned', 'write P0 A')), 'P0').kind).toBe('huge');
    expect(pmdAt(runClean(ops('thp never', ...THP, 'write P0 A')), 'P0').kind).toBe('table');
    expect(pmdAt(runClean(ops('thp always', 'mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_NOHUGEPAGE', 'write P0 A')), 'P0').kind).toBe('table');
  });

  it('only a naturally aligned PMD range wholly inside the VMA gets a THP (thp_vma_suitable_order)', () => {
    // B starts one page after a PMD boundary: its PMD-aligned window B+3..B+6 fits, B+0..B+2 do not
    const r = runClean(ops('thp always', 'mmap P0 A 4 aligned', 'mmap P0 B 8', 'write P0 B', 'write P0 B+3'));
    const b = addrOf(r, 'P0', 'B');
    const n = r.world.k.pmdPages;
    const aligned = b + ((n - (b % n)) % n);
    expect(aligned).toBeGreaterThan(b);
    expect(pmdAt(r, 'P0', 'B', 0).kind).toBe('table');
    expect(pmdAt(r, 'P0', 'B', aligned - b).kind).toBe(aligned - b <= 3 ? 'huge' : 'none');
  });

  it('a read fault maps the huge zero folio read-only; no rmap, no reference per mapping', () => {
    const r = runClean(ops(...THP, 'read P0 A+2'));
    const z = r.world.k.folios[hugeAt(r, 'P0').folio]!;
    expect(z.id).toBe(r.world.k.hugeZeroFolio);
    expect(hugeAt(r, 'P0').write).toBe(false);
    expect(z.refcount).toBe(1);
    expect(z.entireMapcount).toBe(0);
  });
});

describe('a write to the huge zero PMD (do_huge_pmd_wp_page: hugeZeroWp)', () => {
  const text = ops(...THP, 'read P0 A', 'write P0 A+1');
  it('5.8-6.12 split the PMD and COW the one small zero page; <= 5.7 and 6.13+ map a new THP', () => {
    const split = runClean(text, 'anon-exclusive-6.10');
    expect(pmdAt(split, 'P0').kind).toBe('table');
    expect(present(split, 'P0', 'A', 0).folio).toBe(0); // the small zero page
    expect(present(split, 'P0', 'A', 1).write).toBe(true);
    for (const era of ['mapcount', 'anon-exclusive']) {
      const r = runClean(text, era);
      expect(thpOf(r, 'P0').flags & 1, era).toBe(1); // PG_anon
      expect(hugeAt(r, 'P0').write, era).toBe(true);
    }
  });
});

describe('partial operations split the PMD (__split_huge_pmd)', () => {
  it('a partial munmap: the rest stays mapped by PTEs, each page exclusive as the head was', () => {
    const r = runClean(ops(...THP, 'write P0 A', 'write P0 A+3', 'munmap P0 A+1 1', 'read P0 A+3'));
    expect(pmdAt(r, 'P0').kind).toBe('table');
    const f = r.world.k.folios[present(r, 'P0', 'A', 0).folio]!;
    expect(f.nr).toBe(4);
    expect(f.entireMapcount).toBe(0);
    expect(f.refcount).toBe(3);
    expect(f.pages.map((p) => p.mapcount)).toEqual([1, 0, 1, 1]);
    expect([0, 2, 3].every((i) => f.pages[i]!.anonExclusive)).toBe(true);
  });

  it('mprotect of one page splits, and the VMAs merge again with the PMD still split', () => {
    const r = runClean(ops(...THP, 'write P0 A', 'mprotect P0 A+2 1 ro', 'mprotect P0 A+2 1 rw', 'write P0 A+2'));
    expect(mmOf(r, 'P0').vmas.length).toBe(1);
    expect(pmdAt(r, 'P0').kind).toBe('table');
    expect(present(r, 'P0', 'A', 2).write).toBe(true);
  });

  it('MADV_DONTNEED of the whole PMD zaps it (zap_huge_pmd): pmd_none, and the next write gets a new THP', () => {
    const first = runClean(ops(...THP, 'write P0 A'));
    const r = runClean(ops(...THP, 'write P0 A', 'madvise P0 A 4 MADV_DONTNEED', 'write P0 A+1'));
    const old = thpOf(first, 'P0').id;
    expect(r.world.k.folios[old]).toBeNull(); // freed by the zap
    expect(thpOf(r, 'P0').id).not.toBe(old);
  });
});

describe('fork (copy_huge_pmd)', () => {
  it('shares the THP: both PMDs read-only, entire mapcount 2, the head no longer exclusive', () => {
    const r = runClean(ops(...THP, 'write P0 A', 'fork P0 P1'));
    const f = thpOf(r, 'P0');
    expect(thpOf(r, 'P1').id).toBe(f.id);
    expect(f.entireMapcount).toBe(2);
    expect(f.refcount).toBe(2);
    expect(f.pages[0]!.anonExclusive).toBe(false);
    expect(hugeAt(r, 'P0').write || hugeAt(r, 'P1').write).toBe(false);
  });

  it('a pinned THP is split in the parent and its pages copied for the child (5.9+; shared before)', () => {
    const text = ops(...THP, 'write P0 A', 'gup P0 A FOLL_PIN|FOLL_WRITE|FOLL_LONGTERM as r1', 'fork P0 P1', 'write P0 A', 'read r1');
    const r = runClean(text, 'anon-exclusive');
    expect(pmdAt(r, 'P0').kind).toBe('table');
    expect(present(r, 'P1', 'A', 0).folio).not.toBe(present(r, 'P0', 'A', 0).folio);
    expect(verdictBoth(text, 'anon-exclusive-5.19')).toBe('pass');
    expect(verdictBoth(text, 'pagecount-5.9')).toBe('pass');
    expect(verdictBoth(text, 'mapcount')).toBe('pin-coherence');
  });
});

describe('do_huge_pmd_wp_page after fork, per era', () => {
  const text = ops(...THP, 'write P0 A', 'fork P0 P1', 'write P1 A+1');
  it('5.8+: the child splits its PMD and copies the one page; <= 5.7: the child copies the whole THP', () => {
    const r = runClean(text, 'anon-exclusive');
    expect(pmdAt(r, 'P1').kind).toBe('table');
    expect(pmdAt(r, 'P0').kind).toBe('huge');
    const shared = thpOf(r, 'P0');
    expect(present(r, 'P1', 'A', 0).folio).toBe(shared.id);
    expect(present(r, 'P1', 'A', 1).folio).not.toBe(shared.id);
    expect(shared.refcount).toBe(1 + 3); // the parent's PMD and the child's three PTEs
    const old = runClean(text, 'mapcount');
    expect(thpOf(old, 'P1').id).not.toBe(thpOf(old, 'P0').id);
    expect(thpOf(old, 'P0').entireMapcount).toBe(1);
  });

  it('the parent, alone again after the child exits, reuses its THP in every era', () => {
    const r = runClean(ops(...THP, 'write P0 A', 'fork P0 P1', 'exit P1', 'write P0 A'), 'anon-exclusive');
    expect(hugeAt(r, 'P0').write).toBe(true);
    expect(thpOf(r, 'P0').pages[0]!.anonExclusive).toBe(true);
  });
});

describe('the THP instance of CVE-2020-29374 (vmsplice in the child, unmap, the parent writes)', () => {
  const text = ops(...THP, 'write P0 A', 'fork P0 P1', 'vmsplice P1 A as r1', 'munmap P1 A', 'write P0 A', 'read r1');
  it.each([
    ['mapcount', 'no-over-sharing'],
    ['gup-cow-on-read', 'pass'],
    ['pagecount-5.9', 'no-over-sharing'],
    ['pagecount', 'no-over-sharing'],
    ['pagecount-5.18', 'pass'],
    ['anon-exclusive-5.19', 'pass'],
    ['anon-exclusive', 'pass'],
  ])('%s: %s', (era, verdict) => {
    expect(verdictBoth(text, era)).toBe(verdict);
  });
});

describe('split_folio()', () => {
  it('6.12+: a page that holds only zeros gets the shared zero page instead (RMP_USE_SHARED_ZEROPAGE)', () => {
    const r = runClean(ops(...THP, 'write P0 A', 'write P0 A+2', 'split P0 A+1'), 'anon-exclusive');
    expect([0, 1, 2, 3].map((i) => present(r, 'P0', 'A', i).folio === 0)).toEqual([false, true, false, true]);
    expect(present(r, 'P0', 'A', 1).write).toBe(false);
  });

  it('6.12-6.17 remap a zero-filled MTE-tagged page to the zero page and drop its soft-dirty bit; 6.18 (pages_identical()) leaves a tagged page alone and keeps the bits', () => {
    const text = ops('thp always', 'mmap P0 A 4 aligned mte', 'mmap P0 B 4 aligned', 'write P0 B', 'split P0 B', 'settag P0 A+1 2', 'write P0 A', 'split P0 A');
    const old = run(text, 'anon-exclusive-6.13');
    expect(old.verdict).toBe('mte-tags'); // the tagged page became the zero page (tag 0)
    expect(present(old, 'P0', 'A', 1).folio).toBe(0);
    expect(present(old, 'P0', 'B', 1).folio).toBe(0);
    expect(present(old, 'P0', 'B', 1).softDirty).toBe(false);
    const now = runClean(text, 'anon-exclusive');
    expect(present(now, 'P0', 'A', 1).folio).not.toBe(0); // page_mte_tagged(): not identical to the zero page
    expect(present(now, 'P0', 'B', 1).folio).toBe(0); // untagged: remapped, with its bits
    expect(present(now, 'P0', 'B', 1).softDirty).toBe(true);
  });

  it('splits a PMD-mapped THP into small folios mapped where the pages were, exclusive as the head was', () => {
    const r = runClean(ops(...THP, 'write P0 A', 'write P0 A+2', 'split P0 A+1', 'write P0 A+2'), 'anon-exclusive-6.10');
    const ids = [0, 1, 2, 3].map((i) => present(r, 'P0', 'A', i).folio);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) {
      const f = r.world.k.folios[id]!;
      expect(f.nr).toBe(1);
      expect(f.refcount).toBe(1);
      expect(f.pages[0]!.anonExclusive).toBe(true);
    }
  });

  it('refuses (can_split_folio) while a GUP reference holds the folio', () => {
    const r = runClean(ops(...THP, 'write P0 A', 'vmsplice P0 A+1 as r1', 'split P0 A'));
    expect(thpOf(r, 'P0').nr).toBe(4);
  });
});

describe('mTHP (6.8+: alloc_anon_folio)', () => {
  const text = ops('thp 2 always', 'mmap P0 A 4 aligned', 'write P0 A+1');
  it('a write fault maps an mTHP of the largest allowed order whose range is all pte_none, every page exclusive', () => {
    const r = runClean(text, 'anon-exclusive');
    const f = r.world.k.folios[present(r, 'P0', 'A', 1).folio]!;
    expect(f.nr).toBe(2);
    expect(present(r, 'P0', 'A', 0).folio).toBe(f.id);
    expect(f.refcount).toBe(2);
    expect(f.pages.every((p) => p.anonExclusive && p.mapcount === 1)).toBe(true);
    expect(pteKind(r, 2)).toBe('none');
  });

  it('before 6.8 there are no per-size settings: ENOENT', () => {
    expect(run(text, 'anon-exclusive-6.7').verdict).toBe('error');
  });

  function pteKind(r: Ran, page: number): string {
    return mmOf(r, 'P0').pt[addrOf(r, 'P0', 'A', page)]!.kind;
  }
});

describe('reclaim of a large folio', () => {
  it('a PMD-mapped THP goes to swap whole, to a naturally aligned run of slots; each page comes back on its own fault', () => {
    const r = runClean(ops('swap 12', ...THP, 'write P0 A', 'write P0 A+2', 'reclaim P0 A', 'read P0 A+2'));
    const offs = [0, 1, 3].map((i) => swapPte(r, 'P0', 'A', i).offset);
    expect(offs[0]! % 4).toBe(0);
    expect(offs).toEqual([offs[0], offs[0]! + 1, offs[0]! + 3]);
    expect(present(r, 'P0', 'A', 2).write).toBe(false);
  });

  it('an mTHP is split first before 6.10 and swapped whole from 6.10', () => {
    const text = ops('swap 12', 'thp 2 always', 'mmap P0 A 2 aligned', 'write P0 A', 'reclaim P0 A');
    const old = runClean(text, 'anon-exclusive-6.8');
    const now = runClean(text, 'anon-exclusive');
    const o = [0, 1].map((i) => swapPte(old, 'P0', 'A', i).offset);
    const n = [0, 1].map((i) => swapPte(now, 'P0', 'A', i).offset);
    expect(o).toEqual([1, 2]); // two small folios, the first free slots
    expect(n).toEqual([2, 3]); // one naturally aligned run of two
  });
});

describe('swap-in of a whole large folio from the swap cache (6.10+: swap_pte_batch)', () => {
  // cow.c's partially shared THP, swapped out with its write still in flight: page 0 is shared with
  // the child (its swap PTE not exclusive), pages 1-3 are the parent's alone
  const text = ops(...THP, 'write P0 A', 'madvise P0 A+1 3 MADV_DONTFORK', 'fork P0 P1', 'madvise P0 A+1 3 MADV_DOFORK', 'reclaim P0 A writeback', 'read P0 A+1');
  it('maps only the faulting page when the swap PTEs differ in their exclusive bits', () => {
    const r = runClean(text, 'anon-exclusive');
    expect(present(r, 'P0', 'A', 1).folio).toBe(r.world.k.folios.findIndex((f) => f !== null && f.nr === 4));
    expect(swapPte(r, 'P0', 'A', 0).exclusive).toBe(false);
    expect(swapPte(r, 'P0', 'A', 2).exclusive).toBe(true);
  });

  it('maps the whole folio when every swap PTE matches', () => {
    const r = runClean(ops(...THP, 'write P0 A', 'mprotect P0 A+1 1 ro', 'mprotect P0 A+1 1 rw', 'reclaim P0 A writeback', 'read P0 A+2'));
    expect([0, 1, 2, 3].map((i) => present(r, 'P0', 'A', i).idx)).toEqual([0, 1, 2, 3]);
  });

  it('a batch that ignored the exclusive bits would map page 0 exclusive while the child still needs its slot', () => {
    const ignoresExclusive = variant(anonExclusive, { name: 'batch-ignores-exclusive', summary: 'swap_pte_batch() without the exclusive bit' }, {
      swapinBatch: decision<SwapBatchSite, number>('swap_pte_batch', [], (s) => {
        const start = s.addr - s.idx;
        for (let j = 0; j < s.folio.nr; j++) {
          const p = s.mm.pt[start + j]!;
          if (p.kind !== 'swap' || p.offset !== s.pte.offset - s.idx + j) return 1;
        }
        return s.vma.start <= start && start + s.folio.nr <= s.vma.end ? s.folio.nr : 1;
      }),
    });
    expect(verdictBoth(text, 'anon-exclusive')).toBe('pass');
    for (const m of CHECK_MODES) expect(run(text, ignoresExclusive, m).verdict).toBe('anon-exclusive');
  });
});
