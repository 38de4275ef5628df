// mremap() in the model (src/model/mremap.ts): a move of part of a THP splits the PMD and leaves
// one folio PTE-mapped across two VMAs, its pages keeping their exclusivity, references and data;
// a whole PMD moves as one to a PMD-aligned address; the data oracle follows the move.
import { describe, expect, it } from 'vitest';
import { CHECK_MODES, addrOf, folioAt, mmOf, present, ref, run, runClean, valueAt } from '../helpers.js';

const THP = ['mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_HUGEPAGE', 'write P0 A'];
const ops = (...l: string[]): string => l.join('\n');

function pmdKind(r: ReturnType<typeof run>, proc: string, label: string): string {
  return mmOf(r, proc).pmd[(addrOf(r, proc, label) / r.world.k.pmdPages) | 0]!.kind;
}

describe('mremap (move_vma, move_page_tables)', () => {
  it("cow.c's partial mremap: half a THP moves, the PMD is split, one folio stays mapped across two VMAs", () => {
    const r = runClean(ops(...THP, 'write P0 A+3', 'mremap P0 A+2 2 B', 'read P0 A', 'read P0 B+1'));
    expect(pmdKind(r, 'P0', 'A')).toBe('table');
    const f = folioAt(r, 'P0', 'A');
    expect(f.nr).toBe(4);
    expect(folioAt(r, 'P0', 'B', 1).id).toBe(f.id);
    expect(present(r, 'P0', 'B', 1).idx).toBe(3);
    expect(f.entireMapcount).toBe(0);
    expect(f.pages.map((p) => p.mapcount)).toEqual([1, 1, 1, 1]);
    expect(f.refcount).toBe(4);
    // every page inherited the head's exclusivity at the split, and keeps it across the move
    expect(f.pages.every((p) => p.anonExclusive)).toBe(true);
    expect(present(r, 'P0', 'B', 1).softDirty).toBe(true); // move_soft_dirty_pte()
    expect(mmOf(r, 'P0').vmas.map((v) => v.end - v.start)).toEqual([2, 2]);
    // the data moved with the pages: the read at B+1 sees the write made at A+3
    expect(valueAt(r, -1)).toBe(valueAt(r, 3));
  });

  it('the old range is gone: an access there is SIGSEGV', () => {
    const r = run(ops(...THP, 'mremap P0 A+2 2 B', 'read P0 A+2'));
    expect(r.verdict).toBe('error');
    expect(r.refusal?.why).toMatch(/^SIGSEGV/);
  });

  it('a whole PMD moved to a PMD-aligned address stays one huge PMD (move_huge_pmd)', () => {
    const r = runClean(ops(...THP, 'mremap P0 A 4 B aligned', 'read P0 B'));
    expect(pmdKind(r, 'P0', 'B')).toBe('huge');
    const pmd = mmOf(r, 'P0').pmd[(addrOf(r, 'P0', 'B') / 4) | 0]!;
    expect(pmd.kind === 'huge' && pmd.softDirty).toBe(true);
    expect(mmOf(r, 'P0').pmd[(mmOf(r, 'P0').labels[0]! / 4) | 0]!.kind).toBe('none');
  });

  it('a whole PMD moved to an address that is not PMD-aligned is split and moved PTE by PTE', () => {
    const r = runClean(ops(...THP, 'mremap P0 A 4 B', 'read P0 B+3'));
    if (addrOf(r, 'P0', 'B') % 4 !== 0) expect(pmdKind(r, 'P0', 'B')).not.toBe('huge');
  });

  it('a range that is not inside one VMA is EFAULT (vma_to_resize())', () => {
    const r = run(ops('mmap P0 A 2', 'munmap P0 A+1 1', 'mremap P0 A 2 B'));
    expect(r.verdict).toBe('error');
    expect(r.refusal?.why).toMatch(/^EFAULT/);
  });

  it('a pinned page moves with its pin: the folio, the pin count and the exclusive bit are kept', () => {
    const r = runClean(ops(...THP, 'io_uring_register P0 A 4 as r1', 'mremap P0 A+2 2 B', 'write P0 B', 'read r1+2'));
    const f = folioAt(r, 'P0', 'B');
    expect(f.pincount).toBe(4);
    expect(ref(r, 'r1').folios[2]).toBe(f.id);
    expect(f.pages[2]!.anonExclusive).toBe(true);
    expect(valueAt(r, -1)).toBe(valueAt(r, -2)); // the pin sees the write made at the new address
  });

  it('after fork, a move in the parent keeps the two processes apart (no-over-sharing follows the move)', () => {
    for (const mode of CHECK_MODES) {
      const r = run(ops(...THP, 'fork P0 P1', 'mremap P0 A+2 2 B', 'write P0 B', 'write P1 A+2', 'read P0 B', 'read P1 A+2'), 'anon-exclusive', mode);
      expect(r.verdict).toBe('pass');
      expect(valueAt(r, -2)).toBe(valueAt(r, -4));
      expect(valueAt(r, -1)).toBe(valueAt(r, -3));
    }
  });

  it('a child forked after the move reads the moved data at the new address', () => {
    const r = runClean(ops(...THP, 'write P0 A+2', 'mremap P0 A+2 2 B', 'fork P0 P1', 'read P1 B'));
    expect(valueAt(r, -1)).toBe(valueAt(r, 3));
  });

  it('swap PTEs move too, and swap back in at the new address', () => {
    const r = runClean(ops('mmap P0 A 2', 'write P0 A+1', 'reclaim P0 A+1', 'mremap P0 A+1 1 B', 'read P0 B'));
    expect(valueAt(r, -1)).toBe(valueAt(r, 1));
  });
});
