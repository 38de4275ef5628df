// no-over-sharing: nobody sees data another process wrote to its private memory after the fork that
// separated them (judged by the data oracle, src/invariants/data-oracle.ts). Each corruption is made
// by hand on a consistent world and judged in both check modes.
import { describe, it } from 'vitest';
import { checkData } from '../../src/invariants/data-oracle.js';
import { touchFolioData } from '../../src/model/kernel.js';
import { swpVal } from '../../src/model/swapfile.js';
import type { Folio } from '../../src/model/types.js';
import { expectCaught, expectQuiet, folioAt, ref, swapPte, valueAt, type Ran } from '../helpers.js';

const pol = 'anon-exclusive';

function setData(r: Ran, f: Folio, v: number): void {
  f.pages[0]!.data = v;
  touchFolioData(r.world.k, f); // a data change is journaled as one (touchFolio() records counters and flags)
}

describe('no-over-sharing', () => {
  it('stays quiet when parent and child write their own copies after the fork', () => {
    expectQuiet('mmap P0 A 2\nwrite P0 A\nfork P0 P1\nwrite P1 A\nwrite P0 A\nread P1 A+1', pol, checkData);
  });

  it("fires when a process's page holds a value the other process wrote after the fork", () => {
    expectCaught(
      'mmap P0 A 1\nwrite P0 A\nfork P0 P1\nwrite P1 A',
      pol,
      (r) => setData(r, folioAt(r, 'P0'), valueAt(r, 3)),
      checkData,
      'no-over-sharing',
      /^P0 A reads value #2 \(written by P1 at A\)$/,
    );
  });

  it("fires when the parent's later write shows in a page the child still maps", () => {
    expectCaught(
      'mmap P0 A 1\nwrite P0 A\nfork P0 P1\nwrite P0 A',
      pol,
      (r) => setData(r, folioAt(r, 'P1'), valueAt(r, 3)),
      checkData,
      'no-over-sharing',
      /^P1 A reads value #2 \(written by P0 at A\)$/,
    );
  });

  it("fires when a reference the child holds reads the parent's later write (CVE-2020-29374 shape)", () => {
    const text = 'mmap P0 A 1\nwrite P0 A\nfork P0 P1\nvmsplice P1 A as r1\nmunmap P1 A\nwrite P0 A';
    expectQuiet(text, pol, checkData); // the kernel copied: the pipe has the old data
    expectCaught(
      text,
      pol,
      (r) => setData(r, r.world.k.folios[ref(r, 'r1').folios[0]!]!, valueAt(r, 5)),
      checkData,
      'no-over-sharing',
      /^r1 \(P1 A\) reads value #2 \(written by P0 at A\)$/,
    );
  });

  it("fires when the swap slot the child's swap PTE names holds the parent's later write", () => {
    const text = 'mmap P0 A 1\nwrite P0 A\nfork P0 P1\nreclaim P0 A\nwrite P0 A';
    expectQuiet(text, pol, checkData);
    expectCaught(
      text,
      pol,
      (r) => {
        const off = swapPte(r, 'P1').offset;
        const secret = valueAt(r, 4);
        r.world.k.swap[0]!.data[off] = secret;
        r.world.journal.slot(swpVal(0, off));
        // the swapped-in page P0 copied away from is still in the swap cache: the child's PTE reads it first
        const cached = r.world.k.folios[r.world.k.swapCache[0]![off]!];
        if (cached) setData(r, cached, secret);
      },
      checkData,
      'no-over-sharing',
      /^P1 A reads value #2 \(written by P0 at A\)$/,
    );
  });

  it('fires on a value from another address of the same process', () => {
    expectCaught(
      'mmap P0 A 2\nwrite P0 A\nwrite P0 A+1',
      pol,
      (r) => setData(r, folioAt(r, 'P0'), valueAt(r, 2)),
      checkData,
      'no-over-sharing',
      /^P0 A reads value #2 \(written by P0 at A\+1\)$/,
    );
  });
});
