// The policy decisions that distinguish the kernel eras, observed through short scenarios. Each
// table gives the observation for every era in eraPolicies, so a decision moved to the wrong era
// (or an era added without thought) breaks a test. Verdict tables are checked in both check modes.
import { describe, expect, it } from 'vitest';
import { FOLL_WRITE, GUP_PIN_COUNTING_BIAS, PM_MMAP_EXCLUSIVE, ZERO_FOLIO } from '../../src/model/constants.js';
import { isZeroFolio } from '../../src/model/kernel.js';
import { pagemapEntry } from '../../src/model/task_mmu.js';
import type { CowPolicy } from '../../src/model/policy.js';
import { anonExclusive } from '../../src/policy/eras/anon-exclusive.js';
import { gupCowOnRead } from '../../src/policy/eras/gup-cow-on-read.js';
import { eraPolicies } from '../../src/policy/registry.js';
import type { Verdict } from '../../src/engine/run.js';
import { addrOf, CHECK_MODES, folioAt, mmOf, noteAt, present, pteAt, ref, run, runClean, swapPte, type Ran } from '../helpers.js';

const PIN_RW_LONG = 'FOLL_PIN|FOLL_WRITE|FOLL_LONGTERM';

/** A scenario body from its ops, one per argument. */
const ops = (...lines: string[]): string => lines.join('\n');

/** asserts the table names every era exactly, then checks each */
function perEra<T>(table: Record<string, T>, observe: (pol: CowPolicy) => T): void {
  it('the table names every era', () => {
    expect(Object.keys(table).sort()).toEqual(eraPolicies.map((p) => p.name).sort());
  });
  for (const pol of eraPolicies) {
    it(`${pol.name} -> ${JSON.stringify(table[pol.name])}`, () => {
      expect(observe(pol)).toEqual(table[pol.name]);
    });
  }
}

/** The verdict of a scenario, which must be the same in both check modes. */
function verdict(text: string, pol: CowPolicy): Verdict {
  const [a, b] = CHECK_MODES.map((m) => run(text, pol, m));
  expect(b!.verdict, `full check: ${b!.violation?.message ?? ''}`).toBe(a!.verdict);
  expect(b!.at).toBe(a!.at);
  return a!.verdict;
}

const folioOf = (r: Ran, id: number) => r.world.k.folios[id]!;

// ---- do_wp_page(): wpReuseAnon ----

describe('wpReuseAnon: a page with an extra FOLL_GET reference, its other mapping gone', () => {
  // mapcount 1, refcount 2 (mapping + pipe): mapcount-era reuse, pagecount-era copy
  const prefix = ops('mmap P0 A 1', 'write P0 A', 'fork P0 P1');
  const text = ops(prefix, 'gup P0 A FOLL_GET as r1', 'exit P1', 'write P0 A');
  perEra(
    {
      'mapcount-4.8': 'reused',
      mapcount: 'reused',
      'gup-cow-on-read': 'copied-at-gup', // should_force_cow_break() copied at the GUP already
      'pagecount-5.9': 'copied',
      pagecount: 'copied',
      'pagecount-5.18': 'copied',
      'anon-exclusive-5.19': 'copied',
      'anon-exclusive-6.0': 'copied',
      'anon-exclusive-6.2': 'copied',
      'anon-exclusive-6.5': 'copied',
      'anon-exclusive-6.7': 'copied',
      'anon-exclusive-6.8': 'copied',
      'anon-exclusive-6.10': 'copied',
      'anon-exclusive-6.12': 'copied',
      'anon-exclusive-6.13': 'copied',
      'anon-exclusive': 'copied',
    },
    (pol) => {
      const shared = present(runClean(prefix, pol), 'P0').folio;
      const r = runClean(text, pol);
      const r1 = ref(r, 'r1').folios[0]!;
      const p0 = present(r, 'P0');
      expect(p0.write).toBe(true);
      if (r1 !== shared) {
        expect(p0.folio).toBe(r1);
        return 'copied-at-gup';
      }
      if (p0.folio === r1) {
        expect(folioOf(r, r1).refcount).toBe(2); // the mapping and the pipe
        return 'reused';
      }
      expect(folioOf(r, r1).refcount).toBe(1); // only the pipe holds the old page
      expect(folioOf(r, r1).pages[0]!.mapcount).toBe(0);
      return 'copied';
    },
  );
});

