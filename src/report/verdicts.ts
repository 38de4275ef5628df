// Short names of verdicts for a cell of a matrix (`cowfuzz compare`, the HTML report).

import type { InvariantName } from '../invariants/types.js';

/** Every verdict has one (the type makes a new invariant add its own). */
export const SHORT: Readonly<Record<InvariantName | 'pass' | 'error', string>> = {
  pass: 'pass',
  error: 'error',
  accounting: 'ACCT',
  'swap-offset-zero': 'SWP0',
  'anon-exclusive': 'EXCL',
  'pin-coherence': 'PIN',
  'no-over-sharing': 'LEAK',
  'data-oracle': 'DATA',
  'gup-progress': 'LOOP',
  'no-write-through': 'WRTH',
  'shared-coherence': 'SHRD',
  'pin-writeback': 'PWB',
  'mte-tags': 'MTE',
  'uffd-wp': 'UFWP',
  'uffd-wp-stale': 'UFST',
  'uffd-missing': 'UFMS',
  'pte-typed': 'TYPE',
  'soft-dirty': 'SDRT',
  pagemap: 'PMAP',
  'uffd-ioctls': 'UFIO',
};

/** The short name of a verdict (itself when it has none). */
export function shortVerdict(v: string): string {
  return (SHORT as Readonly<Record<string, string>>)[v] ?? v;
}
