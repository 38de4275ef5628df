// Seeded-bug policies ("mutants"): anon-exclusive with one wrong decision each, the kind a real
// patch could make. The fuzzer must find every one of them (properties/mutants.test.ts).

import { folioSwapcount } from '../model/kernel.js';
import { always, never, swapinExclusiveAnon } from './decisions.js';
import { anonExclusive } from './eras/anon-exclusive.js';
import { variant, type CowPolicy } from './types.js';

const bug = (name: string, seededBug: string, overrides: Parameters<typeof variant>[2]): CowPolicy =>
  variant(anonExclusive, { name, summary: seededBug, seededBug }, overrides);

export const seededBugs: readonly CowPolicy[] = [
  bug('bug-fork-shares-pinned', 'copy_present_pte() shares a pinned exclusive page with the child instead of copying it', {
    forkCopiesAnon: never,
  }),
  bug('bug-swapout-drops-exclusive', 'try_to_unmap_one() never sets the swap PTE exclusive bit', {
    swpExclusiveOnUnmap: never,
  }),
  bug('bug-swap-offset-zero', 'the swap header is not reserved: scan_swap_map_slots() can hand out offset 0', {
    reserveSwapHeader: false,
    swapLowestBit: 0,
  }),
  bug('bug-ro-pin-no-unshare', 'gup_must_unshare() never asks for FAULT_FLAG_UNSHARE: R/O pins of shared pages', {
    gupMustUnshare: never,
  }),
  bug('bug-fork-keeps-exclusive', 'folio_try_dup_anon_rmap() does not clear PG_anon_exclusive when fork shares a page', {
    forkClearsAnonExclusive: false,
  }),
  bug('bug-unpin-forgets-bias', 'unpin_user_page() drops one reference instead of GUP_PIN_COUNTING_BIAS', {
    unpinRefs: 1,
  }),
  bug('bug-swapin-marks-exclusive', 'do_swap_page() maps every swapped-in page exclusive, shared or not', {
    swapinExclusive: (s) => {
      swapinExclusiveAnon(s);
      return true;
    },
  }),
  bug('bug-reclaim-unmaps-pinned', 'reclaim puts pinned pages in the swap cache and try_to_unmap_one() unmaps pinned exclusive pages', {
    reclaimSkipsAddToSwap: never,
    tryToUnmapAnon: always,
  }),
  bug('bug-reuse-ignores-swapcache', 'do_wp_page() discounts the swap cache reference without freeing the swap slot other swap PTEs still use', {
    wpCanReuseAnon: (s) => s.page.anonExclusive || s.folio.refcount - (s.folio.swap ? 1 : 0) === 1,
  }),
  bug('bug-mprotect-upgrades-shared', 'can_change_pte_writable() forgets the PageAnonExclusive test: mprotect maps shared anon pages writable', {
    mprotectMakesWritable: (_vma, pte, folio) => folio !== null && folio.anon && !pte.uffdWp,
  }),
  bug('bug-wp-reuse-by-mapcount', 'do_wp_page() falls back to reusing non-exclusive pages with mapcount 1 (the CVE-2020-29374 logic)', {
    wpCanReuseAnon: (s) => s.page.anonExclusive || (s.page.mapcount === 1 && folioSwapcount(s.k, s.folio) === 0),
  }),
  bug('bug-fork-keeps-swp-exclusive', 'copy_nonpresent_pte() leaves the exclusive bit on the parent\'s swap PTE', {
    forkClearsSwpExclusive: false,
  }),
];
