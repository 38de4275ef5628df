import { canFollowWriteFollCowAny, forceCowBreakOnGet, hugeWpByMapcountSplit, hugeZeroWpSplit, isRefcountSuitable } from '../decisions.js';
import { variant } from '../variant.js';
import { mapcount } from './mapcount.js';

/**
 * 5.8: 17839856fd58 "gup: document and work around 'COW can break either way' issue". Also 5.8:
 * khugepaged collapses PTE-mapped large folios (5503fbf2b0b8) and pages shared across fork, up to
 * max_ptes_shared (9445689f3b61, 71a2c112a0f6: is_refcount_suitable()).
 */
export const gupCowOnRead = variant(
  mapcount,
  {
    name: 'gup-cow-on-read',
    kernels: '5.8 (and 5.7.3+, 4.14/4.19 stable backports)',
    summary: 'as mapcount, but any FOLL_GET/FOLL_PIN GUP in a COW mapping breaks COW first, even for reads (should_force_cow_break); a THP write fault that cannot reuse splits the PMD',
  },
  {
    gupForceCowBreak: forceCowBreakOnGet,
    gupFastForcesWrite: true,
    canFollowWritePte: canFollowWriteFollCowAny,
    hugePmdWpReuse: hugeWpByMapcountSplit,
    hugeZeroWp: hugeZeroWpSplit,
    collapseRefcountSuitable: isRefcountSuitable,
    collapseLargeFolios: true,
  },
);
