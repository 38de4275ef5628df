// hugetlb in the model: MAP_HUGETLB mappings faulted in whole from the pool (hugetlb_no_page()),
// hugetlb_wp() reuse by mapcount and copy, reservations (the owner's, the SIGBUS of a child,
// unmap_ref_private()), copy_hugetlb_page_range() with the early COW of a pinned page per era,
// no swap, no split, EINVAL for ranges that cut a huge page, MADV_DONTNEED per era.
import { describe, expect, it } from 'vitest';
import type { PmdHuge } from '../../src/model/pte.js';
import { HPAGE_RESV_OWNER, HPAGE_RESV_UNMAPPED, PG_anon, PG_hugetlb, type Folio } from '../../src/model/types.js';
import { CHECK_MODES, addrOf, mmOf, run, runClean, type Ran } from '../helpers.js';

const ops = (...l: string[]): string => l.join('\n');

function hugeAt(r: Ran, proc: string, label = 'A'): PmdHuge {
  const a = addrOf(r, proc, label, 0);
  const p = mmOf(r, proc).pmd[(a / r.world.k.pmdPages) | 0]!;
  if (p.kind !== 'huge') throw new Error(`${proc} ${label}: the PMD is ${p.kind}`);
  return p;
}

function folioAt(r: Ran, proc: string, label = 'A'): Folio {
  return r.world.k.folios[hugeAt(r, proc, label).folio]!;
}

/** The errno or signal of the first refused op. */
function refusalOf(r: Ran): string | null {
  for (const t of r.trace) if (t.outcome.kind === 'refused') return t.outcome.refusal;
  return null;
}

function verdictBoth(text: string, pol: string): string {
  const [a, b] = CHECK_MODES.map((m) => run(text, pol, m));
  expect(b!.verdict, b!.violation?.message ?? '').toBe(a!.verdict);
  expect(b!.at).toBe(a!.at);
  return a!.verdict;
}

describe('hugetlb faults (hugetlb_no_page, hugetlb_wp)', () => {
  it('mmap rounds up to a huge page and reserves it for the owner; a read fault allocates an exclusive anon huge page, read-only', () => {
    const r = runClean(ops('mmap P0 A 1 hugetlb', 'read P0 A+2'));
    const mm = mmOf(r, 'P0');
    expect(mm.vmas[0]!.end - mm.vmas[0]!.start).toBe(r.world.k.pmdPages);
    expect(mm.vmas[0]!.resv).toBe(HPAGE_RESV_OWNER);
    const f = folioAt(r, 'P0');
    expect(f.flags & (PG_hugetlb | PG_anon)).toBe(PG_hugetlb | PG_anon);
    expect(f.entireMapcount).toBe(1);
    expect(f.pages[0]!.anonExclusive).toBe(true);
    expect(hugeAt(r, 'P0').write).toBe(false);
    const pool = r.world.k.hugetlb;
    expect([pool.nr, pool.free, pool.resv]).toEqual([4, 3, 0]);
  });

  it('a write after fork copies the whole huge page; the other process keeps the old one', () => {
    const r = runClean(ops('mmap P0 A 4 hugetlb', 'write P0 A+1', 'fork P0 P1', 'write P1 A+2', 'read P0 A+1', 'read P1 A+1'));
    expect(folioAt(r, 'P0').id).not.toBe(folioAt(r, 'P1').id);
    expect(folioAt(r, 'P1').pages[1]!.data).toBe(folioAt(r, 'P0').pages[1]!.data);
    expect(r.world.k.hugetlb.free).toBe(2);
  });

  it('the pool gets its pages back when the mappings go, and the unconsumed reservations', () => {
    const r = runClean(ops('mmap P0 A 8 hugetlb', 'write P0 A', 'fork P0 P1', 'write P1 A', 'exit P1', 'munmap P0 A'));
    const pool = r.world.k.hugetlb;
    expect([pool.free, pool.resv, pool.privResv.size]).toEqual([4, 0, 0]);
  });

  it('never splits, never swaps: split and reclaim leave a hugetlb page alone', () => {
    const r = run(ops('mmap P0 A 4 hugetlb', 'write P0 A', 'reclaim P0 A', 'split P0 A', 'read P0 A'));
    expect(r.verdict).toBe('pass');
    expect(hugeAt(r, 'P0').kind).toBe('huge');
  });
});

