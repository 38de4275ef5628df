// Seeded-bug policies ("mutants"): anon-exclusive with one wrong decision each, the kind a real
// patch could make. The fuzzer must find every one of them (properties/mutants.test.ts).

import { FOLL_FORCE, GUP_PIN_COUNTING_BIAS, VM_WRITE } from '../model/constants.js';
import { folioMapcount } from '../model/rmap.js';
import { decision, type CollapseSite, type CowPolicy, type CowSite, type ForkUffdWpSite, type GupSite, type HugeWp, type HugeWpSite, type SwapinMap, type UffdWpUnmapSite, type UnmapAnon, type WpReuse, type PteSite } from '../model/policy.js';
import { folioTestAnon, isZeroFolio } from '../model/kernel.js';
import type { Folio } from '../model/types.js';
import { isCowMapping } from '../model/memory.js';
import { folioSwapcount } from '../model/swap_state.js';
import {
  canFollowWriteExclusive,
  faultAroundIgnoresUffd,
  forkAlwaysShares,
  forkCopiesMarkers,
  forkSharesHugePmd,
  hugetlbForkShares,
  noUnshare,
  pteInstallUffdWpIfNeeded,
  reclaimAnything,
  uffdResolveByVmFlags,
  wpReuseByMapcount,
} from './decisions.js';
import { anonExclusive } from './eras/anon-exclusive.js';
import { variant, type PolicyOverrides } from './variant.js';

const bug = (name: string, seededBug: string, overrides: PolicyOverrides, fuzzScope?: string): CowPolicy =>
  variant(anonExclusive, { name, summary: seededBug, seededBug, ...(fuzzScope ? { fuzzScope } : {}) }, overrides);

/** A seeded bug in userfaultfd or PTE markers: found with `cowfuzz fuzz --scope uffd`. */
const uffdBug = (name: string, seededBug: string, overrides: PolicyOverrides): CowPolicy =>
  variant(anonExclusive, { name, summary: `${seededBug} (fuzz --scope uffd)`, seededBug, fuzzScope: 'uffd' }, overrides);

