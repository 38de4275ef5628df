// What `explain` sees of a step: every policy decision the model asked for, with what the kernel
// function read and what it decided, and the notable events (a copy, a swap-out) in between.
// The model calls the tracer only when one is attached (k.tracer), so fuzzing pays nothing.

import { FOLL_FAST, FOLL_FORCE, FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from './constants.js';

export interface Tracer {
  /** `caller` asked the policy; `fn` is the kernel function the decision models; `inputs` what it read */
  decision(caller: string, fn: string, inputs: string, outcome: string): void;
  /** something the kernel did, in its words: `fn: text` */
  event(fn: string, text: string): void;
}

const FOLL_NAMES: readonly (readonly [number, string])[] = [
  [FOLL_GET, 'FOLL_GET'],
  [FOLL_PIN, 'FOLL_PIN'],
  [FOLL_WRITE, 'FOLL_WRITE'],
  [FOLL_LONGTERM, 'FOLL_LONGTERM'],
  [FOLL_FORCE, 'FOLL_FORCE'],
  [FOLL_FAST, 'FAST'],
];

/** GUP flags as the kernel spells them: FOLL_PIN|FOLL_WRITE (what traces and dumps print). */
export function follText(flags: number): string {
  const names = FOLL_NAMES.filter(([bit]) => flags & bit).map(([, n]) => n);
  return names.length ? names.join('|') : '0';
}

