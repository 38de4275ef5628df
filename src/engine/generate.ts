// The one source of possible ops. The random generator picks a kind by weight among those whose
// build() is possible in the world, then lets build() draw the arguments; exhaust enumerates every
// op build() can make; fast-check drives build() with a tape. No generated op is wasted on names
// that do not resolve.

import { NO_BOOST, OP_SPECS, type Op } from '../ops/registry.js';
import type { Choose, Scope } from '../ops/types.js';
import type { World } from '../world/world.js';
import { forEachChoice } from './choose.js';
import type { Weights } from './weights.js';

/** Is the kind part of the scope at all (OpSpec.inScope)? */
export function kindInScope(spec: (typeof OP_SPECS)[number], scope: Scope | undefined): boolean {
  return scope === undefined || spec.inScope === undefined || spec.inScope(scope);
}

/** Weights in OP_SPECS order, for the hot loop; kinds the scope leaves out weigh 0. */
export function weightArray(w: Weights, scope?: Scope): Float64Array {
  return Float64Array.from(OP_SPECS.map((s) => (kindInScope(s, scope) ? ((w as Record<string, number>)[s.kind] ?? 0) : 0)));
}

const possibleScratch = new Float64Array(OP_SPECS.length);
/** the kinds whose weight a world may boost (OpSpec.boost), looked up once */
const BOOSTED = OP_SPECS.map((s) => s.boost !== undefined && s.boost !== NO_BOOST);
/** the ceiling of each kind's boost (OpSpec.boostMax; 1 for a kind without a boost) */
const BOOST_MAX = Float64Array.from(OP_SPECS.map((s, i) => (BOOSTED[i] ? (s.boostMax ?? 1) : 1)));

/** Every kind index, in order: what generateOp() considers when not told fewer. */
const ALL_KINDS = Int32Array.from(OP_SPECS.map((_, i) => i));

/** The kind indices with a weight (a scope's own kinds): the hot loop asks only these whether they are possible. */
export function weightedKinds(weights: Float64Array): Int32Array {
  return Int32Array.from(ALL_KINDS.filter((i) => weights[i]! > 0));
}

/** Proposals rejected before generateOp() falls back to asking every kind (nothing may be possible). */
const MAX_REJECTIONS = 32;

/**
 * A draw's scan for its kind starts at its bucket's first kind instead of the first kind: the
 * same kind is found (every kind before the start ends below the draw), in a step or two instead
 * of a scan over the forty kinds (a bisection was slower: its branches are unpredictable).
 */
const BUCKETS = 64;

/**
 * What generateOp() proposes kinds from: the kinds it considers (ascending) and their cumulative
 * weights times their boost's ceiling. Weights change once per run (swarm testing) and ops are
 * drawn up to 40 times per run, so the fuzz loop keeps one table and refreshes it when it changes
 * the weights, instead of summing every kind's weight for every op.
 */
export interface KindTable {
  readonly weights: Float64Array;
  readonly kinds: Int32Array;
  /** cum[n]: the boosted weights of kinds[0..n], summed */
  readonly cum: Float64Array;
  total: number;
  /** start[b]: the first kind a draw in bucket b of [0, total) can be (BUCKETS equal buckets, and one for the end) */
  readonly start: Int32Array;
  /** BUCKETS / total: a draw's bucket is (x * scale) | 0 */
  scale: number;
  /** the OP_SPECS index of the kind generateFrom() last built (the fuzz loop hands its spec to step()) */
  picked: number;
}

/**
 * A table over `weights` (which refreshKindTable() reads again after they change in place).
 * `buckets`: false for a table used for one op (its scans start at the first kind: filling the
 * buckets would cost more than they save).
 */
export function kindTable(weights: Float64Array, kinds: Int32Array = ALL_KINDS, buckets = true): KindTable {
  const t: KindTable = { weights, kinds, cum: new Float64Array(kinds.length), total: 0, start: new Int32Array(buckets ? BUCKETS + 1 : 1), scale: 0, picked: -1 };
  refreshKindTable(t);
  return t;
}

export function refreshKindTable(t: KindTable): void {
  let total = 0;
  for (let n = 0; n < t.kinds.length; n++) {
    total += t.weights[t.kinds[n]!]! * BOOST_MAX[t.kinds[n]!]!;
    t.cum[n] = total;
  }
  t.total = total;
  if (t.start.length === 1) return; // no buckets: every scan starts at start[0], the first kind
  t.scale = total > 0 ? BUCKETS / total : 0;
  const last = t.kinds.length - 1;
  let n = 0;
  for (let b = 0; b <= BUCKETS; b++) {
    const lo = (b * total) / BUCKETS;
    while (n < last && lo >= t.cum[n]!) n++;
    t.start[b] = n;
  }
}

/**
 * Picks the next op by weight among the possible kinds, or null when nothing is possible.
 * `kinds` (ascending) may leave out kinds that never have a weight: the pick is the same.
 */