export const seededBugs: readonly CowPolicy[] = [
  bug('bug-fork-shares-pinned', 'copy_present_pte() shares a pinned exclusive page with the child instead of copying it', {
    forkCopiesAnon: forkAlwaysShares,
  }),
  bug('bug-swapout-drops-exclusive', 'try_to_unmap_one() never sets the swap PTE exclusive bit', {
    tryToUnmapAnon: decision<CowSite, UnmapAnon>('try_to_unmap_one', ['PageAnonExclusive'], (s) => {
      const how = anonExclusive.tryToUnmapAnon(s);
      return how === 'unmap-exclusive' ? 'unmap' : how;
    }),
  }),
  bug('bug-swap-offset-zero', 'the swap header is not reserved: scan_swap_map_slots() can hand out offset 0', {
    reserveSwapHeader: false,
    swapLowestBit: 0,
  }),
  bug('bug-ro-pin-no-unshare', 'gup_must_unshare() never asks for FAULT_FLAG_UNSHARE: R/O pins of shared pages', {
    gupMustUnshare: noUnshare,
  }),
  bug('bug-fork-keeps-exclusive', 'folio_try_dup_anon_rmap() does not clear PG_anon_exclusive when fork shares a page', {
    forkClearsAnonExclusive: false,
  }),
  bug('bug-unpin-forgets-bias', 'unpin_user_page() drops one reference instead of GUP_PIN_COUNTING_BIAS', {
    unpinRefs: 1,
  }),
  bug('bug-swapin-marks-exclusive', 'do_swap_page() maps every swapped-in page exclusive, shared or not', {
    swapinMap: decision('do_swap_page', [], (): SwapinMap => 'exclusive'),
  }),
  bug('bug-reclaim-unmaps-pinned', 'reclaim puts pinned pages in the swap cache and try_to_unmap_one() unmaps pinned exclusive pages', {
    reclaimSkipsAddToSwap: reclaimAnything,
    tryToUnmapAnon: decision<CowSite, UnmapAnon>('try_to_unmap_one', ['PageAnonExclusive'], (s) =>
      s.page.anonExclusive ? 'unmap-exclusive' : 'unmap',
    ),
  }),
  bug('bug-reuse-ignores-swapcache', 'do_wp_page() discounts the swap cache reference without freeing the swap slot other swap PTEs still use', {
    wpReuseAnon: decision<CowSite, WpReuse>('do_wp_page', ['PageAnonExclusive', 'refcount', 'swapcache'], (s) =>
      s.page.anonExclusive || s.folio.refcount - (s.folio.swap >= 0 ? 1 : 0) === 1 ? 'reuse' : 'copy',
    ),
  }),
  bug('bug-mprotect-upgrades-shared', 'can_change_pte_writable() forgets the PageAnonExclusive test: mprotect maps shared anon pages writable', {
    mprotectMakesWritable: decision<PteSite, boolean>('can_change_pte_writable', [], (s) => s.folio !== null && folioTestAnon(s.folio) && !s.pte.uffdWp),
  }),
  bug('bug-wp-reuse-by-mapcount', 'do_wp_page() falls back to reusing non-exclusive pages with mapcount 1 (the CVE-2020-29374 logic)', {
    wpReuseAnon: decision<CowSite, WpReuse>('do_wp_page', ['PageAnonExclusive', 'mapcount'], (s) =>
      s.page.anonExclusive || (s.page.mapcount === 1 && folioSwapcount(s.k, s.folio) === 0) ? 'reuse' : 'copy',
    ),
  }),
  bug('bug-fork-keeps-swp-exclusive', "copy_nonpresent_pte() leaves the exclusive bit on the parent's swap PTE", {
    forkClearsSwpExclusive: false,
  }),
  // files and shmem
  bug('bug-wp-reuses-pagecache', 'do_wp_page() lets a page-cache page with one mapping be reused like an anon page: a write to a private file mapping lands in the file', {
    wpReuseNonAnon: decision<PteSite, boolean>('do_wp_page', ['mapcount'], (s) => s.folio !== null && s.page !== null && !isZeroFolio(s.folio) && s.page.mapcount === 1),
  }),
  bug('bug-force-follows-pagecache', 'can_follow_write_pte() forgets the PageAnon test: a FOLL_FORCE write follows a read-only page-cache PTE into the file', {
    canFollowWritePte: decision<GupSite, boolean>('can_follow_write_pte', ['FOLL_FORCE'], (s) => {
      if (s.folio !== null && !folioTestAnon(s.folio)) return (s.gupFlags & FOLL_FORCE) !== 0 && s.vma !== null && isCowMapping(s.vma.flags) && !(s.vma.flags & VM_WRITE);
      return canFollowWriteExclusive(s);
    }),
  }),
  bug('bug-shmem-swapin-clean', 'shmem_swapin_folio() frees the swap slot but leaves the folio clean: reclaim drops it and the data is lost', {
    shmemSwapinMarksDirty: false,
  }),
  // large folios (fuzzed in the thp scope)
  bug(
    'bug-thp-wp-reuse-by-mapcount',
    'do_huge_pmd_wp_page() falls back to reuse_swap_page() for a THP whose head is not exclusive (the THP instance of CVE-2020-29374, 5.8-5.17)',
    {
      hugePmdWpReuse: decision<HugeWpSite, HugeWp>('do_huge_pmd_wp_page', ['PageAnonExclusive', 'mapcount'], (s) => {
        if (s.page.anonExclusive) return 'reuse';
        const r = wpReuseByMapcount(s);
        return r === 'copy' ? 'split' : r;
      }),
    },
    'thp',
  ),
  // arm64 MTE: what the large-folio MTE swap thread (seed 004) and its reviews warned about
  bug(
    'bug-mte-save-first-page',
    'arch_prepare_to_swap() saves the tags of the first page of a large folio only (RFC v1: `return mte_save_tags(folio_page(folio, i))` inside the loop)',
    {
      mteSaveTags: decision<Folio, readonly number[]>('arch_prepare_to_swap', [], (f) => (f.pages[0]!.mteTag >= 0 ? [0] : [])),
    },
    'thp',
  ),
  bug(
    'bug-mte-restore-after-free',
    'do_swap_page() restores the MTE tags after swap_free() and folio_free_swap(): tags freed before they are restored (as 5.18-6.4, before 6dca4ac6fc91)',
    { mteRestore: 'after-swap-free' },
    'thp',
  ),
  bug('bug-mte-cow-drops-tags', 'a COW copy copies the data but not the MTE tags (copy_highpage() without mte_copy_page_tags())', { mteCopyTags: false }, 'thp'),
  bug(
    'bug-thp-fork-shares-pinned',
    'copy_huge_pmd() shares a pinned THP with the child instead of splitting the PMD (as before d042035eaf5f)',
    { forkSplitsHugePmd: forkSharesHugePmd },
    'thp',
  ),
  // userfaultfd and PTE markers
  uffdBug('bug-uffd-fault-around', 'should_fault_around() forgets uffd_disable_fault_around(): fault-around maps page-cache pages into a MINOR range (seed 001)', {
    uffdDisableFaultAround: faultAroundIgnoresUffd,
  }),
  uffdBug('bug-reclaim-drops-uffd-wp', "try_to_unmap_one() forgets pte_install_uffd_wp_if_needed(): a reclaimed shmem page's uffd-wp protection is lost with its PTE (seed 000)", {
    installUffdWpMarker: decision<UffdWpUnmapSite, boolean>('pte_install_uffd_wp_if_needed', ['uffdWp'], (s) => s.caller !== 'try_to_unmap_one' && pteInstallUffdWpIfNeeded(s)),
  }),
  uffdBug('bug-fork-copies-uffd-wp-marker', 'copy_nonpresent_pte() copies a uffd-wp PTE marker into a child forked without UFFD_FEATURE_EVENT_FORK (the 5.19 - 6.1 code, 49d6d7fb6313)', {
    forkKeepsUffdWp: forkCopiesMarkers,
  }),
  uffdBug('bug-unregister-keeps-uffd-wp', 'userfaultfd_unregister() drops VM_UFFD_WP without uffd_wp_range(): uffd-wp bits and markers outlive the registration (before f369b07c8614)', {
    unregisterResetsWp: false,
  }),
  uffdBug('bug-max-swapfiles-forgets-marker', 'MAX_SWAPFILES does not subtract SWP_PTE_MARKER_NUM: SWP_PTE_MARKER is one past the 5-bit swap type and wraps into swap device 0', {
    maxSwapfiles: 24,
  }),
  uffdBug('bug-uffd-resolve-ignores-soft-dirty', 'uffd_wp_range() unprotects with vm_get_page_prot(): a shared PTE becomes writable where soft-dirty tracking wants the fault (before 931298e103c2)', {
    uffdWpResolveWritable: uffdResolveByVmFlags,
  }),
  // hugetlb
  bug(
    'bug-hugetlb-fork-shares-pinned',
    'copy_hugetlb_page_range() shares a pinned exclusive huge page with the child instead of copying it (as before 4eae4efa2c29)',
    { hugetlbForkCopies: hugetlbForkShares },
    'hugetlb',
  ),
  bug(
    'bug-hugetlb-wp-reuse-subpage-mapcount',
    "hugetlb_wp() tests page_mapcount() of the head page's PTE mappings (always 0 under a huge entry) instead of folio_mapcount(): every anon huge page is reused",
    {
      hugetlbWpReuse: decision<CowSite, boolean>('hugetlb_wp', ['mapcount', 'anon'], (s) => s.folio.pages[0]!.mapcount <= 1 && folioTestAnon(s.folio)),
    },
    'hugetlb',
  ),
  bug(
    'bug-collapse-ignores-pins',
    'is_refcount_suitable() discounts GUP pins (only the mappings, the swap cache and FOLL_GET references count): khugepaged and MADV_COLLAPSE copy a pinned page into a new THP, and the pin is left with a page nothing maps',
    {
      collapseRefcountSuitable: decision<CollapseSite, boolean>('is_refcount_suitable', ['refcount', 'pincount', 'swapcache'], (s) => {
        const f = s.folio;
        const extra = f.refcount - folioMapcount(f) - (f.swap >= 0 ? f.nr : 0);
        const pins = f.nr > 1 ? f.pincount : Math.floor(extra / GUP_PIN_COUNTING_BIAS) * GUP_PIN_COUNTING_BIAS;
        return extra - pins === 0;
      }),
    },
    'thp',
  ),
  // userfaultfd on huge PMDs (fuzzed in the thp-uffd scope)
  bug(
    'bug-fork-pmd-keeps-uffd-wp',
    "copy_huge_pmd() forgets `if (!userfaultfd_wp(dst_vma)) pmd = pmd_clear_uffd_wp(pmd)`: a child forked without UFFD_FEATURE_EVENT_FORK keeps the parent's uffd-wp huge PMD",
    {
      forkKeepsUffdWp: decision<ForkUffdWpSite, boolean>('copy_huge_pmd', ['pte'], (s) => s.pte === 'pmd' || s.pte === 'huge-zero-pmd' || anonExclusive.forkKeepsUffdWp(s)),
    },
    'thp-uffd',
  ),
  bug(
    'bug-zero-pmd-split-drops-uffd-wp',
    "__split_huge_zero_page_pmd() maps the small zero page without the PMD's uffd-wp bit (the code before 6.2): a write to a protected page of the huge zero folio goes through once the PMD is split",
    { splitZeroPmdKeepsUffdWp: false },
    'thp-uffd',
  ),
  // userfaultfd on hugetlb
  bug(
    'bug-hugetlb-wp-cows-uffd-wp',
    'hugetlb_wp() handles CoW for a uffd-wp entry: the write hugetlb_no_page() passes on over a uffd-wp marker goes through (before 60d5b473d61b)',
    { hugetlbWpSkipsUffdWp: false },
    'hugetlb-uffd',
  ),
  bug(
    'bug-hugetlb-fork-keeps-uffd-wp',
    'copy_hugetlb_page_range() keeps the uffd-wp bit of a huge entry in a child forked without UFFD_FEATURE_EVENT_FORK (before 5a2f8d22f6a7)',
    { hugetlbForkClearsUffdWp: false },
    'hugetlb-uffd',
  ),
];

