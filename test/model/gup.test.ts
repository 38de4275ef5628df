// mm/gup.c: __get_user_pages() (check_vma_flags(), follow_page_pte(), faultin_page()),
// try_grab_folio(), and the releases put_page() / unpin_user_page(); references read and written by
// a device, and released when the last process holding them exits.
import { describe, expect, it } from 'vitest';
import { FOLL_PIN, FOLL_WRITE, GUP_PIN_COUNTING_BIAS, ZERO_FOLIO } from '../../src/model/constants.js';
import { expected } from '../../src/oracle/shadow.js';
import { addrOf, folioAt, mmOf, present, pteAt, ref, run, runClean, valueAt, type Ran } from '../helpers.js';

const folios = (r: Ran) => r.world.k.folios;
const shadowRef = (r: Ran, name: string) => r.world.shadow.refs[ref(r, name).id]!;

describe('get_user_pages() / pin_user_pages()', () => {
  it('FOLL_PIN adds GUP_PIN_COUNTING_BIAS to the refcount and sets MMF_HAS_PINNED', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\ngup P0 A FOLL_PIN|FOLL_WRITE as r1');
    const f = folioAt(r, 'P0');
    expect(f.refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
    expect(f.pages[0]!.mapcount).toBe(1);
    expect(mmOf(r, 'P0').hasPinned).toBe(true);
    const r1 = ref(r, 'r1');
    expect(r1).toMatchObject({ folios: [f.id], idxs: [0], nr: 1, mm: mmOf(r, 'P0').id, addr: addrOf(r, 'P0'), holders: [mmOf(r, 'P0').id] });
    expect(r1.gupFlags).toBe(FOLL_PIN | FOLL_WRITE);
    expect(shadowRef(r, 'r1').coherent).toEqual([true]);
  });

  it('FOLL_GET adds 1 and leaves MMF_HAS_PINNED clear; only a R/W FOLL_GET promises coherence', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\ngup P0 A FOLL_GET as r1\ngup P0 A FOLL_GET|FOLL_WRITE as r2');
    const f = folioAt(r, 'P0');
    expect(f.refcount).toBe(3);
    expect(f.pages[0]!.mapcount).toBe(1);
    expect(mmOf(r, 'P0').hasPinned).toBe(false);
    expect(shadowRef(r, 'r1').coherent).toEqual([false]); // a R/O FOLL_GET (vmsplice) promises nothing
    expect(shadowRef(r, 'r2').coherent).toEqual([true]);
  });

  it('MMF_HAS_PINNED is an era feature: the mapcount era has no such flag', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\ngup P0 A FOLL_PIN as r1', 'mapcount');
    expect(mmOf(r, 'P0').hasPinned).toBe(false);
    expect(folioAt(r, 'P0').refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
  });

  it('a short-term R/O pin of untouched memory maps the zero page and (6.5+) does not count the pin', () => {
    const r = runClean('mmap P0 A 1\ngup P0 A FOLL_PIN as r1');
    expect(present(r, 'P0')).toMatchObject({ folio: ZERO_FOLIO, write: false });
    expect(ref(r, 'r1').folios).toEqual([ZERO_FOLIO]);
    expect(folios(r)[ZERO_FOLIO]!.refcount).toBe(1);
    expect(shadowRef(r, 'r1').coherent).toEqual([false]); // a short-term R/O pin of the zero page promises nothing
    const u = runClean('mmap P0 A 1\ngup P0 A FOLL_PIN as r1\nunpin r1');
    expect(folios(u)[ZERO_FOLIO]!.refcount).toBe(1);
  });

  it('before 6.5 a pin of the zero page counts, and unpinning gives it back', () => {
    const r = runClean('mmap P0 A 1\ngup P0 A FOLL_PIN as r1', 'mapcount');
    expect(folios(r)[ZERO_FOLIO]!.refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
    const u = runClean('mmap P0 A 1\ngup P0 A FOLL_PIN as r1\nunpin r1', 'mapcount');
    expect(folios(u)[ZERO_FOLIO]!.refcount).toBe(1);
  });

  it('a FOLL_GET of the zero page takes a reference, and put gives it back', () => {
    const r = runClean('mmap P0 A 1\nvmsplice P0 A as g');
    expect(ref(r, 'g').folios).toEqual([ZERO_FOLIO]);
    expect(folios(r)[ZERO_FOLIO]!.refcount).toBe(2);
    expect(folios(runClean('mmap P0 A 1\nvmsplice P0 A as g\nput g'))[ZERO_FOLIO]!.refcount).toBe(1);
  });

  it('a FOLL_WRITE GUP of untouched memory faults in a writable exclusive page', () => {
    const r = runClean('mmap P0 A 1\ngup P0 A FOLL_GET|FOLL_WRITE as r1');
    const p = present(r, 'P0');
    expect(p.folio).not.toBe(ZERO_FOLIO);
    expect(p.write).toBe(true);
    expect(ref(r, 'r1').folios).toEqual([p.folio]);
    expect(folioAt(r, 'P0')).toMatchObject({ refcount: 2, pages: [expect.objectContaining({ anonExclusive: true, data: 0 })] });
  });

  it('a FOLL_WRITE GUP of a COW-shared page breaks COW first', () => {
    const shared = present(runClean('mmap P0 A 1\nwrite P0 A\nfork P0 P1'), 'P1').folio;
    const r = runClean(`mmap P0 A 1\nwrite P0 A\nfork P0 P1\nio_uring_register P0 A as r1`);
    expect(ref(r, 'r1').folios[0]).not.toBe(shared);
    expect(present(r, 'P0')).toMatchObject({ folio: ref(r, 'r1').folios[0], write: true });
    expect(present(r, 'P1').folio).toBe(shared);
    expect(folios(r)[shared]).toMatchObject({ refcount: 1, pages: [expect.objectContaining({ mapcount: 1 })] });
  });

  it('a R/O pin of a COW-shared page unshares it: a read-only, clean, exclusive copy (FAULT_FLAG_UNSHARE)', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nfork P0 P1\ngup P0 A FOLL_PIN as r1');
    const p = present(r, 'P0');
    expect(p).toMatchObject({ write: false, dirty: false, softDirty: true });
    expect(p.folio).not.toBe(present(r, 'P1').folio);
    expect(folioAt(r, 'P0').pages[0]).toMatchObject({ anonExclusive: true, mapcount: 1, data: folioAt(r, 'P1').pages[0]!.data });
    expect(folioAt(r, 'P0').refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
  });

  it('a swapped-out page is swapped in', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nreclaim P0 A\nvmsplice P0 A as r1\nread r1');
    expect(pteAt(r, 'P0').kind).toBe('present');
    expect(ref(r, 'r1').folios).toEqual([present(r, 'P0').folio]);
    expect(valueAt(r, 4)).toBe(valueAt(r, 1));
  });

  it('FOLL_WRITE on a read-only mapping is EFAULT and takes nothing', () => {
    const r = run('mmap P0 B 1 ro\nread P0 B\ngup P0 B FOLL_PIN|FOLL_WRITE as z');
    expect(r.verdict).toBe('error');
    expect(r.refusal!.why).toMatch(/EFAULT.*check_vma_flags/);
    expect(r.world.k.refs).toHaveLength(0);
    expect(mmOf(r, 'P0').hasPinned).toBe(true); // mm_set_has_pinned_flag() runs before the walk, as in the kernel
    expect(folios(r)[ZERO_FOLIO]!.refcount).toBe(1);
  });

  it('FOLL_FORCE|FOLL_WRITE on a read-only private mapping writes into a private page (ptrace)', () => {
    for (const pol of ['mapcount', 'anon-exclusive']) {
      const r = runClean('mmap P0 A 1 ro\ngup P0 A FOLL_GET|FOLL_WRITE|FOLL_FORCE as r1\nwrite r1\nread P0 A', pol);
      expect(present(r, 'P0').write, pol).toBe(false);
      expect(ref(r, 'r1').folios, pol).toEqual([present(r, 'P0').folio]);
      expect(folioAt(r, 'P0').pages[0]!.anonExclusive, pol).toBe(true);
      expect(valueAt(r, 3), pol).toBe(valueAt(r, 2));
    }
  });

  it('takes a range of pages; read REF+N and write REF+N reach page N', () => {
    const r = runClean('mmap P0 A 3\nwrite P0 A\nwrite P0 A+1\nwrite P0 A+2\ngup P0 A 3 FOLL_PIN|FOLL_WRITE as r1\nwrite r1+2\nread P0 A+2\nread r1+1');
    const r1 = ref(r, 'r1');
    expect(r1.nr).toBe(3);
    expect(r1.folios).toEqual([0, 1, 2].map((i) => present(r, 'P0', 'A', i).folio));
    for (let i = 0; i < 3; i++) expect(folioAt(r, 'P0', 'A', i).refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
    expect(valueAt(r, 6)).toBe(valueAt(r, 5));
    expect(valueAt(r, 7)).toBe(valueAt(r, 2));
    expect(expected(r.world.shadow, mmOf(r, 'P0').id, addrOf(r, 'P0', 'A', 2))).toBe(valueAt(r, 5));
  });

  it('a range is all or nothing: a hole refuses it and the pages already taken are released', () => {
    const r = run('mmap P0 A 3\nwrite P0 A\nwrite P0 A+1\nmunmap P0 A+2 1\ngup P0 A 3 FOLL_PIN|FOLL_WRITE as r1');
    expect(r.verdict).toBe('error');
    expect(r.refusal!.why).toMatch(/EFAULT/);
    expect(r.world.k.refs).toHaveLength(0);
    expect(folioAt(r, 'P0', 'A', 0).refcount).toBe(1);
    expect(folioAt(r, 'P0', 'A', 1).refcount).toBe(1);
  });
});

