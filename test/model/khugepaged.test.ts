// Collapse in the model (src/model/khugepaged.ts): MADV_COLLAPSE and a khugepaged scan copy the
// pages under a PMD into a new exclusive THP, keep every process's view, and refuse pages GUP holds
// (is_refcount_suitable()); the eras differ in MADV_COLLAPSE (6.1), large folios and shared pages
// (5.8). Verdicts are asserted in both check modes.
import { describe, expect, it } from 'vitest';
import { CHECK_MODES, addrOf, mmOf, noteAt, ref, run, runClean, valueAt, type Ran } from '../helpers.js';

const ops = (...l: string[]): string => l.join('\n');

function pmdOf(r: Ran, proc: string, label = 'A') {
  return mmOf(r, proc).pmd[(addrOf(r, proc, label) / r.world.k.pmdPages) | 0]!;
}

function thpOf(r: Ran, proc: string, label = 'A') {
  const p = pmdOf(r, proc, label);
  if (p.kind !== 'huge') throw new Error(`${proc} ${label}: the PMD is ${p.kind}`);
  return r.world.k.folios[p.folio]!;
}

function verdictBoth(text: string, pol: string): Ran {
  const [a, b] = CHECK_MODES.map((m) => run(text, pol, m));
  expect(b!.verdict, b!.violation?.message ?? '').toBe(a!.verdict);
  expect(b!.at).toBe(a!.at);
  return a!;
}

describe('MADV_COLLAPSE (madvise_collapse)', () => {
  it('copies the small pages (and zeros for the holes) into a new exclusive THP mapped by a writable PMD', () => {
    const r = runClean(ops('mmap P0 A 4 aligned', 'write P0 A', 'write P0 A+2', 'read P0 A+1', 'madvise P0 A 4 MADV_COLLAPSE', 'read P0 A', 'read P0 A+1', 'read P0 A+2', 'read P0 A+3'));
    const f = thpOf(r, 'P0');
    expect(f.nr).toBe(4);
    expect(f.entireMapcount).toBe(1);
    expect(f.refcount).toBe(1);
    expect(f.pages[0]!.anonExclusive).toBe(true);
    const pmd = pmdOf(r, 'P0');
    expect(pmd.kind === 'huge' && pmd.write && pmd.dirty).toBe(true);
    expect(valueAt(r, -4)).toBe(valueAt(r, 1));
    expect(valueAt(r, -2)).toBe(valueAt(r, 2));
    expect([valueAt(r, -3), valueAt(r, -1)]).toEqual([0, 0]);
    // the old small folios are freed: only the zero page, the THP and nothing else is live
    expect(r.world.k.folios.filter((x) => x !== null && x.nr === 1 && x.id !== 0)).toEqual([]);
  });

  it('refuses a pinned page (SCAN_PAGE_COUNT: EINVAL in 6.1, EAGAIN later): the pin keeps seeing what the process writes', () => {
    for (const [pol, errno] of [['anon-exclusive', 'EAGAIN'], ['anon-exclusive-6.2', 'EAGAIN'], ['anon-exclusive-6.0', 'EINVAL']] as const) {
      const r = verdictBoth(ops('mmap P0 A 4 aligned', 'write P0 A', 'io_uring_register P0 A 1 as r1', 'madvise P0 A 4 MADV_COLLAPSE', 'write P0 A', 'read r1'), pol);
      expect(r.verdict).toBe('error');
      expect(r.refusal?.why).toMatch(new RegExp(`^${errno}`));
      expect(pmdOf(r, 'P0').kind).toBe('table');
      expect(valueAt(r, -1)).toBe(valueAt(r, -2));
    }
  });

  it('refuses a page a FOLL_GET reference holds too (vmsplice)', () => {
    const r = run(ops('mmap P0 A 4 aligned', 'write P0 A', 'vmsplice P0 A as r1', 'madvise P0 A 4 MADV_COLLAPSE'));
    expect(r.refusal?.why).toMatch(/^EAGAIN/);
  });

  it('the seeded bug that discounts pins collapses the pinned page: pin-coherence at the collapse', () => {
    const r = verdictBoth(ops('mmap P0 A 4 aligned', 'write P0 A', 'io_uring_register P0 A 1 as r1', 'madvise P0 A 4 MADV_COLLAPSE'), 'bug-collapse-ignores-pins');
    expect(r.verdict).toBe('pin-coherence');
    expect(r.at).toBe(3);
    // ... but a FOLL_GET reference still blocks it there
    expect(run(ops('mmap P0 A 4 aligned', 'write P0 A', 'vmsplice P0 A as r1', 'madvise P0 A 4 MADV_COLLAPSE'), 'bug-collapse-ignores-pins').refusal?.why).toMatch(/^EAGAIN/);
  });

  it('is EINVAL before 6.1, and for VM_NOHUGEPAGE', () => {
    for (const pol of ['mapcount', 'pagecount-5.18', 'anon-exclusive-5.19']) {
      const r = run(ops('mmap P0 A 4 aligned', 'write P0 A', 'madvise P0 A 4 MADV_COLLAPSE'), pol);
      expect(r.refusal?.why, pol).toMatch(/^EINVAL/);
      expect(pmdOf(r, 'P0').kind).toBe('table');
    }
    expect(run(ops('mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_NOHUGEPAGE', 'write P0 A', 'madvise P0 A 4 MADV_COLLAPSE')).refusal?.why).toMatch(/^EINVAL/);
  });

  it('ignores the sysfs setting (enabled=never) and swaps swapped-out pages in first', () => {
    const r = runClean(ops('thp never', 'mmap P0 A 4 aligned', 'write P0 A', 'write P0 A+1', 'reclaim P0 A+1', 'madvise P0 A 4 MADV_COLLAPSE', 'read P0 A+1'));
    expect(thpOf(r, 'P0').nr).toBe(4);
    expect(valueAt(r, -1)).toBe(valueAt(r, 3));
  });

  it('after fork, collapsing shared pages in the parent leaves the child its own pages and each its own data', () => {
    for (const mode of CHECK_MODES) {
      const r = run(ops('mmap P0 A 4 aligned', 'write P0 A', 'write P0 A+1', 'fork P0 P1', 'write P0 A+2', 'madvise P0 A 4 MADV_COLLAPSE', 'write P0 A', 'write P1 A+1', 'read P1 A', 'read P0 A+1', 'read P1 A+1'), 'anon-exclusive', mode);
      expect(r.verdict).toBe('pass');
      expect(valueAt(r, -3)).toBe(valueAt(r, 1)); // P1 still sees the parent's write from before the fork
      expect(valueAt(r, -2)).toBe(valueAt(r, 2));
      expect(valueAt(r, -1)).toBe(valueAt(r, -4));
      expect(pmdOf(r, 'P1').kind).toBe('table');
      expect(pmdOf(r, 'P0').kind).toBe('huge');
    }
    // with every PTE write-protected by the fork there is nothing writable to collapse: SCAN_PAGE_RO, EINVAL
    expect(run(ops('mmap P0 A 4 aligned', 'write P0 A', 'fork P0 P1', 'madvise P0 A 4 MADV_COLLAPSE')).refusal?.why).toMatch(/^EINVAL/);
  });

  it("collapses cow.c's partially mremap'ed THP half back only where a whole PMD range lies in the VMA", () => {
    const r = run(ops('mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_HUGEPAGE', 'write P0 A', 'mremap P0 A+2 2 B', 'madvise P0 A 2 MADV_COLLAPSE'));
    expect(r.verdict).toBe('pass'); // no whole PMD range in [A, A+2): nothing to do, success
    expect(pmdOf(r, 'P0').kind).toBe('table');
  });
});

