import { GUP_PIN_COUNTING_BIAS } from '../../model/constants.js';
import type { CowPolicy } from '../../model/policy.js';
import {
  clearRefsNeverSkips,
  forkAlwaysShares,
  mprotectNeverWritable,
  noForcedCowBreak,
  noFreeSwapFirst,
  noUnshare,
  reclaimAnything,
  setFollCow,
  canFollowWriteFollCow,
  swapinReuseByMapcount,
  unmapAlways,
  wpReuseByMapcount,
  wpSoleReference,
  anyFastPin,
  anyWritableFileMapping,
  canFollowWriteNever,
  dropFollWrite,
  ioUringAnonOnly,
  neverReuseNonAnon,
  unshareNonAnonNothing,
  hugeWpByMapcountCopy,
  hugeZeroWpAllocIfEnabled,
  reclaimSplitsWithoutPmd,
  swapinOnePage,
  forkSharesHugePmd,
  mteSaveEachTaggedPage,
  faultAroundIgnoresUffd,
  forkUffdWpBySrc,
  noUffdWpInstall,
  noUffdWpMarkers,
  uffd48,
  uffd57,
  uffdResolveByVmFlags,
  hugetlbWpReuseByMapcount,
  hugetlbForkShares,
} from '../decisions.js';
import { variant } from '../variant.js';

/**
 * The mapcount era (4.9 - 5.7): COW reuse decided by reuse_swap_page(); references are invisible
 * to it. FOLL_COW from the Dirty COW fix (19be0eaffa3a, 4.9) is there.
 */
export const mapcount: CowPolicy = {
  name: 'mapcount',
  kernels: '4.9 - 5.7',
  summary: 'reuse when mapcount + swap count says one user (reuse_swap_page); GUP references ignored; fork shares pinned pages; userfaultfd as in 5.7 (WP on anonymous memory, no PTE markers)',
  features: { anonExclusive: false, swpExclusive: false, hasPinnedFlag: false },
  wpReuseAnon: wpReuseByMapcount,
  wpReuseAfterFreeSwap: wpSoleReference,
  swapinFreeSwapFirst: noFreeSwapFirst,
  swapinMap: swapinReuseByMapcount,
  forkCopiesAnon: forkAlwaysShares,
  forkClearsAnonExclusive: true,
  forkClearsSwpExclusive: true,
  gupForceCowBreak: noForcedCowBreak,
  gupFastForcesWrite: false,
  gupMustUnshare: noUnshare,
  writeFaultOnReadOnly: setFollCow,
  canFollowWritePte: canFollowWriteFollCow,
  pinAccountsZeroPage: true,
  unpinRefs: GUP_PIN_COUNTING_BIAS,
  reclaimSkipsAddToSwap: reclaimAnything,
  reclaimSplitsLarge: reclaimSplitsWithoutPmd,
  swapinBatch: swapinOnePage,
  protMte: false,
  splitRemapsZeroPages: 'never',
  mteRestore: 'before-swap-free',
  mteSaveTags: mteSaveEachTaggedPage,
  mteLargeSwap: false,
  mteCopyTags: true,
  forkSplitsHugePmd: forkSharesHugePmd,
  tryToUnmapAnon: unmapAlways,
  clearRefsSkips: clearRefsNeverSkips,
  mprotectMakesWritable: mprotectNeverWritable,
  wpReuseNonAnon: neverReuseNonAnon,
  shmemSwapinMarksDirty: true,
  wpUnshareNonAnon: unshareNonAnonNothing,
  writableFileMappingAllowed: anyWritableFileMapping,
  gupFastPinAllowed: anyFastPin,
  ioUringAcceptsVma: ioUringAnonOnly,
  sealedReadOnlySharedMap: 'EPERM',
  anonMthp: false,
  hugePmdWpReuse: hugeWpByMapcountCopy,
  hugeZeroWp: hugeZeroWpAllocIfEnabled,
  hugetlbWpReuse: hugetlbWpReuseByMapcount,
  hugetlbForkCopies: hugetlbForkShares,
  hugetlbDontneed: 'EINVAL',
  hugetlbWpSkipsUffdWp: false,
  hugetlbForkClearsUffdWp: false,
  hugetlbUffdResolveWritable: true,
  reserveSwapHeader: true,
  swapLowestBit: 1,
  // userfaultfd as in 5.7: WP on anonymous memory only, no markers, fork keeps the bit by the source VMA
  uffd: uffd57,
  uffdDisableFaultAround: faultAroundIgnoresUffd,
  uffdWpUseMarkers: noUffdWpMarkers,
  installUffdWpMarker: noUffdWpInstall,
  forkKeepsUffdWp: forkUffdWpBySrc,
  vmaNeedsCopyUffdWp: false,
  unregisterResetsWp: false,
  uffdWpResolveWritable: uffdResolveByVmFlags,
  markerEncoding: 'none',
  // 32 - SWP_DEVICE_NUM 2 (4.14) - SWP_MIGRATION_NUM 2 - SWP_HWPOISON_NUM 1
  maxSwapfiles: 27,
};

/**
 * Before the Dirty COW fix (19be0eaffa3a, 4.9; stable 4.8.3, 4.7.9, 4.4.26): after a write fault on
 * a VMA without VM_WRITE, faultin_page() drops FOLL_WRITE and GUP retries as a read, so a racing
 * MADV_DONTNEED lets a forced write (ptrace, /proc/PID/mem) reach the page cache (CVE-2016-5195).
 */
export const mapcount48 = variant(
  mapcount,
  {
    name: 'mapcount-4.8',
    kernels: '<= 4.8',
    summary: 'mapcount + the FOLL_WRITE games in __get_user_pages(): a forced write retried as a read after its COW (Dirty COW, CVE-2016-5195)',
  },
  // userfaultfd as in 4.8: MISSING on private anonymous memory only; no device swap types yet (32 - 2 - 1)
  { writeFaultOnReadOnly: dropFollWrite, canFollowWritePte: canFollowWriteNever, uffd: uffd48, maxSwapfiles: 29 },
);
