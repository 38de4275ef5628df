// Every seeded bug is caught by a short hand-written scenario that the policy it was derived from
// passes, at the op where the bug shows, in both check modes.
import { describe, expect, it } from 'vitest';
import { anonExclusive } from '../../src/policy/eras/anon-exclusive.js';
import { builtinPolicies } from '../../src/policy/registry.js';
import { seededBugs } from '../../src/policy/seeded-bugs.js';
import type { CowPolicy } from '../../src/model/policy.js';
import { CHECK_MODES, run } from '../helpers.js';

const PIN_RW_LONG = 'FOLL_PIN|FOLL_WRITE|FOLL_LONGTERM';

interface Case {
  readonly ops: readonly string[];
  /** the verdict under the seeded bug */
  readonly verdict: string;
  /** the op (0-based) at which the seeded bug is caught */
  readonly at: number;
}

const CASES: Record<string, Case> = {
  // the pinned page is shared with the child (not exclusive, still pinned)
  'bug-fork-shares-pinned': {
    ops: ['mmap P0 A 1', 'write P0 A', `gup P0 A ${PIN_RW_LONG} as r1`, 'fork P0 P1', 'write P0 A', 'read r1'],
    verdict: 'anon-exclusive',
    at: 3,
  },
  // O_DIRECT read in flight across swap-out: without the exclusive bit the swapped-in page is copied on write
  'bug-swapout-drops-exclusive': {
    ops: ['mmap P0 A 1', 'write P0 A', 'gup P0 A FOLL_GET|FOLL_WRITE as r1', 'reclaim P0 A', 'read P0 A', 'write P0 A', 'write r1'],
    verdict: 'pin-coherence',
    at: 5,
  },
  'bug-swap-offset-zero': {
    ops: ['mmap P0 A 1', 'write P0 A', 'reclaim P0 A', 'read P0 A'],
    verdict: 'swap-offset-zero',
    at: 2,
  },
  // R/O pin of a COW-shared page: pinned and mapped but not exclusive
  'bug-ro-pin-no-unshare': {
    ops: ['mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'gup P0 A FOLL_PIN|FOLL_LONGTERM as r1', 'write P0 A', 'read r1'],
    verdict: 'anon-exclusive',
    at: 3,
  },
  'bug-fork-keeps-exclusive': {
    ops: ['mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'write P1 A'],
    verdict: 'anon-exclusive',
    at: 2,
  },
  'bug-unpin-forgets-bias': {
    ops: ['mmap P0 A 1', 'write P0 A', 'gup P0 A FOLL_PIN as r1', 'unpin r1'],
    verdict: 'accounting',
    at: 3,
  },
  // both PTEs swapped out: the parent's swap-in must not claim exclusivity while the child's swap PTE names the slot
  'bug-swapin-marks-exclusive': {
    ops: ['mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'reclaim P0 A', 'read P0 A'],
    verdict: 'anon-exclusive',
    at: 4,
  },
  // the pinned page is swapped out, fork shares the swap entry, the parent's write copies away from the pin
  'bug-reclaim-unmaps-pinned': {
    ops: ['mmap P0 A 1', 'write P0 A', `gup P0 A ${PIN_RW_LONG} as r1`, 'reclaim P0 A', 'fork P0 P1', 'write P0 A', 'read r1'],
    verdict: 'pin-coherence',
    at: 5,
  },
  // a swap cache page whose slot the child's swap PTE still uses is reused in place by the parent
  'bug-reuse-ignores-swapcache': {
    ops: ['mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'reclaim P0 A', 'read P0 A', 'write P0 A', 'read P1 A'],
    verdict: 'anon-exclusive',
    at: 5,
  },
  'bug-mprotect-upgrades-shared': {
    ops: ['mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'mprotect P0 A ro', 'mprotect P0 A rw', 'write P0 A', 'read P1 A'],
    verdict: 'anon-exclusive',
    at: 4,
  },
  // CVE-2020-29374: vmsplice in the child, unmap, the parent's write lands in the pipe's page
  'bug-wp-reuse-by-mapcount': {
    ops: ['mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'vmsplice P1 A as r1', 'munmap P1 A', 'write P0 A', 'read r1'],
    verdict: 'no-over-sharing',
    at: 5,
  },
  'bug-fork-keeps-swp-exclusive': {
    ops: ['mmap P0 A 1', 'write P0 A', 'reclaim P0 A', 'fork P0 P1', 'read P1 A'],
    verdict: 'anon-exclusive',
    at: 3,
  },
  // a private file mapping read in (the page-cache page mapped read-only), then written
  'bug-wp-reuses-pagecache': {
    ops: ['file F 1', 'mmap P0 A 1 F', 'read P0 A', 'write P0 A'],
    verdict: 'no-write-through',
    at: 3,
  },
  // ptrace writes into a read-only private file mapping whose page-cache page is mapped
  'bug-force-follows-pagecache': {
    ops: ['file F 1 ro', 'mmap P0 A 1 ro F', 'read P0 A', 'poke P0 A'],
    verdict: 'no-write-through',
    at: 3,
  },
  // the THP instance of CVE-2020-29374: the parent's write reuses the THP the child's pipe holds
  'bug-thp-wp-reuse-by-mapcount': {
    ops: ['mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_HUGEPAGE', 'write P0 A', 'fork P0 P1', 'vmsplice P1 A as r1', 'munmap P1 A', 'write P0 A', 'read r1'],
    verdict: 'no-over-sharing',
    at: 6,
  },
  // a pinned THP shared at fork: pinned and mapped by a PMD whose head is not exclusive
  'bug-thp-fork-shares-pinned': {
    ops: ['mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_HUGEPAGE', 'write P0 A', `gup P0 A ${PIN_RW_LONG} as r1`, 'fork P0 P1', 'write P0 A', 'read r1'],
    verdict: 'anon-exclusive',
    at: 4,
  },
  // khugepaged collapses a page an io_uring fixed buffer pins: the pin holds a page the PMD no longer maps
  'bug-collapse-ignores-pins': {
    ops: ['thp always', 'mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_NOHUGEPAGE', 'write P0 A', 'madvise P0 A 4 MADV_HUGEPAGE', `gup P0 A ${PIN_RW_LONG} as r1`, 'khugepaged P0 A', 'write P0 A', 'read r1'],
    verdict: 'pin-coherence',
    at: 6,
  },
  // a THP with a tagged second page swapped out whole: only page 0's tags saved, page 1 comes back untagged
  'bug-mte-save-first-page': {
    ops: ['mmap P0 A 4 aligned mte', 'madvise P0 A 4 MADV_HUGEPAGE', 'write P0 A', 'settag P0 A+1 2', 'reclaim P0 A', 'read P0 A+1'],
    verdict: 'mte-tags',
    at: 4,
  },
  // a write fault on a swapped-out tagged page frees its slot (and the saved tags) before restoring them
  'bug-mte-restore-after-free': {
    ops: ['mmap P0 A 1 mte', 'write P0 A', 'settag P0 A 3', 'reclaim P0 A', 'write P0 A'],
    verdict: 'mte-tags',
    at: 4,
  },
  'bug-mte-cow-drops-tags': {
    ops: ['mmap P0 A 1 mte', 'write P0 A', 'settag P0 A 3', 'fork P0 P1', 'write P0 A'],
    verdict: 'mte-tags',
    at: 4,
  },
  // a pinned huge page shared at fork: pinned and mapped by a huge entry whose head is not exclusive
  'bug-hugetlb-fork-shares-pinned': {
    ops: ['mmap P0 A 4 hugetlb', 'write P0 A', `io_uring_register P0 A 4 as r1`, 'fork P0 P1', 'write P0 A', 'read r1'],
    verdict: 'anon-exclusive',
    at: 3,
  },
  // the child's write reuses the huge page the parent still maps: exclusive and writable, yet mapped twice
  'bug-hugetlb-wp-reuse-subpage-mapcount': {
    ops: ['mmap P0 A 4 hugetlb', 'write P0 A', 'fork P0 P1', 'write P1 A', 'read P0 A'],
    verdict: 'anon-exclusive',
    at: 3,
  },
  // UFFDIO_WRITEPROTECT leaves a uffd-wp marker in the none huge entry; the write's hugetlb_no_page() hands on to hugetlb_wp(), which reuses the new page
  'bug-hugetlb-wp-cows-uffd-wp': {
    ops: ['mmap P0 A 4 hugetlb', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'write P0 A'],
    verdict: 'uffd-wp',
    at: 3,
  },
  // the child forked without EVENT_FORK keeps the huge entry's uffd-wp bit in a VMA without VM_UFFD_WP
  'bug-hugetlb-fork-keeps-uffd-wp': {
    ops: ['mmap P0 A 4 hugetlb', 'write P0 A', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'fork P0 P1'],
    verdict: 'uffd-wp-stale',
    at: 4,
  },
  // swapped out, read back in (clean), reclaimed again: dropped
  'bug-shmem-swapin-clean': {
    ops: ['memfd F 1', 'mmap P0 A 1 shared F', 'write P0 A', 'reclaim P0 A', 'read P0 A', 'reclaim P0 A'],
    verdict: 'shared-coherence',
    at: 5,
  },
  // page 1 is in the page cache but not mapped; the read of the hole at page 0 faults around it
  'bug-uffd-fault-around': {
    ops: ['memfd F 2', 'mmap P0 A 2 shared F', 'write P0 A+1', 'madvise P0 A+1 MADV_DONTNEED', 'uffd_register P0 A 2 MINOR', 'read P0 A'],
    verdict: 'uffd-missing',
    at: 5,
  },
  // the protected shmem page is reclaimed: its PTE goes, and with it the protection; the write goes through
  'bug-reclaim-drops-uffd-wp': {
    ops: ['memfd F 1', 'mmap P0 A 1 shared F', 'write P0 A', 'uffd_register P0 A WP', 'uffd_wp P0 A on', 'reclaim P0 A', 'write P0 A'],
    verdict: 'uffd-wp',
    at: 6,
  },
  // page 1 written (the VMA gets an anon_vma: fork copies its page table), page 0 protected unpopulated: a marker
  'bug-fork-copies-uffd-wp-marker': {
    ops: ['mmap P0 A 2', 'write P0 A+1', 'uffd_register P0 A 2 WP WP_UNPOPULATED', 'uffd_wp P0 A on', 'fork P0 P1'],
    verdict: 'uffd-wp-stale',
    at: 4,
  },
  'bug-unregister-keeps-uffd-wp': {
    ops: ['mmap P0 A 1', 'write P0 A', 'uffd_register P0 A WP', 'uffd_wp P0 A on', 'uffd_unregister P0 A'],
    verdict: 'uffd-wp-stale',
    at: 4,
  },
  // the first marker (a protected none PTE of shmem) is swp_entry(32 & 31 = 0, 1): a swap entry of device 0
  'bug-max-swapfiles-forgets-marker': {
    ops: ['mmap P0 A 1 shared', 'uffd_register P0 A WP', 'uffd_wp P0 A on'],
    verdict: 'pte-typed',
    at: 2,
  },
  // a uffd-wp huge PMD copied whole into a child forked without UFFD_FEATURE_EVENT_FORK
  'bug-fork-pmd-keeps-uffd-wp': {
    ops: ['thp always', 'mmap P0 A 4 aligned', 'write P0 A', 'uffd_register P0 A 4 WP', 'uffd_wp P0 A 4 on', 'fork P0 P1'],
    verdict: 'uffd-wp-stale',
    at: 5,
  },
  // the huge zero PMD protected, then split by unprotecting one page: the other pages lose the bit
  'bug-zero-pmd-split-drops-uffd-wp': {
    ops: ['thp always', 'mmap P0 A 4 aligned', 'uffd_register P0 A 4 WP', 'read P0 A', 'uffd_wp P0 A 4 on', 'uffd_wp P0 A off', 'write P0 A+1'],
    verdict: 'uffd-wp',
    at: 6,
  },
  // clear_refs write-protects the shared page; unprotecting (with nothing protected) makes it writable, not soft-dirty
  'bug-uffd-resolve-ignores-soft-dirty': {
    ops: ['mmap P0 A 1 shared', 'write P0 A', 'uffd_register P0 A WP', 'clear_refs P0', 'uffd_wp P0 A off'],
    verdict: 'soft-dirty',
    at: 4,
  },
};

/** The policy fields on which a seeded bug differs from its base (names and descriptions aside). */
function differsFrom(p: CowPolicy, base: CowPolicy): string[] {
  const meta = new Set(['name', 'kernels', 'summary', 'base', 'seededBug']);
  return (Object.keys(base) as (keyof CowPolicy)[]).filter((k) => !meta.has(k) && p[k] !== base[k]);
}

describe('seeded bugs', () => {
  it('every seeded bug has a case, and every case a seeded bug', () => {
    expect(Object.keys(CASES).sort()).toEqual(seededBugs.map((p) => p.name).sort());
  });

  it("are anon-exclusive with a wrong decision, and are what 'mutants' resolves to", () => {
    for (const p of seededBugs) {
      expect(p.base, p.name).toBe('anon-exclusive');
      expect(p.seededBug, p.name).toBeTruthy();
      expect(differsFrom(p, anonExclusive).length, p.name).toBeGreaterThan(0);
      expect(builtinPolicies.kind(p.name)).toBe('seeded-bug');
    }
    expect(builtinPolicies.resolve('mutants').map((p) => p.name)).toEqual(seededBugs.map((p) => p.name));
  });

  for (const pol of seededBugs) {
    const c = CASES[pol.name];
    if (!c) continue;
    const text = c.ops.join('\n');
    describe(pol.name, () => {
      it(`is caught: ${c.verdict} at op ${c.at + 1}`, () => {
        for (const mode of CHECK_MODES) {
          const r = run(text, pol, mode);
          expect(r.verdict, `${mode}: ${r.violation?.message ?? r.refusal?.why ?? ''}`).toBe(c.verdict);
          expect(r.at, mode).toBe(c.at);
        }
      });
      it('the same scenario passes under anon-exclusive', () => {
        for (const mode of CHECK_MODES) {
          const r = run(text, anonExclusive, mode);
          expect(r.verdict, `${mode}: ${r.violation?.message ?? r.refusal?.why ?? ''}`).toBe('pass');
        }
      });
    });
  }
});
