// pin-coherence: a reference that promises coherence and the page table at its address name the
// same page (structurally, checkPinCoherence) and read the same data (the data oracle). Each
// corruption is made by hand on a consistent world and judged in both check modes.
import { describe, expect, it } from 'vitest';
import { checkData } from '../../src/invariants/data-oracle.js';
import { checkPinCoherence } from '../../src/invariants/pin-coherence.js';
import { allocAnonFolio } from '../../src/model/kernel.js';
import { PTE_NONE } from '../../src/model/pte.js';
import { newValue } from '../../src/oracle/shadow.js';
import { addrOf, CHECK_MODES, corrupt, expectCaught, expectQuiet, judge, mmOf, present, ref, runClean, setPteAt, swapPte, type Ran } from '../helpers.js';

const pol = 'anon-exclusive';
// A+0 pinned, A+1 another private page
const VALID = 'mmap P0 A 2\nwrite P0 A\nwrite P0 A+1\nio_uring_register P0 A as r1';

/** The shadow now expects a newer value at P0 A+0 than any page holds: a write that was lost. */
function loseWrite(r: Ran): number {
  const mm = mmOf(r, 'P0').id;
  const addr = addrOf(r, 'P0');
  const v = newValue(r.world.shadow, mm, addr);
  r.world.shadow.exp[mm]![addr] = v;
  r.world.journal.addr(mm, addr);
  return v;
}

describe('pin-coherence', () => {
  it('stays quiet while the PTE maps the pinned page', () => {
    const r = runClean(VALID, pol);
    expect(present(r, 'P0').folio).toBe(ref(r, 'r1').folios[0]);
    expectQuiet(VALID, pol, checkPinCoherence);
  });

  it('fires when the PTE points at another page', () => {
    expectCaught(
      VALID,
      pol,
      (r) => setPteAt(r, 'P0', 'A', 0, { ...present(r, 'P0'), folio: present(r, 'P0', 'A', 1).folio }),
      checkPinCoherence,
      'pin-coherence',
      /^r1 holds folio#1 but P0 A now maps folio#2$/,
      'accounting', // the mapcounts no longer agree either
    );
  });

  it('fires first when two PTEs trade pages (the counts stay consistent)', () => {
    expectCaught(
      VALID,
      pol,
      (r) => {
        const [a, b] = [present(r, 'P0', 'A', 0), present(r, 'P0', 'A', 1)];
        setPteAt(r, 'P0', 'A', 0, b);
        setPteAt(r, 'P0', 'A', 1, a);
      },
      checkPinCoherence,
      'pin-coherence',
      /r1 holds folio#1 but P0 A now maps folio#2/,
    );
  });

  it('fires when the PTE is a swap entry whose swap cache does not hold the pinned page', () => {
    expectCaught(
      `${VALID}\nreclaim P0 A+1`,
      pol,
      (r) => setPteAt(r, 'P0', 'A', 0, swapPte(r, 'P0', 'A', 1)),
      checkPinCoherence,
      'pin-coherence',
      /r1 holds folio#1 but P0 A is swp_entry\(0,1\), which will not swap in that page/,
      'accounting',
    );
  });

  it('fires when the PTE is gone', () => {
    expectCaught(VALID, pol, (r) => setPteAt(r, 'P0', 'A', 0, PTE_NONE), checkPinCoherence, 'pin-coherence', /r1 holds folio#1 but P0 A lost its PTE/, 'accounting');
  });

  it('stays quiet on a swap PTE whose swap cache holds the pinned page (5.9-5.10 swap out pinned pages)', () => {
    const text = 'mmap P0 A 1\nwrite P0 A\nio_uring_register P0 A as r1\nreclaim P0 A';
    const r = runClean(text, 'pagecount-5.9');
    expect(swapPte(r, 'P0').offset).toBe(r.world.k.folios[ref(r, 'r1').folios[0]!]!.swap);
    expectQuiet(text, 'pagecount-5.9', checkPinCoherence);
  });

  it('ignores references that promise nothing: R/O FOLL_GET, a short-term R/O pin of the zero page, R/W FOLL_GET after fork', () => {
    const quietAfter = (text: string, change: (r: Ran) => void) => {
      for (const mode of CHECK_MODES) expect(judge(corrupt(text, pol, mode, change), checkPinCoherence), `${text} (${mode})`).toBeNull();
    };
    quietAfter('mmap P0 A 2\nwrite P0 A\nwrite P0 A+1\nvmsplice P0 A as r1', (r) => setPteAt(r, 'P0', 'A', 0, present(r, 'P0', 'A', 1)));
    // the write moves the PTE off the zero page; the short-term R/O pin stays behind, legitimately
    const zero = 'mmap P0 A 1\nread P0 A\ngup P0 A FOLL_PIN as r1\nwrite P0 A';
    const z = runClean(zero, pol);
    expect(ref(z, 'r1').folios).toEqual([0]);
    expect(present(z, 'P0').folio).not.toBe(0);
    expectQuiet(zero, pol, checkPinCoherence);
    quietAfter('mmap P0 A 2\nwrite P0 A\nwrite P0 A+1\ngup P0 A FOLL_GET|FOLL_WRITE as r1\nfork P0 P1', (r) => setPteAt(r, 'P0', 'A', 0, PTE_NONE));
    // ...but before the fork the R/W FOLL_GET is coherent
    expectCaught('mmap P0 A 2\nwrite P0 A\nwrite P0 A+1\ngup P0 A FOLL_GET|FOLL_WRITE as r1', pol, (r) => setPteAt(r, 'P0', 'A', 0, PTE_NONE), checkPinCoherence, 'pin-coherence', /lost its PTE/, 'accounting');
  });

  it('ignores a pin whose address was unmapped', () => {
    expectQuiet('mmap P0 A 1\nwrite P0 A\nio_uring_register P0 A as r1\nmunmap P0 A', pol, checkPinCoherence);
  });

  it('the data oracle reports a lost write at a pinned address as pin-coherence', () => {
    // structurally fine: the page table still maps the pinned page
    for (const mode of CHECK_MODES) expect(judge(corrupt(VALID, pol, mode, loseWrite), checkPinCoherence)).toBeNull();
    expectCaught(VALID, pol, loseWrite, checkData, 'pin-coherence', /P0 A reads value #1 \(written by P0 at A\) but should read value #3 \(written by P0 at A\)/);
  });

  it('the data oracle reports a coherent reference that reads other data than its page table', () => {
    // P0's newest value went into a page that is not the pinned one
    const move = (r: Ran) => {
      const v = loseWrite(r);
      const copy = allocAnonFolio(r.world.k, v, 0);
      copy.pages[0]!.mapcount = 1;
      setPteAt(r, 'P0', 'A', 0, { ...present(r, 'P0'), folio: copy.id });
    };
    expectCaught(VALID, pol, move, checkData, 'pin-coherence', /^r1 reads value #1 \(written by P0 at A\) but its page table reads value #3/, 'accounting');
    expectCaught(VALID, pol, move, checkPinCoherence, 'pin-coherence', /now maps folio#3/, 'accounting');
  });
});
