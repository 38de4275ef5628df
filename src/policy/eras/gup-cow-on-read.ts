import { canFollowWriteFollCowAny, forceCowBreakOnGet, hugeWpByMapcountSplit, hugeZeroWpSplit } from '../decisions.js';
import { variant } from '../variant.js';
import { mapcount } from './mapcount.js';

/** 5.8: 17839856fd58 "gup: document and work around 'COW can break either way' issue". */
export const gupCowOnRead = variant(
  mapcount,
  {
    name: 'gup-cow-on-read',
    kernels: '5.8 (and 5.7.3+, 4.14/4.19 stable backports)',
    summary: 'as mapcount, but any FOLL_GET/FOLL_PIN GUP in a COW mapping breaks COW first, even for reads (should_force_cow_break); a THP write fault that cannot reuse splits the PMD',
  },
  { gupForceCowBreak: forceCowBreakOnGet, gupFastForcesWrite: true, canFollowWritePte: canFollowWriteFollCowAny, hugePmdWpReuse: hugeWpByMapcountSplit, hugeZeroWp: hugeZeroWpSplit },
);
