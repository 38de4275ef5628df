// mm/vmscan.c shrink_folio_list() for an anon folio: add_to_swap(), try_to_unmap(), pageout(),
// __remove_mapping(); the `reclaim` op's note says how it ended.
import { describe, expect, it } from 'vitest';
import { GUP_PIN_COUNTING_BIAS, SWAP_MAP_BAD } from '../../src/model/constants.js';
import { decision } from '../../src/model/policy.js';
import { anonExclusive } from '../../src/policy/eras/anon-exclusive.js';
import { variant } from '../../src/policy/variant.js';
import { folioAt, noteAt, present, pteAt, ref, run, runClean, swapPte, valueAt, type Ran } from '../helpers.js';

const dev = (r: Ran) => r.world.k.swap[0]!;
const folios = (r: Ran) => r.world.k.folios;

describe('shrink_folio_list()', () => {
  it('an unreferenced page: swap PTE at the lowest free slot above the header, the slot holds the data, the folio is freed', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nreclaim P0 A');
    expect(noteAt(r, 2)).toBe('freed');
    expect(dev(r).map[0]).toBe(SWAP_MAP_BAD);
    expect(swapPte(r, 'P0')).toMatchObject({ type: 0, offset: 1, softDirty: true });
    expect(dev(r).map[1]).toBe(1);
    expect(dev(r).hasCache[1]).toBe(false);
    expect(dev(r).data[1]).toBe(valueAt(r, 1));
    expect(r.world.k.swapCache[0]!.every((id) => id === -1)).toBe(true);
    expect(folios(r)[1]).toBeNull();
  });

  it('successive reclaims take successive slots, and a freed slot is handed out again', () => {
    const r = runClean('mmap P0 A 3\nwrite P0 A\nwrite P0 A+1\nwrite P0 A+2\nreclaim P0 A\nreclaim P0 A+1\nreclaim P0 A+2');
    expect([0, 1, 2].map((i) => swapPte(r, 'P0', 'A', i).offset)).toEqual([1, 2, 3]);
    const again = runClean('mmap P0 A 3\nwrite P0 A\nwrite P0 A+1\nwrite P0 A+2\nreclaim P0 A\nreclaim P0 A+1\nmadvise P0 A MADV_DONTNEED\nreclaim P0 A+2');
    expect(swapPte(again, 'P0', 'A', 2).offset).toBe(1);
  });

  it('a referenced page is unmapped and written, but stays in the swap cache; reclaimed again once released', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as r1\nreclaim P0 A');
    expect(noteAt(r, 3)).toBe('kept-referenced');
    const f = folios(r)[ref(r, 'r1').folios[0]!]!;
    const s = swapPte(r, 'P0');
    expect(f.swap).toBe(s.offset);
    expect(r.world.k.swapCache[0]![s.offset]).toBe(f.id);
    expect(dev(r).hasCache[s.offset]).toBe(true);
    expect(dev(r).map[s.offset]).toBe(1);
    expect(dev(r).data[s.offset]).toBe(valueAt(r, 1));
    expect(f.pages[0]!.mapcount).toBe(0);
    expect(f.refcount).toBe(2); // the swap cache and the pipe
    // released, then reclaimed again through the swap PTE
    const r2 = runClean('mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as r1\nreclaim P0 A\nput r1\nreclaim P0 A');
    expect(noteAt(r2, 5)).toBe('freed');
    expect(folios(r2)[f.id]).toBeNull();
    expect(dev(r2).hasCache[s.offset]).toBe(false);
    expect(dev(r2).map[s.offset]).toBe(1);
  });

  it('a shared page: every PTE mapping it becomes a swap PTE for the same slot', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nfork P0 P1\nreclaim P1 A');
    expect(noteAt(r, 3)).toBe('freed');
    const a = swapPte(r, 'P0');
    expect(swapPte(r, 'P1').offset).toBe(a.offset);
    expect(dev(r).map[a.offset]).toBe(2);
    expect(folios(r)[1]).toBeNull();
  });

  it('nothing to do for a none PTE, the zero page and a swap PTE with nothing in the swap cache', () => {
    const r = runClean('mmap P0 A 3\nread P0 A+1\nwrite P0 A+2\nreclaim P0 A+2\nreclaim P0 A\nreclaim P0 A+1\nreclaim P0 A+2');
    for (const i of [4, 5, 6]) expect(noteAt(r, i)).toBe('nothing to reclaim');
    expect(dev(r).map.slice(1).reduce((a, b) => a + b, 0)).toBe(1);
    expect(pteAt(r, 'P0').kind).toBe('none');
  });

  it('kept-no-swap when the device is full (the header and one slot)', () => {
    const r = runClean('swap 2\nmmap P0 A 2\nwrite P0 A\nwrite P0 A+1\nreclaim P0 A\nreclaim P0 A+1');
    expect(noteAt(r, 3)).toBe('freed');
    expect(noteAt(r, 4)).toBe('kept-no-swap');
    expect(present(r, 'P0', 'A', 1).write).toBe(true);
    expect(folioAt(r, 'P0', 'A', 1).swap).toBe(-1);
    const roomy = runClean('swap 3\nmmap P0 A 2\nwrite P0 A\nwrite P0 A+1\nreclaim P0 A\nreclaim P0 A+1');
    expect(noteAt(roomy, 4)).toBe('freed');
  });

  it('kept-pinned: a maybe-pinned page stays mapped and out of the swap cache (5.11+)', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\ngup P0 A FOLL_PIN|FOLL_WRITE as r1\nreclaim P0 A');
    expect(noteAt(r, 3)).toBe('kept-pinned');
    expect(present(r, 'P0').write).toBe(true);
    expect(folioAt(r, 'P0').swap).toBe(-1);
    expect(dev(r).hasCache.some(Boolean)).toBe(false);
  });

  it('kept-mapped: try_to_unmap_one() refuses a pinned exclusive page once it is in the swap cache', () => {
    const pol = variant(anonExclusive, { name: 't', summary: 't' }, { reclaimSkipsAddToSwap: decision('shrink_folio_list', [], () => false) });
    const r = run('mmap P0 A 1\nwrite P0 A\ngup P0 A FOLL_PIN|FOLL_WRITE as r1\nreclaim P0 A', pol);
    expect(r.verdict).toBe('pass');
    expect(noteAt(r, 3)).toBe('kept-mapped');
    expect(present(r, 'P0')).toMatchObject({ folio: ref(r, 'r1').folios[0], write: true });
    expect(folioAt(r, 'P0').swap).toBe(1); // add_to_swap() happened
    expect(folioAt(r, 'P0').pages[0]!.anonExclusive).toBe(true);
    expect(folioAt(r, 'P0').refcount).toBe(1 + 1 + GUP_PIN_COUNTING_BIAS);
  });

  it('the swap PTE of an exclusive page carries the exclusive bit and PG_anon_exclusive is cleared', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as r1\nreclaim P0 A');
    expect(swapPte(r, 'P0').exclusive).toBe(true);
    expect(r.world.k.folios[ref(r, 'r1').folios[0]!]!.pages[0]!.anonExclusive).toBe(false);
  });

  it('a pinned page in the swap cache (5.9-5.10) is unmapped but kept, and swaps back in as the pinned page', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nio_uring_register P0 A as r1\nreclaim P0 A\nread P0 A', 'pagecount-5.9');
    expect(noteAt(r, 3)).toBe('kept-referenced');
    expect(present(r, 'P0').folio).toBe(ref(r, 'r1').folios[0]);
  });
});
