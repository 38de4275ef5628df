// The three ways of answering build()'s choices: a PRNG (the fuzzer), a tape (fast-check, and
// replaying a choice sequence), and every answer in turn (exhaust).

import type { Choose } from '../ops/types.js';

/** Random choices from a PRNG returning [0, 1). */
export function randomChoose(rnd: () => number): Choose {
  return {
    pick: (n) => Math.floor(rnd() * n),
    chance: (p) => rnd() < p,
  };
}

/** Choices read from a tape of non-negative integers (taken modulo the range); 0 once the tape runs out. */
export function tapeChoose(tape: readonly number[]): Choose {
  let i = 0;
  return {
    pick: (n) => (tape[i++] ?? 0) % n,
    chance: (p) => ((tape[i++] ?? 0) % 1000) < p * 1000,
  };
}

/**
 * Calls `build` once for every sequence of answers it can be given: an odometer over the choice
 * points, where a chance() is a choice of two. `build` must choose the same way for the same
 * answers (it reads the world, never changes it).
 */
export function forEachChoice<T>(build: (c: Choose) => T, visit: (t: T) => void): void {
  let prefix: number[] = [];
  for (;;) {
    const taken: number[] = [];
    const limits: number[] = [];
    const c: Choose = {
      pick(n) {
        const i = taken.length;
        const v = i < prefix.length ? prefix[i]! : 0;
        taken.push(v);
        limits.push(n);
        return v;
      },
      chance(p) {
        const i = taken.length;
        const v = i < prefix.length ? prefix[i]! : 0;
        taken.push(v);
        limits.push(2);
        return p >= 1 ? true : p <= 0 ? false : v === 0;
      },
    };
    visit(build(c));
    let j = taken.length - 1;
    while (j >= 0 && taken[j]! + 1 >= limits[j]!) j--;
    if (j < 0) return;
    prefix = taken.slice(0, j);
    prefix.push(taken[j]! + 1);
  }
}
