// Tests of a VMA's flags that several parts of mm/ share (include/linux/mm.h).

import { VM_MAYWRITE, VM_SHARED } from './constants.js';

/** models is_cow_mapping(): private and may become writable */
export function isCowMapping(flags: number): boolean {
  return (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}
