// applyOp(): the effect of every operation kind on the kernel state.
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/invariants/index.js';
import {
  FOLL_GET,
  FOLL_LONGTERM,
  FOLL_PIN,
  FOLL_WRITE,
  GUP_PIN_COUNTING_BIAS,
  SWAP_MAP_BAD,
} from '../../src/model/constants.js';
import type { Folio } from '../../src/model/folio.js';
import type { GupRef } from '../../src/model/kernel.js';
import type { Pte, PtePresent, PteSwap } from '../../src/model/pte.js';
import { swpKey } from '../../src/model/swap.js';
import { applyOp, liveMm, liveRef, OpNameError, vmaOf, type StepOutcome } from '../../src/ops/apply.js';
import { OP_KINDS, type Op } from '../../src/ops/types.js';
import { newWorld, type World } from '../../src/ops/world.js';
import { anonExclusive } from '../../src/policy/eras/anon-exclusive.js';
import { mapcount } from '../../src/policy/eras/mapcount.js';
import { variant } from '../../src/policy/types.js';
import { never } from '../../src/policy/decisions.js';
import { OpAtError, runOps } from '../../src/scenario/run.js';

// ---- helpers ----

const mmap = (mm: string, vma: string, pages = 1, write = true): Op => ({ kind: 'mmap', mm, vma, pages, write });
const rd = (mm: string, vma: string, page = 0): Op => ({ kind: 'read', mm, vma, page });
const wr = (mm: string, vma: string, page = 0): Op => ({ kind: 'write', mm, vma, page });
const gup = (mm: string, vma: string, flags: number, ref: string, page = 0): Op => ({ kind: 'gup', mm, vma, page, flags, ref });
const fork = (mm: string, child: string): Op => ({ kind: 'fork', mm, child });
const reclaim = (mm: string, vma: string, page = 0): Op => ({ kind: 'reclaim', mm, vma, page });

function ok(w: World, op: Op): StepOutcome & { ok: true } {
  const r = applyOp(w, op);
  if (!r.ok) throw new Error(`unexpected ${r.errno}: ${r.error}`);
  return r;
}

function world(ops: Op[], pol = anonExclusive, swapSlots = 8): World {
  const w = newWorld(pol, { swapSlots });
  for (const op of ops) ok(w, op);
  return w;
}

function pte(w: World, mm: string, vma: string, i = 0): Pte {
  return vmaOf(liveMm(w, mm), vma).ptes[i]!;
}
function present(w: World, mm: string, vma: string, i = 0): PtePresent {
  const p = pte(w, mm, vma, i);
  if (p.kind !== 'present') throw new Error(`${mm} ${vma}+${i} is ${p.kind}, not present`);
  return p;
}
function swapPte(w: World, mm: string, vma: string, i = 0): PteSwap {
  const p = pte(w, mm, vma, i);
  if (p.kind !== 'swap') throw new Error(`${mm} ${vma}+${i} is ${p.kind}, not swap`);
  return p;
}
function folioAt(w: World, mm: string, vma: string, i = 0): Folio {
  const f = w.k.folios.get(present(w, mm, vma, i).pfn);
  if (!f) throw new Error('no folio');
  return f;
}
function ref(w: World, name: string): GupRef {
  return liveRef(w, name);
}
const dev = (w: World) => w.k.swap[0]!;

// ---- mmap ----

describe('mmap', () => {
  it('starts a process with a VMA of none PTEs and the requested protection', () => {
    const w = world([mmap('P0', 'A', 3, true), mmap('P0', 'B', 1, false)]);
    const mm = liveMm(w, 'P0');
    expect(mm.alive).toBe(true);
    expect(mm.hasPinned).toBe(false);
    expect(mm.vmas.map((v) => v.name)).toEqual(['A', 'B']);
    const a = vmaOf(mm, 'A');
    expect(a.npages).toBe(3);
    expect(a.ptes.map((p) => p.kind)).toEqual(['none', 'none', 'none']);
    expect(a.flags.write).toBe(true);
    expect(vmaOf(mm, 'B').flags.write).toBe(false);
    expect(w.shadow.mem[mm.id]!.get('A')).toEqual([0, 0, 0]);
    expect(checkInvariants(w)).toBeNull();
  });

  it('rejects a duplicate VMA name and a page count below 1', () => {
    const w = world([mmap('P0', 'A')]);
    expect(() => applyOp(w, mmap('P0', 'A'))).toThrow(OpNameError);
    expect(() => applyOp(w, mmap('P0', 'B', 0))).toThrow(OpNameError);
    expect(() => applyOp(w, mmap('P0', 'C', 1.5))).toThrow(OpNameError);
  });

  it('a second process gets its own mm', () => {
    const w = world([mmap('P0', 'A'), mmap('P1', 'A')]);
    expect(liveMm(w, 'P0').id).not.toBe(liveMm(w, 'P1').id);
    expect(w.k.mms).toHaveLength(2);
  });
});

