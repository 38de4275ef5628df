// The policy decisions that distinguish the kernel eras, observed through short op sequences.
// Each table gives the expected observation for every era in eraPolicies, so a decision moved to
// the wrong era (or an era added without thought) breaks a test.
import { describe, expect, it } from 'vitest';
import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, GUP_PIN_COUNTING_BIAS } from '../../src/model/constants.js';
import type { Pte, PtePresent, PteSwap } from '../../src/model/pte.js';
import { liveMm, liveRef, vmaOf } from '../../src/ops/apply.js';
import type { Op } from '../../src/ops/types.js';
import type { World } from '../../src/ops/world.js';
import { always, never, wpReuseByMapcount } from '../../src/policy/decisions.js';
import { anonExclusive, anonExclusive519 } from '../../src/policy/eras/anon-exclusive.js';
import { gupCowOnRead } from '../../src/policy/eras/gup-cow-on-read.js';
import { mapcount } from '../../src/policy/eras/mapcount.js';
import { pagecount518 } from '../../src/policy/eras/pagecount-5.18.js';
import { pagecount, pagecount59 } from '../../src/policy/eras/pagecount.js';
import { eraPolicies } from '../../src/policy/registry.js';
import { variant, type CowPolicy } from '../../src/policy/types.js';
import { runOps, type RunResult } from '../../src/scenario/run.js';
import { clearRefs, exit, fork, gup, mmap, mprotect, munmap, rd, reclaim, refRead, wr } from '../ops/builders.js';


const PIN_RW_LONG = FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM;

function pte(w: World, mm: string, vma = 'A', i = 0): Pte {
  return vmaOf(liveMm(w, mm), vma).ptes[i]!;
}
function present(w: World, mm: string, vma = 'A', i = 0): PtePresent {
  const p = pte(w, mm, vma, i);
  if (p.kind !== 'present') throw new Error(`${mm} ${vma}+${i} is ${p.kind}`);
  return p;
}
function swapPte(w: World, mm: string, vma = 'A', i = 0): PteSwap {
  const p = pte(w, mm, vma, i);
  if (p.kind !== 'swap') throw new Error(`${mm} ${vma}+${i} is ${p.kind}`);
  return p;
}

/** run and require that the sequence itself completed (the observation is on the state) */
function run(ops: Op[], pol: CowPolicy): RunResult {
  const r = runOps(ops, pol);
  expect(r.step, `${pol.name}: stopped early with ${r.verdict}: ${r.violation?.message ?? r.error}`).toBe(ops.length);
  return r;
}

type PerEra<T> = Record<string, T>;

/** asserts the table names every era exactly, then checks each */
function perEra<T>(table: PerEra<T>, observe: (pol: CowPolicy) => T): void {
  it('the table names every era', () => {
    expect(Object.keys(table).sort()).toEqual(eraPolicies.map((p) => p.name).sort());
  });
  for (const pol of eraPolicies) {
    it(`${pol.name} -> ${JSON.stringify(table[pol.name])}`, () => {
      expect(observe(pol)).toEqual(table[pol.name]);
    });
  }
}

describe('eras', () => {
  it('are the seven kernel eras, oldest first', () => {
    expect(eraPolicies.map((p) => p.name)).toEqual([
      'mapcount',
      'gup-cow-on-read',
      'pagecount-5.9',
      'pagecount',
      'pagecount-5.18',
      'anon-exclusive-5.19',
      'anon-exclusive',
    ]);
    expect(eraPolicies.map((p) => p.hasAnonExclusive)).toEqual([false, false, false, false, false, true, true]);
    for (const p of eraPolicies) {
      expect(p.seededBug).toBeUndefined();
      expect(p.reserveSwapHeader).toBe(true);
      expect(p.swapLowestBit).toBe(1);
      expect(p.unpinRefs).toBe(GUP_PIN_COUNTING_BIAS);
      expect(p.forkClearsAnonExclusive).toBe(true);
      expect(p.forkClearsSwpExclusive).toBe(true);
    }
  });

  it('derive from each other', () => {
    expect(mapcount.base).toBeUndefined();
    expect(gupCowOnRead.base).toBe('mapcount');
    expect(pagecount59.base).toBe('mapcount');
    expect(pagecount.base).toBe('pagecount-5.9');
    expect(pagecount518.base).toBe('pagecount');
    expect(anonExclusive519.base).toBe('pagecount-5.18');
    expect(anonExclusive.base).toBe('anon-exclusive-5.19');
  });
});