describe('reservations', () => {
  it('mmap fails with ENOMEM when the pool cannot reserve the mapping', () => {
    const r = run(ops('hugepages 1', 'mmap P0 A 8 hugetlb'));
    expect(r.verdict).toBe('error');
    expect(refusalOf(r)).toBe('ENOMEM');
  });

  it("a child's COW with the pool used up is SIGBUS; the owner's own COW then takes the page from the child", () => {
    const text = ops('hugepages 1', 'mmap P0 A 4 hugetlb', 'write P0 A', 'fork P0 P1', 'write P1 A', 'write P0 A', 'read P1 A');
    for (const pol of ['mapcount', 'pagecount', 'anon-exclusive']) expect(verdictBoth(text, pol)).toBe('error');
    const r = run(text);
    const child = mmOf(r, 'P1');
    expect(child.vmas[0]!.resv & HPAGE_RESV_UNMAPPED).toBe(HPAGE_RESV_UNMAPPED);
    expect(child.pmd[(child.vmas[0]!.start / r.world.k.pmdPages) | 0]!.kind).not.toBe('huge');
    expect(folioAt(r, 'P0').entireMapcount).toBe(1);
  });

  it('a child forked after unmap_ref_private() starts with a new zeroed page where the page was taken', () => {
    const text = ops('hugepages 1', 'mmap P0 A 4 hugetlb', 'write P0 A', 'fork P0 P1', 'write P0 A', 'fork P1 P2', 'exit P0', 'read P2 A');
    expect(verdictBoth(text, 'anon-exclusive')).toBe('pass');
  });
});

describe('fork (copy_hugetlb_page_range)', () => {
  const pinned = ops('mmap P0 A 4 hugetlb', 'write P0 A', 'io_uring_register P0 A 4 as r1', 'fork P0 P1', 'write P0 A', 'read r1');

  it('shares a pinned huge page up to 5.11 (the pin loses the parent), copies it for the child since 5.12', () => {
    expect(verdictBoth(pinned, 'pagecount-5.9')).toBe('pin-coherence');
    expect(verdictBoth(pinned, 'pagecount')).toBe('pass');
    expect(verdictBoth(pinned, 'anon-exclusive')).toBe('pass');
  });

  it('fork fails with ENOMEM when the early COW finds no free huge page, and the parent keeps its pinned page', () => {
    const r = run(ops('hugepages 1', 'mmap P0 A 4 hugetlb', 'write P0 A', 'io_uring_register P0 A 4 as r1', 'fork P0 P1', 'write P0 A', 'read r1'));
    expect(r.verdict).toBe('error');
    expect(refusalOf(r)).toBe('ENOMEM');
    expect(r.world.liveProcs).toEqual([0]);
  });
});