// ---- read / write ----

describe('read and write', () => {
  it('a read of untouched anon memory maps the zero page read-only and returns 0', () => {
    const w = world([mmap('P0', 'A')]);
    const before = w.k.folios.size;
    const r = ok(w, rd('P0', 'A'));
    expect(r.value).toBe(0);
    const p = present(w, 'P0', 'A');
    expect(p.pfn).toBe(w.k.zeroPfn);
    expect(p.write).toBe(false);
    expect(w.k.folios.size).toBe(before); // no folio allocated
    expect(w.k.folios.get(w.k.zeroPfn)!.refcount).toBe(1); // the zero page's refcount is not tracked
  });

  it('a write maps a new exclusive, writable, dirty folio holding the written value', () => {
    const w = world([mmap('P0', 'A')]);
    const r = ok(w, wr('P0', 'A'));
    expect(r.value).toBeGreaterThan(0);
    const p = present(w, 'P0', 'A');
    expect(p.pfn).not.toBe(w.k.zeroPfn);
    expect(p.write).toBe(true);
    expect(p.dirty).toBe(true);
    const f = folioAt(w, 'P0', 'A');
    expect(f.anon).toBe(true);
    expect(f.refcount).toBe(1);
    expect(f.pages[0]!.mapcount).toBe(1);
    expect(f.pages[0]!.anonExclusive).toBe(true);
    expect(f.pages[0]!.data).toBe(r.value);
    expect(ok(w, rd('P0', 'A')).value).toBe(r.value);
    expect(checkInvariants(w)).toBeNull();
  });

  it('every write stores a fresh value; a second write reuses the page in place', () => {
    const w = world([mmap('P0', 'A', 2)]);
    const v1 = ok(w, wr('P0', 'A')).value!;
    const pfn = present(w, 'P0', 'A').pfn;
    const v2 = ok(w, wr('P0', 'A')).value!;
    const v3 = ok(w, wr('P0', 'A', 1)).value!;
    expect(new Set([v1, v2, v3]).size).toBe(3);
    expect(present(w, 'P0', 'A').pfn).toBe(pfn);
    expect(present(w, 'P0', 'A', 1).pfn).not.toBe(pfn);
    expect(ok(w, rd('P0', 'A')).value).toBe(v2);
    expect(ok(w, rd('P0', 'A', 1)).value).toBe(v3);
  });

  it('a write after a read replaces the zero page with a new folio (COW from the zero page)', () => {
    const w = world([mmap('P0', 'A'), rd('P0', 'A')]);
    const v = ok(w, wr('P0', 'A')).value!;
    const p = present(w, 'P0', 'A');
    expect(p.pfn).not.toBe(w.k.zeroPfn);
    expect(p.write).toBe(true);
    expect(folioAt(w, 'P0', 'A').pages[0]!.data).toBe(v);
    expect(folioAt(w, 'P0', 'A').pages[0]!.anonExclusive).toBe(true);
    expect(checkInvariants(w)).toBeNull();
  });

  it('a write to a read-only VMA is SIGSEGV and changes nothing', () => {
    const w = world([mmap('P0', 'A', 1, false)]);
    const r = applyOp(w, wr('P0', 'A'));
    expect(r).toMatchObject({ ok: false, errno: 'SIGSEGV' });
    expect(pte(w, 'P0', 'A').kind).toBe('none');
    // a read of a read-only VMA is fine
    expect(ok(w, rd('P0', 'A')).value).toBe(0);
  });

  it('a page index outside the VMA is a name error', () => {
    const w = world([mmap('P0', 'A', 2)]);
    expect(() => applyOp(w, rd('P0', 'A', 2))).toThrow(OpNameError);
    expect(() => applyOp(w, wr('P0', 'A', -1))).toThrow(OpNameError);
  });
});

// ---- munmap / dontneed / exit ----

describe('munmap', () => {
  it('frees an exclusively mapped folio and removes the VMA', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A')]);
    const pfn = present(w, 'P0', 'A').pfn;
    ok(w, { kind: 'munmap', mm: 'P0', vma: 'A' });
    expect(w.k.folios.has(pfn)).toBe(false);
    expect(liveMm(w, 'P0').vmas).toHaveLength(0);
    expect(() => applyOp(w, rd('P0', 'A'))).toThrow(OpNameError);
    expect(checkInvariants(w)).toBeNull();
  });

  it('drops one mapping of a shared folio', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), fork('P0', 'P1')]);
    const f = folioAt(w, 'P0', 'A');
    ok(w, { kind: 'munmap', mm: 'P1', vma: 'A' });
    expect(w.k.folios.get(f.pfn)).toBe(f);
    expect(f.refcount).toBe(1);
    expect(f.pages[0]!.mapcount).toBe(1);
    expect(checkInvariants(w)).toBeNull();
  });

  it('frees the swap slot of a swap PTE', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), reclaim('P0', 'A')]);
    const off = swapPte(w, 'P0', 'A').offset;
    expect(dev(w).map[off]).toBe(1);
    ok(w, { kind: 'munmap', mm: 'P0', vma: 'A' });
    expect(dev(w).map[off]).toBe(0);
  });
});