// ---- wpCanReuseAnon ----

describe('wpCanReuseAnon: a page with an extra FOLL_GET reference, its other mapping gone', () => {
  // mapcount 1, refcount 2 (mapping + pipe): mapcount-era reuse, pagecount-era copy
  const ops = [mmap('P0', 'A'), wr('P0'), fork('P0', 'P1'), gup('P0', FOLL_GET, 'r1'), exit('P1'), wr('P0')];
  perEra(
    {
      mapcount: 'reused',
      'gup-cow-on-read': 'copied-at-gup', // should_force_cow_break() copied at the GUP already
      'pagecount-5.9': 'copied',
      pagecount: 'copied',
      'pagecount-5.18': 'copied',
      'anon-exclusive-5.19': 'copied',
      'anon-exclusive': 'copied',
    },
    (pol) => {
      const shared = present(run(ops.slice(0, 3), pol).world, 'P0').pfn;
      const { world: w } = run(ops, pol);
      const r1 = liveRef(w, 'r1');
      const fr = w.k.folios.get(r1.pfn)!;
      if (r1.pfn !== shared) {
        expect(present(w, 'P0').pfn).toBe(r1.pfn);
        return 'copied-at-gup';
      }
      if (present(w, 'P0').pfn === r1.pfn) {
        expect(fr.refcount).toBe(2); // the mapping and the pipe
        return 'reused';
      }
      expect(fr.refcount).toBe(1); // only the pipe holds the old page
      return 'copied';
    },
  );
});

describe('wpCanReuseAnon: the CVE-2020-29374 sequence (vmsplice in child, unmap, parent writes)', () => {
  const ops = [mmap('P0', 'A'), wr('P0'), fork('P0', 'P1'), gup('P1', FOLL_GET, 'r1'), munmap('P1'), wr('P0'), refRead('r1')];
  perEra(
    {
      mapcount: 'no-over-sharing',
      'gup-cow-on-read': 'pass',
      'pagecount-5.9': 'pass',
      pagecount: 'pass',
      'pagecount-5.18': 'pass',
      'anon-exclusive-5.19': 'pass',
      'anon-exclusive': 'pass',
    },
    (pol) => runOps(ops, pol).verdict,
  );
});

describe('wpCanReuseAnon: a read-only swapped-in page still in the swap cache (refcount 2)', () => {
  // mapcount: reuse_swap_page() (mapcount 1 + swapcount 0); 5.9-5.17: page_count 2 -> copy;
  // 5.18+: free the swap cache first, then reuse; 5.19+: exclusive via the swap PTE bit
  const ops = [mmap('P0', 'A'), wr('P0'), reclaim('P0'), rd('P0'), wr('P0')];
  perEra(
    {
      mapcount: 'reused',
      'gup-cow-on-read': 'reused',
      'pagecount-5.9': 'copied',
      pagecount: 'copied',
      'pagecount-5.18': 'reused',
      'anon-exclusive-5.19': 'reused',
      'anon-exclusive': 'reused',
    },
    (pol) => {
      const r = run(ops.slice(0, 4), pol);
      const before = present(r.world, 'P0');
      expect(before.write).toBe(false);
      expect(r.world.k.folios.get(before.pfn)!.swap).not.toBeNull();
      const { world: w } = run(ops, pol);
      const after = present(w, 'P0');
      expect(after.write).toBe(true);
      if (after.pfn === before.pfn) return 'reused';
      // the copy is a new exclusive page; the old one is left to the swap cache alone
      const old = w.k.folios.get(before.pfn)!;
      expect(old.refcount).toBe(1);
      expect(old.pages[0]!.mapcount).toBe(0);
      expect(w.k.folios.get(after.pfn)!.swap).toBeNull();
      return 'copied';
    },
  );
});

// ---- swapinExclusive ----

describe('swapinExclusive: read swap-in of an exclusive swap PTE maps the page exclusive (5.19+)', () => {
  const ops = [mmap('P0', 'A'), wr('P0'), reclaim('P0'), rd('P0')];
  perEra(
    {
      mapcount: false,
      'gup-cow-on-read': false,
      'pagecount-5.9': false,
      pagecount: false,
      'pagecount-5.18': false,
      'anon-exclusive-5.19': true,
      'anon-exclusive': true,
    },
    (pol) => {
      const { world: w } = run(ops, pol);
      const p = present(w, 'P0');
      expect(p.write).toBe(false);
      return w.k.folios.get(p.pfn)!.pages[0]!.anonExclusive;
    },
  );
});

