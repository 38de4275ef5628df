import { hugeWpByRefcount, shouldTryToFreeSwap, swapinReuseByPageCount, wpCanReuseAnonFolio } from '../decisions.js';
import { variant } from '../variant.js';
import { pagecount } from './pagecount.js';

/**
 * 5.18: "mm: COW fixes part 1" — c145e0b47c77 "mm: streamline COW logic in do_swap_page()" and
 * "mm: optimize do_wp_page() for exclusive pages in the swapcache": the swap-in path decides by
 * page_count too, and do_wp_page() frees the swap cache before testing page_count(). swap_free()
 * (and folio_free_swap()) now come before set_pte_at(), where arm64 restored MTE tags: a slot
 * freed by then has lost its tags (fixed in 6.5 by 6dca4ac6fc91).
 */
export const pagecount518 = variant(
  pagecount,
  {
    name: 'pagecount-5.18',
    kernels: '5.18',
    summary: 'pagecount + swap-in and THP (do_huge_pmd_wp_page, 3bff7e3f1f16) reuse by page_count; do_wp_page frees the swap cache first; MADV_DONTNEED of hugetlb (90e7e7f5ef3f)',
  },
  { wpReuseAnon: wpCanReuseAnonFolio, swapinFreeSwapFirst: shouldTryToFreeSwap, swapinMap: swapinReuseByPageCount, hugePmdWpReuse: hugeWpByRefcount, mteRestore: 'after-swap-free', hugetlbDontneed: 'align-up' },
);