describe('dontneed (MADV_DONTNEED)', () => {
  it('zaps a present PTE, frees the folio and reads zero afterwards', () => {
    const w = world([mmap('P0', 'A', 2), wr('P0', 'A'), wr('P0', 'A', 1)]);
    const pfn = present(w, 'P0', 'A').pfn;
    const other = present(w, 'P0', 'A', 1).pfn;
    ok(w, { kind: 'dontneed', mm: 'P0', vma: 'A', page: 0 });
    expect(pte(w, 'P0', 'A').kind).toBe('none');
    expect(w.k.folios.has(pfn)).toBe(false);
    expect(present(w, 'P0', 'A', 1).pfn).toBe(other); // only the one page
    expect(checkInvariants(w)).toBeNull();
    expect(ok(w, rd('P0', 'A')).value).toBe(0);
    expect(present(w, 'P0', 'A').pfn).toBe(w.k.zeroPfn);
  });

  it('on a swap PTE frees the slot', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), reclaim('P0', 'A')]);
    const { offset } = swapPte(w, 'P0', 'A');
    expect(dev(w).map[offset]).toBe(1);
    ok(w, { kind: 'dontneed', mm: 'P0', vma: 'A', page: 0 });
    expect(pte(w, 'P0', 'A').kind).toBe('none');
    expect(dev(w).map[offset]).toBe(0);
    expect(dev(w).hasCache[offset]).toBe(false);
    expect(checkInvariants(w)).toBeNull();
  });

  it('on the last swap PTE of a cached slot drops the swap cache but keeps a referenced folio', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), gup('P0', 'A', FOLL_GET, 'r1'), reclaim('P0', 'A')]);
    const { offset } = swapPte(w, 'P0', 'A');
    const f = w.k.folios.get(ref(w, 'r1').pfn)!;
    expect(f.swap).toEqual({ type: 0, offset });
    ok(w, { kind: 'dontneed', mm: 'P0', vma: 'A', page: 0 });
    expect(dev(w).map[offset]).toBe(0);
    expect(dev(w).hasCache[offset]).toBe(false);
    expect(w.k.swapCache.size).toBe(0);
    expect(f.swap).toBeNull();
    expect(w.k.folios.get(f.pfn)).toBe(f);
    expect(f.refcount).toBe(1); // the FOLL_GET reference only
    expect(checkInvariants(w)).toBeNull();
  });
});

describe('exit', () => {
  it('zaps every VMA, frees unshared folios and makes the process unusable', () => {
    const w = world([mmap('P0', 'A'), mmap('P0', 'B'), wr('P0', 'A'), wr('P0', 'B'), fork('P0', 'P1')]);
    const fa = folioAt(w, 'P0', 'A');
    ok(w, wr('P1', 'B')); // P1 gets its own copy of B
    const p1b = present(w, 'P1', 'B').pfn;
    ok(w, { kind: 'exit', mm: 'P1' });
    const p1 = w.k.mms[w.mmIds.get('P1')!]!;
    expect(p1.alive).toBe(false);
    expect(p1.vmas).toHaveLength(0);
    expect(w.k.folios.has(p1b)).toBe(false);
    expect(fa.pages[0]!.mapcount).toBe(1);
    expect(fa.refcount).toBe(1);
    expect(() => applyOp(w, rd('P1', 'A'))).toThrow(OpNameError);
    expect(() => applyOp(w, { kind: 'exit', mm: 'P1' })).toThrow(OpNameError);
    expect(checkInvariants(w)).toBeNull();
  });
});

// ---- mprotect / clear_refs ----

describe('mprotect', () => {
  it('ro write-protects present PTEs and makes writes SIGSEGV', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), { kind: 'mprotect', mm: 'P0', vma: 'A', write: false }]);
    expect(present(w, 'P0', 'A').write).toBe(false);
    expect(vmaOf(liveMm(w, 'P0'), 'A').flags.write).toBe(false);
    expect(applyOp(w, wr('P0', 'A'))).toMatchObject({ ok: false, errno: 'SIGSEGV' });
  });

  it('rw lets the next write fault reuse the exclusive page in place', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A')], mapcount);
    const pfn = present(w, 'P0', 'A').pfn;
    ok(w, { kind: 'mprotect', mm: 'P0', vma: 'A', write: false });
    ok(w, { kind: 'mprotect', mm: 'P0', vma: 'A', write: true });
    expect(vmaOf(liveMm(w, 'P0'), 'A').flags.write).toBe(true);
    expect(present(w, 'P0', 'A').write).toBe(false); // mapcount era: the fault does it
    ok(w, wr('P0', 'A'));
    expect(present(w, 'P0', 'A').pfn).toBe(pfn);
    expect(present(w, 'P0', 'A').write).toBe(true);
  });
});