describe('ranges and advice', () => {
  it('munmap, mprotect and MADV_DONTFORK of part of a huge page are EINVAL', () => {
    for (const op of ['munmap P0 A+1 1', 'mprotect P0 A 2 ro', 'madvise P0 A+2 2 MADV_DONTFORK']) {
      const r = run(ops('mmap P0 A 4 hugetlb', 'write P0 A', op));
      expect(refusalOf(r), op).toBe('EINVAL');
    }
  });

  it('MADV_DONTNEED is EINVAL before 5.18; since, whole huge pages: the end rounded up (5.18-6.1) or down (6.2+)', () => {
    const one = ops('mmap P0 A 4 hugetlb', 'write P0 A+1', 'madvise P0 A 1 MADV_DONTNEED', 'read P0 A+1');
    expect(refusalOf(run(one, 'pagecount'))).toBe('EINVAL');
    const up = runClean(one, 'anon-exclusive-6.0');
    const down = runClean(one, 'anon-exclusive');
    expect(folioAt(down, 'P0').pages[1]!.data).not.toBe(0);
    expect(mmOf(up, 'P0').pmd.some((p) => p.kind === 'huge')).toBe(true); // refaulted by the read
    expect(folioAt(up, 'P0').pages[1]!.data).toBe(0);
  });

  it('clear_refs leaves a hugetlb mapping alone (no hugetlb_entry in its page walk): a pinned huge page stays writable', () => {
    const r = runClean(ops('mmap P0 A 4 hugetlb', 'write P0 A', 'io_uring_register P0 A 4 as r1', 'clear_refs P0'), 'mapcount');
    expect(hugeAt(r, 'P0').write).toBe(true);
  });

  it('MADV_PAGEOUT of a hugetlb mapping is EINVAL', () => {
    expect(refusalOf(run(ops('mmap P0 A 4 hugetlb', 'write P0 A', 'madvise P0 A 4 MADV_PAGEOUT')))).toBe('EINVAL');
  });

  it('mprotect(PROT_WRITE) leaves a private huge entry write-protected; the next write reuses the page', () => {
    const r = runClean(ops('mmap P0 A 4 hugetlb', 'write P0 A', 'mprotect P0 A 4 ro', 'mprotect P0 A 4 rw'));
    expect(hugeAt(r, 'P0').write).toBe(false);
    const id = folioAt(r, 'P0').id;
    const r2 = runClean(ops('mmap P0 A 4 hugetlb', 'write P0 A', 'mprotect P0 A 4 ro', 'mprotect P0 A 4 rw', 'write P0 A'));
    expect(folioAt(r2, 'P0').id).toBe(id);
  });
});

describe('hugetlbfs files (MFD_HUGETLB memfds, MAP_SHARED|MAP_HUGETLB)', () => {
  it('a shared mapping reserves the file, faults the page cache in whole and shares it; the page cache keeps it after munmap', () => {
    const r = runClean(ops('memfd F 8 hugetlb', 'mmap P0 A 8 shared F', 'write P0 A+5', 'fork P0 P1', 'read P1 A+5', 'munmap P0 A', 'exit P1', 'pread F 5'));
    const ino = r.world.k.inodes[0]!;
    expect(ino.kind).toBe('hugetlbfs');
    const f = r.world.k.folios[ino.cache[4]!]!;
    expect(f.flags & PG_hugetlb).toBe(PG_hugetlb);
    expect(f.flags & PG_anon).toBe(0);
    expect(ino.cache.slice(4, 8)).toEqual([f.id, f.id, f.id, f.id]);
    expect(f.pages[1]!.data).not.toBe(0);
    const pool = r.world.k.hugetlb;
    expect([pool.free, pool.resv]).toEqual([3, 1]); // one page cached, the other still reserved by the file
  });

  it('refuses what hugetlbfs refuses: an unaligned size or mapping (EINVAL), write(2) (EINVAL), a pool that cannot reserve (ENOMEM)', () => {
    expect(refusalOf(run(ops('memfd F 3 hugetlb')))).toBe('EINVAL');
    expect(refusalOf(run(ops('memfd F 4 hugetlb', 'mmap P0 A 2 shared F')))).toBe('EINVAL');
    expect(refusalOf(run(ops('memfd F 4 hugetlb', 'pwrite F 0')))).toBe('EINVAL');
    expect(refusalOf(run(ops('hugepages 1', 'memfd F 8 hugetlb', 'mmap P0 A 8 shared F')))).toBe('ENOMEM');
  });

  it('MAP_SHARED|MAP_ANONYMOUS|MAP_HUGETLB is an unnamed hugetlbfs file: parent and child share writes', () => {
    for (const mode of CHECK_MODES) {
      const r = run(ops('mmap P0 A 1 shared hugetlb', 'write P0 A+3', 'fork P0 P1', 'write P1 A', 'read P0 A', 'read P1 A+3'), 'anon-exclusive', mode);
      expect(r.verdict, r.violation?.message).toBe('pass');
    }
  });
});

