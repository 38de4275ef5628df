// How messages name things. The model knows mm ids, addresses and reference ids; a scenario knows
// P0, A+1 and r1. Invariants write their messages through these, so a violation reads in the
// scenario's own names once the scenario layer installs its own (see scenario/run.ts).

import { ZERO_FOLIO, ZERO_VALUE } from '../model/constants.js';

export interface Words {
  /** an address of an mm: "P1 A+0" */
  addr(mm: number, addr: number): string;
  /** a reference by GupRef id: "r1" */
  ref(id: number): string;
  /** a value as the oracle knows it: "value #3 (written by P0 at A+0 in step 4)" */
  value(v: number): string;
  /** a folio: "folio#5", or "the zero page" */
  folio(id: number): string;
}

export const PLAIN_WORDS: Words = {
  addr: (mm, addr) => `mm${mm}:${addr}`,
  ref: (id) => `reference #${id}`,
  value: (v) => (v === ZERO_VALUE ? 'zero' : `value #${v}`),
  folio: folioWord,
};

export function folioWord(id: number): string {
  return id === ZERO_FOLIO ? 'the zero page' : `folio#${id}`;
}