describe('clear_refs', () => {
  it('write-protects present PTEs, clears soft-dirty on PTEs and VMAs; the next write reuses the page', () => {
    const w = world([mmap('P0', 'A', 2), wr('P0', 'A'), wr('P0', 'A', 1), reclaim('P0', 'A', 1)]);
    const pfn = present(w, 'P0', 'A').pfn;
    expect(present(w, 'P0', 'A').softDirty).toBe(true);
    expect(swapPte(w, 'P0', 'A', 1).softDirty).toBe(true);
    ok(w, { kind: 'clear_refs', mm: 'P0' });
    const vma = vmaOf(liveMm(w, 'P0'), 'A');
    expect(vma.flags.softDirty).toBe(false);
    expect(present(w, 'P0', 'A')).toMatchObject({ write: false, softDirty: false });
    expect(swapPte(w, 'P0', 'A', 1).softDirty).toBe(false);
    ok(w, wr('P0', 'A'));
    expect(present(w, 'P0', 'A')).toMatchObject({ pfn, write: true, softDirty: true });
    expect(checkInvariants(w)).toBeNull();
  });

  it('only touches the named process', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), mmap('P1', 'A'), wr('P1', 'A'), { kind: 'clear_refs', mm: 'P1' }]);
    expect(present(w, 'P0', 'A').write).toBe(true);
    expect(present(w, 'P1', 'A').write).toBe(false);
  });
});

// ---- fork ----

describe('fork', () => {
  it('shares an anon page, write-protecting both PTEs and bumping mapcount and refcount', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A')]);
    const f = folioAt(w, 'P0', 'A');
    expect(f.pages[0]!.anonExclusive).toBe(true);
    ok(w, fork('P0', 'P1'));
    const p0 = present(w, 'P0', 'A');
    const p1 = present(w, 'P1', 'A');
    expect(p0.pfn).toBe(f.pfn);
    expect(p1.pfn).toBe(f.pfn);
    expect(p0.write).toBe(false);
    expect(p1.write).toBe(false);
    expect(f.refcount).toBe(2);
    expect(f.pages[0]!.mapcount).toBe(2);
    expect(f.pages[0]!.anonExclusive).toBe(false);
    expect(liveMm(w, 'P1').hasPinned).toBe(false);
    expect(checkInvariants(w)).toBeNull();
  });

  it('the child sees the parent data; writes after the fork COW apart', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A')]);
    const v0 = ok(w, rd('P0', 'A')).value;
    ok(w, fork('P0', 'P1'));
    expect(ok(w, rd('P1', 'A')).value).toBe(v0);
    const v1 = ok(w, wr('P1', 'A')).value;
    expect(present(w, 'P1', 'A').pfn).not.toBe(present(w, 'P0', 'A').pfn);
    expect(ok(w, rd('P0', 'A')).value).toBe(v0);
    expect(ok(w, rd('P1', 'A')).value).toBe(v1);
    expect(checkInvariants(w)).toBeNull();
  });

  it('duplicates zero-page and none PTEs without touching folios', () => {
    const w = world([mmap('P0', 'A', 2), rd('P0', 'A')]);
    const folios = w.k.folios.size;
    ok(w, fork('P0', 'P1'));
    expect(present(w, 'P1', 'A').pfn).toBe(w.k.zeroPfn);
    expect(pte(w, 'P1', 'A', 1).kind).toBe('none');
    expect(w.k.folios.size).toBe(folios);
  });

  it('duplicates a swap PTE: swap_map counts both', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), reclaim('P0', 'A'), fork('P0', 'P1')]);
    const a = swapPte(w, 'P0', 'A');
    const b = swapPte(w, 'P1', 'A');
    expect(b.offset).toBe(a.offset);
    expect(dev(w).map[a.offset]).toBe(2);
    expect(checkInvariants(w)).toBeNull();
  });

  it('rejects an existing child name and an unknown parent', () => {
    const w = world([mmap('P0', 'A'), mmap('P1', 'A')]);
    expect(() => applyOp(w, fork('P0', 'P1'))).toThrow(OpNameError);
    expect(() => applyOp(w, fork('P9', 'P2'))).toThrow(OpNameError);
  });
});

// ---- gup / release / ref_read / ref_write ----

