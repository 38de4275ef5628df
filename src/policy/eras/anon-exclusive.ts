import {
  canChangePteWritable,
  canFollowWriteExclusive,
  forgetWriteFault,
  forkCopiesPinnedExclusive,
  gupMustUnshareAnon,
  gupMustUnshareCow,
  swapinExclusiveAnon,
  unmapShareAnonRmap,
  wpReuseAnonExclusive,
} from '../decisions.js';
import { variant } from '../variant.js';
import { pagecount518 } from './pagecount-5.18.js';

/**
 * 5.19-6.1: "mm: COW fixes part 2" (6c287605fd56 PG_anon_exclusive, FAULT_FLAG_UNSHARE for R/O pins
 * of possibly shared anon pages) and 1493a1913e34 "mm/swap: remember PG_anon_exclusive via a swp
 * pte bit" (x86-64 has __HAVE_ARCH_PTE_SWP_EXCLUSIVE). FOLL_COW is still there in 5.19.0.
 */
export const anonExclusive519 = variant(
  pagecount518,
  {
    name: 'anon-exclusive-5.19',
    kernels: '5.19',
    summary: 'PageAnonExclusive: exclusive pages are reused whatever their refcount; R/O pins unshare non-exclusive anon pages; fork copies pinned exclusive pages; swap-out keeps exclusivity in the swap PTE and refuses pinned exclusive pages',
  },
  {
    features: { anonExclusive: true, swpExclusive: true, hasPinnedFlag: true },
    wpReuseAnon: wpReuseAnonExclusive,
    swapinMap: swapinExclusiveAnon,
    forkCopiesAnon: forkCopiesPinnedExclusive,
    gupMustUnshare: gupMustUnshareAnon,
    tryToUnmapAnon: unmapShareAnonRmap,
  },
);

/**
 * 6.2+: 5535be309971 (6.0) replaces FOLL_COW by the exclusive-anon test in can_follow_write_pte();
 * 64fe24a3e05e (6.0) lets mprotect() map exclusive anon pages writable (can_change_pte_writable());
 * 84209e87c696 (6.2) makes R/O long-term pins reliable for anything in a COW mapping (the zero page
 * included) by unsharing it first; c8070b787519 (6.5) stops accounting pins of the zero page.
 */
export const anonExclusive = variant(
  anonExclusive519,
  {
    name: 'anon-exclusive',
    kernels: '6.2+',
    summary: 'anon-exclusive-5.19 + mprotect maps exclusive anon pages writable + R/O long-term pins unshare the zero page and page cache in COW mappings + FOLL_FORCE writes follow only exclusive anon pages',
  },
  {
    gupMustUnshare: gupMustUnshareCow,
    mprotectMakesWritable: canChangePteWritable,
    writeFaultOnReadOnly: forgetWriteFault,
    canFollowWritePte: canFollowWriteExclusive,
    pinAccountsZeroPage: false,
  },
);
