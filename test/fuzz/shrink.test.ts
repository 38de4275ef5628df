// The shrinker and the normal forms: minimal sequences, names renumbered across the whole
// sequence, offsets shifted down, fork chains collapsed, one signature per bug.
import { describe, expect, it } from 'vitest';
import { failsAt } from '../../src/engine/run.js';
import { findingBody, signature } from '../../src/fuzz/findings.js';
import { collapseForkChains, dropMoves, dropPage, mergeForks, renumber } from '../../src/fuzz/normalize.js';
import { shrink } from '../../src/fuzz/shrink.js';
import { getPolicy } from '../../src/policy/registry.js';
import { scenarioOps } from '../../src/scenario/types.js';
import { parse } from '../helpers.js';

const ops = (text: string) => scenarioOps(parse(text).scenario);

describe('normal forms', () => {
  it('renumbers processes, labels and references in order of first use', () => {
    const o = ops('mmap P5 Z 1\nfork P5 P9\nvmsplice P9 Z as r7\nput r7\n');
    expect(findingBody(renumber(o))).toBe('mmap P0 A 1\nfork P0 P1\nvmsplice P1 A as r1\nput r1');
  });

  it('leaves "no name" alone: a poke without a reference, anonymous memory without a file', () => {
    const o = ops('memfd F3 1\nmmap P0 A 1\npoke P0 A\npoke P0 A as r4\ngup_step r4\nmmap P0 B 1 shared F3\n');
    const r = renumber(o);
    expect(findingBody(r)).toBe('memfd F0 1\nmmap P0 A 1\npoke P0 A\npoke P0 A as r1\ngup_step r1\nmmap P0 B 1 shared F0');
    expect(r[1]).toMatchObject({ kind: 'mmap', obj: -1 });
    expect(r[2]).toMatchObject({ kind: 'poke', ref: -1 });
  });

  it('drops a page nothing names alone: offsets above it move down, ranges over it shrink', () => {
    const o = ops('mmap P0 A 3\nwrite P0 A+1\nread P0 A+2\nmunmap P0 A\nmadvise P0 A 2 MADV_DONTNEED\n');
    expect(findingBody(dropPage(o, 0, 0)!)).toBe('mmap P0 A 2\nwrite P0 A\nread P0 A+1\nmunmap P0 A\nmadvise P0 A MADV_DONTNEED');
    expect(dropPage(o, 0, 1)).toBeNull(); // write P0 A+1 names page 1 alone
    expect(dropPage(ops('mmap P0 A 1\nwrite P0 A\n'), 0, 0)).toBeNull();
  });

  it("offers each fork away, its child's ops done by the parent", () => {
    const o = ops('mmap P0 A 1\nfork P0 P1\nread P1 A\nfork P1 P2\nwrite P2 A\n');
    expect(mergeForks(o).map(findingBody)).toEqual(['mmap P0 A 1\nread P0 A\nfork P0 P2\nwrite P2 A', 'mmap P0 A 1\nfork P0 P1\nread P1 A\nwrite P1 A']);
  });

  it('collapses a fork chain whose middle process only forks', () => {
    const o = ops('mmap P0 A 1\nfork P0 P1\nfork P1 P2\nwrite P2 A\n');
    expect(collapseForkChains(o).map(findingBody)).toEqual(['mmap P0 A 1\nfork P0 P2\nwrite P2 A']);
    expect(collapseForkChains(ops('mmap P0 A 1\nfork P0 P1\nfork P1 P2\nwrite P1 A\n'))).toEqual([]);
  });

  it('drops a mremap: later uses of the label it moved to name the label it moved from, at the page the move started', () => {
    const o = ops('mmap P0 A 4\nmremap P0 A+2 2 B\nwrite P0 B+1\nmadvise P0 B 2 MADV_DONTNEED\nread P0 A\n');
    expect(dropMoves(o).map(findingBody)).toEqual(['mmap P0 A 4\nwrite P0 A+3\nmadvise P0 A+2 2 MADV_DONTNEED\nread P0 A']);
  });

  it('shrinks a move the bug does not need away', () => {
    // the vmsplice leak of the mapcount era, with the page moved first
    const moved = ops('mmap P0 A 1\nmremap P0 A 1 B\nwrite P0 B\nfork P0 P1\nvmsplice P1 B as r1\nmunmap P1 B\nwrite P0 B\nread r1\n');
    expect(failsAt(moved, getPolicy('mapcount'), 'no-over-sharing', 8)).toBeGreaterThan(0);
    const s = shrink(moved, getPolicy('mapcount'), 'no-over-sharing', { swapSlots: 8 });
    expect(findingBody(s)).not.toMatch(/mremap/);
  });
});

describe('shrink', () => {
  const pol = getPolicy('mapcount');
  const long = ops(`mmap P0 A 2
write P0 A+1
mmap P0 B 1
write P0 B
fork P0 P1
fork P1 P2
read P2 B
vmsplice P2 A+1 as r1
munmap P2 A
exit P1
write P0 A+1
read P0 B
read r1
`);

  it('finds a minimal sequence that fails the same invariant', () => {
    expect(failsAt(long, pol, 'no-over-sharing', 8)).toBeGreaterThan(0);
    const s = shrink(long, pol, 'no-over-sharing', { swapSlots: 8 });
    expect(failsAt(s, pol, 'no-over-sharing', 8)).toBe(s.length);
    expect(findingBody(s)).toBe('mmap P0 A 1\nwrite P0 A\nfork P0 P1\nfork P1 P2\nvmsplice P2 A as r1\nmunmap P2 A\nexit P1\nwrite P0 A');
    // removing any one op loses the failure
    for (let i = 0; i < s.length; i++) expect(failsAt([...s.slice(0, i), ...s.slice(i + 1)], pol, 'no-over-sharing', 8)).toBe(0);
  });

  it('gives one signature to the same bug found through different names', () => {
    const a = shrink(long, pol, 'no-over-sharing', { swapSlots: 8 });
    const other = ops(`mmap Q X 3
write Q X+2
fork Q R
read R X
fork R S
vmsplice S X+2 as pipe
munmap S X
exit R
write Q X+2
read pipe
`);
    const b = shrink(other, pol, 'no-over-sharing', { swapSlots: 8 });
    expect(signature({ policy: 'mapcount', invariant: 'no-over-sharing', ops: a })).toBe(signature({ policy: 'mapcount', invariant: 'no-over-sharing', ops: b }));
  });
});

describe('shrink: stepwise GUP', () => {
  it('Dirty COW under mapcount-4.8 shrinks to the race and still replays', () => {
    const pol = getPolicy('mapcount-4.8');
    const long = ops(`file F0 2 ro
mmap P0 A 2 ro F0
mmap P0 B 1
write P0 B
poke P0 B
poke P0 A as r1
fork P0 P1
gup_step r1
read P0 A+1
gup_step r1
madvise P0 A MADV_DONTNEED
write P1 B
gup_step r1
gup_step r1
gup_step r1
`);
    expect(failsAt(long, pol, 'no-write-through', 8)).toBeGreaterThan(0);
    const s = shrink(long, pol, 'no-write-through', { swapSlots: 8 });
    expect(failsAt(s, pol, 'no-write-through', 8)).toBe(s.length);
    expect(findingBody(s)).toBe('file F0 1\nmmap P0 A 1 ro F0\npoke P0 A as r1\ngup_step r1\ngup_step r1\nmadvise P0 A MADV_DONTNEED\ngup_step r1\ngup_step r1');
  });
});
