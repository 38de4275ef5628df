// userfaultfd, soft-dirty and pagemap on huge PMDs: change_pmd_range() -> change_huge_pmd() for
// UFFDIO_WRITEPROTECT, __split_huge_pmd_locked() carrying the PMD's bits, copy_huge_pmd() at fork,
// pagemap_pmd_range(), clear_soft_dirty_pmd(), mfill_atomic() and move_pages() meeting a huge PMD,
// and a PMD-mapped THP reclaimed with uffd-wp.
import { describe, expect, it } from 'vitest';
import { PM_FILE, PM_MMAP_EXCLUSIVE, PM_PRESENT, PM_SOFT_DIRTY, PM_SWAP, PM_UFFD_WP, ZERO_FOLIO } from '../../src/model/constants.js';
import { isZeroFolio } from '../../src/model/kernel.js';
import type { Pmd } from '../../src/model/pte.js';
import { pagemapEntry } from '../../src/model/task_mmu.js';
import { addrOf, mmOf, present, run, runClean, swapPte, type Ran } from '../helpers.js';

const ops = (...lines: string[]): string => lines.join('\n');

/** The PMD covering a page of a label. */
function pmdAt(r: Ran, proc: string, label = 'A', page = 0): Pmd {
  return mmOf(r, proc).pmd[(addrOf(r, proc, label, page) / r.world.k.pmdPages) | 0]!;
}

function huge(r: Ran, proc: string, label = 'A', page = 0) {
  const p = pmdAt(r, proc, label, page);
  expect(p.kind).toBe('huge');
  return p as Extract<Pmd, { kind: 'huge' }>;
}

function pagemap(r: Ran, proc: string, label = 'A', page = 0): number {
  return pagemapEntry(r.world.k, mmOf(r, proc), addrOf(r, proc, label, page));
}

const THP = ops('thp always', 'mmap P0 A 4 aligned', 'uffd_register P0 A 4 WP', 'write P0 A');

describe('change_huge_pmd() for UFFDIO_WRITEPROTECT', () => {
  it('a range covering the huge PMD whole protects it in place: uffd-wp set, write cleared, still one PMD', () => {
    const r = runClean(ops(THP, 'uffd_wp P0 A 4 on'));
    expect(huge(r, 'P0')).toMatchObject({ uffdWp: true, write: false });
  });

  it('a write to it is a WP userfault (the thread sleeps), and unprotecting wakes it into a write that goes through', () => {
    const r = runClean(ops(THP, 'uffd_wp P0 A 4 on', 'write P0 A+2'));
    expect(r.world.blocked).toHaveLength(1);
    expect(huge(r, 'P0').uffdWp).toBe(true);
    const w = runClean(ops(THP, 'uffd_wp P0 A 4 on', 'write P0 A+2', 'uffd_wp P0 A 4 off'));
    expect(w.world.blocked).toHaveLength(0);
    expect(huge(w, 'P0')).toMatchObject({ uffdWp: false, write: true });
  });

  it('unprotecting the whole PMD clears the bit; the exclusive THP becomes writable without a fault from 6.3 (can_change_pmd_writable()), before only by the fault', () => {
    const now = runClean(ops(THP, 'uffd_wp P0 A 4 on', 'uffd_wp P0 A 4 off'));
    expect(huge(now, 'P0')).toMatchObject({ uffdWp: false, write: true });
    const old = runClean(ops(THP, 'uffd_wp P0 A 4 on', 'uffd_wp P0 A 4 off'), 'anon-exclusive-6.0');
    expect(huge(old, 'P0')).toMatchObject({ uffdWp: false, write: false });
  });

  it('a range covering part of the huge PMD splits it first (__split_huge_pmd()): only the PTEs of the range change', () => {
    const r = runClean(ops(THP, 'uffd_wp P0 A+1 2 on'));
    expect(pmdAt(r, 'P0').kind).toBe('table');
    const bits = [0, 1, 2, 3].map((i) => present(r, 'P0', 'A', i).uffdWp);
    expect(bits).toEqual([false, true, true, false]);
    expect(present(r, 'P0', 'A', 0).write).toBe(true);
    expect(present(r, 'P0', 'A', 1).write).toBe(false);
    // one folio still, now mapped by four PTEs
    expect(new Set([0, 1, 2, 3].map((i) => present(r, 'P0', 'A', i).folio)).size).toBe(1);
  });
});

