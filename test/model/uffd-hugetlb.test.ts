// userfaultfd on hugetlb in the model: MISSING / MINOR / WP userfaults from hugetlb_fault() and
// hugetlb_no_page(), the fills of whole huge pages (mfill_atomic_hugetlb(),
// hugetlb_mfill_atomic_pte()), UFFDIO_WRITEPROTECT on huge entries with huge PTE markers
// (hugetlb_change_protection()), markers across zap (__unmap_hugepage_range()) and fork
// (copy_hugetlb_page_range()), and pagemap_hugetlb_range().
import { describe, expect, it } from 'vitest';
import { PM_FILE, PM_MMAP_EXCLUSIVE, PM_PRESENT, PM_SOFT_DIRTY, PM_SWAP, PM_UFFD_WP, PTE_MARKER_POISONED, PTE_MARKER_UFFD_WP, VM_UFFD_MINOR, VM_UFFD_MISSING, VM_UFFD_WP } from '../../src/model/constants.js';
import type { Pmd } from '../../src/model/pte.js';
import { pagemapEntry } from '../../src/model/task_mmu.js';
import { CHECK_MODES, addrOf, mmOf, run, runClean, valueAt, type Ran } from '../helpers.js';

const ops = (...l: string[]): string => l.join('\n');

function pmdAt(r: Ran, proc: string, label = 'A'): Pmd {
  const a = addrOf(r, proc, label, 0);
  return mmOf(r, proc).pmd[(a / r.world.k.pmdPages) | 0]!;
}

function wpBit(r: Ran, proc: string, label = 'A'): string {
  const p = pmdAt(r, proc, label);
  if (p.kind === 'marker') return p.bits === PTE_MARKER_UFFD_WP ? 'marker' : `marker ${p.bits}`;
  if (p.kind !== 'huge') return p.kind;
  return p.uffdWp ? 'bit' : 'no bit';
}

function waiting(r: Ran, proc: string): number[] {
  return (mmOf(r, proc).uffd?.waiting ?? []).map((u) => u.reason);
}

function refusalOf(r: Ran): string | null {
  for (const t of r.trace) if (t.outcome.kind === 'refused') return t.outcome.refusal;
  return null;
}

/** The pagemap flags but soft-dirty (a new VMA is VM_SOFTDIRTY: every page soft-dirty until clear_refs) */
function pagemap(r: Ran, proc: string, page = 0, label = 'A'): number {
  return pagemapEntry(r.world.k, mmOf(r, proc), addrOf(r, proc, label, page)) & ~PM_SOFT_DIRTY;
}