describe('swapinExclusive: vmsplice in child of a swapped page, unmap, parent write-faults the swap PTE', () => {
  // swap-in by reuse_swap_page() (mapcount + swapcount) until 5.17 ignores the pipe's reference
  const ops = [mmap('P0', 'A'), wr('P0'), reclaim('P0'), fork('P0', 'P1'), gup('P1', FOLL_GET, 'r1'), munmap('P1'), wr('P0'), refRead('r1')];
  perEra(
    {
      mapcount: 'no-over-sharing',
      'gup-cow-on-read': 'pass', // the GUP itself broke COW
      'pagecount-5.9': 'no-over-sharing',
      pagecount: 'no-over-sharing',
      'pagecount-5.18': 'pass',
      'anon-exclusive-5.19': 'pass',
      'anon-exclusive': 'pass',
    },
    (pol) => runOps(ops, pol).verdict,
  );
});

describe('swapinExclusive: write swap-in with swap count 1 maps the swap page writable in place', () => {
  perEra(
    {
      mapcount: true,
      'gup-cow-on-read': true,
      'pagecount-5.9': true,
      pagecount: true,
      'pagecount-5.18': true,
      'anon-exclusive-5.19': true,
      'anon-exclusive': true,
    },
    (pol) => {
      const { world: w } = run([mmap('P0', 'A'), wr('P0'), reclaim('P0'), wr('P0')], pol);
      const p = present(w, 'P0');
      // the folio swapped in is the one mapped (no copy: nextPfn advanced by one allocation only)
      return p.write && w.k.folios.get(p.pfn)!.swap === null && w.k.nextPfn === p.pfn + 1;
    },
  );
});

// ---- forkCopiesAnon ----

describe('forkCopiesAnon: fork with a FOLL_PIN on an exclusive page', () => {
  const ops = [mmap('P0', 'A'), wr('P0'), gup('P0', PIN_RW_LONG, 'r1'), fork('P0', 'P1')];
  perEra(
    {
      mapcount: 'shared',
      'gup-cow-on-read': 'shared',
      'pagecount-5.9': 'child-copy',
      pagecount: 'child-copy',
      'pagecount-5.18': 'child-copy',
      'anon-exclusive-5.19': 'child-copy',
      'anon-exclusive': 'child-copy',
    },
    (pol) => {
      const { world: w } = run(ops, pol);
      const p0 = present(w, 'P0');
      const p1 = present(w, 'P1');
      const r1 = liveRef(w, 'r1');
      expect(p0.pfn).toBe(r1.pfn);
      const f = w.k.folios.get(r1.pfn)!;
      if (p1.pfn === p0.pfn) {
        expect(p0.write).toBe(false);
        expect(f.pages[0]!.mapcount).toBe(2);
        return 'shared';
      }
      expect(p0.write).toBe(true); // the parent's PTE is left alone
      expect(f.pages[0]!.mapcount).toBe(1);
      expect(w.k.folios.get(p1.pfn)!.pages[0]!.data).toBe(f.pages[0]!.data);
      expect(w.k.folios.get(p1.pfn)!.pages[0]!.anonExclusive).toBe(true);
      return 'child-copy';
    },
  );
});

describe('forkCopiesAnon: a FOLL_GET reference is not a pin: fork shares the page in every era', () => {
  perEra(
    Object.fromEntries(eraPolicies.map((p) => [p.name, 'shared'])),
    (pol) => {
      const { world: w } = run([mmap('P0', 'A'), wr('P0'), gup('P0', FOLL_GET | FOLL_WRITE, 'r1'), fork('P0', 'P1')], pol);
      return present(w, 'P1').pfn === present(w, 'P0').pfn ? 'shared' : 'copied';
    },
  );
});