describe('__split_huge_pmd_locked(): each PTE inherits the PMD', () => {
  it("an anon THP's PTEs keep uffd-wp, soft-dirty, dirty and write-protection", () => {
    const r = runClean(ops(THP, 'uffd_wp P0 A 4 on', 'mprotect P0 A+3 1 ro'));
    for (let i = 0; i < 4; i++) expect(present(r, 'P0', 'A', i)).toMatchObject({ uffdWp: true, softDirty: true, dirty: true, write: false });
  });

  it('a writable THP split by a VMA boundary stays writable', () => {
    const r = runClean(ops('thp always', 'mmap P0 A 4 aligned', 'write P0 A', 'munmap P0 A+3 1'));
    for (let i = 0; i < 3; i++) expect(present(r, 'P0', 'A', i)).toMatchObject({ write: true, uffdWp: false, softDirty: true });
  });

  it("the huge zero PMD's uffd-wp reaches the small zero page's PTEs from 6.2, not before (__split_huge_zero_page_pmd())", () => {
    const text = ops('thp always', 'mmap P0 A 4 aligned', 'uffd_register P0 A 4 WP', 'read P0 A', 'uffd_wp P0 A 4 on', 'uffd_wp P0 A off');
    const now = runClean(text);
    expect(present(now, 'P0', 'A', 0)).toMatchObject({ folio: ZERO_FOLIO, uffdWp: false });
    expect(present(now, 'P0', 'A', 2)).toMatchObject({ folio: ZERO_FOLIO, uffdWp: true });
    const old = run(text, 'anon-exclusive-6.0');
    expect(present(old, 'P0', 'A', 2)).toMatchObject({ folio: ZERO_FOLIO, uffdWp: false });
  });
});

describe('copy_huge_pmd() at fork', () => {
  it('without UFFD_FEATURE_EVENT_FORK the child gets the PMD without uffd-wp (5.14+), the parent keeps it', () => {
    const r = runClean(ops(THP, 'uffd_wp P0 A 4 on', 'fork P0 P1'));
    expect(huge(r, 'P1')).toMatchObject({ uffdWp: false, write: false });
    expect(huge(r, 'P0')).toMatchObject({ uffdWp: true, write: false });
    expect(huge(r, 'P0').folio).toBe(huge(r, 'P1').folio);
  });

  it('5.7 - 5.13 test the parent VMA: the child keeps the bit in a VMA without VM_UFFD_WP (uffd-wp-stale)', () => {
    const r = run(ops(THP, 'uffd_wp P0 A 4 on', 'fork P0 P1'), 'pagecount-5.9');
    expect(r.verdict).toBe('uffd-wp-stale');
  });

  it('with the event the child keeps it, for a THP and for the huge zero PMD (5.14+); 5.7 - 5.13 give the child a fresh huge zero PMD', () => {
    const text = ops('thp always', 'mmap P0 A 4 aligned', 'uffd_register P0 A 4 WP EVENT_FORK', 'write P0 A', 'mmap P0 B 4 aligned', 'uffd_register P0 B 4 WP EVENT_FORK', 'read P0 B', 'uffd_wp P0 A 4 on', 'uffd_wp P0 B 4 on', 'fork P0 P1');
    const now = runClean(text);
    expect(huge(now, 'P1').uffdWp).toBe(true);
    expect(huge(now, 'P1', 'B').uffdWp).toBe(true);
    const old = run(text, 'pagecount-5.9');
    expect(huge(old, 'P1').uffdWp).toBe(true);
    expect(huge(old, 'P1', 'B').uffdWp).toBe(false);
  });
});