describe('khugepaged (hpage_collapse_scan_pmd as khugepaged)', () => {
  it('collapses a PTE-mapped THP back into a new THP (5.8+) where the sysfs settings allow it', () => {
    const text = ops('mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_HUGEPAGE', 'write P0 A', 'mprotect P0 A+1 1 ro', 'mprotect P0 A+1 1 rw', 'khugepaged P0 A', 'read P0 A');
    const r = runClean(text);
    expect(noteAt(r, 5)).toBe('SCAN_SUCCEED');
    expect(thpOf(r, 'P0').entireMapcount).toBe(1);
    expect(valueAt(r, -1)).toBe(valueAt(r, 2));
    // before 5.8 a compound page is left alone
    expect(noteAt(runClean(text, 'mapcount'), 5)).toBe('SCAN_PAGE_COMPOUND');
  });

  it('does nothing where THP is not allowed by the settings (enabled=madvise without MADV_HUGEPAGE)', () => {
    const r = runClean(ops('mmap P0 A 4 aligned', 'write P0 A', 'khugepaged P0 A'));
    expect(noteAt(r, 2)).toBe('SCAN_VMA_CHECK');
    expect(pmdOf(r, 'P0').kind).toBe('table');
  });

  it('refuses a pinned page (SCAN_PAGE_COUNT) in every era', () => {
    for (const pol of ['mapcount', 'pagecount-5.9', 'anon-exclusive']) {
      const r = verdictBoth(ops('thp always', 'mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_NOHUGEPAGE', 'write P0 A', 'madvise P0 A 4 MADV_HUGEPAGE', 'io_uring_register P0 A 1 as r1', 'khugepaged P0 A', 'write P0 A', 'read r1'), pol);
      expect(noteAt(r, 6), pol).toBe('SCAN_PAGE_COUNT');
      expect(r.verdict, pol).toBe('pass');
      expect(ref(r, 'r1').folios[0]).toBeGreaterThan(0);
    }
  });

  it('keeps to max_ptes_shared (5.8+) and refuses any shared page before 5.8 (page_count() == 1)', () => {
    const text = ops('thp always', 'mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_NOHUGEPAGE', 'write P0 A', 'write P0 A+1', 'write P0 A+2', 'fork P0 P1', 'madvise P0 A 4 MADV_HUGEPAGE', 'khugepaged P0 A');
    expect(noteAt(runClean(text), 8)).toBe('SCAN_EXCEED_SHARED_PTE'); // 3 shared PTEs > HPAGE_PMD_NR / 2
    expect(noteAt(runClean(text, 'mapcount'), 8)).toBe('SCAN_PAGE_COUNT');
    const two = ops('thp always', 'mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_NOHUGEPAGE', 'write P0 A', 'write P0 A+1', 'fork P0 P1', 'write P0 A+2', 'madvise P0 A 4 MADV_HUGEPAGE', 'khugepaged P0 A', 'write P0 A', 'read P1 A');
    const r = runClean(two);
    expect(noteAt(r, 8)).toBe('SCAN_SUCCEED');
    expect(valueAt(r, -1)).toBe(valueAt(r, 3));
  });

  it('does not swap in: a swapped-out page exceeds max_ptes_swap (HPAGE_PMD_NR / 8)', () => {
    const r = runClean(ops('thp always', 'mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_NOHUGEPAGE', 'write P0 A', 'write P0 A+1', 'reclaim P0 A+1', 'madvise P0 A 4 MADV_HUGEPAGE', 'khugepaged P0 A'));
    expect(noteAt(r, 7)).toBe('SCAN_EXCEED_SWAP_PTE');
  });
});
