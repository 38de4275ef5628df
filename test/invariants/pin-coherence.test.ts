// pin-coherence: a coherent reference and the page table at its address name the same page.
import { describe, expect, it } from 'vitest';
import { checkDataOracle } from '../../src/invariants/data-oracle.js';
import { checkInvariants } from '../../src/invariants/index.js';
import { checkPinCoherence } from '../../src/invariants/pin-coherence.js';
import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../../src/model/constants.js';
import { allocAnonFolio } from '../../src/model/kernel.js';
import { liveRef } from '../../src/ops/apply.js';
import { newValue } from '../../src/oracle/shadow.js';
import { pagecount59 } from '../../src/policy/eras/pagecount.js';
import { build, check, expectViolation, fork, gup, mmap, mmId, munmap, present, ptes, rd, reclaim, refFolio, swapPte, wr } from './build.js';

const PIN = FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM;
// A+0 pinned, A+1 another private page
const valid = () => build([mmap('P0', 'A', 2), wr('P0', 'A', 0), wr('P0', 'A', 1), gup('P0', PIN, 'r1')]);

describe('pin-coherence', () => {
  it('holds while the PTE maps the pinned page', () => {
    const w = valid();
    expect(present(w, 'P0').pfn).toBe(liveRef(w, 'r1').pfn);
    expect(check(checkPinCoherence, w)).toBeNull();
    expect(checkInvariants(w)).toBeNull();
  });

  it('fires when the PTE points at another page', () => {
    const w = valid();
    const other = present(w, 'P0', 'A', 1);
    ptes(w, 'P0')[0] = { ...present(w, 'P0'), pfn: other.pfn };
    expectViolation(check(checkPinCoherence, w), 'pin-coherence', /r1 holds pfn \d+ but P0 A\+0 now maps pfn \d+/);
  });

  it('fires through checkInvariants when two PTEs swap pages (counts stay consistent)', () => {
    const w = valid();
    const [a, b] = [present(w, 'P0', 'A', 0), present(w, 'P0', 'A', 1)];
    ptes(w, 'P0')[0] = b;
    ptes(w, 'P0')[1] = a;
    expectViolation(checkInvariants(w), 'pin-coherence');
  });

  it('fires when the PTE is a swap entry whose swap cache does not hold the pinned page', () => {
    const w = valid();
    const s = build([mmap('P0', 'A', 2), wr('P0', 'A', 0), wr('P0', 'A', 1), gup('P0', PIN, 'r1'), reclaim('P0', 'A', 1)]);
    const swp = swapPte(s, 'P0', 'A', 1);
    ptes(w, 'P0')[0] = swp;
    expectViolation(check(checkPinCoherence, w), 'pin-coherence', /is swp_entry\(0,1\), which will not swap in that page/);
  });

  it('fires when the PTE is gone', () => {
    const w = valid();
    ptes(w, 'P0')[0] = { kind: 'none' };
    expectViolation(check(checkPinCoherence, w), 'pin-coherence', /lost its PTE/);
  });

  it('holds on a swap PTE whose swap cache holds the pinned page (5.9-5.10 swaps out pinned pages)', () => {
    const w = build([mmap('P0'), wr('P0'), gup('P0', PIN, 'r1'), reclaim('P0')], pagecount59);
    const f = refFolio(w, 'r1');
    expect(swapPte(w, 'P0').offset).toBe(f.swap!.offset);
    expect(check(checkPinCoherence, w)).toBeNull();
  });

  it('ignores references that promise nothing: R/O FOLL_GET, short-term R/O pin of the zero page, R/W FOLL_GET after fork', () => {
    const a = build([mmap('P0', 'A', 2), wr('P0', 'A', 0), wr('P0', 'A', 1), gup('P0', FOLL_GET, 'r1')]);
    ptes(a, 'P0')[0] = present(a, 'P0', 'A', 1);
    expect(check(checkPinCoherence, a)).toBeNull();

    // the write moves the PTE off the zero page; the short-term R/O pin stays behind, legitimately
    const b = build([mmap('P0'), rd('P0'), gup('P0', FOLL_PIN, 'r1'), wr('P0')]);
    expect(liveRef(b, 'r1').pfn).toBe(b.k.zeroPfn);
    expect(present(b, 'P0').pfn).not.toBe(b.k.zeroPfn);
    expect(check(checkPinCoherence, b)).toBeNull();

    const c = build([mmap('P0', 'A', 2), wr('P0', 'A', 0), wr('P0', 'A', 1), gup('P0', FOLL_GET | FOLL_WRITE, 'r1'), fork('P0', 'P1')]);
    ptes(c, 'P0')[0] = { kind: 'none' };
    expect(check(checkPinCoherence, c)).toBeNull();
    // ...but before the fork the R/W FOLL_GET is coherent
    const d = build([mmap('P0', 'A', 2), wr('P0', 'A', 0), wr('P0', 'A', 1), gup('P0', FOLL_GET | FOLL_WRITE, 'r1')]);
    ptes(d, 'P0')[0] = { kind: 'none' };
    expectViolation(check(checkPinCoherence, d), 'pin-coherence');
  });

  it('ignores a pin whose address was unmapped', () => {
    const w = build([mmap('P0'), wr('P0'), gup('P0', PIN, 'r1'), munmap('P0')]);
    expect(check(checkPinCoherence, w)).toBeNull();
    expect(checkInvariants(w)).toBeNull();
  });

  it('the data oracle reports a lost write at a pinned address as pin-coherence', () => {
    const w = valid();
    // the page table says P0 wrote a newer value that never reached the pinned page
    const v = newValue(w.shadow, mmId(w, 'P0'), 'A', 0);
    w.shadow.mem[mmId(w, 'P0')]!.get('A')![0] = v;
    expect(check(checkPinCoherence, w)).toBeNull(); // structurally fine
    expectViolation(check(checkDataOracle, w), 'pin-coherence', /P0 A\+0 reads value #\d+ .* but should read value #\d+/);
    expectViolation(checkInvariants(w), 'pin-coherence');
  });

  it('the data oracle reports a coherent reference that reads other data than its page table', () => {
    const w = build([mmap('P0'), wr('P0'), gup('P0', PIN, 'r1')]);
    const f = refFolio(w, 'r1');
    const old = f.pages[0]!.data;
    // P0 writes a new value into a page that is not the pinned one
    const v = newValue(w.shadow, mmId(w, 'P0'), 'A', 0);
    w.shadow.mem[mmId(w, 'P0')]!.get('A')![0] = v;
    const copy = allocAnonFolio(w.k, v, 0);
    ptes(w, 'P0')[0] = { ...present(w, 'P0'), pfn: copy.pfn };
    expect(f.pages[0]!.data).toBe(old);
    expectViolation(check(checkDataOracle, w), 'pin-coherence', /r1 reads value #\d+ .* but its page table reads value #\d+/);
    expectViolation(check(checkPinCoherence, w), 'pin-coherence', /now maps pfn/);
  });
});