describe('pagemap_pmd_range()', () => {
  it('each page of a THP shows present, soft-dirty, uffd-wp and exclusive', () => {
    const r = runClean(ops(THP, 'uffd_wp P0 A 4 on'));
    for (let i = 0; i < 4; i++) expect(pagemap(r, 'P0', 'A', i)).toBe(PM_PRESENT | PM_SOFT_DIRTY | PM_UFFD_WP | PM_MMAP_EXCLUSIVE);
  });

  it('the huge zero folio is not anon: PM_FILE, never exclusive', () => {
    const r = runClean(ops('thp always', 'mmap P0 A 4 aligned', 'read P0 A', 'clear_refs P0'));
    expect(isZeroFolio(r.world.k.folios[huge(r, 'P0').folio]!)).toBe(true);
    expect(pagemap(r, 'P0', 'A', 1)).toBe(PM_PRESENT | PM_FILE);
  });

  it('a THP shared with a child is not exclusive; PM_UFFD_WP needs 5.13', () => {
    const r = runClean(ops(THP, 'uffd_wp P0 A 4 on', 'fork P0 P1'));
    expect(pagemap(r, 'P0', 'A', 2) & (PM_MMAP_EXCLUSIVE | PM_UFFD_WP)).toBe(PM_UFFD_WP);
    expect(pagemap(r, 'P1', 'A', 2) & (PM_MMAP_EXCLUSIVE | PM_UFFD_WP)).toBe(0);
    const old = run(ops(THP, 'uffd_wp P0 A 4 on'), 'pagecount-5.9');
    expect(pagemap(old, 'P0', 'A', 2) & PM_UFFD_WP).toBe(0);
  });

  it("PM_MMAP_EXCLUSIVE is the page's own mapcount from 6.10.y, the head page's before", () => {
    // the parent unmaps page 1 (splitting its PMD): the child's PMD maps page 1 alone, page 0 twice
    const text = ops('thp always', 'mmap P0 A 4 aligned', 'write P0 A', 'fork P0 P1', 'munmap P0 A+1 1');
    const now = runClean(text);
    expect(pagemap(now, 'P1', 'A', 1) & PM_MMAP_EXCLUSIVE).toBe(PM_MMAP_EXCLUSIVE);
    expect(pagemap(now, 'P1', 'A', 0) & PM_MMAP_EXCLUSIVE).toBe(0);
    const old = runClean(text, 'anon-exclusive-6.8');
    expect(pagemap(old, 'P1', 'A', 1) & PM_MMAP_EXCLUSIVE).toBe(0);
  });
});

describe('clear_soft_dirty_pmd()', () => {
  it('write-protects the huge PMD and clears soft-dirty; the next write reuses it in place and sets soft-dirty again', () => {
    const c = runClean(ops('thp always', 'mmap P0 A 4 aligned', 'write P0 A', 'clear_refs P0'));
    expect(huge(c, 'P0')).toMatchObject({ write: false, softDirty: false });
    expect(pagemap(c, 'P0', 'A', 3) & PM_SOFT_DIRTY).toBe(0);
    const w = runClean(ops('thp always', 'mmap P0 A 4 aligned', 'write P0 A', 'clear_refs P0', 'write P0 A+3'));
    expect(huge(w, 'P0')).toMatchObject({ write: true, softDirty: true });
    expect(huge(w, 'P0').folio).toBe(huge(c, 'P0').folio);
  });
});