export function generateOp(w: World, scope: Scope, weights: Float64Array, c: Choose, rnd: () => number, kinds: Int32Array = ALL_KINDS): Op | null {
  return generateFrom(w, scope, kindTable(weights, kinds, false), c, rnd);
}

/**
 * generateOp() with the table made once (the fuzz loop's way).
 *
 * Rejection sampling: a kind is proposed by its weight (times its boost's ceiling, OpSpec.boostMax)
 * and kept if it is possible (and, for a boosted kind, with probability boost / boostMax); after
 * MAX_REJECTIONS proposals, every kind is asked (pickByScan()). Either way the kind is drawn from
 * the possible kinds in proportion to their boosted weights, as asking every kind first would draw
 * it, but most ops ask one or two kinds instead of all of them (a third of an op's time went to
 * asking every kind's possible(): npm run bench's per-op section).
 */
export function generateFrom(w: World, scope: Scope, t: KindTable, c: Choose, rnd: () => number): Op | null {
  const { weights, kinds, cum, total } = t;
  if (total === 0) return null;
  const last = kinds.length - 1;
  const call = ++calls;
  for (let tries = 0; tries < MAX_REJECTIONS; tries++) {
    const x = rnd() * total;
    // the first kind whose cumulative weight exceeds x (a kind of weight 0 adds nothing: never it),
    // from the start of x's bucket (or from the first kind, should rounding put x below that start)
    let n = t.start[(x * t.scale) | 0]!;
    if (n > 0 && x < cum[n - 1]!) n = 0;
    while (n < last && x >= cum[n]!) n++;
    const i = kinds[n]!;
    const wt = weights[i]!;
    if (wt === 0) continue; // only by rounding at the end of the scan
    const spec = OP_SPECS[i]!;
    if (!possibleIn(w, scope, i, call)) continue;
    if (BOOSTED[i] && rnd() * BOOST_MAX[i]! >= spec.boost!(w, scope)) continue;
    t.picked = i;
    return spec.build(w, scope, c) as Op;
  }
  const i = pickByScan(w, scope, weights, rnd, kinds, call);
  t.picked = i;
  return i < 0 ? null : (OP_SPECS[i]!.build(w, scope, c) as Op);
}

/**
 * The generateFrom() call in which each kind was last found impossible. The world does not change
 * within a call, so a kind proposed again after a refusal is rejected without asking it again
 * (half the rejected proposals were repeats); the draws, and so the ops, are the same.
 */
const impossibleIn = new Float64Array(OP_SPECS.length);
/** generateFrom() calls so far (a double: 2^53 calls before a number could come round again) */
let calls = 0;

function possibleIn(w: World, scope: Scope, i: number, call: number): boolean {
  if (impossibleIn[i] === call) return false;
  if (OP_SPECS[i]!.possible(w, scope)) return true;
  impossibleIn[i] = call;
  return false;
}

/** The same draw by asking every kind whether it is possible first: the kind's index, or -1 when none is possible. */
function pickByScan(w: World, scope: Scope, weights: Float64Array, rnd: () => number, kinds: Int32Array, call: number): number {
  let total = 0;
  for (let n = 0; n < kinds.length; n++) {
    const i = kinds[n]!;
    const wt = weights[i]!;
    const spec = OP_SPECS[i]!;
    const ok = wt > 0 && possibleIn(w, scope, i, call);
    const eff = ok ? (BOOSTED[i] ? wt * spec.boost!(w, scope) : wt) : 0;
    possibleScratch[i] = eff;
    total += eff;
  }
  if (total === 0) return -1;
  let x = rnd() * total;
  for (let n = 0; n < kinds.length; n++) {
    const i = kinds[n]!;
    const wt = possibleScratch[i]!;
    if (wt === 0) continue;
    x -= wt;
    if (x < 0) return i;
  }
  for (let n = kinds.length - 1; ; n--) if (possibleScratch[kinds[n]!]! > 0) return kinds[n]!;
}

/** An op of the kind with index `kind`, or null when that kind is not possible (fast-check's commands). */
export function buildOp(w: World, scope: Scope, kind: number, c: Choose): Op | null {
  const spec = OP_SPECS[kind]!;
  return spec.possible(w, scope) ? (spec.build(w, scope, c) as Op) : null;
}

/** Every distinct op possible in the world within the scope, in registry order (exhaust's successors). */
export function possibleOps(w: World, scope: Scope): Op[] {
  const out: Op[] = [];
  const seen = new Set<string>();
  for (const spec of OP_SPECS) {
    if (!spec.possible(w, scope)) continue;
    forEachChoice(
      (c) => spec.build(w, scope, c) as Op,
      (op) => {
        const key = JSON.stringify(op);
        if (seen.has(key)) return;
        seen.add(key);
        out.push(op);
      },
    );
  }
  return out;
}