describe('wpReuseAnon: the CVE-2020-29374 sequence (vmsplice in child, unmap, parent writes)', () => {
  const text = ops('mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'vmsplice P1 A as r1', 'munmap P1 A', 'write P0 A', 'read r1');
  perEra(
    {
      'mapcount-4.8': 'no-over-sharing',
      mapcount: 'no-over-sharing',
      'gup-cow-on-read': 'pass',
      'pagecount-5.9': 'pass',
      pagecount: 'pass',
      'pagecount-5.18': 'pass',
      'anon-exclusive-5.19': 'pass',
      'anon-exclusive-6.0': 'pass',
      'anon-exclusive-6.2': 'pass',
      'anon-exclusive-6.5': 'pass',
      'anon-exclusive-6.7': 'pass',
      'anon-exclusive-6.8': 'pass',
      'anon-exclusive-6.10': 'pass',
      'anon-exclusive-6.12': 'pass',
      'anon-exclusive-6.13': 'pass',
      'anon-exclusive': 'pass',
    },
    (pol) => verdict(text, pol),
  );
});

describe('wpReuseAnon: a read-only swapped-in page still in the swap cache (refcount 2)', () => {
  // mapcount: reuse_swap_page() (mapcount 1 + swapcount 0); 5.9-5.17: page_count 2 -> copy;
  // 5.18+: free the swap cache first, then reuse; 5.19+: exclusive via the swap PTE bit
  const prefix = ops('mmap P0 A 1', 'write P0 A', 'reclaim P0 A', 'read P0 A');
  const text = ops(prefix, 'write P0 A');
  perEra(
    {
      'mapcount-4.8': 'reused',
      mapcount: 'reused',
      'gup-cow-on-read': 'reused',
      'pagecount-5.9': 'copied',
      pagecount: 'copied',
      'pagecount-5.18': 'reused',
      'anon-exclusive-5.19': 'reused',
      'anon-exclusive-6.0': 'reused',
      'anon-exclusive-6.2': 'reused',
      'anon-exclusive-6.5': 'reused',
      'anon-exclusive-6.7': 'reused',
      'anon-exclusive-6.8': 'reused',
      'anon-exclusive-6.10': 'reused',
      'anon-exclusive-6.12': 'reused',
      'anon-exclusive-6.13': 'reused',
      'anon-exclusive': 'reused',
    },
    (pol) => {
      const r0 = runClean(prefix, pol);
      const before = present(r0, 'P0');
      expect(before.write).toBe(false);
      expect(folioAt(r0, 'P0').swap).toBeGreaterThanOrEqual(0);
      expect(folioAt(r0, 'P0').refcount).toBe(2); // the mapping and the swap cache
      const r = runClean(text, pol);
      const after = present(r, 'P0');
      expect(after.write).toBe(true);
      if (after.folio === before.folio) return 'reused';
      // the copy is a new exclusive page; the old one is left to the swap cache alone
      const old = folioOf(r, before.folio);
      expect(old.refcount).toBe(1);
      expect(old.pages[0]!.mapcount).toBe(0);
      expect(folioAt(r, 'P0').swap).toBe(-1);
      return 'copied';
    },
  );
});

// ---- do_swap_page(): swapinMap / swapinFreeSwapFirst ----

describe('swapinMap: a read swap-in of an exclusive swap PTE maps the page exclusive (5.19+)', () => {
  const text = ops('mmap P0 A 1', 'write P0 A', 'reclaim P0 A', 'read P0 A');
  perEra(
    {
      'mapcount-4.8': false,
      mapcount: false,
      'gup-cow-on-read': false,
      'pagecount-5.9': false,
      pagecount: false,
      'pagecount-5.18': false,
      'anon-exclusive-5.19': true,
      'anon-exclusive-6.0': true,
      'anon-exclusive-6.2': true,
      'anon-exclusive-6.5': true,
      'anon-exclusive-6.7': true,
      'anon-exclusive-6.8': true,
      'anon-exclusive-6.10': true,
      'anon-exclusive-6.12': true,
      'anon-exclusive-6.13': true,
      'anon-exclusive': true,
    },
    (pol) => {
      const r = runClean(text, pol);
      // a read fault maps it read-only in every era modelled (kernels since 2024 map an exclusive
      // page writable on a read fault too when soft-dirty and uffd-wp do not need the fault)
      expect(present(r, 'P0').write).toBe(false);
      return folioAt(r, 'P0').pages[0]!.anonExclusive;
    },
  );
});

describe('swapinMap: vmsplice in child of a swapped page, unmap, the parent write-faults the swap PTE', () => {
  // swap-in by reuse_swap_page() (mapcount + swapcount) until 5.17 ignores the pipe's reference
  const text = ops('mmap P0 A 1', 'write P0 A', 'reclaim P0 A', 'fork P0 P1', 'vmsplice P1 A as r1', 'munmap P1 A', 'write P0 A', 'read r1');
  perEra(
    {
      'mapcount-4.8': 'no-over-sharing',
      mapcount: 'no-over-sharing',
      'gup-cow-on-read': 'pass', // the GUP itself broke COW
      'pagecount-5.9': 'no-over-sharing',
      pagecount: 'no-over-sharing',
      'pagecount-5.18': 'pass',
      'anon-exclusive-5.19': 'pass',
      'anon-exclusive-6.0': 'pass',
      'anon-exclusive-6.2': 'pass',
      'anon-exclusive-6.5': 'pass',
      'anon-exclusive-6.7': 'pass',
      'anon-exclusive-6.8': 'pass',
      'anon-exclusive-6.10': 'pass',
      'anon-exclusive-6.12': 'pass',
      'anon-exclusive-6.13': 'pass',
      'anon-exclusive': 'pass',
    },
    (pol) => verdict(text, pol),
  );
});

describe('swapinMap: a write swap-in with swap count 1 maps the swapped-in page writable, out of the swap cache', () => {
  perEra(
    Object.fromEntries(eraPolicies.map((p) => [p.name, [true, -1, 3]])),
    (pol) => {
      const r = runClean(ops('mmap P0 A 1', 'write P0 A', 'reclaim P0 A', 'write P0 A'), pol);
      const p = present(r, 'P0');
      const f = folioAt(r, 'P0');
      expect(f.refcount).toBe(1);
      expect(r.world.k.swap[0]!.map[1]).toBe(0);
      expect(r.world.k.swap[0]!.hasCache[1]).toBe(false);
      // [writable, swap slot held, folios ever allocated: zero page, the first write, the swap-in: no copy]
      return [p.write, f.swap, r.world.k.folios.length];
    },
  );
});

// ---- copy_present_pte(): forkCopiesAnon ----

describe('forkCopiesAnon: fork with a FOLL_PIN on an exclusive page', () => {
  const text = ops('mmap P0 A 1', 'write P0 A', `gup P0 A ${PIN_RW_LONG} as r1`, 'fork P0 P1');
  perEra(
    {
      'mapcount-4.8': 'shared',
      mapcount: 'shared',
      'gup-cow-on-read': 'shared',
      'pagecount-5.9': 'child-copy',
      pagecount: 'child-copy',
      'pagecount-5.18': 'child-copy',
      'anon-exclusive-5.19': 'child-copy',
      'anon-exclusive-6.0': 'child-copy',
      'anon-exclusive-6.2': 'child-copy',
      'anon-exclusive-6.5': 'child-copy',
      'anon-exclusive-6.7': 'child-copy',
      'anon-exclusive-6.8': 'child-copy',
      'anon-exclusive-6.10': 'child-copy',
      'anon-exclusive-6.12': 'child-copy',
      'anon-exclusive-6.13': 'child-copy',
      'anon-exclusive': 'child-copy',
    },
    (pol) => {
      const r = runClean(text, pol);
      const p0 = present(r, 'P0');
      const p1 = present(r, 'P1');
      expect(p0.folio).toBe(ref(r, 'r1').folios[0]);
      const f = folioAt(r, 'P0');
      if (p1.folio === p0.folio) {
        expect(p0.write).toBe(false);
        expect(p1.write).toBe(false);
        expect(f.pages[0]!.mapcount).toBe(2);
        expect(f.refcount).toBe(2 + GUP_PIN_COUNTING_BIAS);
        return 'shared';
      }
      expect(p0.write).toBe(true); // the parent's PTE is left alone
      expect(f.pages[0]!.mapcount).toBe(1);
      expect(f.refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
      const child = folioAt(r, 'P1');
      expect(child.pages[0]!.data).toBe(f.pages[0]!.data);
      expect(child.pages[0]!.anonExclusive).toBe(true);
      expect(child.refcount).toBe(1);
      expect(p1.write).toBe(true);
      return 'child-copy';
    },
  );
});

describe('forkCopiesAnon: a FOLL_GET reference is not a pin: fork shares the page in every era', () => {
  perEra(Object.fromEntries(eraPolicies.map((p) => [p.name, 'shared'])), (pol) => {
    const r = runClean(ops('mmap P0 A 1', 'write P0 A', 'gup P0 A FOLL_GET|FOLL_WRITE as r1', 'fork P0 P1'), pol);
    expect(folioAt(r, 'P0').refcount).toBe(3);
    return present(r, 'P1').folio === present(r, 'P0').folio ? 'shared' : 'copied';
  });
});

describe('forkCopiesAnon: fork with a pinned page, then the parent writes and the pin reads', () => {
  const text = ops('mmap P0 A 1', 'write P0 A', `gup P0 A ${PIN_RW_LONG} as r1`, 'fork P0 P1', 'write P0 A', 'read r1');
  perEra(
    {
      'mapcount-4.8': 'pin-coherence',
      mapcount: 'pin-coherence',
      'gup-cow-on-read': 'pin-coherence',
      'pagecount-5.9': 'pass',
      pagecount: 'pass',
      'pagecount-5.18': 'pass',
      'anon-exclusive-5.19': 'pass',
      'anon-exclusive-6.0': 'pass',
      'anon-exclusive-6.2': 'pass',
      'anon-exclusive-6.5': 'pass',
      'anon-exclusive-6.7': 'pass',
      'anon-exclusive-6.8': 'pass',
      'anon-exclusive-6.10': 'pass',
      'anon-exclusive-6.12': 'pass',
      'anon-exclusive-6.13': 'pass',
      'anon-exclusive': 'pass',
    },
    (pol) => verdict(text, pol),
  );
});

// ---- forkClearsAnonExclusive / the swap PTE exclusive bit ----

describe('fork clears PG_anon_exclusive of a shared page (bookkeeping in every era)', () => {
  perEra(Object.fromEntries(eraPolicies.map((p) => [p.name, [true, false]])), (pol) => {
    const a = runClean(ops('mmap P0 A 1', 'write P0 A'), pol);
    const b = runClean(ops('mmap P0 A 1', 'write P0 A', 'fork P0 P1'), pol);
    return [folioAt(a, 'P0').pages[0]!.anonExclusive, folioAt(b, 'P0').pages[0]!.anonExclusive];
  });
});

describe('tryToUnmapAnon / forkClearsSwpExclusive: the swap PTE exclusive bit', () => {
  // [set on reclaim, parent's after fork, child's after fork]
  perEra(
    {
      'mapcount-4.8': [false, false, false],
      mapcount: [false, false, false],
      'gup-cow-on-read': [false, false, false],
      'pagecount-5.9': [false, false, false],
      pagecount: [false, false, false],
      'pagecount-5.18': [false, false, false],
      'anon-exclusive-5.19': [true, false, false],
      'anon-exclusive-6.0': [true, false, false],
      'anon-exclusive-6.2': [true, false, false],
      'anon-exclusive-6.5': [true, false, false],
      'anon-exclusive-6.7': [true, false, false],
      'anon-exclusive-6.8': [true, false, false],
      'anon-exclusive-6.10': [true, false, false],
      'anon-exclusive-6.12': [true, false, false],
      'anon-exclusive-6.13': [true, false, false],
      'anon-exclusive': [true, false, false],
    },
    (pol) => {
      const a = runClean(ops('mmap P0 A 1', 'write P0 A', 'reclaim P0 A'), pol);
      const b = runClean(ops('mmap P0 A 1', 'write P0 A', 'reclaim P0 A', 'fork P0 P1'), pol);
      expect(b.world.k.swap[0]!.map[swapPte(b, 'P0').offset]).toBe(2);
      return [swapPte(a, 'P0').exclusive, swapPte(b, 'P0').exclusive, swapPte(b, 'P1').exclusive];
    },
  );

  it('a shared page swapped out gets no exclusive bit, even in 6.2+', () => {
    const r = runClean(ops('mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'reclaim P0 A'), anonExclusive);
    expect(swapPte(r, 'P0').exclusive).toBe(false);
    expect(swapPte(r, 'P1').exclusive).toBe(false);
  });
});

// ---- __get_user_pages(): gupForceCowBreak ----

describe('gupForceCowBreak: a R/O FOLL_GET on a COW-shared page', () => {
  const text = ops('mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'gup P0 A FOLL_GET as r1');
  perEra(
    {
      'mapcount-4.8': 'shared',
      mapcount: 'shared',
      'gup-cow-on-read': 'private-copy',
      'pagecount-5.9': 'shared',
      pagecount: 'shared',
      'pagecount-5.18': 'shared',
      'anon-exclusive-5.19': 'shared', // a R/O FOLL_GET is not a pin: no unshare
      'anon-exclusive-6.0': 'shared',
      'anon-exclusive-6.2': 'shared',
      'anon-exclusive-6.5': 'shared',
      'anon-exclusive-6.7': 'shared',
      'anon-exclusive-6.8': 'shared',
      'anon-exclusive-6.10': 'shared',
      'anon-exclusive-6.12': 'shared',
      'anon-exclusive-6.13': 'shared',
      'anon-exclusive': 'shared',
    },
    (pol) => {
      const r = runClean(text, pol);
      const r1 = ref(r, 'r1');
      expect(r1.gupFlags & FOLL_WRITE).toBe(0); // the reference keeps the caller's flags
      const p1 = present(r, 'P1').folio;
      if (r1.folios[0] === p1) {
        expect(present(r, 'P0').folio).toBe(p1);
        return 'shared';
      }
      expect(present(r, 'P0').folio).toBe(r1.folios[0]);
      expect(present(r, 'P0').write).toBe(true); // a forced write fault
      return 'private-copy';
    },
  );

  it('the forced FOLL_WRITE does not make the reference writable', () => {
    const r = runClean(text, gupCowOnRead);
    expect(r.world.shadow.refs[ref(r, 'r1').id]!.coherent).toEqual([false]);
    expect(() => run(ops(text, 'write r1'), gupCowOnRead)).toThrow(/read-only reference/);
  });
});

describe('gupForceCowBreak: vmsplice before fork, the parent unmaps, the child writes', () => {
  const text = ops('mmap P0 A 1', 'write P0 A', 'vmsplice P0 A as r1', 'fork P0 P1', 'munmap P0 A', 'write P1 A', 'read r1');
  perEra(
    {
      'mapcount-4.8': 'no-over-sharing',
      mapcount: 'no-over-sharing',
      'gup-cow-on-read': 'no-over-sharing', // the page was exclusive at GUP time: nothing to break
      'pagecount-5.9': 'pass',
      pagecount: 'pass',
      'pagecount-5.18': 'pass',
      'anon-exclusive-5.19': 'pass',
      'anon-exclusive-6.0': 'pass',
      'anon-exclusive-6.2': 'pass',
      'anon-exclusive-6.5': 'pass',
      'anon-exclusive-6.7': 'pass',
      'anon-exclusive-6.8': 'pass',
      'anon-exclusive-6.10': 'pass',
      'anon-exclusive-6.12': 'pass',
      'anon-exclusive-6.13': 'pass',
      'anon-exclusive': 'pass',
    },
    (pol) => verdict(text, pol),
  );
});

// ---- gup_must_unshare(): gupMustUnshare ----

describe('gupMustUnshare: a R/O FOLL_PIN on a COW-shared page', () => {
  const text = ops('mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'gup P0 A FOLL_PIN|FOLL_LONGTERM as r1');
  perEra(
    {
      'mapcount-4.8': 'shared',
      mapcount: 'shared',
      'gup-cow-on-read': 'broken-by-write',
      'pagecount-5.9': 'shared',
      pagecount: 'shared',
      'pagecount-5.18': 'shared',
      'anon-exclusive-5.19': 'unshared',
      'anon-exclusive-6.0': 'unshared',
      'anon-exclusive-6.2': 'unshared',
      'anon-exclusive-6.5': 'unshared',
      'anon-exclusive-6.7': 'unshared',
      'anon-exclusive-6.8': 'unshared',
      'anon-exclusive-6.10': 'unshared',
      'anon-exclusive-6.12': 'unshared',
      'anon-exclusive-6.13': 'unshared',
      'anon-exclusive': 'unshared',
    },
    (pol) => {
      const r = runClean(text, pol);
      const r1 = ref(r, 'r1').folios[0]!;
      const p0 = present(r, 'P0');
      if (r1 === present(r, 'P1').folio) return 'shared';
      expect(p0.folio).toBe(r1);
      const page = folioAt(r, 'P0').pages[0]!;
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
      'mapcount-4.8': ['zero', 'zero'],
      mapcount: ['zero', 'zero'],
      'gup-cow-on-read': ['anon', 'anon'],
      'pagecount-5.9': ['zero', 'zero'],
      pagecount: ['zero', 'zero'],
      'pagecount-5.18': ['zero', 'zero'],
      'anon-exclusive-5.19': ['zero', 'zero'],
      'anon-exclusive-6.0': ['zero', 'zero'], // the zero page is not anon: no unshare until 6.2 (84209e87c696)
      'anon-exclusive-6.2': ['anon', 'zero'],
      'anon-exclusive-6.5': ['anon', 'zero'],
      'anon-exclusive-6.7': ['anon', 'zero'],
      'anon-exclusive-6.8': ['anon', 'zero'],
      'anon-exclusive-6.10': ['anon', 'zero'],
      'anon-exclusive-6.12': ['anon', 'zero'],
      'anon-exclusive-6.13': ['anon', 'zero'],
      'anon-exclusive': ['anon', 'zero'],
    },
    (pol) =>
      ['FOLL_PIN|FOLL_LONGTERM', 'FOLL_PIN'].map((flags) => {
        const r = runClean(ops('mmap P0 A 1', 'read P0 A', `gup P0 A ${flags} as r1`), pol);
        const r1 = ref(r, 'r1').folios[0]!;
        expect(present(r, 'P0').folio).toBe(r1);
        return r1 === ZERO_FOLIO ? 'zero' : 'anon';
      }),
  );

  it('the unshared copy of the zero page is exclusive, read-only, zero-filled and counts the pin', () => {
    const r = runClean(ops('mmap P0 A 1', 'read P0 A', 'gup P0 A FOLL_PIN|FOLL_LONGTERM as r1'), anonExclusive);
    expect(present(r, 'P0')).toMatchObject({ write: false, dirty: false });
    const f = folioAt(r, 'P0');
    expect(f.pages[0]!).toMatchObject({ data: 0, mapcount: 1, anonExclusive: true });
    expect(f.refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
    expect(r.world.k.folios[ZERO_FOLIO]!.refcount).toBe(1);
  });
});

describe('gupMustUnshare: the zero-page long-term pin, then a write', () => {
  const text = ops('mmap P0 A 1', 'read P0 A', 'gup P0 A FOLL_PIN|FOLL_LONGTERM as r1', 'write P0 A', 'read r1');
  perEra(
    {
      'mapcount-4.8': 'pin-coherence',
      mapcount: 'pin-coherence',
      'gup-cow-on-read': 'pass',
      'pagecount-5.9': 'pin-coherence',
      pagecount: 'pin-coherence',
      'pagecount-5.18': 'pin-coherence',
      'anon-exclusive-5.19': 'pin-coherence',
      'anon-exclusive-6.0': 'pin-coherence',
      'anon-exclusive-6.2': 'pass',
      'anon-exclusive-6.5': 'pass',
      'anon-exclusive-6.7': 'pass',
      'anon-exclusive-6.8': 'pass',
      'anon-exclusive-6.10': 'pass',
      'anon-exclusive-6.12': 'pass',
      'anon-exclusive-6.13': 'pass',
      'anon-exclusive': 'pass',
    },
    (pol) => verdict(text, pol),
  );
});

// ---- shrink_folio_list(): reclaimSkipsAddToSwap / try_to_unmap_one(): tryToUnmapAnon ----

describe('reclaimSkipsAddToSwap: reclaim of a pinned page', () => {
  const text = ops('mmap P0 A 1', 'write P0 A', `gup P0 A ${PIN_RW_LONG} as r1`, 'reclaim P0 A');
  perEra(
    {
      'mapcount-4.8': 'kept-referenced',
      mapcount: 'kept-referenced',
      'gup-cow-on-read': 'kept-referenced',
      'pagecount-5.9': 'kept-referenced',
      pagecount: 'kept-pinned',
      'pagecount-5.18': 'kept-pinned',
      'anon-exclusive-5.19': 'kept-pinned',
      'anon-exclusive-6.0': 'kept-pinned',
      'anon-exclusive-6.2': 'kept-pinned',
      'anon-exclusive-6.5': 'kept-pinned',
      'anon-exclusive-6.7': 'kept-pinned',
      'anon-exclusive-6.8': 'kept-pinned',
      'anon-exclusive-6.10': 'kept-pinned',
      'anon-exclusive-6.12': 'kept-pinned',
      'anon-exclusive-6.13': 'kept-pinned',
      'anon-exclusive': 'kept-pinned',
    },
    (pol) => {
      const r = runClean(text, pol);
      const note = noteAt(r, 3)!;
      const f = r.world.k.folios[ref(r, 'r1').folios[0]!]!;
      if (note === 'kept-pinned') {
        expect(present(r, 'P0').folio).toBe(f.id);
        expect(f.swap).toBe(-1); // never added to the swap cache
      } else {
        expect(swapPte(r, 'P0').offset).toBe(f.swap); // unmapped, the pin keeps it in the swap cache
        expect(f.refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
      }
      return note;
    },
  );
});

describe('tryToUnmapAnon: reclaim of a pinned exclusive page already in the swap cache', () => {
  // the swap-in keeps the folio in the swap cache, so reclaim goes straight to try_to_unmap()
  const text = ops('mmap P0 A 1', 'write P0 A', 'reclaim P0 A', 'read P0 A', 'gup P0 A FOLL_PIN as r1', 'reclaim P0 A');
  perEra(
    {
      'mapcount-4.8': 'kept-referenced',
      mapcount: 'kept-referenced',
      'gup-cow-on-read': 'kept-referenced',
      'pagecount-5.9': 'kept-referenced',
      pagecount: 'kept-referenced',
      'pagecount-5.18': 'kept-referenced',
      'anon-exclusive-5.19': 'kept-mapped',
      'anon-exclusive-6.0': 'kept-mapped',
      'anon-exclusive-6.2': 'kept-mapped',
      'anon-exclusive-6.5': 'kept-mapped',
      'anon-exclusive-6.7': 'kept-mapped',
      'anon-exclusive-6.8': 'kept-mapped',
      'anon-exclusive-6.10': 'kept-mapped',
      'anon-exclusive-6.12': 'kept-mapped',
      'anon-exclusive-6.13': 'kept-mapped',
      'anon-exclusive': 'kept-mapped',
    },
    (pol) => {
      const r = runClean(text, pol);
      const note = noteAt(r, 5)!;
      if (note === 'kept-mapped') expect(present(r, 'P0').folio).toBe(ref(r, 'r1').folios[0]);
      else expect(pteAt(r, 'P0').kind).toBe('swap');
      return note;
    },
  );
});

// ---- clear_soft_dirty(): clearRefsSkips ----

describe('clearRefsSkips: clear_refs on a pinned writable PTE', () => {
  // [PTE still writable with a FOLL_PIN, with a FOLL_GET]
  perEra(
    {
      'mapcount-4.8': [false, false],
      mapcount: [false, false],
      'gup-cow-on-read': [false, false],
      'pagecount-5.9': [false, false],
      pagecount: [true, false],
      'pagecount-5.18': [true, false],
      'anon-exclusive-5.19': [true, false],
      'anon-exclusive-6.0': [true, false],
      'anon-exclusive-6.2': [true, false],
      'anon-exclusive-6.5': [true, false],
      'anon-exclusive-6.7': [true, false],
      'anon-exclusive-6.8': [true, false],
      'anon-exclusive-6.10': [true, false],
      'anon-exclusive-6.12': [true, false],
      'anon-exclusive-6.13': [true, false],
      'anon-exclusive': [true, false],
    },
    (pol) =>
      [PIN_RW_LONG, 'FOLL_GET|FOLL_WRITE'].map((flags) => {
        const r = runClean(ops('mmap P0 A 1', 'write P0 A', `gup P0 A ${flags} as r1`, 'clear_refs P0'), pol);
        return present(r, 'P0').write;
      }),
  );
});

describe('clearRefsSkips: clear_refs + mprotect cycle on a pinned page, then a write', () => {
  const text = ops('mmap P0 A 1', 'write P0 A', `gup P0 A ${PIN_RW_LONG} as r1`, 'mprotect P0 A ro', 'clear_refs P0', 'mprotect P0 A rw', 'write P0 A', 'read r1');
  perEra(
    {
      'mapcount-4.8': 'pass', // reuse by mapcount ignores the pin
      mapcount: 'pass', // reuse by mapcount ignores the pin
      'gup-cow-on-read': 'pass',
      'pagecount-5.9': 'pin-coherence',
      pagecount: 'pin-coherence',
      'pagecount-5.18': 'pin-coherence',
      'anon-exclusive-5.19': 'pass',
      'anon-exclusive-6.0': 'pass',
      'anon-exclusive-6.2': 'pass',
      'anon-exclusive-6.5': 'pass',
      'anon-exclusive-6.7': 'pass',
      'anon-exclusive-6.8': 'pass',
      'anon-exclusive-6.10': 'pass',
      'anon-exclusive-6.12': 'pass',
      'anon-exclusive-6.13': 'pass',
      'anon-exclusive': 'pass',
    },
    (pol) => verdict(text, pol),
  );
});

// ---- change_pte_range(): mprotectMakesWritable ----

describe('mprotectMakesWritable: mprotect ro then rw of an exclusive anon page', () => {
  // [writable right after mprotect rw, same after clear_refs (soft-dirty tracking on), shared page]
  perEra(
    {
      'mapcount-4.8': [false, false, false],
      mapcount: [false, false, false],
      'gup-cow-on-read': [false, false, false],
      'pagecount-5.9': [false, false, false],
      pagecount: [false, false, false],
      'pagecount-5.18': [false, false, false],
      'anon-exclusive-5.19': [false, false, false],
      'anon-exclusive-6.0': [true, false, false],
      'anon-exclusive-6.2': [true, false, false],
      'anon-exclusive-6.5': [true, false, false],
      'anon-exclusive-6.7': [true, false, false],
      'anon-exclusive-6.8': [true, false, false],
      'anon-exclusive-6.10': [true, false, false],
      'anon-exclusive-6.12': [true, false, false],
      'anon-exclusive-6.13': [true, false, false],
      'anon-exclusive': [true, false, false],
    },
    (pol) => {
      const a = runClean(ops('mmap P0 A 1', 'write P0 A', 'mprotect P0 A ro', 'mprotect P0 A rw'), pol);
      const b = runClean(ops('mmap P0 A 1', 'write P0 A', 'mprotect P0 A ro', 'clear_refs P0', 'mprotect P0 A rw'), pol);
      const c = runClean(ops('mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'mprotect P0 A ro', 'mprotect P0 A rw'), pol);
      return [present(a, 'P0').write, present(b, 'P0').write, present(c, 'P0').write];
    },
  );

  it('never for the zero page', () => {
    const r = runClean(ops('mmap P0 A 1', 'read P0 A', 'mprotect P0 A ro', 'mprotect P0 A rw'), anonExclusive);
    expect(present(r, 'P0')).toMatchObject({ folio: ZERO_FOLIO, write: false });
  });
});

// ---- the swap header: reserveSwapHeader / swapLowestBit ----

describe('reserveSwapHeader / swapLowestBit: offset 0 is never handed out', () => {
  perEra(Object.fromEntries(eraPolicies.map((p) => [p.name, [1, 2, 3, 'kept-no-swap']])), (pol) => {
    const r = runClean(
      ops('swap 4', 'mmap P0 A 4', 'write P0 A', 'write P0 A+1', 'write P0 A+2', 'write P0 A+3', 'reclaim P0 A', 'reclaim P0 A+1', 'reclaim P0 A+2', 'reclaim P0 A+3'),
      pol,
    );
    expect(present(r, 'P0', 'A', 3).write).toBe(true); // the fourth page stays mapped
    return [0, 1, 2].map((i): number | string => swapPte(r, 'P0', 'A', i).offset).concat(noteAt(r, 8)!);
  });
});

describe('canFollowWritePte: a R/O FOLL_PIN on a read-only private mapping (5.8 forces the COW break)', () => {
  // 5.8's should_force_cow_break() adds FOLL_WRITE to a reference-taking read GUP; its
  // can_follow_write_pte() then follows the dirty COW copy by FOLL_COW alone (17839856fd58
  // dropped the FOLL_FORCE test): the GUP completes on an anon copy instead of looping
  const text = ops('mmap P0 A 1 ro', 'read P0 A', 'gup P0 A FOLL_PIN as r1', 'read r1');
  perEra(
    {
      'mapcount-4.8': 'zero',
      mapcount: 'zero',
      'gup-cow-on-read': 'anon',
      'pagecount-5.9': 'zero',
      pagecount: 'zero',
      'pagecount-5.18': 'zero',
      'anon-exclusive-5.19': 'zero',
      'anon-exclusive-6.0': 'zero',
      'anon-exclusive-6.2': 'zero', // a short-term pin: no unshare
      'anon-exclusive-6.5': 'zero',
      'anon-exclusive-6.7': 'zero',
      'anon-exclusive-6.8': 'zero',
      'anon-exclusive-6.10': 'zero',
      'anon-exclusive-6.12': 'zero',
      'anon-exclusive-6.13': 'zero',
      'anon-exclusive': 'zero',
    },
    (pol) => {
      expect(verdict(text, pol)).toBe('pass');
      const r = runClean(text, pol);
      return ref(r, 'r1').folios[0] === ZERO_FOLIO ? 'zero' : 'anon';
    },
  );
});
// ---- userfaultfd: the support table (vma_can_userfault(), UFFD_API_RANGE_IOCTLS, features) ----

/** What op i of a run did: its errno or signal, else 'ok'. */
function outcomeAt(r: Ran, i: number): string {
  const o = r.trace[i]!.outcome;
  return o.kind === 'refused' ? o.refusal : o.kind;
}

describe('uffd.modes: which memory types register which modes (vma_can_userfault())', () => {
  // [anon MISSING, anon WP, anon MINOR, shmem MISSING, shmem WP, shmem MINOR, file MISSING]
  const text = ops(
    'file G 1',
    'mmap P0 A 1',
    'mmap P0 B 1 shared',
    'mmap P0 C 1 shared G',
    'uffd_register P0 A MISSING',
    'uffd_register P0 A WP',
    'uffd_register P0 A MINOR',
    'uffd_register P0 B MISSING',
    'uffd_register P0 B WP',
    'uffd_register P0 B MINOR',
    'uffd_register P0 C MISSING',
  );
  const no = 'EINVAL';
  perEra(
    {
      'mapcount-4.8': ['ok', no, no, no, no, no, no],
      mapcount: ['ok', 'ok', no, 'ok', no, no, no],
      'gup-cow-on-read': ['ok', 'ok', no, 'ok', no, no, no],
      'pagecount-5.9': ['ok', 'ok', no, 'ok', no, no, no],
      pagecount: ['ok', 'ok', no, 'ok', no, 'ok', no],
      'pagecount-5.18': ['ok', 'ok', no, 'ok', no, 'ok', no],
      'anon-exclusive-5.19': ['ok', 'ok', no, 'ok', 'ok', 'ok', no],
      'anon-exclusive-6.0': ['ok', 'ok', no, 'ok', 'ok', 'ok', no],
      'anon-exclusive-6.2': ['ok', 'ok', no, 'ok', 'ok', 'ok', no],
      'anon-exclusive-6.5': ['ok', 'ok', no, 'ok', 'ok', 'ok', no],
      'anon-exclusive-6.7': ['ok', 'ok', no, 'ok', 'ok', 'ok', no],
      'anon-exclusive-6.8': ['ok', 'ok', no, 'ok', 'ok', 'ok', no],
      'anon-exclusive-6.10': ['ok', 'ok', no, 'ok', 'ok', 'ok', no],
      'anon-exclusive-6.12': ['ok', 'ok', no, 'ok', 'ok', 'ok', no],
      'anon-exclusive-6.13': ['ok', 'ok', no, 'ok', 'ok', 'ok', no],
      'anon-exclusive': ['ok', 'ok', no, 'ok', 'ok', 'ok', no],
    },
    (pol) => {
      const r = run(text, pol);
      return [4, 5, 6, 7, 8, 9, 10].map((i) => outcomeAt(r, i));
    },
  );
});

describe('uffd.rangeIoctls / features: what a MISSING registration of anonymous memory reports, and the features UFFDIO_API takes', () => {
  const text = ops('mmap P0 A 1', 'uffd_register P0 A MISSING');
  const feature = (pol: CowPolicy, f: string): string => outcomeAt(run(ops('mmap P0 A 1', `uffd_register P0 A MISSING ${f}`), pol), 1);
  const base = 'WAKE|COPY|ZEROPAGE';
  perEra(
    {
      'mapcount-4.8': [base, 'EINVAL', 'EINVAL', 'EINVAL'],
      mapcount: [base, 'ok', 'ok', 'EINVAL'],
      'gup-cow-on-read': [base, 'ok', 'ok', 'EINVAL'],
      'pagecount-5.9': [base, 'ok', 'ok', 'EINVAL'],
      pagecount: [base, 'ok', 'ok', 'EINVAL'],
      'pagecount-5.18': [base, 'ok', 'ok', 'EINVAL'],
      'anon-exclusive-5.19': [base, 'ok', 'ok', 'EINVAL'],
      'anon-exclusive-6.0': [base, 'ok', 'ok', 'EINVAL'],
      'anon-exclusive-6.2': [base, 'ok', 'ok', 'ok'],
      'anon-exclusive-6.5': [`${base}|POISON`, 'ok', 'ok', 'ok'],
      'anon-exclusive-6.7': [`${base}|POISON`, 'ok', 'ok', 'ok'],
      'anon-exclusive-6.8': [`${base}|POISON|MOVE`, 'ok', 'ok', 'ok'],
      'anon-exclusive-6.10': [`${base}|POISON|MOVE`, 'ok', 'ok', 'ok'],
      'anon-exclusive-6.12': [`${base}|POISON|MOVE`, 'ok', 'ok', 'ok'],
      'anon-exclusive-6.13': [`${base}|POISON|MOVE`, 'ok', 'ok', 'ok'],
      'anon-exclusive': [`${base}|POISON|MOVE`, 'ok', 'ok', 'ok'],
    },
    (pol) => [noteAt(run(text, pol), 1)!.replace(/^ioctls /, ''), feature(pol, 'EVENT_FORK'), feature(pol, 'SIGBUS'), feature(pol, 'WP_UNPOPULATED')],
  );
});

describe('uffd.copyModeWp / continueModeWp / wpMultiVma / pagemapUffdWp', () => {
  // [UFFDIO_COPY wp, UFFDIO_CONTINUE wp, UFFDIO_WRITEPROTECT over two VMAs, PM_UFFD_WP]
  const copy = ops('mmap P0 A 1', 'uffd_register P0 A MISSING|WP', 'uffdio_copy P0 A wp');
  const cont = ops('mmap P0 A 1 shared', 'write P0 A', 'uffd_register P0 A MINOR|WP', 'madvise P0 A MADV_DONTNEED', 'uffdio_continue P0 A wp');
  const multi = ops('mmap P0 A 2', 'write P0 A', 'write P0 A+1', 'uffd_register P0 A 2 WP', 'mprotect P0 A+1 1 ro', 'uffd_wp P0 A 2 on');
  const pm = ops('mmap P0 A 1', 'write P0 A', 'uffd_register P0 A WP', 'uffd_wp P0 A on', 'pagemap P0 A expect uffd-wp');
  perEra(
    {
      'mapcount-4.8': ['EINVAL', 'EINVAL', 'EINVAL', 'pagemap'],
      mapcount: ['ok', 'EINVAL', 'ENOENT', 'pagemap'],
      'gup-cow-on-read': ['ok', 'EINVAL', 'ENOENT', 'pagemap'],
      'pagecount-5.9': ['ok', 'EINVAL', 'ENOENT', 'pagemap'],
      pagecount: ['ok', 'EINVAL', 'ENOENT', 'pass'],
      'pagecount-5.18': ['ok', 'EINVAL', 'ENOENT', 'pass'],
      'anon-exclusive-5.19': ['ok', 'EINVAL', 'ENOENT', 'pass'],
      'anon-exclusive-6.0': ['ok', 'EINVAL', 'ENOENT', 'pass'],
      'anon-exclusive-6.2': ['ok', 'ok', 'ok', 'pass'],
      'anon-exclusive-6.5': ['ok', 'ok', 'ok', 'pass'],
      'anon-exclusive-6.7': ['ok', 'ok', 'ok', 'pass'],
      'anon-exclusive-6.8': ['ok', 'ok', 'ok', 'pass'],
      'anon-exclusive-6.10': ['ok', 'ok', 'ok', 'pass'],
      'anon-exclusive-6.12': ['ok', 'ok', 'ok', 'pass'],
      'anon-exclusive-6.13': ['ok', 'ok', 'ok', 'pass'],
      'anon-exclusive': ['ok', 'ok', 'ok', 'pass'],
    },
    (pol) => [outcomeAt(run(copy, pol), 2), outcomeAt(run(cont, pol), 4), outcomeAt(run(multi, pol), 5), verdict(pm, pol)],
  );
});

// ---- fault-around in userfaultfd ranges: uffdDisableFaultAround ----

describe('uffdDisableFaultAround: a read in a MINOR or a WP range maps its cached neighbour?', () => {
  // the neighbour's PTE after reading page 0 (registration refused: 'no range')
  const range = (mode: string) =>
    ops('memfd F 2', 'mmap P0 A 2 shared F', 'mmap P0 B 2 shared F', 'write P0 B', 'write P0 B+1', `uffd_register P0 A 2 ${mode}`, 'read P0 A');
  const observe = (pol: CowPolicy, mode: string): string => {
    const r = run(range(mode), pol);
    if (outcomeAt(r, 5) !== 'ok') return 'no range';
    return pteAt(r, 'P0', 'A', 1).kind === 'present' ? 'faulted around' : 'not mapped';
  };
  perEra(
    {
      'mapcount-4.8': ['no range', 'no range', 'no range'],
      mapcount: ['no range', 'no range', 'faulted around'],
      'gup-cow-on-read': ['no range', 'no range', 'faulted around'],
      'pagecount-5.9': ['no range', 'no range', 'faulted around'],
      pagecount: ['not mapped', 'no range', 'faulted around'],
      'pagecount-5.18': ['not mapped', 'no range', 'faulted around'],
      'anon-exclusive-5.19': ['not mapped', 'not mapped', 'faulted around'],
      'anon-exclusive-6.0': ['not mapped', 'not mapped', 'faulted around'],
      'anon-exclusive-6.2': ['not mapped', 'not mapped', 'faulted around'],
      'anon-exclusive-6.5': ['not mapped', 'not mapped', 'faulted around'],
      'anon-exclusive-6.7': ['not mapped', 'not mapped', 'faulted around'],
      'anon-exclusive-6.8': ['not mapped', 'not mapped', 'faulted around'],
      'anon-exclusive-6.10': ['not mapped', 'not mapped', 'faulted around'],
      'anon-exclusive-6.12': ['not mapped', 'not mapped', 'faulted around'],
      'anon-exclusive-6.13': ['not mapped', 'not mapped', 'faulted around'],
      'anon-exclusive': ['not mapped', 'not mapped', 'faulted around'],
    },
    (pol) => [observe(pol, 'MINOR'), observe(pol, 'WP'), observe(pol, 'MISSING')],
  );
});

// ---- PTE markers: uffdWpUseMarkers, installUffdWpMarker, markerEncoding, maxSwapfiles ----

describe('uffdWpUseMarkers / installUffdWpMarker: what keeps uffd-wp where no page is mapped', () => {
  // [shmem none PTE protected, anon none PTE protected (WP_UNPOPULATED), shmem page reclaimed, shmem page zapped]
  const shmemNone = ops('mmap P0 A 1 shared', 'uffd_register P0 A WP', 'uffd_wp P0 A on');
  const anonNone = ops('mmap P0 A 1', 'uffd_register P0 A WP WP_UNPOPULATED', 'uffd_wp P0 A on');
  const reclaimed = ops('mmap P0 A 1 shared', 'uffd_register P0 A WP', 'write P0 A', 'uffd_wp P0 A on', 'reclaim P0 A');
  const zapped = ops('mmap P0 A 1 shared', 'uffd_register P0 A WP', 'write P0 A', 'uffd_wp P0 A on', 'madvise P0 A MADV_DONTNEED');
  const kind = (text: string, pol: CowPolicy): string => pteAt(run(text, pol), 'P0').kind;
  const before519 = ['none', 'none', 'none', 'none'];
  perEra(
    {
      'mapcount-4.8': before519,
      mapcount: before519,
      'gup-cow-on-read': before519,
      'pagecount-5.9': before519,
      pagecount: before519,
      'pagecount-5.18': before519,
      'anon-exclusive-5.19': ['marker', 'none', 'marker', 'marker'],
      'anon-exclusive-6.0': ['marker', 'none', 'marker', 'marker'],
      'anon-exclusive-6.2': ['marker', 'marker', 'marker', 'marker'],
      'anon-exclusive-6.5': ['marker', 'marker', 'marker', 'marker'],
      'anon-exclusive-6.7': ['marker', 'marker', 'marker', 'marker'],
      'anon-exclusive-6.8': ['marker', 'marker', 'marker', 'marker'],
      'anon-exclusive-6.10': ['marker', 'marker', 'marker', 'marker'],
      'anon-exclusive-6.12': ['marker', 'marker', 'marker', 'marker'],
      'anon-exclusive-6.13': ['marker', 'marker', 'marker', 'marker'],
      'anon-exclusive': ['marker', 'marker', 'marker', 'marker'],
    },
    (pol) => [kind(shmemNone, pol), kind(anonNone, pol), kind(reclaimed, pol), kind(zapped, pol)],
  );
});

describe('markerEncoding / maxSwapfiles: the marker swap type and the swap devices left (include/linux/swap.h)', () => {
  perEra(
    {
      'mapcount-4.8': ['none', 29],
      mapcount: ['none', 27],
      'gup-cow-on-read': ['none', 27],
      'pagecount-5.9': ['none', 27],
      pagecount: ['none', 25],
      'pagecount-5.18': ['none', 25],
      'anon-exclusive-5.19': ['pte-marker', 22],
      'anon-exclusive-6.0': ['pte-marker', 22],
      'anon-exclusive-6.2': ['pte-marker', 23],
      'anon-exclusive-6.5': ['pte-marker', 23],
      'anon-exclusive-6.7': ['pte-marker', 23],
      'anon-exclusive-6.8': ['pte-marker', 23],
      'anon-exclusive-6.10': ['pte-marker', 23],
      'anon-exclusive-6.12': ['pte-marker', 23],
      'anon-exclusive-6.13': ['pte-marker', 23],
      'anon-exclusive': ['pte-marker', 23],
    },
    (pol) => {
      // swapon until refused: the scenario's own device and MAX_SWAPFILES - 1 more
      const r = run(ops('swap 4', 'mmap P0 A 1', ...Array.from({ length: 30 }, () => 'swapon 4')), pol);
      expect(r.refusal?.why).toMatch(/MAX_SWAPFILES/);
      return [pol.markerEncoding, r.refusal!.at];
    },
  );
});

// ---- fork: forkKeepsUffdWp, vmaNeedsCopyUffdWp ----

describe('forkKeepsUffdWp / vmaNeedsCopyUffdWp: uffd-wp in the child', () => {
  // [present bit without the event, early COW (pinned) with the event, marker without the event (private shmem with an anon_vma),
  //  a zero-page PTE of a VMA without an anon_vma with the event]
  const bit = (text: string, pol: CowPolicy, proc = 'P1', page = 0): string => {
    const r = run(text, pol);
    const p = pteAt(r, proc, 'A', page);
    if (p.kind === 'marker') return 'marker';
    if (p.kind === 'none') return 'none';
    return p.uffdWp ? 'bit' : 'no bit';
  };
  const present = ops('mmap P0 A 1', 'write P0 A', 'uffd_register P0 A WP', 'uffd_wp P0 A on', 'fork P0 P1');
  const earlyCow = ops('mmap P0 A 1', 'write P0 A', 'uffd_register P0 A WP EVENT_FORK', 'uffd_wp P0 A on', 'gup P0 A FOLL_PIN|FOLL_LONGTERM as r1', 'fork P0 P1');
  const marker = ops('memfd F 2', 'mmap P0 A 2 F', 'write P0 A', 'uffd_register P0 A 2 WP', 'uffd_wp P0 A+1 on', 'fork P0 P1');
  const zeroPage = ops('mmap P0 A 1', 'read P0 A', 'uffd_register P0 A WP EVENT_FORK', 'uffd_wp P0 A on', 'fork P0 P1');
  perEra(
    {
      'mapcount-4.8': ['no bit', 'no bit', 'none', 'none'],
      mapcount: ['bit', 'bit', 'none', 'none'],
      'gup-cow-on-read': ['bit', 'bit', 'none', 'none'],
      'pagecount-5.9': ['bit', 'no bit', 'none', 'none'],
      pagecount: ['no bit', 'bit', 'none', 'none'],
      'pagecount-5.18': ['no bit', 'bit', 'none', 'none'],
      'anon-exclusive-5.19': ['no bit', 'bit', 'marker', 'bit'],
      'anon-exclusive-6.0': ['no bit', 'bit', 'marker', 'bit'],
      'anon-exclusive-6.2': ['no bit', 'bit', 'none', 'bit'],
      'anon-exclusive-6.5': ['no bit', 'bit', 'none', 'bit'],
      'anon-exclusive-6.7': ['no bit', 'bit', 'none', 'bit'],
      'anon-exclusive-6.8': ['no bit', 'bit', 'none', 'bit'],
      'anon-exclusive-6.10': ['no bit', 'bit', 'none', 'bit'],
      'anon-exclusive-6.12': ['no bit', 'bit', 'none', 'bit'],
      'anon-exclusive-6.13': ['no bit', 'bit', 'none', 'bit'],
      'anon-exclusive': ['no bit', 'bit', 'none', 'bit'],
    },
    (pol) => [bit(present, pol), bit(earlyCow, pol), bit(marker, pol, 'P1', 1), bit(zeroPage, pol)],
  );
});

// ---- unregister and unprotect: unregisterResetsWp, uffdWpResolveWritable ----

describe('unregisterResetsWp / uffdWpResolveWritable', () => {
  // [the bit after UFFDIO_UNREGISTER, a shared page writable after unprotect under soft-dirty tracking,
  //  an exclusive private page writable after protect and unprotect]
  const unreg = ops('mmap P0 A 1', 'write P0 A', 'uffd_register P0 A WP', 'uffd_wp P0 A on', 'uffd_unregister P0 A');
  const shared = ops('mmap P0 A 1 shared', 'write P0 A', 'uffd_register P0 A WP', 'clear_refs P0', 'uffd_wp P0 A off');
  const priv = ops('mmap P0 A 1', 'write P0 A', 'uffd_register P0 A WP', 'uffd_wp P0 A on', 'uffd_wp P0 A off');
  const state = (text: string, pol: CowPolicy, what: 'uffdWp' | 'write'): string => {
    const r = run(text, pol);
    const p = pteAt(r, 'P0');
    if (p.kind !== 'present') return p.kind;
    return what === 'uffdWp' ? (p.uffdWp ? 'bit' : 'no bit') : p.write ? 'writable' : 'read-only';
  };
  perEra(
    {
      'mapcount-4.8': ['no bit', 'read-only', 'writable'],
      mapcount: ['bit', 'read-only', 'read-only'],
      'gup-cow-on-read': ['bit', 'read-only', 'read-only'],
      'pagecount-5.9': ['bit', 'read-only', 'read-only'],
      pagecount: ['bit', 'read-only', 'read-only'],
      'pagecount-5.18': ['bit', 'read-only', 'read-only'],
      'anon-exclusive-5.19': ['bit', 'writable', 'read-only'],
      'anon-exclusive-6.0': ['no bit', 'writable', 'read-only'],
      'anon-exclusive-6.2': ['no bit', 'read-only', 'writable'],
      'anon-exclusive-6.5': ['no bit', 'read-only', 'writable'],
      'anon-exclusive-6.7': ['no bit', 'read-only', 'writable'],
      'anon-exclusive-6.8': ['no bit', 'read-only', 'writable'],
      'anon-exclusive-6.10': ['no bit', 'read-only', 'writable'],
      'anon-exclusive-6.12': ['no bit', 'read-only', 'writable'],
      'anon-exclusive-6.13': ['no bit', 'read-only', 'writable'],
      'anon-exclusive': ['no bit', 'read-only', 'writable'],
    },
    (pol) => [state(unreg, pol, 'uffdWp'), state(shared, pol, 'write'), state(priv, pol, 'write')],
  );
});

// ---- huge PMDs: forkKeepsUffdWp ('pmd', 'huge-zero-pmd'), splitZeroPmdKeepsUffdWp, pagemapPmdExclusive, hugeZeroUnshare ----

describe('uffd-wp and pagemap on huge PMDs', () => {
  // [the child's THP PMD after fork without the event, the child's huge zero PMD with the event,
  //  a page of a protected huge zero PMD after a split, PM_MMAP_EXCLUSIVE of a THP page the child's PMD alone maps,
  //  a protected huge zero PMD after a R/O long-term pin's unshare fault]
  const ops2 = (...l: string[]): string => l.join('\n');
  const pmdOf = (r: Ran, proc: string, page = 0) => mmOf(r, proc).pmd[(addrOf(r, proc, 'A', page) / r.world.k.pmdPages) | 0]!;
  const bit = (r: Ran, proc: string, page: number): string => {
    const p = pmdOf(r, proc, page);
    if (p.kind === 'huge') return p.uffdWp ? 'bit' : 'no bit';
    const pte = pteAt(r, proc, 'A', page);
    return pte.kind === 'present' ? (pte.uffdWp ? 'pte bit' : 'pte no bit') : pte.kind;
  };
  const THP_ON = ['thp always', 'mmap P0 A 4 aligned'];
  perEra(
    {
      'mapcount-4.8': ['no bit', 'no bit', 'no bit', 'shared', 'zero RO no bit'],
      mapcount: ['bit', 'no bit', 'pte no bit', 'shared', 'zero RO bit'],
      'gup-cow-on-read': ['bit', 'no bit', 'pte no bit', 'shared', 'zero RO bit'],
      'pagecount-5.9': ['bit', 'no bit', 'pte no bit', 'shared', 'zero RO bit'],
      pagecount: ['no bit', 'bit', 'pte no bit', 'shared', 'zero RO bit'],
      'pagecount-5.18': ['no bit', 'bit', 'pte no bit', 'shared', 'zero RO bit'],
      'anon-exclusive-5.19': ['no bit', 'bit', 'pte no bit', 'shared', 'zero RO bit'],
      'anon-exclusive-6.0': ['no bit', 'bit', 'pte no bit', 'shared', 'zero RO bit'],
      'anon-exclusive-6.2': ['no bit', 'bit', 'pte bit', 'shared', 'split pte bit'],
      'anon-exclusive-6.5': ['no bit', 'bit', 'pte bit', 'shared', 'split pte bit'],
      'anon-exclusive-6.7': ['no bit', 'bit', 'pte bit', 'shared', 'split pte bit'],
      'anon-exclusive-6.8': ['no bit', 'bit', 'pte bit', 'shared', 'split pte bit'],
      'anon-exclusive-6.10': ['no bit', 'bit', 'pte bit', 'exclusive', 'split pte bit'],
      'anon-exclusive-6.12': ['no bit', 'bit', 'pte bit', 'exclusive', 'split pte bit'],
      'anon-exclusive-6.13': ['no bit', 'bit', 'pte bit', 'exclusive', 'thp W no bit'],
      'anon-exclusive': ['no bit', 'bit', 'pte bit', 'exclusive', 'thp W no bit'],
    },
    (pol) => {
      const noEvent = run(ops2(...THP_ON, 'uffd_register P0 A 4 WP', 'write P0 A', 'uffd_wp P0 A 4 on', 'fork P0 P1'), pol);
      const zeroEvent = run(ops2(...THP_ON, 'uffd_register P0 A 4 WP EVENT_FORK', 'read P0 A', 'uffd_wp P0 A 4 on', 'fork P0 P1'), pol);
      const split = run(ops2(...THP_ON, 'uffd_register P0 A 4 WP', 'read P0 A', 'uffd_wp P0 A 4 on', 'uffd_wp P0 A off'), pol);
      const ex = run(ops2(...THP_ON, 'write P0 A', 'fork P0 P1', 'munmap P0 A+1 1'), pol);
      const exclusive = pagemapEntry(ex.world.k, mmOf(ex, 'P1'), addrOf(ex, 'P1', 'A', 1)) & PM_MMAP_EXCLUSIVE ? 'exclusive' : 'shared';
      const un = run(ops2(...THP_ON, 'uffd_register P0 A 4 WP', 'read P0 A', 'uffd_wp P0 A 4 on', 'gup P0 A FOLL_PIN|FOLL_LONGTERM as r1'), pol);
      const p = pmdOf(un, 'P0', 0);
      const unshare = p.kind === 'huge' ? `${isZeroFolio(un.world.k.folios[p.folio]!) ? 'zero' : 'thp'} ${p.write ? 'W' : 'RO'} ${p.uffdWp ? 'bit' : 'no bit'}` : `split ${bit(un, 'P0', 0)}`;
      return [bit(noEvent, 'P1', 1), bit(zeroEvent, 'P1', 1), bit(split, 'P0', 2), exclusive, unshare];
    },
  );
});

// ---- userfaultfd on hugetlb: hugetlbWpSkipsUffdWp, hugetlbForkClearsUffdWp, hugetlbUffdResolveWritable ----

describe('hugetlbWpSkipsUffdWp / hugetlbForkClearsUffdWp / hugetlbUffdResolveWritable / hugetlbUnshareKeepsUffdWp: uffd-wp on hugetlb', () => {
  // [a write to an unpopulated uffd-wp private huge page (the marker's CoW-optimization path), the uffd-wp bit of the huge
  //  entry in a child forked without EVENT_FORK, a shared writable huge entry after protect and unprotect, the uffd-wp bit
  //  of the copy a R/O pin's unshare makes of a protected huge page shared with a child]
  // before 5.19 hugetlb cannot register WP (EINVAL): nothing is protected
  const cowOpt = ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'write P0 A+1');
  const fork = ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'write P0 A', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'fork P0 P1');
  const shared = ops('hugepages 2', 'memfd F 4 hugetlb', 'mmap P0 A 4 shared F', 'write P0 A', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'uffd_wp P0 A 4 off');
  const unshare = ops('hugepages 2', 'mmap P0 A 4 hugetlb', 'write P0 A', 'fork P0 P1', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'gup P0 A FOLL_PIN as r1');
  const huge = (r: Ran, proc: string) => mmOf(r, proc).pmd[(addrOf(r, proc, 'A') / r.world.k.pmdPages) | 0]!;
  const childBit = (pol: CowPolicy): string => {
    const p = huge(run(fork, pol), 'P1');
    return p.kind === 'huge' ? (p.uffdWp ? 'bit' : 'no bit') : p.kind;
  };
  const writable = (pol: CowPolicy): string => {
    const p = huge(run(shared, pol), 'P0');
    return p.kind === 'huge' ? (p.write ? 'writable' : 'read-only') : p.kind;
  };
  const unshareBit = (pol: CowPolicy): string => {
    const p = huge(run(unshare, pol), 'P0');
    return p.kind === 'huge' ? (p.uffdWp ? 'bit' : 'no bit') : p.kind;
  };
  const before519 = ['error', 'no bit', 'writable', 'no bit'];
  perEra(
    {
      'mapcount-4.8': before519,
      mapcount: before519,
      'gup-cow-on-read': before519,
      'pagecount-5.9': before519,
      pagecount: before519,
      'pagecount-5.18': before519,
      'anon-exclusive-5.19': ['uffd-wp', 'bit', 'writable', 'no bit'],
      'anon-exclusive-6.0': ['uffd-wp', 'bit', 'writable', 'no bit'],
      'anon-exclusive-6.2': ['pass', 'no bit', 'read-only', 'bit'],
      'anon-exclusive-6.5': ['pass', 'no bit', 'read-only', 'bit'],
      'anon-exclusive-6.7': ['pass', 'no bit', 'read-only', 'bit'],
      'anon-exclusive-6.8': ['pass', 'no bit', 'read-only', 'bit'],
      'anon-exclusive-6.10': ['pass', 'no bit', 'read-only', 'bit'],
      'anon-exclusive-6.12': ['pass', 'no bit', 'read-only', 'bit'],
      'anon-exclusive-6.13': ['pass', 'no bit', 'read-only', 'bit'],
      'anon-exclusive': ['pass', 'no bit', 'read-only', 'bit'],
    },
    (pol) => [verdict(cowOpt, pol), childBit(pol), writable(pol), unshareBit(pol)],
  );
});
