// mm/memory.c: the fault handlers (do_anonymous_page(), do_wp_page(), do_swap_page()), zap_pte_range()
// with free_swap_and_cache(), and copy_page_range() at fork, observed through scenarios.
import { describe, expect, it } from 'vitest';
import { GUP_PIN_COUNTING_BIAS, SWAP_MAP_BAD, ZERO_FOLIO } from '../../src/model/constants.js';
import { folioAt, mmOf, present, pteAt, ref, run, runClean, swapPte, valueAt, type Ran } from '../helpers.js';

const dev = (r: Ran) => r.world.k.swap[0]!;
const folios = (r: Ran) => r.world.k.folios;
const zeroRefcount = (r: Ran) => r.world.k.folios[ZERO_FOLIO]!.refcount;

describe('do_anonymous_page()', () => {
  it('a read of untouched memory maps the zero page read-only, reads 0 and allocates nothing', () => {
    const r = runClean('mmap P0 A 1\nread P0 A');
    expect(valueAt(r, 1)).toBe(0);
    expect(present(r, 'P0')).toMatchObject({ folio: ZERO_FOLIO, write: false, dirty: false });
    expect(folios(r)).toHaveLength(1); // the zero page only
    expect(zeroRefcount(r)).toBe(1); // mapping the zero page takes no reference (pte_special)
  });

  it('a write maps a new exclusive, writable, dirty folio holding the written value', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nread P0 A');
    const v = valueAt(r, 1);
    expect(v).toBeGreaterThan(0);
    expect(present(r, 'P0')).toMatchObject({ write: true, dirty: true, softDirty: true });
    const f = folioAt(r, 'P0');
    expect(f.id).not.toBe(ZERO_FOLIO);
    expect(f.refcount).toBe(1);
    expect(f.pages[0]).toMatchObject({ mapcount: 1, anonExclusive: true, data: v });
    expect(valueAt(r, 2)).toBe(v);
  });

  it('every write stores a fresh value; a second write goes to the same page without a fault', () => {
    const r = runClean('mmap P0 A 2\nwrite P0 A\nwrite P0 A\nwrite P0 A+1\nread P0 A\nread P0 A+1');
    const [v1, v2, v3] = [1, 2, 3].map((i) => valueAt(r, i));
    expect(new Set([v1, v2, v3]).size).toBe(3);
    expect(folios(r)).toHaveLength(3); // the zero page and one folio per page
    expect(present(r, 'P0', 'A', 1).folio).not.toBe(present(r, 'P0').folio);
    expect(valueAt(r, 4)).toBe(v2);
    expect(valueAt(r, 5)).toBe(v3);
  });

  it('a write to a read-only mapping is SIGSEGV and maps nothing; a read of it maps the zero page', () => {
    const r = run('mmap P0 A 1 ro\nwrite P0 A');
    expect(r.verdict).toBe('error');
    expect(r.at).toBe(1);
    expect(r.refusal!.why).toMatch(/SIGSEGV/);
    expect(pteAt(r, 'P0').kind).toBe('none');
    const rd = runClean('mmap P0 A 1 ro\nread P0 A');
    expect(valueAt(rd, 1)).toBe(0);
    expect(present(rd, 'P0').folio).toBe(ZERO_FOLIO);
  });

  it('a refused access ends nothing: the ops after it still run and the verdict is error at the first refusal', () => {
    const r = run('mmap P0 A 1 ro\nmmap P0 B 1\nwrite P0 A\nwrite P0 B\nwrite P0 A');
    expect(r.verdict).toBe('error');
    expect(r.at).toBe(2);
    expect(r.trace.map((t) => t.outcome.kind)).toEqual(['ok', 'ok', 'refused', 'ok', 'refused']);
    expect(present(r, 'P0', 'B').write).toBe(true);
  });
});

