// pte-typed, soft-dirty and uffd-missing: corruptions made by hand on a consistent world, judged
// in both check modes; the encodings of the eras and of the seed threads' designs read back.
import { describe, expect, it } from 'vitest';
import { checkPteTyped, checkUffdMissing, decodeEntry, encodePte, swpPteMarkerType } from '../../src/invariants/uffd.js';
import { setPmd } from '../../src/model/pgtable.js';
import type { Checker } from '../helpers.js';
import { PTE_MARKER_POISONED, PTE_MARKER_UFFD_WP } from '../../src/model/constants.js';
import { mkHugePmd, mkPresent, mkSwap, PTE_NONE } from '../../src/model/pte.js';
import { hugeZeroFolio } from '../../src/model/kernel.js';
import { builtinPolicies } from '../../src/policy/registry.js';
import { CHECK_MODES, addrOf, corrupt, expectCaught, expectQuiet, judge, mmOf, present, runClean, setPteAt, type Ran } from '../helpers.js';

const marker = (bits: number) => ({ kind: 'marker' as const, bits });

describe('pte-typed: encode a non-present PTE as the era writes it, read it back as the kernel reads it', () => {
  it('the merged marker is swp_entry(SWP_PTE_MARKER): type 30 in 5.19 - 6.1, 31 from 6.2, never a device or none', () => {
    for (const [name, type] of [
      ['anon-exclusive-5.19', 30],
      ['anon-exclusive-6.0', 30],
      ['anon-exclusive-6.2', 31],
      ['anon-exclusive', 31],
    ] as const) {
      const pol = builtinPolicies.get(name);
      expect(swpPteMarkerType(pol), name).toBe(type);
      const raw = encodePte(pol, marker(PTE_MARKER_UFFD_WP))!;
      expect(raw).toEqual({ type, offset: PTE_MARKER_UFFD_WP, swpUffdWp: false });
      expect(decodeEntry(pol, raw)).toBe('marker');
      expect(decodeEntry(pol, { type: 0, offset: 1, swpUffdWp: true })).toBe('swap');
      expect(decodeEntry(pol, encodePte(pol, PTE_NONE)!)).toBe('none');
    }
  });

  it("seed 000's special PTE and seed 001's swp_entry(1, 0) cost no swap type but read as markers only at their header slot", () => {
    const special = builtinPolicies.get('uffd-wp-special-pte');
    expect(encodePte(special, marker(PTE_MARKER_UFFD_WP))).toEqual({ type: 0, offset: 0, swpUffdWp: true });
    expect(decodeEntry(special, { type: 0, offset: 0, swpUffdWp: true })).toBe('marker');
    expect(encodePte(special, marker(PTE_MARKER_POISONED))).toBeNull(); // nothing else fits in it
    const one = builtinPolicies.get('uffd-wp-swp-entry-1-0');
    expect(encodePte(one, marker(PTE_MARKER_UFFD_WP))).toEqual({ type: 1, offset: 0, swpUffdWp: false });
    expect(decodeEntry(one, { type: 1, offset: 1, swpUffdWp: false })).toBe('swap');
    expect(one.maxSwapfiles).toBe(special.maxSwapfiles);
    expect(one.maxSwapfiles).toBe(builtinPolicies.get('anon-exclusive-5.19').maxSwapfiles + 1);
  });

  const withMarker = 'mmap P0 A 1 shared\nuffd_register P0 A WP\nuffd_wp P0 A on';

  it('stays quiet on the markers of the eras that have them', () => {
    expectQuiet(withMarker, 'anon-exclusive', checkPteTyped as Checker);
    expectQuiet(withMarker, 'uffd-wp-special-pte', checkPteTyped as Checker);
    expectQuiet(withMarker, 'uffd-wp-swp-entry-1-0', checkPteTyped as Checker);
  });

  it('fires on a marker in an era without markers', () =>
    expectCaught('mmap P0 A 1', 'pagecount', (r) => setPteAt(r, 'P0', 'A', 0, marker(PTE_MARKER_UFFD_WP)), checkPteTyped as Checker, 'pte-typed', /this era has none/));

  it('fires on an empty marker', () => expectCaught('mmap P0 A 1', 'anon-exclusive', (r) => setPteAt(r, 'P0', 'A', 0, marker(0)), checkPteTyped as Checker, 'pte-typed', /empty PTE marker/));

  it("fires on a real swap entry that seed 000's encoding reads as a marker: swp_entry(0, 0) with the uffd-wp bit", () =>
    expectCaught('mmap P0 A 1', 'uffd-wp-special-pte', (r) => setPteAt(r, 'P0', 'A', 0, mkSwap(0, 0, false, false, true)), checkPteTyped as Checker, 'pte-typed', /reads as a PTE marker/, null));

  it("fires on a real swap entry that seed 001's encoding reads as a marker: swp_entry(1, 0)", () =>
    expectCaught('mmap P0 A 1', 'uffd-wp-swp-entry-1-0', (r) => setPteAt(r, 'P0', 'A', 0, mkSwap(1, 0, false, false, false)), checkPteTyped as Checker, 'pte-typed', /reads as a PTE marker/, null));

  it('fires when MAX_SWAPFILES forgets the marker: SWP_PTE_MARKER wraps to device 0', () => {
    for (const mode of CHECK_MODES) {
      const r = corrupt('mmap P0 A 1 shared\nuffd_register P0 A WP', 'bug-max-swapfiles-forgets-marker', mode, (x) => setPteAt(x, 'P0', 'A', 0, marker(PTE_MARKER_UFFD_WP)));
      const v = judge(r, checkPteTyped as Checker);
      expect(v?.message, mode).toMatch(/reads as a swap entry/);
    }
  });
});

