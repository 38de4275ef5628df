// userfaultfd in the model (mm/userfaultfd.c, fs/userfaultfd.c): registration and its refusals,
// userfaults that sleep and wake, the fill ioctls and their errnos, write protection with and
// without markers, UFFDIO_MOVE, and what pagemap shows. The current kernel unless said otherwise.
import { describe, expect, it } from 'vitest';
import { PTE_MARKER_POISONED, PTE_MARKER_UFFD_WP, VM_UFFD_MINOR, VM_UFFD_MISSING, VM_UFFD_WP, ZERO_FOLIO } from '../../src/model/constants.js';
import { mmOf, noteAt, present, pteAt, run, runClean, swapPte, valueAt, type Ran } from '../helpers.js';

const ops = (...lines: string[]): string => lines.join('\n');

/** op i's errno or signal, 'ok' otherwise */
function outcome(r: Ran, i: number): string {
  const o = r.trace[i]!.outcome;
  return o.kind === 'refused' ? `${o.refusal}: ${o.why}` : o.kind;
}

function vmaFlags(r: Ran, proc = 'P0', label = 'A'): number {
  const mm = mmOf(r, proc);
  const base = mm.labels[r.names.labels.indexOf(label)]!;
  return mm.vmas.find((v) => base >= v.start && base < v.end)!.flags;
}