describe('do_wp_page()', () => {
  it('a write after a read copies away from the zero page into a new exclusive folio', () => {
    const r = runClean('mmap P0 A 1\nread P0 A\nwrite P0 A');
    const p = present(r, 'P0');
    expect(p.folio).not.toBe(ZERO_FOLIO);
    expect(p).toMatchObject({ write: true, dirty: true });
    expect(folioAt(r, 'P0').pages[0]).toMatchObject({ data: valueAt(r, 2), anonExclusive: true, mapcount: 1 });
    expect(zeroRefcount(r)).toBe(1);
  });

  it('after fork, the first writer gets a copy and the last one reuses the original in place', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nfork P0 P1\nwrite P1 A\nwrite P0 A\nread P0 A\nread P1 A');
    const orig = 1; // folio ids: 0 the zero page, 1 P0's first write, 2 P1's copy
    expect(present(r, 'P0')).toMatchObject({ folio: orig, write: true });
    expect(present(r, 'P1')).toMatchObject({ folio: 2, write: true });
    expect(folios(r)).toHaveLength(3); // no third copy: P0's write reused its page
    for (const p of ['P0', 'P1']) expect(folioAt(r, p)).toMatchObject({ refcount: 1, pages: [expect.objectContaining({ mapcount: 1, anonExclusive: true })] });
    expect(valueAt(r, 5)).toBe(valueAt(r, 4));
    expect(valueAt(r, 6)).toBe(valueAt(r, 3));
  });

  it('the process that did not write keeps the data from before the fork', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nfork P0 P1\nread P1 A\nwrite P1 A\nread P0 A\nread P1 A');
    const before = valueAt(r, 1);
    expect(valueAt(r, 3)).toBe(before);
    expect(valueAt(r, 5)).toBe(before);
    expect(valueAt(r, 6)).toBe(valueAt(r, 4));
    expect(present(r, 'P0').write).toBe(false); // P0 has not written since the fork
  });
});

describe('do_swap_page()', () => {
  it('a read swaps the page back in read-only: same data, the swap PTE reference dropped, the folio kept in the swap cache', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nreclaim P0 A\nread P0 A');
    expect(valueAt(r, 3)).toBe(valueAt(r, 1));
    expect(present(r, 'P0').write).toBe(false);
    const f = folioAt(r, 'P0');
    expect(f.pages[0]).toMatchObject({ data: valueAt(r, 1), mapcount: 1 });
    expect(f.swap).toBe(1); // swp_entry(0, 1)
    expect(f.refcount).toBe(2); // the mapping and the swap cache
    expect(dev(r).map[1]).toBe(0);
    expect(dev(r).hasCache[1]).toBe(true);
    expect(r.world.k.swapCache[0]![1]).toBe(f.id);
  });

  it('a write swaps in writable and leaves the swap cache (should_try_to_free_swap)', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nreclaim P0 A\nwrite P0 A\nread P0 A');
    expect(present(r, 'P0').write).toBe(true);
    const f = folioAt(r, 'P0');
    expect(f.pages[0]!.data).toBe(valueAt(r, 3));
    expect(f.swap).toBe(-1);
    expect(f.refcount).toBe(1);
    expect(dev(r).map[1]).toBe(0);
    expect(dev(r).hasCache[1]).toBe(false);
    expect(valueAt(r, 4)).toBe(valueAt(r, 3));
  });

  it('a slot two processes share: each swap-in maps the one swap cache folio, shared and read-only', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nfork P0 P1\nreclaim P0 A\nread P0 A');
    const off = swapPte(r, 'P1').offset;
    expect(dev(r).map[off]).toBe(1); // P1's swap PTE still holds the slot
    const f = folioAt(r, 'P0');
    expect(f.pages[0]).toMatchObject({ mapcount: 1, anonExclusive: false });
    const r2 = runClean('mmap P0 A 1\nwrite P0 A\nfork P0 P1\nreclaim P0 A\nread P0 A\nread P1 A');
    expect(present(r2, 'P1').folio).toBe(present(r2, 'P0').folio);
    expect(folioAt(r2, 'P0')).toMatchObject({ refcount: 3, swap: off }); // two mappings and the swap cache
    expect(dev(r2).map[off]).toBe(0);
    expect(folios(r2).filter(Boolean)).toHaveLength(2); // read from the slot once
  });

  it('a swap PTE whose folio is still in the swap cache is mapped from there, not read from the slot', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as r1\nreclaim P0 A\nread P0 A');
    expect(present(r, 'P0').folio).toBe(ref(r, 'r1').folios[0]);
    expect(folios(r)).toHaveLength(2);
    expect(folioAt(r, 'P0').refcount).toBe(3); // mapping, swap cache, pipe
  });
});