describe('soft-dirty: no PTE becomes writable without soft-dirty while tracking is on', () => {
  const tracked = 'mmap P0 A 1\nwrite P0 A\nclear_refs P0';

  it('stays quiet: clear_refs write-protects, the next write fault sets soft-dirty', () => {
    const r = runClean(`${tracked}\nwrite P0 A`);
    expect(present(r, 'P0')).toMatchObject({ write: true, softDirty: true });
  });

  it('fires when a PTE is made writable without soft-dirty', () => {
    for (const mode of CHECK_MODES) {
      const r = corrupt(tracked, 'anon-exclusive', mode, (x) => setPteAt(x, 'P0', 'A', 0, { ...present(x, 'P0'), write: true, softDirty: false }));
      expect(judge(r)?.invariant, mode).toBe('soft-dirty');
    }
  });

  it('says nothing where VM_SOFTDIRTY is set (tracking off: a new mapping)', () => {
    for (const mode of CHECK_MODES) {
      const r = corrupt('mmap P0 A 1\nwrite P0 A', 'anon-exclusive', mode, (x) => setPteAt(x, 'P0', 'A', 0, { ...present(x, 'P0'), write: false }));
      r.world.journal.begin();
      setPteAt(r, 'P0', 'A', 0, { ...present(r, 'P0'), write: true, softDirty: false });
      expect(judge(r), mode).toBeNull();
    }
  });
});

describe('uffd-missing: a registered range gets pages only as the contract allows', () => {
  it('fires on a page mapped in a MISSING range of anonymous memory without an ioctl', () => {
    for (const mode of CHECK_MODES) {
      const r = corrupt('mmap P0 A 2\nwrite P0 A+1\nuffd_register P0 A 2 MISSING', 'anon-exclusive', mode, (x) =>
        setPteAt(x, 'P0', 'A', 0, mkPresent(0, 0, false, false, false, false)), // the zero page, with no fault and no ioctl
      );
      const v = judge(r);
      expect(v?.invariant, mode).toBe('uffd-missing');
      expect(v?.message).toMatch(/got the zero page in a MISSING range/);
    }
  });

  it('stays quiet when an ioctl filled it (the journal records the fill)', () => {
    for (const mode of CHECK_MODES) {
      const r = corrupt('mmap P0 A 1\nuffd_register P0 A MISSING', 'anon-exclusive', mode, (x) => {
        setPteAt(x, 'P0', 'A', 0, mkPresent(0, 0, false, false, false, false));
        x.world.journal.fill(x.world.procMm[0]!, x.world.k.mms[0]!.labels[0]!);
      });
      expect(judge(r), mode).toBeNull();
    }
  });
});

