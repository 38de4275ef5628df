// What the access ops and the userfaultfd ops share: a user access that falls asleep on a
// userfault (another thread of the process goes on with the scenario), and resuming the accesses
// an ioctl woke: each retries as the kernel retries a fault after handle_userfault() returns
// VM_FAULT_RETRY. Also the generator's view of userfaultfd state.

import { userLoad, userSetTag, userStore } from '../model/access.js';
import { pteUffdWpAny } from '../model/memory.js';
import { PTE_MARKER_UFFD_WP, VM_HUGETLB, VM_UFFD_MINOR, VM_UFFD_MISSING, VM_UFFD_WP } from '../model/constants.js';
import type { Mm, Userfault, Vma } from '../model/types.js';
import { modeText, userfaultWaiting, VM_UFFD_FLAGS } from '../model/userfaultfd_k.js';
import { expectedTag, shadowSetTag, shadowStore, storeValue, wpPromised } from '../oracle/shadow.js';
import { procMm, type World } from '../world/world.js';
import { refused, type AddrArgs } from './common.js';
import type { Choose, Outcome } from './types.js';

function asleep(w: World, proc: number, mm: Mm, addr: number, write: boolean, uf: Userfault, tag = -1): Outcome {
  w.blocked.push({ userfault: uf.id, proc, mm: mm.id, addr, write, tag });
  return { kind: 'ok', note: `asleep in handle_userfault(): a ${modeText(uf.reason)} userfault waits for the handler` };
}

/** A user load at addr by process `proc` (its mm): the value, a signal, or asleep on a userfault. */
export function userRead(w: World, proc: number, mm: Mm, addr: number): Outcome {
  const r = userLoad(w.k, mm, addr, w.k.mteInUse ? expectedTag(w.shadow, mm.id, addr) : -1);
  if (r.ok) return { kind: 'ok', value: r.value };
  if (r.blocked !== null) return asleep(w, proc, mm, addr, false, r.blocked);
  return refused(r.sig, r.why);
}

/**
 * A user store of a fresh value at addr: done, a signal, or asleep on a userfault. A store that
 * goes through where UFFDIO_WRITEPROTECT promised a WP userfault breaks `uffd-wp`.
 */
export function userWrite(w: World, proc: number, mm: Mm, addr: number): Outcome {
  const promised = wpPromised(w.shadow, mm.id, addr);
  const v = storeValue(w.shadow, mm.id, addr);
  const r = userStore(w.k, mm, addr, v, w.k.mteInUse ? expectedTag(w.shadow, mm.id, addr) : -1);
  if (!r.ok) {
    if (r.blocked !== null) return asleep(w, proc, mm, addr, true, r.blocked);
    return refused(r.sig, r.why);
  }
  shadowStore(w.shadow, mm.id, addr, v);
  if (promised) return wpLost(w, mm.id, addr, 'a store');
  return { kind: 'ok', value: v };
}

/**
 * An MTE tag store (STG) at addr: a write fault first, like a store (so it may sleep on a
 * userfault), then the page's allocation tag; ignored outside PROT_MTE.
 */
export function userTag(w: World, proc: number, mm: Mm, addr: number, tag: number): Outcome {
  const r = userSetTag(w.k, mm, addr, tag);
  if (!r.ok) return r.blocked !== null ? asleep(w, proc, mm, addr, true, r.blocked, tag) : refused(r.sig, r.why);
  if (!r.tagged) return { kind: 'ok', note: 'not a PROT_MTE mapping: the tag store is ignored' };
  shadowSetTag(w.shadow, mm.id, addr, tag);
  return { kind: 'ok' };
}

/** The `uffd-wp` violation: a write went through a page UFFDIO_WRITEPROTECT protected. */
export function wpLost(w: World, mm: number, addr: number, what: string): Outcome {
  return { kind: 'violated', invariant: 'uffd-wp', why: `${what} at ${w.words.addr(mm, addr)} went through without a WP userfault, though UFFDIO_WRITEPROTECT protects the page` };
}

/**
 * Resumes every sleeping access whose userfault an ioctl woke, oldest first (one may fall asleep
 * again). The first violation wins, else the first signal; otherwise what they did, as a note.
 */
