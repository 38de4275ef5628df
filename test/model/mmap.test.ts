// The address space (mm/mmap.c, mm/vma.c, mm/mprotect.c): mmap(), VMA splits at the ends of a
// munmap() / mprotect() range and merges of neighbours that became identical again.
import { describe, expect, it } from 'vitest';
import { VM_MAYWRITE, VM_READ, VM_SOFTDIRTY, VM_WRITE } from '../../src/model/constants.js';
import { addrOf, folioAt, mmOf, present, pteAt, run, runClean, valueAt, type Ran } from '../helpers.js';

/** The VMAs of a process as [first page, end page) relative to LABEL, with whether each is writable. */
function vmas(r: Ran, proc: string, label = 'A'): [number, number, boolean][] {
  const base = addrOf(r, proc, label);
  return mmOf(r, proc).vmas.map((v) => [v.start - base, v.end - base, (v.flags & VM_WRITE) !== 0]);
}

describe('mmap()', () => {
  it('starts a process with a VMA of none PTEs and the requested protection', () => {
    const r = runClean('mmap P0 A 3\nmmap P0 B 1 ro');
    const mm = mmOf(r, 'P0');
    expect(mm.alive).toBe(true);
    expect(mm.hasPinned).toBe(false);
    expect(mm.vmas).toHaveLength(2);
    const [a, b] = mm.vmas;
    expect(a!.end - a!.start).toBe(3);
    expect(a!.flags & (VM_READ | VM_WRITE | VM_MAYWRITE | VM_SOFTDIRTY)).toBe(VM_READ | VM_WRITE | VM_MAYWRITE | VM_SOFTDIRTY);
    expect(b!.flags & VM_WRITE).toBe(0);
    expect(b!.start).toBeGreaterThan(a!.end); // a gap: separate mappings never merge
    expect([0, 1, 2].map((i) => pteAt(r, 'P0', 'A', i).kind)).toEqual(['none', 'none', 'none']);
  });

  it('a second process gets its own mm', () => {
    const r = runClean('mmap P0 A 1\nmmap P1 A 1');
    expect(mmOf(r, 'P0').id).not.toBe(mmOf(r, 'P1').id);
    expect(r.world.k.mms).toHaveLength(2);
  });

  it('a second mapping by a name still mapped is not an op of this world; once unmapped, the name maps afresh elsewhere', () => {
    expect(() => run('mmap P0 A 1\nmmap P0 A 1')).toThrow(/already has a mapping by that name/);
    const r = runClean('mmap P0 A 1\nwrite P0 A\nmunmap P0 A\nmmap P0 A 1\nread P0 A');
    expect(valueAt(r, 4)).toBe(0);
    expect(r.world.k.folios[1]).toBeNull();
    expect(mmOf(r, 'P0').vmas).toHaveLength(1);
  });
});

describe('munmap() over a range', () => {
  it('of a whole mapping removes the VMA: the address then faults with SIGSEGV', () => {
    const r = run('mmap P0 A 1\nwrite P0 A\nmunmap P0 A\nread P0 A');
    expect(mmOf(r, 'P0').vmas).toHaveLength(0);
    expect(r.verdict).toBe('error');
    expect(r.at).toBe(3);
    expect(r.refusal!.why).toMatch(/SIGSEGV.*no VMA/);
  });

  it('of the middle of a mapping splits it; the rest and the child stay usable', () => {
    const r = run('mmap P0 A 4\nwrite P0 A+2\nfork P0 P1\nmunmap P0 A+1 2\nread P0 A+2\nread P0 A+3\nread P1 A+2');
    expect(r.verdict).toBe('error'); // SIGSEGV
    expect(r.at).toBe(4);
    expect(r.trace[4]!.outcome).toMatchObject({ kind: 'refused', refusal: 'SIGSEGV' });
    expect(r.trace[5]!.outcome).toEqual({ kind: 'ok', value: 0 });
    expect(r.trace[6]!.outcome).toEqual({ kind: 'ok', value: valueAt(r, 1) });
    expect(vmas(r, 'P0')).toEqual([
      [0, 1, true],
      [3, 4, true],
    ]);
    expect(vmas(r, 'P1')).toEqual([[0, 4, true]]);
    expect(pteAt(r, 'P0', 'A', 2).kind).toBe('none');
    expect(folioAt(r, 'P1', 'A', 2)).toMatchObject({ refcount: 1, pages: [expect.objectContaining({ mapcount: 1 })] });
  });

  it('of the head or the tail leaves one VMA; without PAGES it runs to the end of the mapping', () => {
    const head = runClean('mmap P0 A 4\nmunmap P0 A 1');
    expect(vmas(head, 'P0')).toEqual([[1, 4, true]]);
    const tail = runClean('mmap P0 A 4\nmunmap P0 A+2');
    expect(vmas(tail, 'P0')).toEqual([[0, 2, true]]);
  });

  it('across VMAs that mprotect split removes every one of them and frees their pages', () => {
    const r = runClean('mmap P0 A 3\nwrite P0 A\nwrite P0 A+1\nwrite P0 A+2\nmprotect P0 A+1 1 ro\nmunmap P0 A');
    expect(mmOf(r, 'P0').vmas).toHaveLength(0);
    expect(r.world.k.folios.slice(1).every((f) => f === null)).toBe(true);
  });
});