describe('forkCopiesAnon: fork with a pinned page, then the parent writes and the pin reads', () => {
  const ops = [mmap('P0', 'A'), wr('P0'), gup('P0', PIN_RW_LONG, 'r1'), fork('P0', 'P1'), wr('P0'), refRead('r1')];
  perEra(
    {
      mapcount: 'pin-coherence',
      'gup-cow-on-read': 'pin-coherence',
      'pagecount-5.9': 'pass',
      pagecount: 'pass',
      'pagecount-5.18': 'pass',
      'anon-exclusive-5.19': 'pass',
      'anon-exclusive': 'pass',
    },
    (pol) => runOps(ops, pol).verdict,
  );
});

// ---- forkClearsAnonExclusive / swap PTE exclusive bit ----

describe('fork clears PG_anon_exclusive of a shared page (bookkeeping in every era)', () => {
  perEra(
    Object.fromEntries(eraPolicies.map((p) => [p.name, [true, false]])),
    (pol) => {
      const a = run([mmap('P0', 'A'), wr('P0')], pol).world;
      const b = run([mmap('P0', 'A'), wr('P0'), fork('P0', 'P1')], pol).world;
      return [a.k.folios.get(present(a, 'P0').pfn)!.pages[0]!.anonExclusive, b.k.folios.get(present(b, 'P0').pfn)!.pages[0]!.anonExclusive];
    },
  );
});

describe('swpExclusiveOnUnmap / forkClearsSwpExclusive: the swap PTE exclusive bit', () => {
  // [set on reclaim, parent's after fork, child's after fork]
  perEra(
    {
      mapcount: [false, false, false],
      'gup-cow-on-read': [false, false, false],
      'pagecount-5.9': [false, false, false],
      pagecount: [false, false, false],
      'pagecount-5.18': [false, false, false],
      'anon-exclusive-5.19': [true, false, false],
      'anon-exclusive': [true, false, false],
    },
    (pol) => {
      const a = run([mmap('P0', 'A'), wr('P0'), reclaim('P0')], pol).world;
      const b = run([mmap('P0', 'A'), wr('P0'), reclaim('P0'), fork('P0', 'P1')], pol).world;
      return [swapPte(a, 'P0').exclusive, swapPte(b, 'P0').exclusive, swapPte(b, 'P1').exclusive];
    },
  );

  it('a shared page swapped out gets no exclusive bit even in 6.2+', () => {
    const { world: w } = run([mmap('P0', 'A'), wr('P0'), fork('P0', 'P1'), reclaim('P0')], anonExclusive);
    expect(swapPte(w, 'P0').exclusive).toBe(false);
    expect(swapPte(w, 'P1').exclusive).toBe(false);
  });
});

// ---- gupForceCowBreak ----

describe('gupForceCowBreak: a R/O FOLL_GET on a COW-shared page', () => {
  const ops = [mmap('P0', 'A'), wr('P0'), fork('P0', 'P1'), gup('P0', FOLL_GET, 'r1')];
  perEra(
    {
      mapcount: 'shared',
      'gup-cow-on-read': 'private-copy',
      'pagecount-5.9': 'shared',
      pagecount: 'shared',
      'pagecount-5.18': 'shared',
      'anon-exclusive-5.19': 'shared', // R/O FOLL_GET is not a pin: no unshare
      'anon-exclusive': 'shared',
    },
    (pol) => {
      const { world: w } = run(ops, pol);
      const r1 = liveRef(w, 'r1');
      const p1 = present(w, 'P1').pfn;
      if (r1.pfn === p1) {
        expect(present(w, 'P0').pfn).toBe(p1);
        expect(r1.gupFlags & FOLL_WRITE).toBe(0);
        return 'shared';
      }
      expect(present(w, 'P0').pfn).toBe(r1.pfn);
      expect(present(w, 'P0').write).toBe(true); // a forced write fault
      expect(r1.gupFlags & FOLL_WRITE).toBe(0); // the reference keeps the caller's flags
      return 'private-copy';
    },
  );

  it('the forced FOLL_WRITE does not make the reference writable', () => {
    const w = run(ops, gupCowOnRead).world;
    expect(w.shadow.refs.get(liveRef(w, 'r1').id)).toMatchObject({ write: false, coherent: false });
    expect(() => runOps([...ops, { kind: 'ref_write', ref: 'r1' }], gupCowOnRead)).toThrow(/read-only reference/);
  });
});