describe('put_page() / unpin_user_page()', () => {
  it('put drops one reference; unpin drops the bias; MMF_HAS_PINNED stays', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as g\ngup P0 A FOLL_PIN as p');
    expect(folioAt(r, 'P0').refcount).toBe(1 + 1 + GUP_PIN_COUNTING_BIAS);
    const a = runClean('mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as g\ngup P0 A FOLL_PIN as p\nput g');
    expect(folioAt(a, 'P0').refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
    const b = runClean('mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as g\ngup P0 A FOLL_PIN as p\nput g\nunpin p');
    expect(folioAt(b, 'P0').refcount).toBe(1);
    expect(mmOf(b, 'P0').hasPinned).toBe(true); // never cleared
    expect(b.world.k.refs.every((x) => x === null)).toBe(true);
    expect(b.world.shadow.refs.every((x) => x === null)).toBe(true);
  });

  it('the wrong release for the kind of reference, or a second release, is not an op of this world', () => {
    expect(() => run('mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as g\nunpin g')).toThrow(/release it with put/);
    expect(() => run('mmap P0 A 1\nwrite P0 A\ngup P0 A FOLL_PIN as p\nput p')).toThrow(/release it with unpin/);
    expect(() => run('mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as g\nput g\nput g')).toThrow(/no such reference/);
  });

  it('releasing the last reference of an unmapped page frees it', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\ngup P0 A FOLL_PIN|FOLL_WRITE as p\nmunmap P0 A');
    const id = ref(r, 'p').folios[0]!;
    expect(folios(r)[id]!.refcount).toBe(GUP_PIN_COUNTING_BIAS);
    expect(folios(runClean('mmap P0 A 1\nwrite P0 A\ngup P0 A FOLL_PIN|FOLL_WRITE as p\nmunmap P0 A\nunpin p'))[id]).toBeNull();
  });
});