describe('the fill ioctls and UFFDIO_MOVE meet a huge PMD', () => {
  it('UFFDIO_COPY, UFFDIO_ZEROPAGE and UFFDIO_POISON over a huge PMD are EEXIST (mfill_atomic(): pmd_trans_huge(dst_pmdval))', () => {
    for (const ioctl of ['uffdio_copy P0 A+1', 'uffdio_zeropage P0 A+1', 'uffdio_poison P0 A+1']) {
      const r = run(ops('thp always', 'mmap P0 A 4 aligned', 'read P0 A', 'uffd_register P0 A 4 MISSING', ioctl));
      expect(r.refusal?.at, ioctl).toBe(4);
      expect(r.refusal?.why, ioctl).toMatch(/EEXIST.*pmd_trans_huge\(dst_pmdval\)/);
      expect(pmdAt(r, 'P0').kind).toBe('huge');
    }
  });

  it('UFFDIO_MOVE moves a whole aligned PMD (move_pages_huge_pmd()): writable, dirty, without uffd-wp', () => {
    const r = runClean(ops('thp always', 'mmap P0 A 4 aligned', 'write P0 A', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'mmap P0 B 4 aligned', 'uffd_register P0 B 4 MISSING', 'uffdio_move P0 B A 4', 'read P0 B'));
    expect(pmdAt(r, 'P0').kind).not.toBe('huge');
    expect(huge(r, 'P0', 'B')).toMatchObject({ write: true, dirty: true, softDirty: true, uffdWp: false });
  });

  it('a part of a PMD splits the source PMD first (move_splits_huge_pmd()), then move_pages_pte() splits the folio (split_folio()) and moves page by page', () => {
    const r = runClean(ops('thp always', 'mmap P0 A 4 aligned', 'write P0 A', 'write P0 A+1', 'mmap P0 B 4 aligned', 'uffd_register P0 B 4 MISSING', 'uffdio_move P0 B A 2', 'read P0 B', 'read P0 B+1', 'read P0 A+2'));
    expect(pmdAt(r, 'P0').kind).toBe('table');
    expect(mmOf(r, 'P0').pt[addrOf(r, 'P0', 'A', 0)]!.kind).toBe('none');
    expect(present(r, 'P0', 'B', 0)).toMatchObject({ write: true, uffdWp: false });
    // each page its own folio now
    expect(r.world.k.folios[present(r, 'P0', 'B', 1).folio]!.nr).toBe(1);
    expect(present(r, 'P0', 'B', 0).folio).not.toBe(present(r, 'P0', 'B', 1).folio);
  });

  it('a THP another process maps is EBUSY (its head is not exclusive)', () => {
    const r = run(ops('thp always', 'mmap P0 A 4 aligned', 'write P0 A', 'fork P0 P1', 'mmap P0 B 4 aligned', 'uffd_register P0 B 4 MISSING', 'uffdio_move P0 B A 2'));
    expect(r.refusal?.at).toBe(6);
    expect(r.refusal?.why).toMatch(/EBUSY/);
    expect(pmdAt(r, 'P0').kind).toBe('huge');
  });

  it('a huge PMD at the destination is EEXIST', () => {
    const r = run(ops('thp always', 'mmap P0 A 4 aligned', 'write P0 A', 'mmap P0 B 4 aligned', 'write P0 B', 'uffd_register P0 B 4 MISSING', 'uffdio_move P0 B A 4'));
    expect(r.refusal?.at).toBe(6);
    expect(r.refusal?.why).toMatch(/EEXIST.*huge PMD maps the destination/);
  });
});

describe('swap-out of a uffd-wp PMD-mapped THP', () => {
  it('try_to_unmap_one() splits the PMD first: every swap PTE carries uffd-wp and the next write traps', () => {
    const r = runClean(ops(THP, 'uffd_wp P0 A 4 on', 'reclaim P0 A'));
    expect(pmdAt(r, 'P0').kind).toBe('table');
    for (let i = 0; i < 4; i++) expect(swapPte(r, 'P0', 'A', i).uffdWp).toBe(true);
    expect(pagemap(r, 'P0', 'A', 2) & (PM_SWAP | PM_UFFD_WP)).toBe(PM_SWAP | PM_UFFD_WP);
    const w = runClean(ops(THP, 'uffd_wp P0 A 4 on', 'reclaim P0 A', 'write P0 A+2'));
    expect(w.world.blocked).toHaveLength(1);
  });
});

