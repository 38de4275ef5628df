// The kernel as a whole: creating it, allocating and freeing folios (mm/page_alloc.c), folio
// references (mm/swap.c), and how the model asks its policy (every decision goes through ask()).

import { ZERO_FOLIO, ZERO_VALUE } from './constants.js';
import type { Decision } from './policy.js';
import type { CowPolicy } from './policy.js';
import { newSwapInfo, swapCount, swpOffset, swpType } from './swapfile.js';
import { follText } from './trace.js';
import { PG_anon, PG_zero, type Folio, type Kernel, type KernelOptions, type Page } from './types.js';

export function newPage(data: number, mteTag = 0): Page {
  return { data, mapcount: 0, anonExclusive: false, mteTag };
}

/** A kernel with one swap device, the shared zero page and no process. */
export function newKernel(pol: CowPolicy, opts: KernelOptions): Kernel {
  const zero: Folio = { id: ZERO_FOLIO, nr: 1, pages: [newPage(ZERO_VALUE)], refcount: 1, pincount: 0, flags: PG_zero, swap: -1, mapping: -1, index: 0, stamp: 0 };
  return {
    folios: [zero],
    mms: [],
    swap: [newSwapInfo(0, opts.swapSlots, opts.reserveSwapHeader)],
    swapCache: [new Array<number>(opts.swapSlots).fill(-1)],
    refs: [],
    inodes: [],
    nextVpn: 16,
    nextUserfault: 0,
    pol,
    journal: null,
    tracer: null,
  };
}

/** Records that the step wrote this folio's data (a store, a DMA write): only the data oracle looks again. */
export function touchFolioData(k: Kernel, f: Folio): void {
  if (k.journal !== null) k.journal.data(f.id);
}

/** Records that the step changed this folio's counters or flags (the invariants look at it again). */
export function touchFolio(k: Kernel, f: Folio): void {
  const j = k.journal;
  if (j !== null && f.stamp !== j.epoch) {
    f.stamp = j.epoch;
    j.folio(f.id);
  }
}

export function folioOf(k: Kernel, id: number): Folio {
  const f = k.folios[id];
  if (!f) throw new Error(`model bug: folio#${id} is not a live folio`);
  return f;
}

/** models folio_alloc() + clearing or copying one page: a new anon folio with one reference, the caller's */
export function allocAnonFolio(k: Kernel, data: number, mteTag: number): Folio {
  const f: Folio = { id: k.folios.length, nr: 1, pages: [newPage(data, mteTag)], refcount: 1, pincount: 0, flags: PG_anon, swap: -1, mapping: -1, index: 0, stamp: 0 };
  k.folios.push(f);
  touchFolio(k, f);
  if (k.tracer) k.tracer.event('folio_alloc', `folio#${f.id}`);
  return f;
}

/** models filemap_alloc_folio(): a new page-cache folio (not yet in the cache) with one reference, the caller's */
export function allocFileFolio(k: Kernel, index: number, data: number): Folio {
  const f: Folio = { id: k.folios.length, nr: 1, pages: [newPage(data)], refcount: 1, pincount: 0, flags: 0, swap: -1, mapping: -1, index, stamp: 0 };
  k.folios.push(f);
  touchFolio(k, f);
  if (k.tracer) k.tracer.event('filemap_alloc_folio', `folio#${f.id}`);
  return f;
}

/** models folio_get() / folio_ref_add() */
export function folioGet(k: Kernel, f: Folio, nr = 1): void {
  f.refcount += nr;
  touchFolio(k, f);
}

/** models folio_put() / folio_put_refs(): drop references, free the folio at zero */
export function folioPut(k: Kernel, f: Folio, nr = 1): void {
  f.refcount -= nr;
  touchFolio(k, f);
  if (f.refcount <= 0 && !(f.flags & PG_zero)) freeFolio(k, f);
}

/** models free_pages_prepare(): PG_anon_exclusive is cleared when the page is freed */
function freeFolio(k: Kernel, f: Folio): void {
  for (const p of f.pages) p.anonExclusive = false;
  k.folios[f.id] = null;
  if (k.tracer) k.tracer.event('free_folio', `folio#${f.id}`);
}

export function isZeroFolio(f: Folio): boolean {
  return (f.flags & PG_zero) !== 0;
}

export function folioTestAnon(f: Folio): boolean {
  return (f.flags & PG_anon) !== 0;
}

/** Asks the policy; with a tracer attached, says who asked, what the decision read and what it decided. */
export function ask<S extends object, O>(k: Kernel, caller: string, d: Decision<S, O>, s: S): O {
  const out = d(s);
  if (k.tracer) k.tracer.decision(caller, d.kfn ?? 'policy', describeReads(d.reads, s), String(out));
  return out;
}

/** Reads of a decision's site, by name, for the trace (only what the decision says it reads). */
function describeReads(reads: readonly string[] | undefined, s: object): string {
  if (!reads) return '';
  const site = s as Partial<Record<string, unknown>> & {
    folio?: Folio | null;
    page?: Page | null;
    k?: Kernel;
  };
  const parts: string[] = [];
  for (const r of reads) {
    const v = probe(r, site);
    if (v !== undefined) parts.push(`${r} ${v}`);
  }
  return parts.join(', ');
}

function probe(name: string, s: { folio?: Folio | null; page?: Page | null; k?: Kernel } & Partial<Record<string, unknown>>): string | undefined {
  const f = s.folio ?? null;
  const p = s.page ?? null;
  switch (name) {
    case 'refcount':
      return f ? String(f.refcount) : undefined;
    case 'mapcount':
      return p ? String(p.mapcount) : undefined;
    case 'pincount':
      return f ? String(f.pincount) : undefined;
    case 'PageAnonExclusive':
      return p ? (p.anonExclusive ? 'yes' : 'no') : undefined;
    case 'swapcache':
      return f ? (f.swap >= 0 ? 'yes' : 'no') : undefined;
    case 'swapcount': {
      // folio_swapcount(): swap PTEs naming the folio's slot (computed here: swap_state.ts imports this file)
      if (!f || !s.k) return undefined;
      return String(f.swap < 0 ? 0 : swapCount(s.k, swpType(f.swap), swpOffset(f.swap)));
    }
    case 'MMF_HAS_PINNED': {
      const mm = s.mm as { hasPinned?: boolean } | undefined;
      return mm && typeof mm.hasPinned === 'boolean' ? (mm.hasPinned ? 'yes' : 'no') : undefined;
    }
    case 'gupFlags':
      return typeof s.gupFlags === 'number' ? follText(s.gupFlags) : undefined;
    case 'dirty':
    case 'softDirty': {
      const pte = s.pte as { dirty?: boolean; softDirty?: boolean } | null | undefined;
      const v = pte ? pte[name] : undefined;
      return typeof v === 'boolean' ? (v ? 'yes' : 'no') : undefined;
    }
    default: {
      const v = s[name];
      if (v === undefined) return undefined;
      if (typeof v === 'boolean') return v ? 'yes' : 'no';
      if (typeof v === 'number' || typeof v === 'string') return String(v);
      return undefined;
    }
  }
}