describe('gup', () => {
  it('FOLL_PIN adds GUP_PIN_COUNTING_BIAS to the refcount and sets MMF_HAS_PINNED', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A')]);
    const f = folioAt(w, 'P0', 'A');
    expect(GUP_PIN_COUNTING_BIAS).toBe(1024);
    ok(w, gup('P0', 'A', FOLL_PIN | FOLL_WRITE, 'r1'));
    expect(f.refcount).toBe(1 + 1024);
    expect(liveMm(w, 'P0').hasPinned).toBe(true);
    const r = ref(w, 'r1');
    expect(r).toMatchObject({ pfn: f.pfn, idx: 0, page: 0, vma: 'A', released: false });
    expect(r.gupFlags & FOLL_PIN).toBeTruthy();
    expect(w.shadow.refs.get(r.id)).toMatchObject({ pin: true, write: true, coherent: true });
    expect(checkInvariants(w)).toBeNull();
  });

  it('FOLL_GET adds 1 and leaves MMF_HAS_PINNED clear', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A')]);
    const f = folioAt(w, 'P0', 'A');
    ok(w, gup('P0', 'A', FOLL_GET, 'r1'));
    ok(w, gup('P0', 'A', FOLL_GET | FOLL_WRITE, 'r2'));
    expect(f.refcount).toBe(3);
    expect(f.pages[0]!.mapcount).toBe(1);
    expect(liveMm(w, 'P0').hasPinned).toBe(false);
    expect(w.shadow.refs.get(ref(w, 'r1').id)!.coherent).toBe(false); // R/O FOLL_GET promises nothing
    expect(w.shadow.refs.get(ref(w, 'r2').id)!.coherent).toBe(true);
    expect(checkInvariants(w)).toBeNull();
  });

  it('a read GUP of untouched memory maps the zero page and does not count the reference', () => {
    const w = world([mmap('P0', 'A')]);
    ok(w, gup('P0', 'A', FOLL_PIN, 'r1'));
    expect(present(w, 'P0', 'A').pfn).toBe(w.k.zeroPfn);
    expect(ref(w, 'r1').pfn).toBe(w.k.zeroPfn);
    expect(w.k.folios.get(w.k.zeroPfn)!.refcount).toBe(1);
    expect(w.shadow.refs.get(ref(w, 'r1').id)!.coherent).toBe(false); // short-term R/O pin of the zero page
    expect(checkInvariants(w)).toBeNull();
  });

  it('a FOLL_WRITE GUP of untouched memory faults in a writable exclusive page', () => {
    const w = world([mmap('P0', 'A')]);
    ok(w, gup('P0', 'A', FOLL_GET | FOLL_WRITE, 'r1'));
    const p = present(w, 'P0', 'A');
    expect(p.pfn).not.toBe(w.k.zeroPfn);
    expect(p.write).toBe(true);
    expect(ref(w, 'r1').pfn).toBe(p.pfn);
    expect(folioAt(w, 'P0', 'A').refcount).toBe(2);
  });

  it('a FOLL_WRITE GUP of a COW-shared page breaks COW first', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), fork('P0', 'P1')]);
    const shared = present(w, 'P1', 'A').pfn;
    ok(w, gup('P0', 'A', FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM, 'r1'));
    expect(ref(w, 'r1').pfn).not.toBe(shared);
    expect(present(w, 'P0', 'A').pfn).toBe(ref(w, 'r1').pfn);
    expect(present(w, 'P0', 'A').write).toBe(true);
    expect(checkInvariants(w)).toBeNull();
  });

  it('a swapped-out page is swapped in', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), reclaim('P0', 'A')]);
    ok(w, gup('P0', 'A', FOLL_GET, 'r1'));
    expect(pte(w, 'P0', 'A').kind).toBe('present');
    expect(ref(w, 'r1').pfn).toBe(present(w, 'P0', 'A').pfn);
  });

  it('refuses bad flag combinations, FOLL_WRITE on a R/O VMA and reused names', () => {
    const w = world([mmap('P0', 'A'), mmap('P0', 'B', 1, false), wr('P0', 'A')]);
    expect(applyOp(w, gup('P0', 'A', FOLL_GET | FOLL_PIN, 'x'))).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(applyOp(w, gup('P0', 'A', FOLL_WRITE, 'y'))).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(applyOp(w, gup('P0', 'B', FOLL_PIN | FOLL_WRITE, 'z'))).toMatchObject({ ok: false, errno: 'EFAULT' });
    expect(w.k.refs).toHaveLength(0);
    ok(w, gup('P0', 'A', FOLL_GET, 'r1'));
    expect(() => applyOp(w, gup('P0', 'A', FOLL_GET, 'r1'))).toThrow(OpNameError);
    expect(() => applyOp(w, gup('P0', 'A', FOLL_GET, 'P0'))).toThrow(OpNameError);
    expect(folioAt(w, 'P0', 'A').refcount).toBe(2);
  });
});