describe('hugetlb faults raise userfaults', () => {
  it('hugetlb_no_page(): a missing huge page of a VM_UFFD_MISSING VMA is a MISSING userfault, nothing is allocated', () => {
    const r = runClean(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 MISSING', 'read P0 A+1'));
    expect(waiting(r, 'P0')).toEqual([VM_UFFD_MISSING]);
    expect(pmdAt(r, 'P0').kind).toBe('none');
    expect(r.world.k.hugetlb.free).toBe(2);
  });

  it('a shared hugetlb memfd: a hole is MISSING, a page-cache page MINOR (hugetlb_handle_userfault())', () => {
    const missing = runClean(ops('hugepages 2', 'memfd F 4 hugetlb', 'mmap P0 A 4 shared F', 'uffd_register P0 A 4 MISSING', 'read P0 A'));
    expect(waiting(missing, 'P0')).toEqual([VM_UFFD_MISSING]);
    const minor = runClean(ops('hugepages 2', 'memfd F 4 hugetlb', 'mmap P0 A 4 shared F', 'mmap P0 B 4 shared F', 'uffd_register P0 B 4 MINOR', 'write P0 A', 'read P0 B+1'));
    expect(waiting(minor, 'P0')).toEqual([VM_UFFD_MINOR]);
    expect(pmdAt(minor, 'P0', 'B').kind).toBe('none');
    // a MINOR registration does not trap holes
    const hole = runClean(ops('hugepages 2', 'memfd F 4 hugetlb', 'mmap P0 B 4 shared F', 'uffd_register P0 B 4 MINOR', 'read P0 B+1'));
    expect(waiting(hole, 'P0')).toEqual([]);
    expect(pmdAt(hole, 'P0', 'B').kind).toBe('huge');
  });

  it('hugetlb_fault(): a write to a uffd-wp huge entry of a VM_UFFD_WP VMA is a WP userfault; unprotecting wakes it and the write goes through', () => {
    const r = runClean(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'write P0 A', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'write P0 A+1'));
    expect(waiting(r, 'P0')).toEqual([VM_UFFD_WP]);
    expect(wpBit(r, 'P0')).toBe('bit');
    const woken = runClean(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'write P0 A', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'write P0 A+1', 'uffd_wp P0 A 4 off', 'read P0 A+1'));
    expect(waiting(woken, 'P0')).toEqual([]);
    const p = pmdAt(woken, 'P0');
    expect(p.kind === 'huge' && valueAt(woken, -1) === woken.world.k.folios[p.folio]!.pages[1]!.data && p.write).toBe(true);
  });

  it('a uffd-wp marker makes the new huge page uffd-wp (hugetlb_no_page()); a write there is a WP userfault from 6.2, goes through before (60d5b473d61b)', () => {
    const text = ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'read P0 A', 'write P0 A+1');
    const now = runClean(text);
    expect(waiting(now, 'P0')).toEqual([VM_UFFD_WP]);
    expect(wpBit(now, 'P0')).toBe('bit');
    const unpopulated = runClean(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'write P0 A+1'));
    expect(waiting(unpopulated, 'P0')).toEqual([VM_UFFD_WP]);
    for (const m of CHECK_MODES) {
      const old = run(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'write P0 A+1'), 'anon-exclusive-6.0', m);
      expect(old.verdict).toBe('uffd-wp');
      expect(old.at).toBe(4);
    }
  });

  it('a poison marker is SIGBUS (VM_FAULT_HWPOISON_LARGE)', () => {
    const r = run(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 MISSING', 'uffdio_poison P0 A 4', 'read P0 A+3'));
    const p = pmdAt(r, 'P0');
    expect(p.kind === 'marker' && p.bits).toBe(PTE_MARKER_POISONED);
    expect(refusalOf(r)).toBe('SIGBUS');
  });
});

