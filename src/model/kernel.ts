// The kernel as a whole: creating it, allocating and freeing folios (mm/page_alloc.c), folio
// references (mm/swap.c), and how the model asks its policy (every decision goes through ask()).

import { ZERO_FOLIO, ZERO_VALUE } from './constants.js';
import type { Decision } from './policy.js';
import type { CowPolicy } from './policy.js';
import { newSwapInfo, swapCount, swpOffset, swpType } from './swapfile.js';
import { follText } from './trace.js';
import { PG_anon, PG_hugetlb, PG_zero, type Folio, type Kernel, type KernelOptions, type Page, type ThpSettings } from './types.js';

/** HPAGE_PMD_NR of the model when a scenario does not say: small, so that a THP is a few pages. */
export const DEFAULT_PMD_PAGES = 4;

/** The hugetlb pool the model boots with (nr_hugepages), when a scenario does not say (`hugepages N`): a few huge pages, so that running out is reachable. */
export const DEFAULT_HUGEPAGES = 4;

/** A page; its MTE tags uninitialised (PG_mte_tagged clear) unless given. */
export function newPage(data: number, mteTag = -1): Page {
  return { data, mapcount: 0, anonExclusive: false, mteTag };
}

/** log2 of a power of two >= 2, or an error naming the value */
export function pmdOrderOf(pmdPages: number): number {
  const order = Math.log2(pmdPages);
  if (!Number.isInteger(order) || order < 1) throw new Error(`pages per PMD must be a power of two >= 2, got ${pmdPages}`);
  return order;
}

/**
 * The THP sysfs settings the model boots with: `enabled` is madvise (the default of Debian's and
 * Ubuntu's kernels; the mainline Kconfig default is always), so only MADV_HUGEPAGE ranges get
 * THPs until a scenario says otherwise; the PMD size inherits it and every smaller (mTHP) size is
 * never, as mainline boots (Documentation/admin-guide/mm/transhuge.rst).
 */
export function defaultThpSettings(pmdOrder: number): ThpSettings {
  const orders: ThpSettings['orders'] = [];
  for (let o = 0; o <= pmdOrder; o++) orders.push(o === pmdOrder ? 'inherit' : 'never');
  return { enabled: 'madvise', orders };
}

/** Resets THP settings in place to the boot defaults. */
export function resetThpSettings(t: ThpSettings, pmdOrder: number): void {
  t.enabled = 'madvise';
  for (let o = 0; o <= pmdOrder; o++) t.orders[o] = o === pmdOrder ? 'inherit' : 'never';
}

function mkFolio(id: number, nr: number, pages: Page[], flags: number, index: number): Folio {
  return { id, nr, pages, refcount: 1, pincount: 0, entireMapcount: 0, flags, swap: -1, mapping: -1, index, stamp: 0 };
}

/** A kernel with one swap device, the shared zero page and no process. */
export function newKernel(pol: CowPolicy, opts: KernelOptions): Kernel {
  // the zero page's tags are cleared and it is marked tagged at boot (arm64 mte_init): tag 0
  const zero: Folio = mkFolio(ZERO_FOLIO, 1, [newPage(ZERO_VALUE, 0)], PG_zero, 0);
  const pmdPages = opts.pmdPages ?? DEFAULT_PMD_PAGES;
  const pmdOrder = pmdOrderOf(pmdPages);
  return {
    folios: [zero],
    mms: [],
    swap: [newSwapInfo(0, opts.swapSlots, opts.reserveSwapHeader)],
    swapCache: [new Array<number>(opts.swapSlots).fill(-1)],
    refs: [],
    inodes: [],
    nextVpn: 16,
    pmdPages,
    pmdOrder,
    thp: defaultThpSettings(pmdOrder),
    hugeZeroFolio: -1,
    hugetlb: { nr: DEFAULT_HUGEPAGES, free: DEFAULT_HUGEPAGES, resv: 0, privResv: new Set<number>() },
    mteInUse: false,
    hugetlbInUse: false,
    nextUserfault: 0,
    pol,
    journal: null,
    tracer: null,
  };
}

/** models copy_highpage()'s tag copy on arm64: a COW copy of a tagged page gets its tags (the era may say otherwise: a seeded bug) */
export function cowTag(k: Kernel, tag: number): number {
  return k.pol.mteCopyTags ? tag : -1;
}