describe('gupForceCowBreak: vmsplice before fork, parent unmaps, child writes', () => {
  const ops = [mmap('P0', 'A'), wr('P0'), gup('P0', FOLL_GET, 'r1'), fork('P0', 'P1'), munmap('P0'), wr('P1'), refRead('r1')];
  perEra(
    {
      mapcount: 'no-over-sharing',
      'gup-cow-on-read': 'no-over-sharing', // the page was exclusive at GUP time: nothing to break
      'pagecount-5.9': 'pass',
      pagecount: 'pass',
      'pagecount-5.18': 'pass',
      'anon-exclusive-5.19': 'pass',
      'anon-exclusive': 'pass',
    },
    (pol) => runOps(ops, pol).verdict,
  );
});

// ---- gupMustUnshare ----

describe('gupMustUnshare: a R/O FOLL_PIN on a COW-shared page', () => {
  const ops = [mmap('P0', 'A'), wr('P0'), fork('P0', 'P1'), gup('P0', FOLL_PIN | FOLL_LONGTERM, 'r1')];
  perEra(
    {
      mapcount: 'shared',
      'gup-cow-on-read': 'broken-by-write',
      'pagecount-5.9': 'shared',
      pagecount: 'shared',
      'pagecount-5.18': 'shared',
      'anon-exclusive-5.19': 'unshared',
      'anon-exclusive': 'unshared',
    },
    (pol) => {
      const { world: w } = run(ops, pol);
      const r1 = liveRef(w, 'r1');
      const p0 = present(w, 'P0');
      const p1 = present(w, 'P1');
      if (r1.pfn === p1.pfn) return 'shared';
      expect(p0.pfn).toBe(r1.pfn);
      const page = w.k.folios.get(r1.pfn)!.pages[0]!;
      expect(page.mapcount).toBe(1);
      // unshare keeps the PTE read-only; a forced write fault maps it writable
      return p0.write ? 'broken-by-write' : page.anonExclusive ? 'unshared' : 'copied-not-exclusive';
    },
  );
});