describe('an unshare fault on a uffd-wp huge zero PMD (do_huge_zero_wp_pmd(), 6.13+)', () => {
  const text = ops('thp always', 'mmap P0 A 4 aligned', 'uffd_register P0 A 4 WP', 'read P0 A', 'uffd_wp P0 A 4 on', 'gup P0 A FOLL_PIN|FOLL_LONGTERM as r1');
  it('maps a new THP writable and without uffd-wp (as merged); the RFC keeps it read-only with the bit', () => {
    const merged = runClean(text);
    expect(huge(merged, 'P0')).toMatchObject({ write: true, uffdWp: false });
    const rfc = runClean(text, 'thp-unshare-keeps-uffd-wp');
    expect(huge(rfc, 'P0')).toMatchObject({ write: false, uffdWp: true });
    expect(isZeroFolio(rfc.world.k.folios[huge(rfc, 'P0').folio]!)).toBe(false);
  });

  it('6.2 - 6.12 split the huge zero PMD instead: the unshared PTE keeps uffd-wp', () => {
    const r = runClean(text, 'anon-exclusive-6.12');
    expect(pmdAt(r, 'P0').kind).toBe('table');
    expect(present(r, 'P0', 'A', 0)).toMatchObject({ uffdWp: true, write: false });
  });
});

describe('a stepwise R/W GUP and UFFDIO_WRITEPROTECT', () => {
  it('a page the GUP took before the protection is not judged (WRITEPROTECT does not revoke a reference)', () => {
    runClean(ops('mmap P0 A 2', 'write P0 A', 'write P0 A+1', 'gup P0 A 2 FOLL_GET|FOLL_WRITE as r1 stepwise', 'gup_step r1', 'uffd_register P0 A 2 WP', 'uffd_wp P0 A on', 'gup_step r1', 'gup_step r1'));
  });

  it('a page protected before the GUP reaches it is a WP userfault the GUP sleeps on', () => {
    const r = runClean(ops('mmap P0 A 2', 'write P0 A', 'write P0 A+1', 'gup P0 A 2 FOLL_GET|FOLL_WRITE as r1 stepwise', 'gup_step r1', 'uffd_register P0 A 2 WP', 'uffd_wp P0 A+1 on', 'gup_step r1', 'gup_step r1'));
    expect(r.world.pending).toHaveLength(1);
  });
});

describe('mprotect and zap of a uffd-wp huge PMD', () => {
  it('mprotect() read-only and back keeps the PMD protected (can_change_pmd_writable(): userfaultfd_huge_pmd_wp()); the write traps', () => {
    const r = runClean(ops(THP, 'uffd_wp P0 A 4 on', 'mprotect P0 A 4 ro', 'mprotect P0 A 4 rw', 'write P0 A+1'));
    expect(huge(r, 'P0')).toMatchObject({ uffdWp: true, write: false });
    expect(r.world.blocked).toHaveLength(1);
  });

  it('MADV_DONTNEED of the whole PMD zaps it (zap_huge_pmd()): anonymous memory keeps no marker', () => {
    const r = runClean(ops('thp always', 'mmap P0 A 4 aligned', 'uffd_register P0 A 4 WP WP_UNPOPULATED', 'write P0 A', 'uffd_wp P0 A 4 on', 'madvise P0 A 4 MADV_DONTNEED'));
    expect(pmdAt(r, 'P0').kind).toBe('none');
    for (let i = 0; i < 4; i++) expect(mmOf(r, 'P0').pt[addrOf(r, 'P0', 'A', i)]!.kind).toBe('none');
  });
});
