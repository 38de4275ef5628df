// Policies for designs the seed threads proposed and the kernel did not merge (kind 'proposal';
// `--policy proposals`): how uffd-wp on shmem might have survived a page leaving the page table
// (each is anon-exclusive-5.19, where shmem uffd-wp arrived with the merged PTE marker, with the
// marker written another way, or not at all), and a fix proposed for the current kernel.
// `expect default` never covers them.

import type { CowPolicy } from '../model/policy.js';
import { noUffdWpInstall, noUffdWpMarkers } from './decisions.js';
import { anonExclusive, anonExclusive519 } from './eras/anon-exclusive.js';
import { variant } from './variant.js';

export const proposalPolicies: readonly CowPolicy[] = [
  // seed 000 (Peter Xu, "userfaultfd-wp: Support shmem and hugetlbfs", v5, July 2021), the problem:
  // shmem can register uffd-wp, but nothing keeps the protection when the PTE goes (swap-out,
  // page-cache drop, zap): the next write goes through unseen, and pagemap shows nothing
  variant(
    anonExclusive519,
    {
      name: 'uffd-wp-no-markers',
      kernels: 'RFC (2020)',
      summary: 'uffd-wp on shmem with no marker: a none PTE cannot remember its protection (the problem seed 000 solves)',
    },
    { markerEncoding: 'none', uffdWpUseMarkers: noUffdWpMarkers, installUffdWpMarker: noUffdWpInstall, maxSwapfiles: 23 },
  ),
  // seed 000's design: UFFD_WP_SWP_PTE_SPECIAL, the x86 swap uffd-wp bit alone (type 0, offset 0):
  // "it should not be a valid swap pte anywhere"; it costs no swap type
  variant(
    anonExclusive519,
    {
      name: 'uffd-wp-special-pte',
      kernels: 'RFC (2021)',
      summary: "uffd-wp markers as seed 000's special swap PTE (_PAGE_SWP_UFFD_WP alone): no swap type spent",
    },
    { markerEncoding: 'special-swp-pte', maxSwapfiles: 23 },
  ),
  // seed 001 (Hugh Dickins): swp_entry(1, 0), since offset 0 of every device is its header and
  // swp_entry(0, 0) is 0 (pte_none); no swap type spent
  variant(
    anonExclusive519,
    {
      name: 'uffd-wp-swp-entry-1-0',
      kernels: 'RFC (2020)',
      summary: "uffd-wp markers as seed 001's swp_entry(1, 0) (offset 0 is a header): no swap type spent",
    },
    { markerEncoding: 'swp-entry-1-0', maxSwapfiles: 23 },
  ),
  // Luka Bai, "mm: enable map_anon_folio_pmd_nopf to handle unshare" (RFC series thp_cow, May
  // 2026): an UNSHARE fault on the huge zero PMD (a R/O long-term pin) maps the new THP read-only
  // with the old PMD's soft-dirty and uffd-wp bits, as wp_page_copy() does for a PTE; the merged
  // do_huge_zero_wp_pmd() (6.13) maps it writable and drops uffd-wp
  variant(
    anonExclusive,
    {
      name: 'thp-unshare-keeps-uffd-wp',
      kernels: 'RFC (2026)',
      summary: 'anon-exclusive + an unshare fault on the huge zero PMD maps the new THP read-only, keeping uffd-wp and soft-dirty',
    },
    { hugeZeroUnshare: 'keep-bits' },
  ),
];