describe('private mappings of a hugetlb memfd', () => {
  it('map the page-cache page read-only, copy it on write within the owner reservation, and fill a hole with an anon page the file never sees', () => {
    const r = runClean(ops('memfd F 8 hugetlb', 'mmap P1 S 8 shared F', 'write P1 S+1', 'mmap P0 A 8 private F', 'read P0 A+1', 'read P0 A+5'));
    const ino = r.world.k.inodes[0]!;
    const cached = r.world.k.folios[ino.cache[0]!]!;
    expect(folioAt(r, 'P0').id).toBe(cached.id); // mapped from the page cache
    expect(cached.entireMapcount).toBe(2);
    expect(ino.cache[4] ?? -1).toBe(-1); // the hole stays a hole
    const mm = mmOf(r, 'P0');
    const hole = mm.pmd[((mm.vmas[0]!.start + 4) / r.world.k.pmdPages) | 0]!;
    expect(hole.kind === 'huge' && (r.world.k.folios[hole.folio]!.flags & PG_anon) !== 0).toBe(true);
    const w = runClean(ops('memfd F 8 hugetlb', 'mmap P1 S 8 shared F', 'write P1 S+1', 'mmap P0 A 8 private F', 'write P0 A+2'));
    const copy = folioAt(w, 'P0');
    expect(copy.flags & PG_anon).toBe(PG_anon);
    expect(copy.pages[1]!.data).toBe(w.world.k.folios[w.world.k.inodes[0]!.cache[0]!]!.pages[1]!.data);
    expect(w.world.k.hugetlb.privResv.size).toBe(1); // the owner's second reservation is left
  });
});

describe('ftruncate of a hugetlb memfd (hugetlb_vmtruncate)', () => {
  it('refuses a size off a huge page boundary; shrinking zaps shared and private mappings, drops the pages and the reservations', () => {
    const text = ops('memfd F 8 hugetlb', 'mmap P1 S 8 shared F', 'mmap P0 A 8 private F', 'write P1 S+5', 'write P0 A+6', 'ftruncate F 6', 'ftruncate F 4', 'read P0 A+6');
    for (const mode of CHECK_MODES) {
      const r = run(text, 'anon-exclusive', mode);
      expect(r.verdict, r.violation?.message).toBe('error');
      expect(r.trace[5]!.outcome.kind === 'refused' && r.trace[5]!.outcome.refusal).toBe('EINVAL');
      expect(r.trace[7]!.outcome.kind === 'refused' && r.trace[7]!.outcome.refusal).toBe('SIGBUS');
      const ino = r.world.k.inodes[0]!;
      expect(ino.cache.slice(4).every((c) => c === -1)).toBe(true);
      const pool = r.world.k.hugetlb;
      // the file's first huge page stays reserved, P0 keeps the owner reservation it did not use
      expect([pool.free, pool.resv]).toEqual([4, 2]);
    }
  });
});

describe('hole punching of a hugetlb memfd (hugetlbfs_punch_hole)', () => {
  const text = ops('memfd F 4 hugetlb', 'mmap P0 A 4 shared F', 'write P0 A+1', 'punch F 1', 'read P0 A+1');
  it('zeroes the page of the cached huge page from 5.19 (hugetlbfs_zero_partial_page()); before, changes nothing', () => {
    const before = runClean(text, 'pagecount-5.18');
    expect(folioAt(before, 'P0').pages[1]!.data).not.toBe(0);
    const after = runClean(text, 'anon-exclusive-5.19');
    expect(folioAt(after, 'P0').pages[1]!.data).toBe(0);
    expect(folioAt(after, 'P0').id).toBe(folioAt(before, 'P0').id); // nothing unmapped or removed
  });
});