describe('the fill ioctls on hugetlb (mfill_atomic_hugetlb())', () => {
  it('UFFDIO_COPY fills a whole huge page: an exclusive anon page, writable, dirty; its data is each small page copied; it wakes the MISSING fault', () => {
    const r = runClean(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 MISSING', 'read P0 A+2', 'uffdio_copy P0 A 4', 'read P0 A+2'));
    const p = pmdAt(r, 'P0');
    if (p.kind !== 'huge') throw new Error(p.kind);
    expect([p.write, p.dirty, p.uffdWp]).toEqual([true, true, false]);
    const f = r.world.k.folios[p.folio]!;
    expect(f.entireMapcount).toBe(1);
    expect(f.pages[0]!.anonExclusive).toBe(true);
    expect(waiting(r, 'P0')).toEqual([]);
    expect(valueAt(r, -1)).toBe(f.pages[2]!.data);
  });

  it('a range off a huge page boundary is EINVAL, ZEROPAGE is EINVAL, a populated huge entry EEXIST', () => {
    expect(refusalOf(run(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 MISSING', 'uffdio_copy P0 A+1')))).toBe('EINVAL');
    expect(refusalOf(run(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 MISSING', 'uffdio_copy P0 A 2')))).toBe('EINVAL');
    expect(refusalOf(run(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 MISSING', 'uffdio_zeropage P0 A 4')))).toBe('EINVAL');
    expect(refusalOf(run(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 MISSING', 'uffdio_copy P0 A 4', 'uffdio_copy P0 A 4')))).toBe('EEXIST');
  });

  it('UFFDIO_COPY with MODE_WP maps the huge page uffd-wp and read-only; the next write is a WP userfault', () => {
    const r = runClean(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 MISSING|WP', 'uffdio_copy P0 A 4 wp', 'write P0 A'));
    const p = pmdAt(r, 'P0');
    expect(p.kind === 'huge' && [p.write, p.uffdWp]).toEqual([false, true]);
    expect(waiting(r, 'P0')).toEqual([VM_UFFD_WP]);
  });

  it('UFFDIO_COPY fills over a uffd-wp marker (huge_pte_none_mostly()); POISON is refused there (huge_pte_none())', () => {
    const over = runClean(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 MISSING|WP', 'uffd_wp P0 A 4 on', 'uffdio_copy P0 A 4'));
    expect(wpBit(over, 'P0')).toBe('no bit');
    expect(refusalOf(run(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 MISSING|WP', 'uffd_wp P0 A 4 on', 'uffdio_poison P0 A 4')))).toBe('EEXIST');
  });

  it('UFFDIO_CONTINUE maps the page-cache huge page (writable in a shared VMA); a hole is EFAULT', () => {
    const r = runClean(ops('hugepages 2', 'memfd F 4 hugetlb', 'mmap P0 A 4 shared F', 'mmap P0 B 4 shared F', 'uffd_register P0 B 4 MINOR', 'write P0 A', 'uffdio_continue P0 B 4'));
    const a = pmdAt(r, 'P0', 'A');
    const b = pmdAt(r, 'P0', 'B');
    expect(a.kind === 'huge' && b.kind === 'huge' && a.folio === b.folio).toBe(true);
    expect(b.kind === 'huge' && b.write).toBe(true);
    expect(r.world.k.folios[b.kind === 'huge' ? b.folio : 0]!.entireMapcount).toBe(2);
    expect(refusalOf(run(ops('hugepages 2', 'memfd F 4 hugetlb', 'mmap P0 B 4 shared F', 'uffd_register P0 B 4 MINOR', 'uffdio_continue P0 B 4')))).toBe('EFAULT');
  });

  it('UFFDIO_COPY into a shared hugetlb memfd adds the page to the page cache (the other mapping sees the data); EEXIST when the file has it', () => {
    const r = runClean(ops('hugepages 2', 'memfd F 4 hugetlb', 'mmap P0 A 4 shared F', 'mmap P0 B 4 shared F', 'uffd_register P0 B 4 MISSING', 'uffdio_copy P0 B 4', 'read P0 A+3'));
    expect(valueAt(r, -1)).toBe(4);
    expect(refusalOf(run(ops('hugepages 2', 'memfd F 4 hugetlb', 'mmap P0 A 4 shared F', 'mmap P0 B 4 shared F', 'uffd_register P0 B 4 MISSING', 'write P0 A', 'uffdio_copy P0 B 4')))).toBe('EEXIST');
  });
});

describe('UFFDIO_WRITEPROTECT on hugetlb (hugetlb_change_protection())', () => {
  it('protect: the huge entry gets uffd-wp and loses write; a none entry gets a uffd-wp marker; unprotect removes both', () => {
    const r = runClean(ops('hugepages 2', 'mmap P0 A 8 hugetlb', 'write P0 A', 'uffd_register P0 A 8 WP', 'uffd_wp P0 A 8 on'));
    expect(wpBit(r, 'P0')).toBe('bit');
    const second = mmOf(r, 'P0').pmd[((addrOf(r, 'P0', 'A', 0) + 4) / 4) | 0]!;
    expect(second).toEqual({ kind: 'marker', bits: PTE_MARKER_UFFD_WP });
    const off = runClean(ops('hugepages 2', 'mmap P0 A 8 hugetlb', 'write P0 A', 'uffd_register P0 A 8 WP', 'uffd_wp P0 A 8 on', 'uffd_wp P0 A 8 off'));
    expect(wpBit(off, 'P0')).toBe('no bit');
    expect(mmOf(off, 'P0').pmd[((addrOf(off, 'P0', 'A', 0) + 4) / 4) | 0]!.kind).toBe('none');
  });

  it('a range off a huge page boundary is EINVAL (mwriteprotect_range()), as is a registration off one (userfaultfd_register())', () => {
    expect(refusalOf(run(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A+1 on')))).toBe('EINVAL');
    expect(refusalOf(run(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A+1 WP')))).toBe('EINVAL');
    expect(refusalOf(run(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 2 WP')))).toBe('EINVAL');
  });

  it('unprotect of a shared writable mapping: writable again before 6.3 (vm_get_page_prot()), read-only after (vma->vm_page_prot, 931298e103c2)', () => {
    const text = ops('hugepages 2', 'memfd F 4 hugetlb', 'mmap P0 A 4 shared F', 'write P0 A', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'uffd_wp P0 A 4 off');
    const writable = (pol: string): boolean => {
      const p = pmdAt(runClean(text, pol), 'P0');
      return p.kind === 'huge' && p.write;
    };
    expect(writable('anon-exclusive-6.0')).toBe(true);
    expect(writable('anon-exclusive')).toBe(false);
  });

  it('unregister removes the bit and the markers where the era resets uffd-wp (6.0)', () => {
    const text = ops('hugepages 2', 'mmap P0 A 8 hugetlb', 'write P0 A', 'uffd_register P0 A 8 WP', 'uffd_wp P0 A 8 on', 'uffd_unregister P0 A 8');
    expect(wpBit(runClean(text), 'P0')).toBe('no bit');
    const old = run(text, 'anon-exclusive-5.19');
    expect(wpBit(old, 'P0')).toBe('bit');
  });
});

describe('markers across zap and fork, and pagemap', () => {
  it('MADV_DONTNEED of a uffd-wp huge page leaves a uffd-wp marker; munmap drops it (ZAP_FLAG_DROP_MARKER)', () => {
    const r = runClean(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'write P0 A', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'madvise P0 A 4 MADV_DONTNEED'));
    expect(wpBit(r, 'P0')).toBe('marker');
    expect(r.world.k.hugetlb.free).toBe(2);
    const gone = runClean(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'write P0 A', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'munmap P0 A 4'));
    expect(mmOf(gone, 'P0').pmd.every((p) => p.kind !== 'marker')).toBe(true);
  });

  it('fork: the child keeps the bit and the marker only with EVENT_FORK (VM_UFFD_WP); before 6.3 the bit always', () => {
    const base = (features: string): string => ops('hugepages 4', 'mmap P0 A 8 hugetlb', 'write P0 A', `uffd_register P0 A 8 WP${features}`, 'uffd_wp P0 A 8 on', 'fork P0 P1');
    const marker = (r: Ran): Pmd => mmOf(r, 'P1').pmd[((addrOf(r, 'P1', 'A', 0) + 4) / 4) | 0]!;
    const without = runClean(base(''));
    expect(wpBit(without, 'P1')).toBe('no bit');
    expect(marker(without).kind).toBe('none');
    const withEvent = runClean(base(' EVENT_FORK'));
    expect(wpBit(withEvent, 'P1')).toBe('bit');
    expect(marker(withEvent)).toEqual({ kind: 'marker', bits: PTE_MARKER_UFFD_WP });
    const old = run(base(''), 'anon-exclusive-6.0');
    expect(wpBit(old, 'P1')).toBe('bit');
    expect(old.verdict).toBe('uffd-wp-stale');
  });

  it('pagemap_hugetlb_range(): present, exclusive when mapped once, file for page-cache pages, uffd-wp; a marker is uffd-wp without swap', () => {
    const r = runClean(ops('hugepages 2', 'mmap P0 A 8 hugetlb', 'write P0 A', 'uffd_register P0 A 8 WP', 'uffd_wp P0 A 8 on'));
    expect(pagemap(r, 'P0', 1)).toBe(PM_PRESENT | PM_MMAP_EXCLUSIVE | PM_UFFD_WP);
    expect(pagemap(r, 'P0', 5)).toBe(PM_UFFD_WP);
    expect(pagemap(r, 'P0', 5) & PM_SWAP).toBe(0);
    const shared = runClean(ops('hugepages 2', 'memfd F 4 hugetlb', 'mmap P0 A 4 shared F', 'mmap P0 B 4 shared F', 'write P0 A', 'read P0 B'));
    expect(pagemap(shared, 'P0', 0)).toBe(PM_PRESENT | PM_FILE);
    const forked = runClean(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'write P0 A', 'fork P0 P1'));
    expect(pagemap(forked, 'P0', 0)).toBe(PM_PRESENT);
  });

  it('pagemap_hugetlb_range(): soft-dirty is VM_SOFTDIRTY alone, never the huge entry (a write after clear_refs shows none)', () => {
    const r = runClean(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'write P0 A', 'clear_refs P0', 'write P0 A+1'));
    const a = addrOf(r, 'P0', 'A', 1);
    expect(pagemapEntry(r.world.k, mmOf(r, 'P0'), a) & PM_SOFT_DIRTY).toBe(0);
    const fresh = runClean(ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'write P0 A'));
    expect(pagemapEntry(fresh.world.k, mmOf(fresh, 'P0'), addrOf(fresh, 'P0', 'A', 0)) & PM_SOFT_DIRTY).toBe(PM_SOFT_DIRTY);
  });
});