describe('release', () => {
  it('put drops one reference; unpin drops the bias', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), gup('P0', 'A', FOLL_GET, 'g'), gup('P0', 'A', FOLL_PIN, 'p')]);
    const f = folioAt(w, 'P0', 'A');
    expect(f.refcount).toBe(1 + 1 + 1024);
    ok(w, { kind: 'release', ref: 'g', how: 'put' });
    expect(f.refcount).toBe(1 + 1024);
    ok(w, { kind: 'release', ref: 'p', how: 'unpin' });
    expect(f.refcount).toBe(1);
    expect(liveMm(w, 'P0').hasPinned).toBe(true); // never cleared
    expect(w.shadow.refs.size).toBe(0);
    expect(checkInvariants(w)).toBeNull();
  });

  it('the wrong release kind, a second release and an unknown name are name errors', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), gup('P0', 'A', FOLL_GET, 'g'), gup('P0', 'A', FOLL_PIN, 'p')]);
    expect(() => applyOp(w, { kind: 'release', ref: 'g', how: 'unpin' })).toThrow(OpNameError);
    expect(() => applyOp(w, { kind: 'release', ref: 'p', how: 'put' })).toThrow(OpNameError);
    expect(folioAt(w, 'P0', 'A').refcount).toBe(1 + 1 + 1024);
    ok(w, { kind: 'release', ref: 'g', how: 'put' });
    expect(() => applyOp(w, { kind: 'release', ref: 'g', how: 'put' })).toThrow(OpNameError);
    expect(() => applyOp(w, { kind: 'release', ref: 'nope', how: 'put' })).toThrow(OpNameError);
  });

  it('releasing the last reference of an unmapped page frees it', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), gup('P0', 'A', FOLL_PIN | FOLL_WRITE, 'p'), { kind: 'munmap', mm: 'P0', vma: 'A' }]);
    const pfn = ref(w, 'p').pfn;
    expect(w.k.folios.get(pfn)!.refcount).toBe(1024);
    ok(w, { kind: 'release', ref: 'p', how: 'unpin' });
    expect(w.k.folios.has(pfn)).toBe(false);
    expect(checkInvariants(w)).toBeNull();
  });

  it('releasing a zero-page reference leaves the zero page alone', () => {
    const w = world([mmap('P0', 'A'), gup('P0', 'A', FOLL_GET, 'g')]);
    ok(w, { kind: 'release', ref: 'g', how: 'put' });
    expect(w.k.folios.get(w.k.zeroPfn)!.refcount).toBe(1);
  });
});

describe('ref_read and ref_write', () => {
  it('ref_read returns the page content the reference holds', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), gup('P0', 'A', FOLL_GET, 'r1')]);
    const v = ok(w, rd('P0', 'A')).value;
    expect(ok(w, { kind: 'ref_read', ref: 'r1' }).value).toBe(v);
    // the pipe keeps the old page after the process moves on
    ok(w, { kind: 'munmap', mm: 'P0', vma: 'A' });
    expect(ok(w, { kind: 'ref_read', ref: 'r1' }).value).toBe(v);
  });

  it('ref_write stores a fresh value the process then reads (coherent pin)', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), gup('P0', 'A', FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM, 'r1')]);
    const before = ok(w, rd('P0', 'A')).value!;
    const v = ok(w, { kind: 'ref_write', ref: 'r1' }).value!;
    expect(v).toBeGreaterThan(before);
    expect(w.k.folios.get(ref(w, 'r1').pfn)!.pages[0]!.data).toBe(v);
    expect(ok(w, rd('P0', 'A')).value).toBe(v);
    expect(w.shadow.mem[liveMm(w, 'P0').id]!.get('A')![0]).toBe(v);
    expect(checkInvariants(w)).toBeNull();
  });

  it('ref_write through a read-only reference or an unknown one is a name error', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), gup('P0', 'A', FOLL_PIN, 'r1')]);
    expect(() => applyOp(w, { kind: 'ref_write', ref: 'r1' })).toThrow(OpNameError);
    expect(() => applyOp(w, { kind: 'ref_read', ref: 'r9' })).toThrow(OpNameError);
    ok(w, { kind: 'release', ref: 'r1', how: 'unpin' });
    expect(() => applyOp(w, { kind: 'ref_read', ref: 'r1' })).toThrow(OpNameError);
  });
});

// ---- reclaim ----