export function resumeWoken(w: World): Outcome | null {
  let violated: Outcome | null = null;
  let signal: Outcome | null = null;
  const notes: string[] = [];
  for (let i = 0; i < w.blocked.length; ) {
    const b = w.blocked[i]!;
    const mm = w.k.mms[b.mm]!;
    if (!mm.alive) {
      w.blocked.splice(i, 1);
      continue;
    }
    if (userfaultWaiting(mm.uffd, b.userfault)) {
      i++;
      continue;
    }
    w.blocked.splice(i, 1);
    const o = b.tag >= 0 ? userTag(w, b.proc, mm, b.addr, b.tag) : b.write ? userWrite(w, b.proc, mm, b.addr) : userRead(w, b.proc, mm, b.addr);
    const what = `the ${b.tag >= 0 ? 'tag store' : b.write ? 'store' : 'load'} at ${w.words.addr(b.mm, b.addr)}`;
    if (o.kind === 'violated') violated ??= o;
    else if (o.kind === 'refused') signal ??= refused(o.refusal, `${what}, woken, ended in ${o.refusal}: ${o.why}`);
    else notes.push(`${what} woke: ${o.note ?? (b.write ? `wrote value #${o.value}` : `read value #${o.value}`)}`);
  }
  if (violated) return violated;
  if (signal) return signal;
  return notes.length ? { kind: 'ok', note: notes.join('; ') } : null;
}

/** An ioctl's own outcome, then what the accesses it woke did (a violation or a signal of theirs counts). */
export function withResumed(w: World, own: Outcome): Outcome {
  if (own.kind === 'violated') return own;
  const r = resumeWoken(w);
  if (r === null) return own;
  if (r.kind === 'violated') return r;
  if (own.kind === 'refused') return own;
  if (r.kind === 'refused') return r;
  const note = [own.note, r.note].filter(Boolean).join('; ');
  return own.value !== undefined ? { kind: 'ok', value: own.value, note } : { kind: 'ok', note };
}

export const isRegistered = (v: Vma): boolean => (v.flags & VM_UFFD_FLAGS) !== 0;
export const isWpRegistered = (v: Vma): boolean => (v.flags & VM_UFFD_WP) !== 0;
export const isMinorRegistered = (v: Vma): boolean => (v.flags & VM_UFFD_MINOR) !== 0;
export const isMissingRegistered = (v: Vma): boolean => (v.flags & VM_UFFD_MISSING) !== 0;

/**
 * For the generator: an address of a sleeping access whose userfault has one of these reasons
 * (the handler answers what is pending), or null when none sleeps.
 */
export function pickBlocked(w: World, c: Choose, reasons: number): AddrArgs | null {
  let n = 0;
  for (const b of w.blocked) if (blockedReason(w, b.mm, b.userfault) & reasons) n++;
  if (n === 0) return null;
  let k = c.pick(n);
  for (const b of w.blocked) {
    if (!(blockedReason(w, b.mm, b.userfault) & reasons)) continue;
    if (k-- > 0) continue;
    const mm = procMm(w, b.proc)!;
    for (const v of mm.vmas) if (b.addr >= v.start && b.addr < v.end) return { proc: b.proc, label: v.label, off: b.addr - v.labelBase };
    return null;
  }
  return null;
}

function blockedReason(w: World, mm: number, id: number): number {
  const ctx = w.k.mms[mm]!.uffd;
  return ctx?.waiting.find((u) => u.id === id)?.reason ?? 0;
}

/**
 * `uffd-wp-stale`: where UFFDIO_UNREGISTER (6.0, f369b07c8614), fork without
 * UFFD_FEATURE_EVENT_FORK (5.14, 8f34f1eac382; markers 6.2, 49d6d7fb6313) or mremap() without
 * UFFD_FEATURE_EVENT_REMAP (6.14) has just left a range without VM_UFFD_WP, no PTE or huge PMD of
 * it may still carry uffd-wp (a present or swap bit, or a marker):
 * such a bit is inert until the range is registered for WP again, and then traps writes no one
 * protected (or, in a writable PTE, protects nothing).
 */
export function staleUffdWp(w: World, mm: Mm, start: number, end: number, after: string): Outcome | null {
  for (const v of mm.vmas) {
    if (v.end <= start || v.start >= end || v.flags & VM_UFFD_WP) continue;
    for (let a = Math.max(v.start, start); a < Math.min(v.end, end); a++) {
      if (v.flags & VM_HUGETLB) {
        // a hugetlb entry: the uffd-wp bit of a huge entry, or a uffd-wp marker
        const pmd = mm.pmd[(a / w.k.pmdPages) | 0]!;
        const wp = pmd.kind === 'huge' ? pmd.uffdWp : pmd.kind === 'marker' && (pmd.bits & PTE_MARKER_UFFD_WP) !== 0;
        if (wp) return { kind: 'violated', invariant: 'uffd-wp-stale', why: `${after}, ${w.words.addr(mm.id, a)} keeps ${pmd.kind === 'marker' ? 'a uffd-wp marker in its hugetlb entry' : 'a huge entry with the uffd-wp bit'} in a VMA without VM_UFFD_WP` };
        continue;
      }
      const pmd = mm.pmd[(a / w.k.pmdPages) | 0];
      const pte = mm.pt[a]!;
      if (pmd !== undefined && pmd.kind === 'huge' ? !pmd.uffdWp : !pteUffdWpAny(pte)) continue;
      const what = pmd !== undefined && pmd.kind === 'huge' ? 'a huge PMD with the uffd-wp bit' : pte.kind === 'marker' ? 'a uffd-wp PTE marker' : `a ${pte.kind} PTE with the uffd-wp bit`;
      return { kind: 'violated', invariant: 'uffd-wp-stale', why: `${after}, ${w.words.addr(mm.id, a)} keeps ${what} in a VMA without VM_UFFD_WP` };
    }
  }
  return null;
}

/**
 * For the generator of a scope with THPs: the range of a huge PMD lying in a VMA that passes `ok`
 * (as label, offset and the PMD's pages), or null when there is none: a range that covers a huge
 * PMD whole reaches change_huge_pmd(), where a random one mostly splits it first.
 */
export function pickHugePmdRange(w: World, c: Choose, ok: (v: Vma) => boolean): (AddrArgs & { readonly pages: number }) | null {
  const found: (AddrArgs & { readonly pages: number })[] = [];
  const n = w.k.pmdPages;
  for (const p of w.liveProcs) {
    const mm = procMm(w, p)!;
    for (const v of mm.vmas) {
      if (!ok(v)) continue;
      for (let a = v.start - (v.start % n); a < v.end; a += n) {
        if (a >= v.start && a + n <= v.end && mm.pmd[a / n]?.kind === 'huge') found.push({ proc: p, label: v.label, off: a - v.labelBase, pages: n });
      }
    }
  }
  return found.length ? found[c.pick(found.length)]! : null;
}

