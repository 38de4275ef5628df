// The data oracle: every address a process maps, every page a GUP reference holds and every file
// page is read (without faulting) and judged against the shadow. A value the reader may not see
// is over-sharing; a stale value where a coherent pin is involved is lost coherence; a private
// value in a file page is a write that went through; any other wrong value is lost data.

import { vmaLookup } from '../model/mmap.js';
import { VM_MTE, ZERO_FOLIO, ZERO_VALUE } from '../model/constants.js';
import { swapCacheLookup } from '../model/swap_state.js';
import { swpOffset, swpType } from '../model/swapfile.js';
import { HPAGE_RESV_UNMAPPED, type Inode, type Kernel } from '../model/types.js';
import { expected, expectedTag, FILE_VIEW, type ShadowRef, fileExpected, fileHeld, mayObserve, objAt, objIndex, objIno, refAddr, refMayObserve, SHARED_VIEW, UNMAPPED, valueObj, ZERO_PAGE_VIEW } from '../oracle/shadow.js';
import { siteAddr, siteMm } from '../world/site-index.js';
import type { World } from '../world/world.js';
import type { CheckSet } from './check-set.js';
import type { InvariantName, Violation } from './types.js';

/** What a file page holds now: the page cache, else (shmem) the swap slot, else (a file) the disk; zero for a hole. */
export function objectContent(k: Kernel, ino: Inode, index: number): number {
  const id = ino.cache[index] ?? -1;
  if (id >= 0) {
    const f = k.folios[id];
    return f?.pages[index - f.index]?.data ?? ZERO_VALUE; // a hugetlbfs folio is cached at every index it covers
  }
  const entry = ino.swapped[index] ?? -1;
  if (entry >= 0) {
    const f = swapCacheLookup(k, swpType(entry), swpOffset(entry));
    return f ? f.pages[swpOffset(entry) - swpOffset(f.swap)]!.data : (k.swap[swpType(entry)]?.data[swpOffset(entry)] ?? ZERO_VALUE);
  }
  return ino.kind === 'file' ? (ino.disk[index] ?? ZERO_VALUE) : ZERO_VALUE;
}

/**
 * What a load at the address would return, without changing anything (the fault paths preserve
 * content): the page mapped, the swapped-out page, the file page a fault would map, or zero.
 * null when a load would not return (past the end of the file: SIGBUS).
 */
export function peekAddr(k: Kernel, mm: number, addr: number): number | null {
  const pmd = k.mms[mm]!.pmd[(addr / k.pmdPages) | 0];
  if (pmd !== undefined && pmd.kind === 'huge') return k.folios[pmd.folio]?.pages[addr % k.pmdPages]?.data ?? ZERO_VALUE;
  const pte = k.mms[mm]!.pt[addr]!;
  switch (pte.kind) {
    case 'present':
      return k.folios[pte.folio]?.pages[pte.idx]?.data ?? ZERO_VALUE;
    case 'swap': {
      const f = swapCacheLookup(k, pte.type, pte.offset);
      return f ? f.pages[pte.offset - swpOffset(f.swap)]!.data : (k.swap[pte.type]?.data[pte.offset] ?? ZERO_VALUE);
    }
    default: {
      if (k.inodes.length === 0 && !k.hugetlbInUse) return ZERO_VALUE; // anonymous memory only: no PTE reads zero
      const v = vmaLookup(k.mms[mm]!, addr);
      // hugetlb_no_page(): a VMA unmap_ref_private() took a page from is killed at its next fault there
      if (v !== null && v.resv & HPAGE_RESV_UNMAPPED) return null;
      if (v === null || v.file < 0) return ZERO_VALUE;
      const ino = k.inodes[v.file]!;
      const index = v.pgoff + (addr - v.start);
      return index < ino.size ? objectContent(k, ino, index) : null;
    }
  }
}

function mk(invariant: InvariantName, message: string, folios: number[]): Violation {
  return { invariant, message, folios };
}

function coherentRefAt(w: World, mm: number, addr: number): boolean {
  for (const r of w.shadow.refs) {
    if (r === null || r.mm !== mm) continue;
    for (let i = 0; i < r.nr; i++) if (r.coherent[i] && refAddr(w.shadow, mm, r.addr + i) === addr) return true;
  }
  return false;
}