describe('reclaim', () => {
  it('an unreferenced page: swap PTE at offset >= 1, slot holds the data, folio freed', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A')]);
    const v = ok(w, rd('P0', 'A')).value;
    const pfn = present(w, 'P0', 'A').pfn;
    expect(dev(w).map[0]).toBe(SWAP_MAP_BAD);
    expect(ok(w, reclaim('P0', 'A')).note).toBe('freed');
    const s = swapPte(w, 'P0', 'A');
    expect(s.type).toBe(0);
    expect(s.offset).toBeGreaterThanOrEqual(1);
    expect(s.offset).toBe(1); // the lowest free slot
    expect(dev(w).map[s.offset]).toBe(1);
    expect(dev(w).hasCache[s.offset]).toBe(false);
    expect(dev(w).data[s.offset]).toBe(v);
    expect(w.k.swapCache.size).toBe(0);
    expect(w.k.folios.has(pfn)).toBe(false);
    expect(checkInvariants(w)).toBeNull();
  });

  it('successive reclaims take successive slots', () => {
    const w = world([mmap('P0', 'A', 3), wr('P0', 'A'), wr('P0', 'A', 1), wr('P0', 'A', 2)]);
    for (const i of [0, 1, 2]) ok(w, reclaim('P0', 'A', i));
    expect([0, 1, 2].map((i) => swapPte(w, 'P0', 'A', i).offset)).toEqual([1, 2, 3]);
  });

  it('a referenced page is unmapped but stays in the swap cache', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), gup('P0', 'A', FOLL_GET, 'r1')]);
    const f = folioAt(w, 'P0', 'A');
    expect(ok(w, reclaim('P0', 'A')).note).toBe('kept-referenced');
    const s = swapPte(w, 'P0', 'A');
    expect(f.swap).toEqual({ type: 0, offset: s.offset });
    expect(w.k.swapCache.get(swpKey(0, s.offset))).toBe(f.pfn);
    expect(dev(w).hasCache[s.offset]).toBe(true);
    expect(dev(w).map[s.offset]).toBe(1);
    expect(f.pages[0]!.mapcount).toBe(0);
    expect(f.refcount).toBe(2); // swap cache + FOLL_GET
    expect(checkInvariants(w)).toBeNull();
    // releasing the reference and reclaiming again through the swap PTE frees it
    ok(w, { kind: 'release', ref: 'r1', how: 'put' });
    expect(ok(w, reclaim('P0', 'A')).note).toBe('freed');
    expect(w.k.folios.has(f.pfn)).toBe(false);
    expect(dev(w).hasCache[s.offset]).toBe(false);
    expect(dev(w).map[s.offset]).toBe(1);
    expect(checkInvariants(w)).toBeNull();
  });

  it('a shared page: every PTE mapping it becomes a swap PTE for the same slot', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), fork('P0', 'P1')]);
    const pfn = present(w, 'P0', 'A').pfn;
    expect(ok(w, reclaim('P1', 'A')).note).toBe('freed');
    const a = swapPte(w, 'P0', 'A');
    const b = swapPte(w, 'P1', 'A');
    expect(a.offset).toBe(b.offset);
    expect(dev(w).map[a.offset]).toBe(2);
    expect(w.k.folios.has(pfn)).toBe(false);
    expect(checkInvariants(w)).toBeNull();
  });

  it('nothing to do for none PTEs, the zero page and uncached swap PTEs', () => {
    const w = world([mmap('P0', 'A', 3), rd('P0', 'A', 1), wr('P0', 'A', 2), reclaim('P0', 'A', 2)]);
    expect(ok(w, reclaim('P0', 'A', 0)).note).toBe('nothing');
    expect(ok(w, reclaim('P0', 'A', 1)).note).toBe('nothing');
    expect(ok(w, reclaim('P0', 'A', 2)).note).toBe('nothing');
    expect(dev(w).map.slice(1).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('kept-no-swap when the device is full (header + 1 slot)', () => {
    const w = world([mmap('P0', 'A', 2), wr('P0', 'A'), wr('P0', 'A', 1)], anonExclusive, 2);
    expect(ok(w, reclaim('P0', 'A')).note).toBe('freed');
    expect(ok(w, reclaim('P0', 'A', 1)).note).toBe('kept-no-swap');
    expect(present(w, 'P0', 'A', 1).write).toBe(true);
    expect(checkInvariants(w)).toBeNull();
  });

  it('kept-pinned: a maybe-pinned page stays mapped out of the swap cache (5.11+)', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), gup('P0', 'A', FOLL_PIN | FOLL_WRITE, 'r1')]);
    expect(ok(w, reclaim('P0', 'A')).note).toBe('kept-pinned');
    expect(folioAt(w, 'P0', 'A').swap).toBeNull();
    expect(w.k.swapCache.size).toBe(0);
  });

  it('kept-mapped: try_to_unmap refuses a pinned exclusive page', () => {
    const pol = variant(anonExclusive, { name: 't', summary: 't' }, { reclaimSkipsAddToSwap: never });
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), gup('P0', 'A', FOLL_PIN | FOLL_WRITE, 'r1')], pol);
    expect(ok(w, reclaim('P0', 'A')).note).toBe('kept-mapped');
    expect(pte(w, 'P0', 'A').kind).toBe('present');
    expect(folioAt(w, 'P0', 'A').swap).not.toBeNull(); // add_to_swap() happened
    expect(checkInvariants(w)).toBeNull();
  });

  it('a read swaps the page back in: same data, slot released, folio in the swap cache', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A')]);
    const v = ok(w, rd('P0', 'A')).value;
    ok(w, reclaim('P0', 'A'));
    const off = swapPte(w, 'P0', 'A').offset;
    expect(ok(w, rd('P0', 'A')).value).toBe(v);
    const p = present(w, 'P0', 'A');
    expect(p.write).toBe(false); // a read fault maps it read-only
    const f = folioAt(w, 'P0', 'A');
    expect(f.pages[0]!.data).toBe(v);
    expect(f.pages[0]!.mapcount).toBe(1);
    expect(f.swap).toEqual({ type: 0, offset: off });
    expect(f.refcount).toBe(2); // mapping + swap cache
    expect(dev(w).map[off]).toBe(0);
    expect(dev(w).hasCache[off]).toBe(true);
    expect(checkInvariants(w)).toBeNull();
  });

  it('a write swaps in writable', () => {
    const w = world([mmap('P0', 'A'), wr('P0', 'A'), reclaim('P0', 'A')]);
    const off = swapPte(w, 'P0', 'A').offset;
    const v = ok(w, wr('P0', 'A')).value;
    const p = present(w, 'P0', 'A');
    expect(p.write).toBe(true);
    expect(folioAt(w, 'P0', 'A').pages[0]!.data).toBe(v);
    expect(folioAt(w, 'P0', 'A').swap).toBeNull(); // freed from the swap cache on a write fault
    expect(dev(w).map[off]).toBe(0);
    expect(dev(w).hasCache[off]).toBe(false);
    expect(checkInvariants(w)).toBeNull();
  });
});