describe('gupMustUnshare: a R/O FOLL_PIN on the zero page', () => {
  // [long-term pin lands on, short-term pin lands on]
  perEra(
    {
      mapcount: ['zero', 'zero'],
      'gup-cow-on-read': ['anon', 'anon'],
      'pagecount-5.9': ['zero', 'zero'],
      pagecount: ['zero', 'zero'],
      'pagecount-5.18': ['zero', 'zero'],
      'anon-exclusive-5.19': ['zero', 'zero'],
      'anon-exclusive': ['anon', 'zero'],
    },
    (pol) =>
      [FOLL_PIN | FOLL_LONGTERM, FOLL_PIN].map((flags) => {
        const { world: w } = run([mmap('P0', 'A'), rd('P0'), gup('P0', flags, 'r1')], pol);
        const r1 = liveRef(w, 'r1');
        expect(present(w, 'P0').pfn).toBe(r1.pfn);
        return r1.pfn === w.k.zeroPfn ? 'zero' : 'anon';
      }),
  );

  it('the unshared copy of the zero page is exclusive, read-only, zero-filled and counts the pin', () => {
    const { world: w } = run([mmap('P0', 'A'), rd('P0'), gup('P0', FOLL_PIN | FOLL_LONGTERM, 'r1')], anonExclusive);
    const p = present(w, 'P0');
    const f = w.k.folios.get(p.pfn)!;
    expect(p.write).toBe(false);
    expect(f.pages[0]!).toMatchObject({ data: 0, mapcount: 1, anonExclusive: true });
    expect(f.refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
  });
});

describe('gupMustUnshare: the zero-page long-term pin, then a write', () => {
  const ops = [mmap('P0', 'A'), rd('P0'), gup('P0', FOLL_PIN | FOLL_LONGTERM, 'r1'), wr('P0'), refRead('r1')];
  perEra(
    {
      mapcount: 'pin-coherence',
      'gup-cow-on-read': 'pass',
      'pagecount-5.9': 'pin-coherence',
      pagecount: 'pin-coherence',
      'pagecount-5.18': 'pin-coherence',
      'anon-exclusive-5.19': 'pin-coherence',
      'anon-exclusive': 'pass',
    },
    (pol) => runOps(ops, pol).verdict,
  );
});

// ---- reclaimSkipsAddToSwap / tryToUnmapAnon ----

describe('reclaimSkipsAddToSwap: reclaim of a pinned page', () => {
  const ops = [mmap('P0', 'A'), wr('P0'), gup('P0', PIN_RW_LONG, 'r1'), reclaim('P0')];
  perEra(
    {
      mapcount: 'kept-referenced',
      'gup-cow-on-read': 'kept-referenced',
      'pagecount-5.9': 'kept-referenced',
      pagecount: 'kept-pinned',
      'pagecount-5.18': 'kept-pinned',
      'anon-exclusive-5.19': 'kept-pinned',
      'anon-exclusive': 'kept-pinned',
    },
    (pol) => {
      const r = run(ops, pol);
      const note = (r.trace[3]!.outcome as { note: string }).note;
      const kind = pte(r.world, 'P0').kind;
      expect(kind).toBe(note === 'kept-pinned' ? 'present' : 'swap');
      return note;
    },
  );
});

describe('tryToUnmapAnon: reclaim of a pinned exclusive page already in the swap cache', () => {
  // the swap-in keeps the folio in the swap cache, so reclaim goes straight to try_to_unmap()
  const ops = [mmap('P0', 'A'), wr('P0'), reclaim('P0'), rd('P0'), gup('P0', FOLL_PIN, 'r1'), reclaim('P0')];
  perEra(
    {
      mapcount: 'kept-referenced',
      'gup-cow-on-read': 'kept-referenced',
      'pagecount-5.9': 'kept-referenced',
      pagecount: 'kept-referenced',
      'pagecount-5.18': 'kept-referenced',
      'anon-exclusive-5.19': 'kept-mapped',
      'anon-exclusive': 'kept-mapped',
    },
    (pol) => {
      const r = run(ops, pol);
      const w = r.world;
      const note = (r.trace[5]!.outcome as { note: string }).note;
      if (note === 'kept-mapped') expect(present(w, 'P0').pfn).toBe(liveRef(w, 'r1').pfn);
      else expect(swapPte(w, 'P0').kind).toBe('swap');
      return note;
    },
  );
});

// ---- clearRefsSkips ----

describe('clearRefsSkips: clear_refs on a pinned writable PTE', () => {
  perEra(
    {
      mapcount: [false, false],
      'gup-cow-on-read': [false, false],
      'pagecount-5.9': [false, false],
      pagecount: [true, false],
      'pagecount-5.18': [true, false],
      'anon-exclusive-5.19': [true, false],
      'anon-exclusive': [true, false],
    },
    // [PTE still writable with a FOLL_PIN, with a FOLL_GET]
    (pol) =>
      [PIN_RW_LONG, FOLL_GET | FOLL_WRITE].map((flags) => {
        const { world: w } = run([mmap('P0', 'A'), wr('P0'), gup('P0', flags, 'r1'), clearRefs('P0')], pol);
        return present(w, 'P0').write;
      }),
  );
});

describe('clearRefsSkips: clear_refs + mprotect cycle on a pinned page, then a write', () => {
  const ops = [mmap('P0', 'A'), wr('P0'), gup('P0', PIN_RW_LONG, 'r1'), mprotect('P0', false), clearRefs('P0'), mprotect('P0', true), wr('P0'), refRead('r1')];
  perEra(
    {
      mapcount: 'pass', // reuse by mapcount ignores the pin
      'gup-cow-on-read': 'pass',
      'pagecount-5.9': 'pin-coherence',
      pagecount: 'pin-coherence',
      'pagecount-5.18': 'pin-coherence',
      'anon-exclusive-5.19': 'pass',
      'anon-exclusive': 'pass',
    },
    (pol) => runOps(ops, pol).verdict,
  );
});

// ---- mprotectMakesWritable ----

describe('mprotectMakesWritable: mprotect ro then rw of an exclusive anon page', () => {
  // [writable right after mprotect rw, same after clear_refs (soft-dirty tracking on), shared page]
  perEra(
    {
      mapcount: [false, false, false],
      'gup-cow-on-read': [false, false, false],
      'pagecount-5.9': [false, false, false],
      pagecount: [false, false, false],
      'pagecount-5.18': [false, false, false],
      'anon-exclusive-5.19': [false, false, false],
      'anon-exclusive': [true, false, false],
    },
    (pol) => {
      const a = run([mmap('P0', 'A'), wr('P0'), mprotect('P0', false), mprotect('P0', true)], pol).world;
      const b = run([mmap('P0', 'A'), wr('P0'), mprotect('P0', false), clearRefs('P0'), mprotect('P0', true)], pol).world;
      const c = run([mmap('P0', 'A'), wr('P0'), fork('P0', 'P1'), mprotect('P0', false), mprotect('P0', true)], pol).world;
      return [present(a, 'P0').write, present(b, 'P0').write, present(c, 'P0').write];
    },
  );

  it('never for the zero page', () => {
    const { world: w } = run([mmap('P0', 'A'), rd('P0'), mprotect('P0', false), mprotect('P0', true)], anonExclusive);
    expect(present(w, 'P0')).toMatchObject({ pfn: w.k.zeroPfn, write: false });
  });
});

// ---- swap header ----

describe('reserveSwapHeader / swapLowestBit: offset 0 is never handed out', () => {
  perEra(
    Object.fromEntries(eraPolicies.map((p) => [p.name, [1, 2, 3, 'kept-no-swap']])),
    (pol) => {
      const ops: Op[] = [mmap('P0', 'A', 4)];
      for (let i = 0; i < 4; i++) ops.push(wr('P0', 'A', i));
      for (let i = 0; i < 4; i++) ops.push(reclaim('P0', 'A', i));
      const r = runOps(ops, pol, 4);
      expect(r.verdict).toBe('pass');
      const w = r.world;
      return [0, 1, 2].map((i) => swapPte(w, 'P0', 'A', i).offset as number | string).concat((r.trace[8]!.outcome as { note: string }).note);
    },
  );
});

// ---- variant() ----

describe('variant()', () => {
  it('overrides one decision and keeps every other one', () => {
    const v = variant(pagecount, { name: 'my-proposal', summary: 'mapcount reuse on a pagecount kernel' }, { wpCanReuseAnon: wpReuseByMapcount });
    expect(v.name).toBe('my-proposal');
    expect(v.summary).toBe('mapcount reuse on a pagecount kernel');
    expect(v.kernels).toBe(pagecount.kernels);
    expect(v.base).toBe('pagecount');
    expect('seededBug' in v).toBe(false);
    expect(v.wpCanReuseAnon).toBe(wpReuseByMapcount);
    for (const key of Object.keys(pagecount) as (keyof CowPolicy)[]) {
      if (['name', 'summary', 'base', 'wpCanReuseAnon'].includes(key)) continue;
      expect(v[key], key).toBe(pagecount[key]);
    }
    expect(pagecount.wpCanReuseAnon).not.toBe(wpReuseByMapcount); // the base is untouched
  });

  it('changes behaviour only where the decision is consulted', () => {
    const v = variant(pagecount, { name: 'v', summary: 's' }, { wpCanReuseAnon: wpReuseByMapcount });
    // the vmsplice child leak: pagecount passes, the variant with mapcount reuse leaks
    const leak = [mmap('P0', 'A'), wr('P0'), fork('P0', 'P1'), gup('P1', FOLL_GET, 'r1'), munmap('P1'), wr('P0'), refRead('r1')];
    expect(runOps(leak, pagecount).verdict).toBe('pass');
    expect(runOps(leak, v).verdict).toBe('no-over-sharing');
    // a decision the variant did not touch: reclaim of a pinned page is still kept-pinned
    const r = runOps([mmap('P0', 'A'), wr('P0'), gup('P0', PIN_RW_LONG, 'r1'), reclaim('P0')], v);
    expect(r.trace[3]!.outcome).toMatchObject({ note: 'kept-pinned' });
  });

  it('takes kernels and seededBug from the meta when given', () => {
    const v = variant(anonExclusive, { name: 'x', kernels: 'RFC', summary: 's', seededBug: 'oops' }, { clearRefsSkips: always, tryToUnmapAnon: never });
    expect(v).toMatchObject({ name: 'x', kernels: 'RFC', seededBug: 'oops', base: 'anon-exclusive', hasAnonExclusive: true });
    expect(v.clearRefsSkips).toBe(always);
    expect(v.tryToUnmapAnon).toBe(never);
    expect(v.gupMustUnshare).toBe(anonExclusive.gupMustUnshare);
  });

  it('a variant of a variant names its direct base', () => {
    const a = variant(mapcount, { name: 'a', summary: 's' }, {});
    const b = variant(a, { name: 'b', summary: 's' }, {});
    expect(b.base).toBe('a');
    expect(b.wpCanReuseAnon).toBe(mapcount.wpCanReuseAnon);
  });
});