describe('soft-dirty and uffd-missing judge huge PMDs too', () => {
  const pmdIdx = (r: ReturnType<typeof runClean>) => (r.world.k.mms[0]!.labels[0]! / r.world.k.pmdPages) | 0;

  it('soft-dirty fires when a huge PMD is made writable without soft-dirty after clear_refs', () => {
    for (const mode of CHECK_MODES) {
      const r = corrupt('thp always\nmmap P0 A 4 aligned\nwrite P0 A\nclear_refs P0', 'anon-exclusive', mode, (x) => {
        const i = pmdIdx(x);
        const p = x.world.k.mms[0]!.pmd[i]!;
        if (p.kind !== 'huge') throw new Error('no huge PMD');
        setPmd(x.world.k, x.world.k.mms[0]!, i, { ...p, write: true, softDirty: false });
      });
      const v = judge(r);
      expect(v?.invariant, mode).toBe('soft-dirty');
      expect(v?.message).toMatch(/the huge PMD at P0 A became writable/);
    }
  });

  it('uffd-missing fires on a huge PMD mapped over pmd_none() in a MISSING range without an ioctl', () => {
    for (const mode of CHECK_MODES) {
      const r = corrupt('thp always\nmmap P0 A 4 aligned\nuffd_register P0 A 4 MISSING', 'anon-exclusive', mode, (x) => {
        const zero = hugeZeroFolio(x.world.k);
        setPmd(x.world.k, x.world.k.mms[0]!, pmdIdx(x), mkHugePmd(zero.id, false, false, false, false));
      });
      const v = judge(r);
      expect(v?.invariant, mode).toBe('uffd-missing');
      expect(v?.message).toMatch(/got a huge PMD in a MISSING range/);
    }
  });

  it('stays quiet for a THP the parent had when a child forked with EVENT_FORK, and for its split', () => {
    runClean('thp always\nmmap P0 A 4 aligned\nwrite P0 A\nuffd_register P0 A 4 MISSING EVENT_FORK\nfork P0 P1\nmprotect P1 A+1 1 ro');
  });
});
describe('uffd-missing and pte-typed on hugetlb entries', () => {
  const text = 'hugepages 2\nmmap P0 A 4 hugetlb\nuffd_register P0 A 4 MISSING\nmmap P0 B 4 hugetlb\nwrite P0 B';
  /** maps B's anon huge page at A by hand: a new huge page in a MISSING hugetlb range, no fault, no ioctl */
  const steal = (x: Ran, fill: boolean): void => {
    const mm = mmOf(x, 'P0');
    const pmdPages = x.world.k.pmdPages;
    const b = mm.pmd[(addrOf(x, 'P0', 'B') / pmdPages) | 0]!;
    if (b.kind !== 'huge') throw new Error(b.kind);
    setPmd(x.world.k, mm, (addrOf(x, 'P0', 'A') / pmdPages) | 0, b);
    if (fill) x.world.journal.fill(mm.id, addrOf(x, 'P0', 'A'));
  };

  it('uffd-missing fires on a new anon huge page in a MISSING hugetlb range without UFFDIO_COPY, not with one', () => {
    for (const mode of CHECK_MODES) {
      const v = judge(corrupt(text, 'anon-exclusive', mode, (x) => steal(x, false)), checkUffdMissing as Checker);
      expect(v?.invariant, mode).toBe('uffd-missing');
      expect(v?.message).toMatch(/new huge page in a MISSING hugetlb range/);
      expect(judge(corrupt(text, 'anon-exclusive', mode, (x) => steal(x, true)), checkUffdMissing as Checker), mode).toBeNull();
    }
  });

  it('pte-typed reads a huge uffd-wp marker as a PTE marker; an empty one is caught', () => {
    const wp = 'hugepages 2\nmmap P0 A 4 hugetlb\nuffd_register P0 A 4 WP\nuffd_wp P0 A 4 on';
    expectQuiet(wp, 'anon-exclusive', checkPteTyped);
    expectCaught(
      wp,
      'anon-exclusive',
      (x) => setPmd(x.world.k, mmOf(x, 'P0'), (addrOf(x, 'P0', 'A') / x.world.k.pmdPages) | 0, { kind: 'marker', bits: 0 }),
      checkPteTyped,
      'pte-typed',
      /empty PTE marker/,
    );
  });
});

