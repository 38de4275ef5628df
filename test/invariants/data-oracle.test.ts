// data-oracle: every page reads back the last value its owner wrote (zero after MADV_DONTNEED).
import { describe, expect, it } from 'vitest';
import { checkDataOracle, peekPte } from '../../src/invariants/data-oracle.js';
import { checkInvariants } from '../../src/invariants/index.js';
import { FOLL_GET } from '../../src/model/constants.js';
import { applyOp } from '../../src/ops/apply.js';
import { build, check, expectViolation, folioAt, gup, mmap, mmId, present, ptes, rd, reclaim, refFolio, swapPte, wr } from './build.js';

function write(w: ReturnType<typeof build>, mm: string, vma = 'A', page = 0): number {
  const r = applyOp(w, wr(mm, vma, page));
  if (!r.ok) throw new Error(r.error);
  return r.value!;
}

describe('data-oracle', () => {
  it('holds on a valid state: written, zero, swapped and cached pages', () => {
    const w = build([mmap('P0', 'A', 4), wr('P0', 'A', 0), rd('P0', 'A', 1), wr('P0', 'A', 3), gup('P0', FOLL_GET, 'g', 'A', 3), reclaim('P0', 'A', 3)]);
    expect(check(checkDataOracle, w)).toBeNull();
    expect(checkInvariants(w)).toBeNull();
  });

  it('fires on a stale value (an older write by the same process)', () => {
    const w = build([mmap('P0')]);
    const v1 = write(w, 'P0');
    const v2 = write(w, 'P0');
    folioAt(w, 'P0').pages[0]!.data = v1;
    expectViolation(check(checkDataOracle, w), 'data-oracle', new RegExp(`P0 A\\+0 reads value #${v1} .* but should read value #${v2}`));
    expectViolation(checkInvariants(w), 'data-oracle');
  });

  it('fires on a written page that reads zero', () => {
    const w = build([mmap('P0'), wr('P0')]);
    folioAt(w, 'P0').pages[0]!.data = 0;
    expectViolation(check(checkDataOracle, w), 'data-oracle', /reads zero but should read value/);
  });

  it('fires on a page that kept its value where the owner expects zero', () => {
    const w = build([mmap('P0'), wr('P0')]);
    w.shadow.mem[mmId(w, 'P0')]!.get('A')![0] = 0;
    // nothing is wrong with 0 per se: the shadow says zero, the page says the old value
    expectViolation(check(checkDataOracle, w), 'data-oracle', /should read zero/);
  });

  it('fires on a swap slot that lost its content', () => {
    const w = build([mmap('P0'), wr('P0'), reclaim('P0')]);
    const off = swapPte(w, 'P0').offset;
    expect(check(checkDataOracle, w)).toBeNull();
    w.k.swap[0]!.data[off] = 0;
    expectViolation(check(checkDataOracle, w), 'data-oracle', /P0 A\+0 reads zero/);
  });

  it('a swap PTE reads its swap cache page before the slot', () => {
    const w = build([mmap('P0'), wr('P0'), gup('P0', FOLL_GET, 'g'), reclaim('P0')]);
    const s = swapPte(w, 'P0');
    const f = refFolio(w, 'g');
    expect(f.swap!.offset).toBe(s.offset);
    const v = f.pages[0]!.data;
    expect(peekPte(w.k, s)).toBe(v);
    w.k.swap[0]!.data[s.offset] = 0; // the slot is not consulted while the cache holds the page
    expect(check(checkDataOracle, w)).toBeNull();
    f.pages[0]!.data = 0;
    expectViolation(check(checkDataOracle, w), 'data-oracle');
  });

  it('peekPte: none reads zero, present reads the page, uncached swap reads the slot', () => {
    const w = build([mmap('P0', 'A', 3), wr('P0', 'A', 1), wr('P0', 'A', 2), reclaim('P0', 'A', 2)]);
    const [none, pres, swp] = ptes(w, 'P0');
    expect(peekPte(w.k, none!)).toBe(0);
    expect(peekPte(w.k, pres!)).toBe(folioAt(w, 'P0', 'A', 1).pages[0]!.data);
    expect(peekPte(w.k, swp!)).toBe(w.k.swap[0]!.data[swapPte(w, 'P0', 'A', 2).offset]);
    expect(peekPte(w.k, swp!)).toBeGreaterThan(0);
  });

  it('expects zero after MADV_DONTNEED', () => {
    const w = build([mmap('P0'), wr('P0')]);
    const pfn = present(w, 'P0').pfn;
    expect(applyOp(w, { kind: 'dontneed', mm: 'P0', vma: 'A', page: 0 }).ok).toBe(true);
    expect(w.shadow.mem[mmId(w, 'P0')]!.get('A')![0]).toBe(0);
    expect(check(checkDataOracle, w)).toBeNull();
    expect(w.k.folios.has(pfn)).toBe(false);
  });
});