describe('zap_pte_range()', () => {
  it('munmap frees an exclusively mapped folio', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nmunmap P0 A');
    expect(folios(r)[1]).toBeNull();
    expect(pteAt(r, 'P0').kind).toBe('none');
  });

  it('munmap drops one mapping of a shared folio', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nfork P0 P1\nmunmap P1 A');
    const f = folioAt(r, 'P0');
    expect(f.refcount).toBe(1);
    expect(f.pages[0]!.mapcount).toBe(1);
    expect(present(r, 'P0').write).toBe(false); // still write-protected: the next write fault reuses it
  });

  it('munmap of a swap PTE frees its slot', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nreclaim P0 A');
    const off = swapPte(r, 'P0').offset;
    expect(dev(r).map[off]).toBe(1);
    const r2 = runClean('mmap P0 A 1\nwrite P0 A\nreclaim P0 A\nmunmap P0 A');
    expect(dev(r2).map[off]).toBe(0);
    expect(dev(r2).hasCache[off]).toBe(false);
  });

  it('the zero page loses a mapping but no reference', () => {
    const r = runClean('mmap P0 A 1\nread P0 A\nfork P0 P1\nmunmap P0 A\nmunmap P1 A');
    expect(folios(r)[ZERO_FOLIO]).toMatchObject({ refcount: 1 });
  });

  it('MADV_DONTNEED zaps one present PTE, frees its folio, and the page reads zero afterwards', () => {
    const r = runClean('mmap P0 A 2\nwrite P0 A\nwrite P0 A+1\nmadvise P0 A MADV_DONTNEED\nread P0 A');
    expect(folios(r)[1]).toBeNull();
    expect(present(r, 'P0', 'A', 1).folio).toBe(2); // only the one page
    expect(valueAt(r, 4)).toBe(0);
    expect(present(r, 'P0').folio).toBe(ZERO_FOLIO);
  });

  it('MADV_DONTNEED on a swap PTE frees the slot', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nreclaim P0 A\nmadvise P0 A MADV_DONTNEED');
    expect(pteAt(r, 'P0').kind).toBe('none');
    expect(dev(r).map[1]).toBe(0);
    expect(dev(r).hasCache[1]).toBe(false);
  });

  it('free_swap_and_cache(): the last swap PTE of a cached slot takes the folio out of the swap cache; a reference keeps it', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as r1\nreclaim P0 A\nmadvise P0 A MADV_DONTNEED');
    const f = folios(r)[ref(r, 'r1').folios[0]!]!;
    expect(dev(r).map[1]).toBe(0);
    expect(dev(r).hasCache[1]).toBe(false);
    expect(r.world.k.swapCache[0]![1]).toBe(-1);
    expect(f.swap).toBe(-1);
    expect(f.refcount).toBe(1); // the pipe's reference only
  });

  it('free_swap_and_cache(): the swap cache stays while another swap PTE names the slot', () => {
    const base = 'mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as r1\nfork P0 P1\nreclaim P0 A';
    const a = runClean(`${base}\nmunmap P1 A`);
    const f = folios(a)[ref(a, 'r1').folios[0]!]!;
    expect(dev(a).map[1]).toBe(1);
    expect(f.swap).toBe(1);
    expect(f.refcount).toBe(2); // the swap cache and the pipe
    const b = runClean(`${base}\nmunmap P1 A\nmunmap P0 A`);
    expect(dev(b).map[1]).toBe(0);
    expect(folios(b)[ref(b, 'r1').folios[0]!]).toMatchObject({ swap: -1, refcount: 1 });
  });

  it('exit zaps every mapping: folios only it mapped are freed, shared ones lose a mapping', () => {
    const r = runClean('mmap P0 A 1\nmmap P0 B 1\nwrite P0 A\nwrite P0 B\nfork P0 P1\nwrite P1 B\nexit P1');
    const p1 = r.world.k.mms[r.world.procMm[r.names.procs.indexOf('P1')]!]!;
    expect(p1.alive).toBe(false);
    expect(p1.vmas).toHaveLength(0);
    expect(folios(r)[3]).toBeNull(); // P1's copy of B
    expect(folioAt(r, 'P0')).toMatchObject({ refcount: 1, pages: [expect.objectContaining({ mapcount: 1 })] });
    expect(folioAt(r, 'P0', 'B')).toMatchObject({ refcount: 1, pages: [expect.objectContaining({ mapcount: 1 })] });
    expect(() => run('mmap P0 A 1\nfork P0 P1\nexit P1\nread P1 A')).toThrow(/has exited/);
  });
});

