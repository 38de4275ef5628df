// /proc/PID/clear_refs (fs/proc/task_mmu.c): "4" clears soft-dirty, write-protecting every present
// PTE (clear_soft_dirty()) so that the next write faults and sets the bit again.
import { describe, expect, it } from 'vitest';
import { VM_SOFTDIRTY, ZERO_FOLIO } from '../../src/model/constants.js';
import { eraPolicies } from '../../src/policy/registry.js';
import { folioAt, mmOf, present, runClean, swapPte, valueAt } from '../helpers.js';

describe('clear_refs_write(CLEAR_REFS_SOFT_DIRTY)', () => {
  it('write-protects present PTEs and clears soft-dirty on PTEs, swap PTEs and VMAs', () => {
    const r = runClean('mmap P0 A 3\nwrite P0 A\nwrite P0 A+1\nreclaim P0 A+1\nread P0 A+2');
    expect(present(r, 'P0').softDirty).toBe(true);
    expect(swapPte(r, 'P0', 'A', 1).softDirty).toBe(true);
    expect(mmOf(r, 'P0').vmas[0]!.flags & VM_SOFTDIRTY).toBe(VM_SOFTDIRTY);
    const c = runClean('mmap P0 A 3\nwrite P0 A\nwrite P0 A+1\nreclaim P0 A+1\nread P0 A+2\nclear_refs P0');
    expect(mmOf(c, 'P0').vmas[0]!.flags & VM_SOFTDIRTY).toBe(0);
    expect(present(c, 'P0')).toMatchObject({ write: false, softDirty: false, dirty: true });
    expect(swapPte(c, 'P0', 'A', 1).softDirty).toBe(false);
    expect(present(c, 'P0', 'A', 2)).toMatchObject({ folio: ZERO_FOLIO, write: false, softDirty: false });
  });

  it('the next write faults, reuses the exclusive page in place and marks the PTE soft-dirty again, in every era', () => {
    for (const pol of eraPolicies) {
      const r = runClean('mmap P0 A 1\nwrite P0 A\nclear_refs P0\nwrite P0 A\nread P0 A', pol);
      expect(present(r, 'P0'), pol.name).toMatchObject({ folio: 1, write: true, softDirty: true });
      expect(r.world.k.folios, pol.name).toHaveLength(2);
      expect(valueAt(r, 4), pol.name).toBe(valueAt(r, 3));
    }
  });

  it('a swapped-out page comes back soft-dirty only once written', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nreclaim P0 A\nclear_refs P0\nread P0 A');
    expect(present(r, 'P0')).toMatchObject({ write: false, softDirty: false });
    const w = runClean('mmap P0 A 1\nwrite P0 A\nreclaim P0 A\nclear_refs P0\nwrite P0 A');
    expect(present(w, 'P0')).toMatchObject({ write: true, softDirty: true });
  });

  it('only touches the named process', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nmmap P1 A 1\nwrite P1 A\nclear_refs P1');
    expect(present(r, 'P0')).toMatchObject({ write: true, softDirty: true });
    expect(present(r, 'P1')).toMatchObject({ write: false, softDirty: false });
    expect(mmOf(r, 'P0').vmas[0]!.flags & VM_SOFTDIRTY).toBe(VM_SOFTDIRTY);
  });

  it('a pinned page keeps its writable PTE (pte_is_pinned(), 5.11+) and the pin stays coherent across the next write', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nio_uring_register P0 A as r1\nclear_refs P0\nwrite P0 A\nread r1');
    expect(present(r, 'P0')).toMatchObject({ write: true });
    expect(folioAt(r, 'P0').pages[0]!.data).toBe(valueAt(r, 4));
    expect(valueAt(r, 5)).toBe(valueAt(r, 4));
  });
});
