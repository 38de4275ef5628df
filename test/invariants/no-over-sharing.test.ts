// no-over-sharing: nobody sees data another process wrote to its private memory after the fork
// that separated them (checked by the data oracle, src/invariants/data-oracle.ts).
import { describe, expect, it } from 'vitest';
import { checkDataOracle } from '../../src/invariants/data-oracle.js';
import { checkInvariants } from '../../src/invariants/index.js';
import { FOLL_GET } from '../../src/model/constants.js';
import { applyOp } from '../../src/ops/apply.js';
import { mayObserve } from '../../src/oracle/shadow.js';
import { build, check, expectViolation, folioAt, fork, gup, mmap, mmId, munmap, reclaim, refFolio, swapPte, wr } from './build.js';

/** the value a write op stored */
function write(w: ReturnType<typeof build>, mm: string, vma = 'A', page = 0): number {
  const r = applyOp(w, wr(mm, vma, page));
  if (!r.ok) throw new Error(r.error);
  return r.value!;
}

describe('no-over-sharing', () => {
  it('holds when parent and child write their own copies after the fork', () => {
    const w = build([mmap('P0', 'A', 2), wr('P0', 'A', 0), fork('P0', 'P1')]);
    write(w, 'P1');
    write(w, 'P0');
    expect(folioAt(w, 'P0').pfn).not.toBe(folioAt(w, 'P1').pfn);
    expect(check(checkDataOracle, w)).toBeNull();
    expect(checkInvariants(w)).toBeNull();
  });

  it('the child may see what the parent wrote before the fork, not after', () => {
    const w = build([mmap('P0')]);
    const before = write(w, 'P0');
    applyOp(w, fork('P0', 'P1'));
    const after = write(w, 'P0');
    const [p0, p1] = [mmId(w, 'P0'), mmId(w, 'P1')];
    expect(mayObserve(w.shadow, before, p1, 'A', 0)).toBe(true);
    expect(mayObserve(w.shadow, after, p1, 'A', 0)).toBe(false);
    expect(mayObserve(w.shadow, after, p0, 'A', 0)).toBe(true);
    expect(mayObserve(w.shadow, 0, p1, 'A', 0)).toBe(true);
    expect(mayObserve(w.shadow, before, p1, 'A', 1)).toBe(false); // another address
  });

  it("fires when a process's page holds a value the other process wrote after the fork", () => {
    const w = build([mmap('P0'), wr('P0'), fork('P0', 'P1')]);
    const secret = write(w, 'P1');
    folioAt(w, 'P0').pages[0]!.data = secret;
    expectViolation(check(checkDataOracle, w), 'no-over-sharing', new RegExp(`P0 A\\+0 reads value #${secret} \\(written by P1 at A\\+0\\)`));
    expectViolation(checkInvariants(w), 'no-over-sharing');
  });

  it("fires when the parent's later write shows in a page the child still maps", () => {
    const w = build([mmap('P0'), wr('P0'), fork('P0', 'P1')]);
    const secret = write(w, 'P0');
    folioAt(w, 'P1').pages[0]!.data = secret;
    expectViolation(check(checkDataOracle, w), 'no-over-sharing', /P1 A\+0 reads value/);
  });

  it("fires when a reference the child holds reads the parent's later write (CVE-2020-29374 shape)", () => {
    const w = build([mmap('P0'), wr('P0'), fork('P0', 'P1'), gup('P1', FOLL_GET, 'r1'), munmap('P1')]);
    const secret = write(w, 'P0');
    expect(check(checkDataOracle, w)).toBeNull(); // the kernel copied: the pipe has the old data
    refFolio(w, 'r1').pages[0]!.data = secret;
    expectViolation(check(checkDataOracle, w), 'no-over-sharing', /r1 \(P1's reference to A\+0\) reads value/);
    expectViolation(checkInvariants(w), 'no-over-sharing');
  });

  it("fires when a swap slot the child's swap PTE names holds the parent's later write", () => {
    const w = build([mmap('P0'), wr('P0'), fork('P0', 'P1'), reclaim('P0')]);
    const secret = write(w, 'P0'); // swaps in and writes a private copy or the reused page
    const off = swapPte(w, 'P1').offset;
    expect(check(checkDataOracle, w)).toBeNull();
    w.k.swap[0]!.data[off] = secret;
    // the child's swap PTE reads the slot (or its swap cache page)
    const cached = [...w.k.folios.values()].find((f) => f.swap?.offset === off);
    if (cached) cached.pages[0]!.data = secret;
    expectViolation(check(checkDataOracle, w), 'no-over-sharing', /P1 A\+0 reads value/);
  });

  it('fires on a value from another address of the same process', () => {
    const w = build([mmap('P0', 'A', 2), wr('P0', 'A', 0)]);
    const other = write(w, 'P0', 'A', 1);
    folioAt(w, 'P0', 'A', 0).pages[0]!.data = other;
    expectViolation(check(checkDataOracle, w), 'no-over-sharing', /P0 A\+0 reads value .* at A\+1/);
  });
});