/** Judges one address of a live mm; null when it reads what it should (the common case allocates nothing). */
function judgeAddr(w: World, mmId: number, addr: number): Violation | null {
  const { k, shadow, words } = w;
  const exp = expected(shadow, mmId, addr);
  const want = exp === ZERO_PAGE_VIEW ? ZERO_VALUE : exp; // the zero page in a private file mapping reads zero
  if (want === UNMAPPED) return null;
  const got = peekAddr(k, mmId, addr);
  if (got === null) return null;
  const key = objAt(shadow, mmId, addr);
  // the words and the folios a message names are worked out only when there is a violation
  const bad = (inv: InvariantName, what: (where: string) => string): Violation => mk(inv, what(words.addr(mmId, addr)), mappedFolios(k, mmId, addr));
  if (want === SHARED_VIEW || want === FILE_VIEW) {
    // a shared mapping reads what the file holds; so does a private one until its first write
    // there (it maps the page-cache page itself, or faults it in)
    const now = fileExpected(shadow, key);
    if (got === now) return null;
    if (valueObj(shadow, got) < 0 && !mayObserve(shadow, got, mmId, addr)) return bad('no-over-sharing', (where) => `${where} reads ${words.value(got)}`);
    if (want === SHARED_VIEW) return bad('shared-coherence', (where) => `${where} (a shared mapping of ${objWords(w, key)}) reads ${words.value(got)} but the file holds ${words.value(now)}`);
    return bad('data-oracle', (where) => `${where} (a private mapping of ${objWords(w, key)}, not written there) reads ${words.value(got)} but the file holds ${words.value(now)}`);
  }
  if (got === want) return null;
  if (!mayObserve(shadow, got, mmId, addr)) return bad('no-over-sharing', (where) => `${where} reads ${words.value(got)}`);
  return bad(coherentRefAt(w, mmId, addr) ? 'pin-coherence' : 'data-oracle', (where) => `${where} reads ${words.value(got)} but should read ${words.value(want)}`);
}

/** The folios mapped at an address, for a violation's state dump. */
function mappedFolios(k: Kernel, mmId: number, addr: number): number[] {
  const m = k.mms[mmId]!;
  const pmd = m.pmd[(addr / k.pmdPages) | 0]!;
  if (pmd.kind === 'huge') return [pmd.folio];
  const pte = m.pt[addr]!;
  return pte.kind === 'present' ? [pte.folio] : [];
}

/**
 * The MTE allocation tag a load at the address would be checked against, without changing
 * anything: the page mapped, or the page a swap-in would map (the swap cache's, or a fresh one
 * with the tags saved for the slot); zero for a page whose tags were never initialised (as
 * mte_sync_tags() clears them when it maps it).
 */
export function peekTag(k: Kernel, mm: number, addr: number): number {
  const m = k.mms[mm]!;
  const pmd = m.pmd[(addr / k.pmdPages) | 0];
  let tag = -1;
  if (pmd !== undefined && pmd.kind === 'huge') tag = k.folios[pmd.folio]?.pages[addr % k.pmdPages]?.mteTag ?? -1;
  else {
    const pte = m.pt[addr]!;
    if (pte.kind === 'present') tag = k.folios[pte.folio]?.pages[pte.idx]?.mteTag ?? -1;
    else if (pte.kind === 'swap') {
      const f = swapCacheLookup(k, pte.type, pte.offset);
      tag = f ? f.pages[pte.offset - swpOffset(f.swap)]!.mteTag : (k.swap[pte.type]?.tags[pte.offset] ?? -1);
    }
  }
  return tag < 0 ? 0 : tag;
}

/** mte-tags: in a PROT_MTE mapping, the address's page has the tag its process's pointers carry. */
function judgeTag(w: World, mmId: number, addr: number): Violation | null {
  const v = vmaLookup(w.k.mms[mmId]!, addr);
  if (v === null || !(v.flags & VM_MTE)) return null;
  const want = expectedTag(w.shadow, mmId, addr);
  const got = peekTag(w.k, mmId, addr);
  if (got === want) return null;
  return mk('mte-tags', `${w.words.addr(mmId, addr)} has MTE tag ${got} but its pointers carry tag ${want}`, mappedFolios(w.k, mmId, addr));
}