describe('mprotect() over a range', () => {
  it('ro write-protects the present PTEs and makes writes SIGSEGV; reads still work', () => {
    const r = run('mmap P0 A 1\nwrite P0 A\nmprotect P0 A ro\nwrite P0 A\nread P0 A');
    expect(present(r, 'P0').write).toBe(false);
    expect(mmOf(r, 'P0').vmas[0]!.flags & VM_WRITE).toBe(0);
    expect(r.verdict).toBe('error');
    expect(r.at).toBe(3);
    expect(r.trace[4]!.outcome).toEqual({ kind: 'ok', value: valueAt(r, 1) });
  });

  it('rw lets the next write fault reuse the exclusive page in place (before 6.0 the PTE stays read-only until then)', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nmprotect P0 A ro\nmprotect P0 A rw', 'mapcount');
    const id = present(r, 'P0').folio;
    expect(mmOf(r, 'P0').vmas[0]!.flags & VM_WRITE).toBe(VM_WRITE);
    expect(present(r, 'P0').write).toBe(false);
    const w = runClean('mmap P0 A 1\nwrite P0 A\nmprotect P0 A ro\nmprotect P0 A rw\nwrite P0 A', 'mapcount');
    expect(present(w, 'P0')).toMatchObject({ folio: id, write: true });
    expect(w.world.k.folios).toHaveLength(2);
  });

  it('of part of a mapping splits it in three; only the middle changes', () => {
    const r = run('mmap P0 A 4\nwrite P0 A\nwrite P0 A+1\nwrite P0 A+3\nmprotect P0 A+1 2 ro\nwrite P0 A+2\nwrite P0 A\nwrite P0 A+3');
    expect(vmas(r, 'P0')).toEqual([
      [0, 1, true],
      [1, 3, false],
      [3, 4, true],
    ]);
    expect(present(r, 'P0', 'A', 1).write).toBe(false);
    expect(present(r, 'P0', 'A', 0).write).toBe(true);
    expect(present(r, 'P0', 'A', 3).write).toBe(true);
    expect(r.trace.slice(5).map((t) => t.outcome.kind)).toEqual(['refused', 'ok', 'ok']);
  });

  it('back to rw merges the pieces into one VMA again (vma_merge())', () => {
    const r = runClean('mmap P0 A 4\nmprotect P0 A+1 2 ro\nmprotect P0 A+1 2 rw');
    expect(vmas(r, 'P0')).toEqual([[0, 4, true]]);
    const partial = runClean('mmap P0 A 4\nmprotect P0 A+1 2 ro\nmprotect P0 A+1 1 rw');
    expect(vmas(partial, 'P0')).toEqual([
      [0, 2, true],
      [2, 3, false],
      [3, 4, true],
    ]);
  });

  it('neighbours merge whatever their VM_SOFTDIRTY (is_mergeable_vma() ignores it)', () => {
    const r = runClean('mmap P0 A 2\nmprotect P0 A+1 1 ro\nclear_refs P0\nmprotect P0 A+1 1 rw');
    // clear_refs cleared VM_SOFTDIRTY on both pieces; the mprotect that merges them keeps what they had
    expect(vmas(r, 'P0')).toEqual([[0, 2, true]]);
    expect(mmOf(r, 'P0').vmas[0]!.flags & VM_SOFTDIRTY).toBe(0);
    const one = runClean('mmap P0 A 2\nmprotect P0 A+1 1 ro\nmprotect P0 A+1 1 rw');
    expect(mmOf(one, 'P0').vmas[0]!.flags & VM_SOFTDIRTY).toBe(VM_SOFTDIRTY);
  });

  it('a range with a hole is refused with ENOMEM', () => {
    const r = run('mmap P0 A 3\nmunmap P0 A+1 1\nmprotect P0 A 3 ro');
    expect(r.verdict).toBe('error');
    expect(r.refusal!.why).toMatch(/ENOMEM/);
  });

  // do_mprotect_pkey() (mm/mprotect.c) walks the VMAs of the range in order and applies
  // mprotect_fixup() to each until it meets a gap, then returns -ENOMEM: the part of the range
  // before the hole *is* changed. The model (mprotect() in src/model/mprotect.ts) checks
  // rangeMapped() first and changes nothing, so A+0 stays writable here.
  it('a range with a hole: the VMAs before the hole are changed all the same (kernel: do_mprotect_pkey())', () => {
    const r = run('mmap P0 A 3\nwrite P0 A\nwrite P0 A+2\nmunmap P0 A+1 1\nmprotect P0 A 3 ro\nwrite P0 A\nwrite P0 A+2');
    expect(r.trace[4]!.outcome).toMatchObject({ kind: 'refused', refusal: 'ENOMEM' });
    expect(present(r, 'P0', 'A', 0).write).toBe(false);
    expect(r.trace[5]!.outcome).toMatchObject({ kind: 'refused', refusal: 'SIGSEGV' });
    expect(r.trace[6]!.outcome.kind).toBe('ok'); // past the hole: untouched
  });
});
