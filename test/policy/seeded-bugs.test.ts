// Every seeded bug is caught by a short hand-written sequence that the correct policy passes.
import { describe, expect, it } from 'vitest';
import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../../src/model/constants.js';
import type { Op } from '../../src/ops/types.js';
import { anonExclusive } from '../../src/policy/eras/anon-exclusive.js';
import { getPolicy } from '../../src/policy/registry.js';
import { seededBugs } from '../../src/policy/seeded-bugs.js';
import { runOps } from '../../src/scenario/run.js';
import { fork, gup, mmap, mprotect, munmap, rd, reclaim, refRead, refWrite, unpin, wr } from '../ops/builders.js';


const PIN_RW_LONG = FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM;

interface Case {
  readonly ops: Op[];
  /** the verdict under the mutant */
  readonly verdict: string;
  /** the op index at which the mutant is caught */
  readonly step: number;
}

const CASES: Record<string, Case> = {
  // the pinned page is shared with the child (not exclusive, still pinned)
  'bug-fork-shares-pinned': {
    ops: [mmap('P0'), wr('P0'), gup('P0', PIN_RW_LONG, 'r1'), fork('P0', 'P1'), wr('P0'), refRead('r1')],
    verdict: 'anon-exclusive',
    step: 3,
  },
  // O_DIRECT read in flight across swap-out: without the exclusive bit the swap-in page is copied on write
  'bug-swapout-drops-exclusive': {
    ops: [mmap('P0'), wr('P0'), gup('P0', FOLL_GET | FOLL_WRITE, 'r1'), reclaim('P0'), rd('P0'), wr('P0'), refWrite('r1')],
    verdict: 'pin-coherence',
    step: 5,
  },
  'bug-swap-offset-zero': {
    ops: [mmap('P0'), wr('P0'), reclaim('P0'), rd('P0')],
    verdict: 'swap-offset-zero',
    step: 2,
  },
  // R/O pin of a COW-shared page: pinned and mapped but not exclusive
  'bug-ro-pin-no-unshare': {
    ops: [mmap('P0'), wr('P0'), fork('P0', 'P1'), gup('P0', FOLL_PIN | FOLL_LONGTERM, 'r1'), wr('P0'), refRead('r1')],
    verdict: 'anon-exclusive',
    step: 3,
  },
  'bug-fork-keeps-exclusive': {
    ops: [mmap('P0'), wr('P0'), fork('P0', 'P1'), wr('P1')],
    verdict: 'anon-exclusive',
    step: 2,
  },
  'bug-unpin-forgets-bias': {
    ops: [mmap('P0'), wr('P0'), gup('P0', FOLL_PIN, 'r1'), unpin('r1')],
    verdict: 'accounting',
    step: 3,
  },
  // both PTEs swapped out: the parent's swap-in must not claim exclusivity while the child's swap PTE names the slot
  'bug-swapin-marks-exclusive': {
    ops: [mmap('P0'), wr('P0'), fork('P0', 'P1'), reclaim('P0'), rd('P0')],
    verdict: 'anon-exclusive',
    step: 4,
  },
  // the pinned page is swapped out, fork shares the swap entry, the parent's write copies away from the pin
  'bug-reclaim-unmaps-pinned': {
    ops: [mmap('P0'), wr('P0'), gup('P0', PIN_RW_LONG, 'r1'), reclaim('P0'), fork('P0', 'P1'), wr('P0'), refRead('r1')],
    verdict: 'pin-coherence',
    step: 5,
  },
  // a swap cache page whose slot the child's swap PTE still uses is reused in place by the parent
  'bug-reuse-ignores-swapcache': {
    ops: [mmap('P0'), wr('P0'), fork('P0', 'P1'), reclaim('P0'), rd('P0'), wr('P0'), rd('P1')],
    verdict: 'anon-exclusive',
    step: 5,
  },
  'bug-mprotect-upgrades-shared': {
    ops: [mmap('P0'), wr('P0'), fork('P0', 'P1'), mprotect('P0', false), mprotect('P0', true), wr('P0'), rd('P1')],
    verdict: 'anon-exclusive',
    step: 4,
  },
  // CVE-2020-29374: vmsplice in the child, unmap, the parent's write lands in the pipe's page
  'bug-wp-reuse-by-mapcount': {
    ops: [mmap('P0'), wr('P0'), fork('P0', 'P1'), gup('P1', FOLL_GET, 'r1'), munmap('P1'), wr('P0'), refRead('r1')],
    verdict: 'no-over-sharing',
    step: 5,
  },
  'bug-fork-keeps-swp-exclusive': {
    ops: [mmap('P0'), wr('P0'), reclaim('P0'), fork('P0', 'P1'), rd('P1')],
    verdict: 'anon-exclusive',
    step: 3,
  },
};

describe('seeded bugs', () => {
  it('every seeded bug has a case, and every case a seeded bug', () => {
    expect(Object.keys(CASES).sort()).toEqual(seededBugs.map((p) => p.name).sort());
  });

  it('are anon-exclusive with one wrong decision', () => {
    for (const p of seededBugs) {
      expect(p.base, p.name).toBe('anon-exclusive');
      expect(p.seededBug, p.name).toBeTruthy();
      expect(p.hasAnonExclusive).toBe(true);
      expect(getPolicy(p.name)).toBe(p);
    }
  });

  for (const pol of seededBugs) {
    const c = CASES[pol.name];
    if (!c) continue;
    describe(pol.name, () => {
      it(`is caught: ${c.verdict} at step ${c.step}`, () => {
        const r = runOps(c.ops, pol);
        expect(r.verdict, r.violation?.message ?? r.error ?? '').toBe(c.verdict);
        expect(r.step).toBe(c.step);
      });
      it('the same sequence passes under anon-exclusive', () => {
        const r = runOps(c.ops, anonExclusive);
        expect(r.verdict, r.violation?.message ?? r.error ?? '').toBe('pass');
      });
    });
  }
});