describe('UFFDIO_API and UFFDIO_REGISTER', () => {
  it('registers the modes on the range only, splitting the VMA, and reports the ioctls', () => {
    const r = runClean(ops('mmap P0 A 3', 'uffd_register P0 A+1 MISSING|WP'));
    const vmas = mmOf(r, 'P0').vmas;
    expect(vmas.map((v) => [v.end - v.start, v.flags & (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)])).toEqual([
      [1, 0],
      [1, VM_UFFD_MISSING | VM_UFFD_WP],
      [1, 0],
    ]);
    expect(noteAt(r, 1)).toBe('ioctls WAKE|COPY|ZEROPAGE|WRITEPROTECT|POISON|MOVE');
  });

  it('registering again with other modes replaces them; with modes it already has, does nothing', () => {
    const r = runClean(ops('mmap P0 A 1', 'uffd_register P0 A MISSING|WP', 'uffd_register P0 A WP'));
    expect(vmaFlags(r) & (VM_UFFD_MISSING | VM_UFFD_WP)).toBe(VM_UFFD_MISSING | VM_UFFD_WP);
    const s = runClean(ops('mmap P0 A 1', 'uffd_register P0 A WP', 'uffd_register P0 A MISSING'));
    expect(vmaFlags(s) & (VM_UFFD_MISSING | VM_UFFD_WP)).toBe(VM_UFFD_MISSING);
  });

  it('refuses: no mode, MINOR on anonymous memory, a regular file (EINVAL); a mapping without VM_MAYWRITE (EPERM); other features on the same fd (EINVAL)', () => {
    const r = run(
      ops(
        'file G 1 ro',
        'mmap P0 A 1',
        'mmap P0 B 1 ro shared G',
        'uffd_register P0 A none',
        'uffd_register P0 A MINOR',
        'uffd_register P0 B MISSING',
        'memfd M 1',
        'seal M future-write',
        'mmap P0 C 1 ro shared M',
        'uffd_register P0 C MISSING',
        'uffd_register P0 A MISSING EVENT_FORK',
      ),
    );
    expect(outcome(r, 3)).toMatch(/^EINVAL: UFFDIO_REGISTER with no mode/);
    expect(outcome(r, 4)).toMatch(/^EINVAL: vma_can_userfault\(\): anon memory cannot register MINOR/);
    expect(outcome(r, 5)).toMatch(/^EINVAL: vma_can_userfault\(\): file memory/);
    expect(outcome(r, 9)).toMatch(/^EPERM: a VMA without VM_MAYWRITE/);
    expect(outcome(r, 10)).toMatch(/^EINVAL: UFFDIO_API was already called/);
  });

  it('unregisters: wakes MISSING waiters, the read retries and faults normally', () => {
    const r = runClean(ops('mmap P0 A 1', 'uffd_register P0 A MISSING', 'read P0 A', 'uffd_unregister P0 A'));
    expect(noteAt(r, 2)).toMatch(/asleep in handle_userfault\(\): a MISSING userfault/);
    expect(noteAt(r, 3)).toMatch(/1 userfault\(s\) woken; the load at .* woke: read value #0/);
    expect(present(r, 'P0').folio).toBe(ZERO_FOLIO);
    expect(mmOf(r, 'P0').uffd!.waiting).toEqual([]);
  });

  it('an ioctl without a userfaultfd is EBADF', () => {
    const r = run(ops('mmap P0 A 1', 'uffdio_copy P0 A'));
    expect(outcome(r, 1)).toMatch(/^EBADF/);
  });
});

describe('userfaults: a fault in a registered range sleeps until an ioctl wakes it', () => {
  it('MISSING on a read and on a write of anonymous memory; the write is stored when woken', () => {
    const r = runClean(ops('mmap P0 A 2', 'uffd_register P0 A 2 MISSING', 'read P0 A', 'write P0 A+1'));
    expect(mmOf(r, 'P0').uffd!.waiting.map((u) => [u.reason, u.write])).toEqual([
      [VM_UFFD_MISSING, false],
      [VM_UFFD_MISSING, true],
    ]);
    expect(pteAt(r, 'P0', 'A', 0).kind).toBe('none'); // not even the zero page
    const s = runClean(ops('mmap P0 A 2', 'uffd_register P0 A 2 MISSING', 'write P0 A+1', 'uffdio_copy P0 A+1', 'read P0 A+1'));
    // UFFDIO_COPY fills, then the woken store writes over it
    expect(valueAt(s, 4)).not.toBe(valueAt(s, 3));
    expect(noteAt(s, 3)).toMatch(/woke: wrote value #/);
  });

  it('MISSING on a shmem hole, MINOR on a cached shmem page, nothing on a cached page in a MISSING range', () => {
    const r = runClean(ops('memfd F 2', 'mmap P0 A 2 shared F', 'mmap P0 B 2 shared F', 'write P0 B', 'uffd_register P0 A 2 MISSING|MINOR', 'read P0 A', 'read P0 A+1'));
    expect(mmOf(r, 'P0').uffd!.waiting.map((u) => u.reason)).toEqual([VM_UFFD_MINOR, VM_UFFD_MISSING]);
    const s = runClean(ops('memfd F 1', 'mmap P0 A 1 shared F', 'mmap P0 B 1 shared F', 'write P0 B', 'uffd_register P0 A MISSING', 'read P0 A'));
    expect(present(s, 'P0').write).toBe(true);
  });

  it('WP on a write to a uffd-wp page; a read goes through; UFFDIO_WRITEPROTECT off wakes the write', () => {
    const r = runClean(ops('mmap P0 A 1', 'write P0 A', 'uffd_register P0 A WP', 'uffd_wp P0 A on', 'read P0 A', 'write P0 A'));
    expect(mmOf(r, 'P0').uffd!.waiting.map((u) => [u.reason, u.write])).toEqual([[VM_UFFD_WP, true]]);
    expect(present(r, 'P0')).toMatchObject({ write: false, uffdWp: true });
    const s = runClean(ops('mmap P0 A 1', 'write P0 A', 'uffd_register P0 A WP', 'uffd_wp P0 A on', 'write P0 A', 'uffd_wp P0 A off'));
    expect(noteAt(s, 5)).toMatch(/woke: wrote value/);
    expect(present(s, 'P0')).toMatchObject({ write: true, uffdWp: false });
  });

  it('with UFFD_FEATURE_SIGBUS the fault is SIGBUS', () => {
    const r = run(ops('mmap P0 A 1', 'uffd_register P0 A MISSING SIGBUS', 'read P0 A'));
    expect(outcome(r, 2)).toMatch(/^SIGBUS/);
  });

  it('a GUP that may sleep (stepwise, FAST, vmsplice) waits; get_user_pages() with the lock held, and /proc/PID/mem, get EFAULT', () => {
    const sleeps = runClean(ops('mmap P0 A 1', 'uffd_register P0 A MISSING', 'gup P0 A FOLL_PIN|FAST as r1', 'gup_step r1', 'uffdio_copy P0 A', 'gup_step r1', 'read r1'));
    expect(noteAt(sleeps, 2)).toMatch(/asleep in handle_userfault\(\)/);
    expect(noteAt(sleeps, 3)).toMatch(/asleep/);
    expect(noteAt(sleeps, 5)).toBe('completed');
    const locked = run(ops('mmap P0 A 1', 'uffd_register P0 A MISSING', 'gup P0 A FOLL_PIN as r1'));
    expect(outcome(locked, 2)).toMatch(/^EFAULT/);
    const poke = run(ops('mmap P0 A 1', 'uffd_register P0 A MISSING', 'poke P0 A'));
    expect(outcome(poke, 2)).toMatch(/^EFAULT/);
  });
});

describe('the fill ioctls', () => {
  it('UFFDIO_COPY: an exclusive anon page, writable and dirty; with MODE_WP read-only and uffd-wp; EEXIST over a page', () => {
    const r = run(ops('mmap P0 A 2', 'uffd_register P0 A 2 MISSING|WP', 'uffdio_copy P0 A', 'uffdio_copy P0 A+1 wp', 'uffdio_copy P0 A'));
    expect(present(r, 'P0', 'A', 0)).toMatchObject({ write: true, dirty: true, softDirty: true, uffdWp: false });
    expect(present(r, 'P0', 'A', 1)).toMatchObject({ write: false, uffdWp: true });
    expect(r.world.k.folios[present(r, 'P0').folio]!.pages[0]!.anonExclusive).toBe(true);
    expect(outcome(r, 4)).toMatch(/^EEXIST/);
  });

  it('UFFDIO_COPY into shared shmem adds the page to the page cache (EEXIST where the file has one); into private shmem, an anon page', () => {
    const r = run(ops('memfd F 2', 'mmap P0 A 2 shared F', 'pwrite F 1', 'uffd_register P0 A 2 MISSING', 'uffdio_copy P0 A', 'uffdio_copy P0 A+1'));
    const ino = r.world.k.inodes[0]!;
    expect(ino.cache[0]).toBe(present(r, 'P0').folio);
    expect(outcome(r, 5)).toMatch(/^EEXIST: the file already has this page/);
    const p = runClean(ops('memfd F 1', 'mmap P0 A 1 F', 'uffd_register P0 A MISSING', 'uffdio_copy P0 A'));
    expect(p.world.k.inodes[0]!.cache).toEqual([]);
    expect(present(p, 'P0').write).toBe(true);
  });

  it('a short fill is EAGAIN after the pages it did (which it wakes)', () => {
    const r = run(ops('mmap P0 A 3', 'write P0 A+1', 'uffd_register P0 A 3 MISSING', 'read P0 A', 'uffdio_copy P0 A 3'));
    expect(outcome(r, 4)).toMatch(/^EAGAIN: UFFDIO_COPY filled 1 of 3 pages, then EEXIST/);
    expect(mmOf(r, 'P0').uffd!.waiting).toEqual([]);
    expect(pteAt(r, 'P0', 'A', 2).kind).toBe('none');
  });

  it('UFFDIO_CONTINUE maps the page-cache page (read-only in a private mapping); EFAULT for a hole; EINVAL on anonymous memory', () => {
    const r = run(
      ops('memfd F 2', 'mmap P0 A 2 F', 'mmap P0 B 1', 'pwrite F 0', 'uffd_register P0 A 2 MINOR', 'uffdio_continue P0 A', 'uffdio_continue P0 A+1', 'uffd_register P0 B MISSING', 'uffdio_continue P0 B'),
    );
    const p = present(r, 'P0');
    expect(p).toMatchObject({ write: false });
    expect(p.folio).toBe(r.world.k.inodes[0]!.cache[0]);
    expect(outcome(r, 6)).toMatch(/^EFAULT: no page in the page cache/);
    expect(outcome(r, 8)).toMatch(/^EINVAL: UFFDIO_CONTINUE does not handle anon memory/);
  });

  it('UFFDIO_POISON leaves a poison marker (SIGBUS on access, EEXIST over anything but none); fork copies it', () => {
    const r = run(ops('mmap P0 A 1', 'uffd_register P0 A MISSING', 'uffdio_poison P0 A', 'fork P0 P1', 'read P0 A', 'uffdio_poison P0 A'));
    expect(pteAt(r, 'P0')).toEqual({ kind: 'marker', bits: PTE_MARKER_POISONED });
    expect(pteAt(r, 'P1')).toEqual({ kind: 'marker', bits: PTE_MARKER_POISONED });
    expect(outcome(r, 4)).toMatch(/^SIGBUS: VM_FAULT_HWPOISON/);
    expect(outcome(r, 5)).toMatch(/^EEXIST/);
  });

  it('an ioctl the era does not have is EINVAL (POISON before 6.6, MOVE before 6.8)', () => {
    const r = run(ops('mmap P0 A 1', 'mmap P0 B 1', 'uffd_register P0 A MISSING', 'uffdio_poison P0 A', 'uffdio_move P0 A B'), 'anon-exclusive-6.2');
    expect(outcome(r, 3)).toMatch(/^EINVAL: UFFDIO_POISON does not exist/);
    expect(outcome(r, 4)).toMatch(/^EINVAL: UFFDIO_MOVE does not exist/);
  });
});

describe('UFFDIO_WRITEPROTECT and the PTE markers', () => {
  it('protects present and swap PTEs; a shmem none PTE gets a marker; anonymous memory only with WP_UNPOPULATED', () => {
    const r = runClean(ops('mmap P0 A 3', 'write P0 A', 'write P0 A+1', 'reclaim P0 A+1', 'uffd_register P0 A 3 WP', 'uffd_wp P0 A 3 on'));
    expect(present(r, 'P0', 'A', 0).uffdWp).toBe(true);
    expect(swapPte(r, 'P0', 'A', 1).uffdWp).toBe(true);
    expect(pteAt(r, 'P0', 'A', 2).kind).toBe('none');
    const u = runClean(ops('mmap P0 A 1', 'uffd_register P0 A WP WP_UNPOPULATED', 'uffd_wp P0 A on'));
    expect(pteAt(u, 'P0')).toEqual({ kind: 'marker', bits: PTE_MARKER_UFFD_WP });
    const s = runClean(ops('mmap P0 A 1 shared', 'uffd_register P0 A WP', 'uffd_wp P0 A on', 'uffd_wp P0 A off'));
    expect(pteAt(s, 'P0').kind).toBe('none');
  });

  it('a marker survives MADV_DONTNEED and a hole punch of shmem, but not munmap; an anon marker goes with MADV_DONTNEED', () => {
    const r = runClean(ops('memfd F 2', 'mmap P0 A 2 shared F', 'write P0 A', 'write P0 A+1', 'uffd_register P0 A 2 WP', 'uffd_wp P0 A 2 on', 'madvise P0 A MADV_DONTNEED', 'punch F 1'));
    expect(pteAt(r, 'P0', 'A', 0)).toEqual({ kind: 'marker', bits: PTE_MARKER_UFFD_WP });
    expect(pteAt(r, 'P0', 'A', 1)).toEqual({ kind: 'marker', bits: PTE_MARKER_UFFD_WP });
    const a = runClean(ops('mmap P0 A 1', 'uffd_register P0 A WP WP_UNPOPULATED', 'uffd_wp P0 A on', 'madvise P0 A MADV_DONTNEED'));
    expect(pteAt(a, 'P0').kind).toBe('none');
  });

  it('a fault on a marker maps the page uffd-wp; a write then sleeps on WP', () => {
    const r = runClean(ops('memfd F 1', 'mmap P0 A 1 shared F', 'write P0 A', 'uffd_register P0 A WP', 'uffd_wp P0 A on', 'reclaim P0 A', 'read P0 A', 'write P0 A'));
    expect(present(r, 'P0')).toMatchObject({ uffdWp: true, write: false });
    expect(mmOf(r, 'P0').uffd!.waiting.map((u) => u.reason)).toEqual([VM_UFFD_WP]);
  });

  it('a leftover marker in a VMA no longer VM_UFFD_WP (registered again without WP) is dropped by the fault (pte_marker_clear())', () => {
    const r = runClean(ops('mmap P0 A 1 shared', 'uffd_register P0 A WP', 'uffd_wp P0 A on', 'uffd_register P0 A MINOR', 'write P0 A'));
    expect(present(r, 'P0')).toMatchObject({ uffdWp: false, write: true });
  });

  it('before 6.4 the range of UFFDIO_WRITEPROTECT sits in one VMA (find_dst_vma(): ENOENT)', () => {
    const text = ops('mmap P0 A 2', 'uffd_register P0 A 2 WP', 'mprotect P0 A+1 1 ro', 'uffd_wp P0 A 2 on');
    expect(outcome(run(text, 'anon-exclusive-6.0'), 3)).toMatch(/^ENOENT/);
    expect(outcome(run(text, 'anon-exclusive'), 3)).toBe('ok');
  });
});

describe('UFFDIO_MOVE', () => {
  it('moves an exclusive page: the destination maps it writable, the source is a hole', () => {
    const r = runClean(ops('mmap P0 A 1', 'mmap P0 B 1', 'write P0 B', 'uffd_register P0 A MISSING', 'uffdio_move P0 A B', 'read P0 A'));
    const folio = present(r, 'P0', 'A').folio;
    expect(present(r, 'P0', 'A')).toMatchObject({ write: true, dirty: true });
    expect(pteAt(r, 'P0', 'B').kind).toBe('none');
    expect(valueAt(r, 5)).toBe(valueAt(r, 2));
    expect(r.world.k.folios[folio]!.pages[0]!.mapcount).toBe(1);
  });

  it('refuses: a shared page or a pinned one (EBUSY), a hole (ENOENT), an occupied destination (EEXIST), shmem (EINVAL)', () => {
    const r = run(
      ops(
        'mmap P0 A 3',
        'mmap P0 B 3',
        'mmap P0 C 1 shared',
        'write P0 B',
        'fork P0 P1',
        'write P0 B+1',
        'gup P0 B+1 FOLL_PIN as r1',
        'write P0 A+2',
        'uffd_register P0 A 3 MISSING',
        'uffdio_move P0 A B',
        'uffdio_move P0 A+1 B+1',
        'uffdio_move P0 A B+2',
        'uffdio_move P0 A+2 B',
        'uffdio_move P0 A C',
      ),
    );
    expect(outcome(r, 9)).toMatch(/^EBUSY: the page is not an exclusive anon page/);
    expect(outcome(r, 10)).toMatch(/^EBUSY: the page may be pinned/);
    expect(outcome(r, 11)).toMatch(/^ENOENT/);
    expect(outcome(r, 12)).toMatch(/^EEXIST/);
    expect(outcome(r, 13)).toMatch(/^EINVAL: a range is shared/);
  });
});

describe('EVENT_FORK', () => {
  it('the child keeps the registration, with a userfaultfd of its own', () => {
    const r = runClean(ops('mmap P0 A 1', 'uffd_register P0 A MISSING EVENT_FORK', 'fork P0 P1', 'read P1 A'));
    expect(vmaFlags(r, 'P1') & VM_UFFD_MISSING).toBe(VM_UFFD_MISSING);
    expect(mmOf(r, 'P1').uffd).not.toBe(mmOf(r, 'P0').uffd);
    expect(mmOf(r, 'P1').uffd!.waiting).toHaveLength(1);
    const n = runClean(ops('mmap P0 A 1', 'uffd_register P0 A MISSING', 'fork P0 P1', 'read P1 A'));
    expect(vmaFlags(n, 'P1') & VM_UFFD_MISSING).toBe(0);
    expect(mmOf(n, 'P1').uffd).toBeNull();
  });
});

describe('pagemap', () => {
  it('shows present, file and exclusive for a page-cache page mapped once; swap for a swap PTE and a marker; nothing for a none PTE', () => {
    const r = runClean(
      ops('memfd F 1', 'mmap P0 A 1 shared F', 'mmap P0 B 1', 'write P0 A', 'pagemap P0 A', 'write P0 B', 'reclaim P0 B', 'pagemap P0 B', 'clear_refs P0', 'pagemap P0 A', 'mmap P0 C 1', 'pagemap P0 C'),
    );
    expect(noteAt(r, 4)).toBe('present,file,exclusive,soft-dirty');
    expect(noteAt(r, 7)).toBe('swap,soft-dirty');
    expect(noteAt(r, 9)).toBe('present,file,exclusive');
    expect(noteAt(r, 11)).toBe('soft-dirty'); // VM_SOFTDIRTY of the new VMA
  });

  it('a mismatch is the verdict pagemap, naming the flags', () => {
    const r = run(ops('mmap P0 A 1', 'pagemap P0 A expect present,!soft-dirty'));
    expect(r.verdict).toBe('pagemap');
    expect(r.violation!.message).toMatch(/shows soft-dirty: present expected set; soft-dirty expected clear/);
  });
});