/**
 * Records that the step wrote this folio's data (a store, a DMA write) or changed its pages (a
 * split): the data oracle reads it again wherever it is mapped. A change of counters or flags alone
 * (touchFolio()) leaves what its mappings read as it was.
 */
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
  const f = mkFolio(k.folios.length, 1, [newPage(data, mteTag)], PG_anon, 0);
  k.folios.push(f);
  touchFolio(k, f);
  if (k.tracer) k.tracer.event('folio_alloc', `folio#${f.id}`);
  return f;
}

/** models filemap_alloc_folio(): a new page-cache folio (not yet in the cache) with one reference, the caller's */
export function allocFileFolio(k: Kernel, index: number, data: number): Folio {
  const f = mkFolio(k.folios.length, 1, [newPage(data)], 0, index);
  k.folios.push(f);
  touchFolio(k, f);
  if (k.tracer) k.tracer.event('filemap_alloc_folio', `folio#${f.id}`);
  return f;
}

/**
 * models vma_alloc_folio() of order > 0 for anonymous memory (vma_alloc_anon_folio_pmd(),
 * alloc_anon_folio(), alloc_swap_folio()): a new large anon folio of `nr` pages, each with the
 * data and MTE tag given (zero-filled, untagged, for a fault), with one reference, the caller's.
 */
export function allocLargeAnonFolio(k: Kernel, nr: number, data: readonly number[] | null, tags: readonly number[] | null): Folio {
  const pages: Page[] = [];
  for (let i = 0; i < nr; i++) pages.push(newPage(data ? data[i]! : ZERO_VALUE, tags ? tags[i]! : -1));
  const f = mkFolio(k.folios.length, nr, pages, PG_anon, 0);
  k.folios.push(f);
  touchFolio(k, f);
  if (k.tracer) k.tracer.event('folio_alloc', `folio#${f.id} (${nr} pages)`);
  return f;
}

/**
 * models dequeue_hugetlb_folio_vma() / alloc_hugetlb_folio()'s allocation once the reservation
 * accounting (model/hugetlb.ts) has allowed it: a free huge page of the pool (free_huge_pages - 1),
 * zero-filled, PG_hugetlb, with one reference, the caller's. The data and tags are a copy's when given.
 */
export function allocHugetlbPage(k: Kernel, data: readonly number[] | null, tags: readonly number[] | null): Folio {
  const pages: Page[] = [];
  for (let i = 0; i < k.pmdPages; i++) pages.push(newPage(data ? data[i]! : ZERO_VALUE, tags ? tags[i]! : -1));
  const f = mkFolio(k.folios.length, k.pmdPages, pages, PG_hugetlb, 0);
  k.folios.push(f);
  k.hugetlb.free -= 1;
  touchFolio(k, f);
  if (k.tracer) k.tracer.event('alloc_hugetlb_folio', `folio#${f.id} (a huge page; ${k.hugetlb.free} free, ${k.hugetlb.resv} reserved)`);
  return f;
}

/**
 * models mm_get_huge_zero_folio(): the huge zero folio, allocated on first use (get_huge_zero_folio())
 * and kept; like the small zero page it is never freed and its mappings take no reference.
 */
export function hugeZeroFolio(k: Kernel): Folio {
  if (k.hugeZeroFolio >= 0) return folioOf(k, k.hugeZeroFolio);
  const pages: Page[] = [];
  for (let i = 0; i < k.pmdPages; i++) pages.push(newPage(ZERO_VALUE, 0)); // tags cleared, as the zero page's
  const f = mkFolio(k.folios.length, k.pmdPages, pages, PG_zero, 0);
  k.folios.push(f);
  k.hugeZeroFolio = f.id;
  touchFolio(k, f);
  if (k.tracer) k.tracer.event('get_huge_zero_folio', `the huge zero folio is folio#${f.id}`);
  return f;
}

/** models __split_folio_to_order() for one tail page: a small folio of its own with the head's flags (the caller sets its references) */
export function splitOffFolio(k: Kernel, page: Page, flags: number): Folio {
  const f = mkFolio(k.folios.length, 1, [page], flags, 0);
  f.refcount = 0;
  k.folios.push(f);
  touchFolio(k, f);
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
export function freeFolio(k: Kernel, f: Folio): void {
  for (const p of f.pages) p.anonExclusive = false;
  k.folios[f.id] = null;
  if (f.flags & PG_hugetlb) k.hugetlb.free += 1; // free_huge_folio() -> enqueue_hugetlb_folio(): back to the pool
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
    case 'nr':
      return f && f.nr > 1 ? String(f.nr) : undefined; // said of large folios only
    case 'anon':
      return f ? (folioTestAnon(f) ? 'yes' : 'no') : undefined;
    case 'entireMapcount':
      return f ? String(f.entireMapcount) : undefined;
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
