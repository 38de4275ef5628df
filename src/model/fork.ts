// fork(): dup_mmap() -> copy_page_range() for private anonymous VMAs.

import type { CowPolicy } from '../policy/types.js';
import { PTE_MARKER_UFFD_WP } from './constants.js';
import { allocAnonFolio, swapDuplicate, vmNormalFolio, type Kernel, type Mm, type Vma } from './kernel.js';
import { PTE_NONE, type Pte, type PtePresent } from './pte.js';

/** models is_cow_mapping(): private and may become writable */
export function isCowMapping(vma: Vma): boolean {
  return !vma.flags.shared && vma.flags.mayWrite;
}

/** models dup_mmap(): the child gets every VMA without VM_DONTCOPY, its page table filled by copy_page_range() */
export function dupMmap(k: Kernel, pol: CowPolicy, parent: Mm, child: Mm): void {
  for (const src of parent.vmas) {
    if (src.flags.dontCopy) continue;
    // dup_userfaultfd() without UFFD_FEATURE_EVENT_FORK: the child VMA is not registered
    const dst: Vma = { name: src.name, kind: src.kind, npages: src.npages, flags: { ...src.flags, uffdWp: false }, ptes: [] };
    for (let i = 0; i < src.npages; i++) dst.ptes.push(copyPte(k, pol, parent, src, dst, i));
    child.vmas.push(dst);
  }
}

function copyPte(k: Kernel, pol: CowPolicy, srcMm: Mm, src: Vma, dst: Vma, i: number): Pte {
  const pte = src.ptes[i]!;
  switch (pte.kind) {
    case 'none':
      return PTE_NONE;
    case 'present':
      return copyPresentPte(k, pol, srcMm, src, dst, i, pte);
    case 'swap': {
      // models copy_nonpresent_pte(): swap_duplicate(); an exclusive swap PTE becomes shared in the parent too
      swapDuplicate(k, pte);
      if (pte.exclusive && pol.forkClearsSwpExclusive) src.ptes[i] = { ...pte, exclusive: false };
      return { ...pte, exclusive: false, uffdWp: pte.uffdWp && dst.flags.uffdWp };
    }
    case 'migration':
      throw new Error('model bug: fork of migration entries is not modelled');
    case 'marker':
      // models copy_pte_marker(): uffd-wp markers only into a uffd-wp child VMA
      {
        const bits = dst.flags.uffdWp ? pte.bits : pte.bits & ~PTE_MARKER_UFFD_WP;
        return bits ? { kind: 'marker', bits } : PTE_NONE;
      }
  }
}

/**
 * models copy_present_pte(): share the anon page (folio_try_dup_anon_rmap_pte succeeds), write-protecting
 * both PTEs in a COW mapping, or, when the policy says the page may be pinned, give the child its own
 * copy now (copy_present_page) and leave the parent's PTE alone.
 */
function copyPresentPte(k: Kernel, pol: CowPolicy, srcMm: Mm, src: Vma, dst: Vma, i: number, pte: PtePresent): Pte {
  const folio = vmNormalFolio(k, pte.pfn);
  const childBits = { softDirty: pte.softDirty, uffdWp: pte.uffdWp && dst.flags.uffdWp };
  if (!folio) return { ...pte, ...childBits }; // zero page: only the mapping is duplicated
  const page = folio.pages[pte.idx]!;
  if (folio.anon && pol.forkCopiesAnon({ k, mm: srcMm, vma: src, folio, page })) {
    const copy = allocAnonFolio(k, page.data, page.mteTag);
    copy.pages[0]!.mapcount = 1;
    copy.pages[0]!.anonExclusive = true; // folio_add_new_anon_rmap(RMAP_EXCLUSIVE)
    return { kind: 'present', pfn: copy.pfn, idx: 0, write: dst.flags.write, dirty: true, ...childBits };
  }
  if (folio.anon && pol.forkClearsAnonExclusive) page.anonExclusive = false;
  folio.refcount += 1; // folio_get()
  page.mapcount += 1; // folio_dup_*_rmap
  let child: PtePresent = { ...pte, ...childBits };
  if (isCowMapping(src) && pte.write) {
    src.ptes[i] = { ...pte, write: false }; // ptep_set_wrprotect() on the parent
    child = { ...child, write: false };
  }
  return child;
}