export function objWords(w: World, key: number): string {
  return `page ${objIndex(key)} of ${w.fileWords(objIno(key))}`;
}

/**
 * May page i of a reference read `got`? A value its holder may see at the address; for a file
 * mapping's page, a value the file page held; for a shared page that left the file (punched,
 * truncated), a value written to that page through any reference sharing it.
 */
function refMayRead(w: World, sr: ShadowRef, i: number, got: number): boolean {
  const { shadow } = w;
  const key = sr.obj[i]!;
  if (key < 0) return refMayObserve(shadow, sr, i, got);
  if (fileHeld(shadow, key, got)) return true;
  const obj = valueObj(shadow, got);
  if (obj >= 0) return obj === key && sr.shared[i] === 'orphan';
  return refMayObserve(shadow, sr, i, got);
}

export function checkData(w: World, set: CheckSet): Violation | null {
  const { k, shadow, words } = w;
  for (let i = 0; i < set.sites.n; i++) {
    const s = set.sites.v[i]!;
    const mmId = siteMm(s);
    if (!k.mms[mmId]!.alive) continue;
    const bad = judgeAddr(w, mmId, siteAddr(s)) ?? (k.mteInUse ? judgeTag(w, mmId, siteAddr(s)) : null);
    if (bad) return bad;
  }
  for (const r of k.refs) {
    if (r === null) continue;
    const sr = shadow.refs[r.id];
    if (!sr) continue;
    for (let i = 0; i < r.folios.length; i++) {
      const f = k.folios[r.folios[i]!];
      if (!f) continue; // a reference to a freed folio is an accounting failure
      const got = f.pages[r.idxs[i]!]!.data;
      const addr = refAddr(shadow, r.mm, r.addr + i);
      if (!refMayRead(w, sr, i, got)) {
        return mk('no-over-sharing', `${words.ref(r.id)} (${words.addr(r.mm, addr)}) reads ${words.value(got)}`, [f.id]);
      }
      if (sr.coherent[i] && k.mms[r.mm]!.alive) {
        const now = peekAddr(k, r.mm, addr);
        if (now !== null && expected(shadow, r.mm, addr) !== UNMAPPED && got !== now) {
          return mk('pin-coherence', `${words.ref(r.id)} reads ${words.value(got)} but its page table reads ${words.value(now)}`, [f.id]);
        }
      }
    }
  }
  return null;
}

/** no-write-through for the shared zero page: whatever maps it, it reads zero (one load: checked every step). */
export function checkZeroPage(w: World): Violation | null {
  const zero = w.k.folios[ZERO_FOLIO]!.pages[0]!.data;
  return zero === ZERO_VALUE ? null : mk('no-write-through', `the zero page reads ${w.words.value(zero)}`, [ZERO_FOLIO]);
}

/**
 * no-write-through and shared-coherence, over the file pages of the check set (every page within
 * i_size, or those the step changed): it holds what the file should hold. A private value there
 * is a write through a private mapping (or a forced write) that reached the page cache; anything
 * else wrong is data lost (reclaim, writeback, swap).
 */
export function checkFiles(w: World, set: CheckSet): Violation | null {
  const { k, shadow, words } = w;
  for (let i = 0; i < set.files.n; i++) {
    const key = set.files.v[i]!;
    const ino = k.inodes[objIno(key)]!;
    const index = objIndex(key);
    if (index >= ino.size) continue;
    const got = objectContent(k, ino, index);
    const want = fileExpected(shadow, key);
    if (got === want) continue;
    const id = ino.cache[index] ?? -1;
    const folios = id >= 0 ? [id] : [];
    if (got !== ZERO_VALUE && valueObj(shadow, got) < 0) {
      return mk('no-write-through', `${objWords(w, key)} holds ${words.value(got)}, a private write`, folios);
    }
    return mk('shared-coherence', `${objWords(w, key)} holds ${words.value(got)} but should hold ${words.value(want)}`, folios);
  }
  return null;
}