describe('copy_page_range() at fork', () => {
  it('shares an anon page: both PTEs write-protected, mapcount and refcount 2, PG_anon_exclusive cleared', () => {
    const before = runClean('mmap P0 A 1\nwrite P0 A');
    expect(folioAt(before, 'P0').pages[0]!.anonExclusive).toBe(true);
    const r = runClean('mmap P0 A 1\nwrite P0 A\nfork P0 P1');
    const p0 = present(r, 'P0');
    const p1 = present(r, 'P1');
    expect(p1.folio).toBe(p0.folio);
    expect(p0.write).toBe(false);
    expect(p1.write).toBe(false);
    expect(p1.dirty).toBe(true); // a private mapping keeps the dirty bit (pte_mkclean() only for shared ones)
    expect(folioAt(r, 'P0')).toMatchObject({ refcount: 2, pages: [expect.objectContaining({ mapcount: 2, anonExclusive: false })] });
    expect(mmOf(r, 'P1').hasPinned).toBe(false);
    expect(mmOf(r, 'P1').vmas).toEqual(mmOf(r, 'P0').vmas);
  });

  it('duplicates zero-page and none PTEs without touching a folio', () => {
    // page 1 written: the VMA has an anon_vma, so vma_needs_copy() copies its page table
    const r = runClean('mmap P0 A 3\nwrite P0 A+1\nread P0 A\nfork P0 P1');
    expect(present(r, 'P1').folio).toBe(ZERO_FOLIO);
    expect(pteAt(r, 'P1', 'A', 2).kind).toBe('none');
    expect(folios(r)).toHaveLength(2);
    expect(zeroRefcount(r)).toBe(1);
  });

  it('skips a VMA without an anon_vma: only zero-page reads, the child faults them in again (vma_needs_copy())', () => {
    const r = runClean('mmap P0 A 2\nread P0 A\nfork P0 P1');
    expect(present(r, 'P0').folio).toBe(ZERO_FOLIO);
    expect(pteAt(r, 'P1', 'A', 0).kind).toBe('none');
    expect(mmOf(r, 'P1').vmas[0]!.anonVma).toBe(false);
    expect(runClean('mmap P0 A 2\nread P0 A\nfork P0 P1\nread P1 A').trace.at(-1)!.outcome).toEqual({ kind: 'ok', value: 0 });
  });

  it('duplicates a swap PTE: swap_map counts both (copy_nonpresent_pte())', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nreclaim P0 A\nfork P0 P1');
    const a = swapPte(r, 'P0');
    const b = swapPte(r, 'P1');
    expect(b).toMatchObject({ type: a.type, offset: a.offset, exclusive: false });
    expect(dev(r).map[a.offset]).toBe(2);
    expect(dev(r).map[0]).toBe(SWAP_MAP_BAD);
  });

  it('a pinned page in a child-copy era: the child gets its own copy now, the parent keeps the pinned page writable', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nio_uring_register P0 A as r1\nfork P0 P1\nwrite P0 A\nread r1');
    expect(present(r, 'P0')).toMatchObject({ folio: ref(r, 'r1').folios[0], write: true });
    expect(folioAt(r, 'P0').refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
    expect(valueAt(r, 5)).toBe(valueAt(r, 4)); // the pin sees the parent's write
  });
});
