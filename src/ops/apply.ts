// applyOp(): the one transition every driver shares (scenario replay, random fuzzing, fast-check
// properties, exhaustive search). It runs the kernel model and keeps the oracle's shadow in step.

import { FAULT_FLAG_WRITE, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../model/constants.js';
import { handleMmFault } from '../model/fault.js';
import { dupMmap } from '../model/fork.js';
import { getUserPage, putUserPage } from '../model/gup.js';
import { KernelError, newVma, swapCacheLookup, type Errno, type GupRef, type Mm, type Vma } from '../model/kernel.js';
import { clearRefsSoftDirty, mprotectVma } from '../model/protect.js';
import { reclaimFolio, type ReclaimResult } from '../model/reclaim.js';
import { zapPte, zapRange } from '../model/zap.js';
import { coherenceRequired, newValue, shadowFork, shadowMmap, shadowNewMm, shadowZap } from '../oracle/shadow.js';
import type { Op } from './types.js';
import type { World } from './world.js';

export type StepOutcome =
  | { readonly ok: true; readonly value?: number; readonly note?: string }
  | { readonly ok: false; readonly errno: Errno; readonly error: string };

/** A name the op uses does not exist (or already exists): the scenario is wrong, not the kernel. */
export class OpNameError extends Error {}

const OK: StepOutcome = { ok: true };

/** How many times a user access retries after handle_mm_fault() before it is a model bug. */
const MAX_FAULT_RETRIES = 4;

export function applyOp(w: World, op: Op): StepOutcome {
  try {
    return dispatch(w, op);
  } catch (e) {
    if (e instanceof KernelError) return { ok: false, errno: e.errno, error: e.message };
    throw e;
  }
}

function dispatch(w: World, op: Op): StepOutcome {
  switch (op.kind) {
    case 'mmap':
      return doMmap(w, op.mm, op.vma, op.pages, op.write);
    case 'munmap': {
      const mm = liveMm(w, op.mm);
      const vma = vmaOf(mm, op.vma);
      zapRange(w.k, vma, 0, vma.npages);
      mm.vmas.splice(mm.vmas.indexOf(vma), 1);
      shadowZap(w.shadow, mm.id, op.vma, null, true);
      return OK;
    }
    case 'mprotect': {
      const mm = liveMm(w, op.mm);
      mprotectVma(w.k, w.pol, vmaOf(mm, op.vma), op.write);
      return OK;
    }
    case 'dontneed': {
      const mm = liveMm(w, op.mm);
      const vma = vmaOf(mm, op.vma);
      pageIndex(vma, op.page);
      zapPte(w.k, vma, op.page); // madvise(MADV_DONTNEED) -> zap_page_range_single()
      shadowZap(w.shadow, mm.id, op.vma, op.page, false);
      return OK;
    }
    case 'fork':
      return doFork(w, op.mm, op.child);
    case 'exit': {
      const mm = liveMm(w, op.mm);
      for (const vma of mm.vmas) {
        zapRange(w.k, vma, 0, vma.npages); // exit_mmap()
        shadowZap(w.shadow, mm.id, vma.name, null, true);
      }
      mm.vmas.length = 0;
      mm.alive = false;
      return OK;
    }
    case 'read':
      return { ok: true, value: userRead(w, op.mm, op.vma, op.page) };
    case 'write':
      return { ok: true, value: userWrite(w, op.mm, op.vma, op.page) };
    case 'gup':
      return doGup(w, op.mm, op.vma, op.page, op.flags, op.ref);
    case 'release': {
      const r = liveRef(w, op.ref);
      const want = r.gupFlags & FOLL_PIN ? 'unpin' : 'put';
      if (op.how !== want) throw new OpNameError(`${op.ref} was taken with ${want === 'unpin' ? 'FOLL_PIN: use unpin' : 'FOLL_GET: use put'}`);
      putUserPage(w.k, w.pol, r);
      w.shadow.refs.delete(r.id);
      w.refIds.delete(op.ref);
      return OK;
    }
    case 'ref_read': {
      const r = liveRef(w, op.ref);
      const f = w.k.folios.get(r.pfn);
      return f ? { ok: true, value: f.pages[r.idx]!.data } : { ok: true, note: 'reference names a freed folio' };
    }
    case 'ref_write': {
      const r = liveRef(w, op.ref);
      if (!(r.gupFlags & FOLL_WRITE)) throw new OpNameError(`${op.ref} is a read-only reference (no FOLL_WRITE)`);
      const v = newValue(w.shadow, r.mm, r.vma, r.page);
      const f = w.k.folios.get(r.pfn);
      if (f) f.pages[r.idx]!.data = v; // DMA into the page the reference holds
      const sr = w.shadow.refs.get(r.id);
      if (sr && sr.coherent) w.shadow.mem[r.mm]!.get(r.vma)![r.page] = v;
      return { ok: true, value: v };
    }
    case 'reclaim':
      return { ok: true, note: doReclaim(w, op.mm, op.vma, op.page) };
    case 'clear_refs':
      clearRefsSoftDirty(w.k, w.pol, liveMm(w, op.mm));
      return OK;
  }
}

function doMmap(w: World, name: string, vmaName: string, pages: number, write: boolean): StepOutcome {
  let id = w.mmIds.get(name);
  if (id === undefined) {
    // the first mmap by a process name starts that process
    id = w.k.mms.length;
    w.k.mms.push({ id, name, alive: true, hasPinned: false, vmas: [] });
    w.mmIds.set(name, id);
    shadowNewMm(w.shadow, id, -1);
  }
  const mm = liveMm(w, name);
  if (mm.vmas.some((v) => v.name === vmaName)) throw new OpNameError(`${name} already has a mapping named ${vmaName}`);
  if (!Number.isInteger(pages) || pages < 1) throw new OpNameError(`mmap needs a page count >= 1, got ${pages}`);
  mm.vmas.push(
    newVma(vmaName, pages, { write, mayWrite: true, shared: false, dontCopy: false, softDirty: true, uffdWp: false }),
  );
  shadowMmap(w.shadow, mm.id, vmaName, pages);
  return OK;
}

function doFork(w: World, parentName: string, childName: string): StepOutcome {
  const parent = liveMm(w, parentName);
  if (w.mmIds.has(childName)) throw new OpNameError(`process ${childName} already exists`);
  const child: Mm = { id: w.k.mms.length, name: childName, alive: true, hasPinned: false, vmas: [] };
  w.k.mms.push(child);
  w.mmIds.set(childName, child.id);
  dupMmap(w.k, w.pol, parent, child);
  shadowFork(w.shadow, parent.id, child.id, child.vmas.map((v) => v.name));
  return OK;
}

/** A load from user space: fault until a present PTE maps the page, then read it. */
function userRead(w: World, mmName: string, vmaName: string, page: number): number {
  const mm = liveMm(w, mmName);
  const vma = vmaOf(mm, vmaName);
  pageIndex(vma, page);
  for (let t = 0; t <= MAX_FAULT_RETRIES; t++) {
    const pte = vma.ptes[page]!;
    if (pte.kind === 'present') return w.k.folios.get(pte.pfn)!.pages[pte.idx]!.data;
    handleMmFault(w.k, w.pol, mm, vma, page, 0);
  }
  throw new Error('model bug: read fault made no progress');
}

/** A store from user space: fault until the PTE is writable, then store a fresh value. */
function userWrite(w: World, mmName: string, vmaName: string, page: number): number {
  const mm = liveMm(w, mmName);
  const vma = vmaOf(mm, vmaName);
  pageIndex(vma, page);
  if (!vma.flags.write) throw new KernelError('SIGSEGV', `write to read-only mapping ${vmaName}`);
  for (let t = 0; t <= MAX_FAULT_RETRIES; t++) {
    const pte = vma.ptes[page]!;
    if (pte.kind === 'present' && pte.write) {
      const v = newValue(w.shadow, mm.id, vmaName, page);
      w.k.folios.get(pte.pfn)!.pages[pte.idx]!.data = v;
      if (!pte.dirty) vma.ptes[page] = { ...pte, dirty: true }; // the MMU sets the dirty bit
      w.shadow.mem[mm.id]!.get(vmaName)![page] = v;
      return v;
    }
    handleMmFault(w.k, w.pol, mm, vma, page, FAULT_FLAG_WRITE);
  }
  throw new Error('model bug: write fault made no progress');
}

function doGup(w: World, mmName: string, vmaName: string, page: number, flags: number, refName: string): StepOutcome {
  const mm = liveMm(w, mmName);
  const vma = vmaOf(mm, vmaName);
  pageIndex(vma, page);
  if (w.refIds.has(refName) || w.mmIds.has(refName)) throw new OpNameError(`name ${refName} is already in use`);
  const id = w.nextRefId++;
  const r = getUserPage(w.k, w.pol, mm, vma, page, flags, { id, name: refName });
  w.refIds.set(refName, id);
  const folio = w.k.folios.get(r.pfn)!;
  const pin = (flags & FOLL_PIN) !== 0;
  const write = (flags & FOLL_WRITE) !== 0; // the caller's intent, not 5.8's forced FOLL_WRITE
  w.shadow.refs.set(id, {
    mm: mm.id,
    vma: vmaName,
    page,
    pin,
    write,
    coherent: coherenceRequired(pin, write, (flags & FOLL_LONGTERM) !== 0, folio.anon && !folio.zero),
  });
  return OK;
}

function doReclaim(w: World, mmName: string, vmaName: string, page: number): ReclaimResult | 'nothing' {
  const mm = liveMm(w, mmName);
  const vma = vmaOf(mm, vmaName);
  pageIndex(vma, page);
  const pte = vma.ptes[page]!;
  if (pte.kind === 'present') {
    const folio = w.k.folios.get(pte.pfn)!;
    if (folio.zero || !folio.anon) return 'nothing';
    return reclaimFolio(w.k, w.pol, folio);
  }
  if (pte.kind === 'swap') {
    const folio = swapCacheLookup(w.k, pte);
    return folio ? reclaimFolio(w.k, w.pol, folio) : 'nothing';
  }
  return 'nothing';
}

// ---- name resolution ----

export function liveMm(w: World, name: string): Mm {
  const id = w.mmIds.get(name);
  if (id === undefined) throw new OpNameError(`unknown process ${name}`);
  const mm = w.k.mms[id]!;
  if (!mm.alive) throw new OpNameError(`process ${name} has exited`);
  return mm;
}

export function vmaOf(mm: Mm, name: string): Vma {
  const v = mm.vmas.find((x) => x.name === name);
  if (!v) throw new OpNameError(`process ${mm.name} has no mapping named ${name}`);
  return v;
}

function pageIndex(vma: Vma, page: number): void {
  if (!Number.isInteger(page) || page < 0 || page >= vma.npages) {
    throw new OpNameError(`page ${page} is outside ${vma.name} (${vma.npages} page${vma.npages === 1 ? '' : 's'})`);
  }
}

export function liveRef(w: World, name: string): GupRef {
  const id = w.refIds.get(name);
  if (id === undefined) throw new OpNameError(`unknown reference ${name}`);
  const r = w.k.refs.find((x) => x.id === id);
  if (!r || r.released) throw new OpNameError(`reference ${name} was released`);
  return r;
}