// ---- names ----

describe('names', () => {
  it('unknown processes, VMAs and references throw OpNameError for every op kind that names one', () => {
    const w = world([mmap('P0', 'A')]);
    const bad: Op[] = [
      { kind: 'munmap', mm: 'P9', vma: 'A' },
      { kind: 'munmap', mm: 'P0', vma: 'Z' },
      { kind: 'mprotect', mm: 'P9', vma: 'A', write: false },
      { kind: 'mprotect', mm: 'P0', vma: 'Z', write: false },
      { kind: 'dontneed', mm: 'P0', vma: 'Z', page: 0 },
      { kind: 'dontneed', mm: 'P0', vma: 'A', page: 1 },
      { kind: 'fork', mm: 'P9', child: 'P1' },
      { kind: 'exit', mm: 'P9' },
      { kind: 'read', mm: 'P9', vma: 'A', page: 0 },
      { kind: 'write', mm: 'P0', vma: 'Z', page: 0 },
      { kind: 'gup', mm: 'P0', vma: 'Z', page: 0, flags: FOLL_GET, ref: 'r1' },
      { kind: 'release', ref: 'r1', how: 'put' },
      { kind: 'ref_read', ref: 'r1' },
      { kind: 'ref_write', ref: 'r1' },
      { kind: 'reclaim', mm: 'P0', vma: 'Z', page: 0 },
      { kind: 'clear_refs', mm: 'P9' },
    ];
    const kinds = new Set(bad.map((o) => o.kind));
    expect(OP_KINDS.filter((k) => k !== 'mmap' && !kinds.has(k))).toEqual([]);
    for (const op of bad) expect(() => applyOp(w, op), JSON.stringify(op)).toThrow(OpNameError);
  });

  it('runOps reports a name error with the index of the op', () => {
    try {
      runOps([mmap('P0', 'A'), wr('P0', 'A'), rd('P1', 'A')], anonExclusive);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(OpAtError);
      expect((e as OpAtError).index).toBe(2);
    }
  });
});

// ---- runOps ----

describe('runOps', () => {
  it('passes a valid sequence and records every outcome', () => {
    const ops = [mmap('P0', 'A'), wr('P0', 'A'), fork('P0', 'P1'), wr('P0', 'A'), rd('P1', 'A')];
    const r = runOps(ops, anonExclusive);
    expect(r.verdict).toBe('pass');
    expect(r.step).toBe(ops.length);
    expect(r.trace).toHaveLength(ops.length);
    expect(r.trace[4]!.outcome).toEqual({ ok: true, value: (r.trace[1]!.outcome as { value: number }).value });
    expect(r.policy).toBe('anon-exclusive');
  });

  it('stops at the first kernel error with verdict error', () => {
    const r = runOps([mmap('P0', 'A', 1, false), wr('P0', 'A'), rd('P0', 'A')], anonExclusive);
    expect(r.verdict).toBe('error');
    expect(r.step).toBe(1);
    expect(r.trace).toHaveLength(2);
    expect(r.error).toMatch(/SIGSEGV/);
  });

  it('honours the swap device size', () => {
    const ops = [mmap('P0', 'A', 2), wr('P0', 'A'), wr('P0', 'A', 1), reclaim('P0', 'A'), reclaim('P0', 'A', 1)];
    expect(runOps(ops, anonExclusive, 2).trace[4]!.outcome).toMatchObject({ note: 'kept-no-swap' });
    expect(runOps(ops, anonExclusive, 3).trace[4]!.outcome).toMatchObject({ note: 'freed' });
  });
});