describe('references read and written by a device', () => {
  it('read REF returns the page the reference holds, which it keeps after the process moves on', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as r1\nread r1\nmunmap P0 A\nread r1');
    expect(valueAt(r, 3)).toBe(valueAt(r, 1));
    expect(valueAt(r, 5)).toBe(valueAt(r, 1));
  });

  it('write REF through a coherent pin stores a fresh value the process then reads', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nio_uring_register P0 A as r1\nwrite r1\nread P0 A');
    const v = valueAt(r, 3);
    expect(v).toBeGreaterThan(valueAt(r, 1));
    expect(folios(r)[ref(r, 'r1').folios[0]!]!.pages[0]!.data).toBe(v);
    expect(valueAt(r, 4)).toBe(v);
    expect(expected(r.world.shadow, mmOf(r, 'P0').id, addrOf(r, 'P0'))).toBe(v);
  });

  it('a read-only reference cannot be written through', () => {
    expect(() => run('mmap P0 A 1\nwrite P0 A\ngup P0 A FOLL_PIN as r1\nwrite r1')).toThrow(/read-only reference/);
  });
});

describe('do_exit() closes the files behind references', () => {
  it('a pipe held by parent and child is released when the last of them exits', () => {
    const base = 'mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as r1\nfork P0 P1\nexit P0';
    const a = runClean(base);
    const id = ref(a, 'r1').id;
    expect(ref(a, 'r1').holders).toEqual([mmOf(a, 'P1').id]);
    expect(folioAt(a, 'P1').refcount).toBe(2); // P1's mapping and the pipe
    const b = runClean(`${base}\nexit P1`);
    expect(b.world.k.refs[id]).toBeNull();
    expect(b.world.shadow.refs[id]).toBeNull();
    expect(folios(b)[1]).toBeNull();
    expect(() => run(`${base}\nexit P1\nread r1`)).toThrow(/no such reference/);
  });

  it('an io_uring ring of a process that exits unpins its fixed buffers', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nio_uring_register P0 A as r1\nmmap P1 B 1\nexit P0');
    expect(r.world.k.refs.filter((x) => x !== null)).toHaveLength(0);
    expect(folios(r)[1]).toBeNull();
  });
});
