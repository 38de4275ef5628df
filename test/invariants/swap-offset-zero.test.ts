// swap-offset-zero: the swap header slot is never allocated, cached or named by a swap PTE. Each
// corruption is made by hand on a consistent world and judged in both check modes.
import { describe, expect, it } from 'vitest';
import { checkSwapOffsetZero } from '../../src/invariants/swap-offset-zero.js';
import { SWAP_MAP_BAD } from '../../src/model/constants.js';
import { touchFolio } from '../../src/model/kernel.js';
import { swpVal } from '../../src/model/swapfile.js';
import { CHECK_MODES, expectCaught, expectQuiet, folioAt, run, runClean, setPteAt, swapPte } from '../helpers.js';

const pol = 'anon-exclusive';
const VALID = 'mmap P0 A 2\nwrite P0 A\nwrite P0 A+1\nfork P0 P1\nreclaim P0 A\nread P0 A';

describe('swap-offset-zero', () => {
  it('stays quiet on a fresh device (header SWAP_MAP_BAD) and on a valid state using the swap', () => {
    const fresh = runClean('mmap P0 A 1', pol);
    expect(fresh.world.k.swap[0]!.map[0]).toBe(SWAP_MAP_BAD);
    expectQuiet('mmap P0 A 1', pol, checkSwapOffsetZero);
    const r = runClean(VALID, pol);
    expect(folioAt(r, 'P0').swap).toBe(swpVal(0, 1));
    expect(swapPte(r, 'P1').offset).toBe(1);
    expectQuiet(VALID, pol, checkSwapOffsetZero);
  });

  const header = (what: 'map' | 'hasCache') => () =>
    expectCaught(
      VALID,
      pol,
      (r) => {
        if (what === 'map') r.world.k.swap[0]!.map[0] = 1;
        else r.world.k.swap[0]!.hasCache[0] = true;
        r.world.journal.slot(swpVal(0, 0));
      },
      checkSwapOffsetZero,
      'swap-offset-zero',
      /^offset 0 \(the swap header\) of swap device 0 was allocated$/,
      'accounting', // the slot's counts no longer agree with the PTEs and the swap cache either
    );

  it('fires when swap_map[0] counts a user', header('map'));

  it('fires when the header slot has SWAP_HAS_CACHE', header('hasCache'));

  it('fires first on a swap PTE at offset 0, even with the header still marked bad', () => {
    expectCaught(
      VALID,
      pol,
      (r) => {
        const s = swapPte(r, 'P1');
        r.world.k.swap[0]!.map[s.offset]! -= 1;
        r.world.journal.slot(swpVal(0, s.offset));
        setPteAt(r, 'P1', 'A', 0, { ...s, offset: 0 });
        expect(r.world.k.swap[0]!.map[0]).toBe(SWAP_MAP_BAD);
      },
      checkSwapOffsetZero,
      'swap-offset-zero',
      /^P1 A holds swp_entry\(0,0\), which reads as pte_none: the swap header$/,
    );
  });

  it('fires on a swap cache folio at offset 0', () => {
    expectCaught(
      VALID,
      pol,
      (r) => {
        const f = folioAt(r, 'P0');
        f.swap = swpVal(0, 0);
        touchFolio(r.world.k, f);
      },
      checkSwapOffsetZero,
      'swap-offset-zero',
      /^folio#\d+ is in the swap cache at offset 0 of device 0$/,
      'accounting',
    );
  });

  it('fires when a device without a reserved header hands out offset 0 (bug-swap-offset-zero)', () => {
    for (const mode of CHECK_MODES) {
      const r = run('mmap P0 A 1\nwrite P0 A\nreclaim P0 A', 'bug-swap-offset-zero', mode);
      expect(r.verdict, mode).toBe('swap-offset-zero');
      expect(r.at).toBe(2);
      expect(swapPte(r, 'P0').offset).toBe(0);
      expect(r.world.k.swap[0]!.map[0]).toBe(1);
    }
  });
});
