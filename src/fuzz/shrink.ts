// Shrinking a failing op sequence to a minimal one that fails the same invariant: no op can be
// removed, no argument made simpler, and names are renumbered from the first.

import type { InvariantName } from '../invariants/types.js';
import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../model/constants.js';
import type { Op } from '../ops/types.js';
import type { CowPolicy } from '../policy/types.js';
import { OpAtError, runOps } from '../scenario/run.js';

export interface ShrinkOptions {
  readonly swapSlots: number;
  /** stop after this many candidate runs */
  readonly maxAttempts?: number;
}

/** Does `ops` still fail `inv` under `pol`? Returns the length up to the failing op, or 0. */
export function failsAt(ops: readonly Op[], pol: CowPolicy, inv: InvariantName, swapSlots: number): number {
  try {
    const r = runOps(ops, pol, swapSlots);
    return r.verdict === inv ? r.step + 1 : 0;
  } catch (e) {
    if (e instanceof OpAtError) return 0; // removing an op left a dangling name
    throw e;
  }
}

export function shrink(ops: readonly Op[], pol: CowPolicy, inv: InvariantName, opts: ShrinkOptions): Op[] {
  let budget = opts.maxAttempts ?? 20_000;
  const test = (cand: readonly Op[]): number => {
    budget--;
    return failsAt(cand, pol, inv, opts.swapSlots);
  };
  let best = ops.slice(0, failsAt(ops, pol, inv, opts.swapSlots) || ops.length);
  let changed = true;
  while (changed && budget > 0) {
    changed = false;
    // 1. delete chunks, large to small (ddmin-style)
    for (let size = Math.max(1, best.length >> 1); size >= 1 && budget > 0; size >>= 1) {
      for (let at = best.length - size; at >= 0 && budget > 0; at--) {
        const cand = [...best.slice(0, at), ...best.slice(at + size)];
        const n = test(cand);
        if (n > 0) {
          best = cand.slice(0, n);
          changed = true;
          at = Math.min(at, best.length - size + 1);
        }
      }
    }
    // 2. simplify arguments, one op at a time
    for (let i = 0; i < best.length && budget > 0; i++) {
      for (const simpler of simplifications(best[i]!)) {
        const cand = best.slice();
        cand[i] = simpler;
        const n = test(cand);
        if (n > 0) {
          best = cand.slice(0, n);
          changed = true;
          break;
        }
      }
    }
    // 3. renumber names in order of first use
    const renamed = renumber(best);
    if (JSON.stringify(renamed) !== JSON.stringify(best) && test(renamed) > 0) {
      best = renamed;
      changed = true;
    }
  }
  return best;
}

/** Candidate replacements for one op, each strictly simpler. */
function simplifications(op: Op): Op[] {
  const out: Op[] = [];
  if ('page' in op && op.page > 0) out.push({ ...op, page: 0 } as Op);
  switch (op.kind) {
    case 'mmap':
      if (op.pages > 1) out.push({ ...op, pages: 1 });
      if (!op.write) out.push({ ...op, write: true });
      break;
    case 'gup':
      if (op.flags & FOLL_LONGTERM) out.push({ ...op, flags: op.flags & ~FOLL_LONGTERM });
      if (op.flags & FOLL_WRITE) out.push({ ...op, flags: op.flags & ~FOLL_WRITE });
      if (op.flags & FOLL_PIN) out.push({ ...op, flags: (op.flags & ~FOLL_PIN) | FOLL_GET });
      break;
    case 'write':
      out.push({ kind: 'read', mm: op.mm, vma: op.vma, page: op.page });
      break;
    case 'ref_write':
      out.push({ kind: 'ref_read', ref: op.ref });
      break;
    default:
      break;
  }
  return out;
}

/** Processes P0, P1..., VMAs A, B..., references r1, r2... in order of first appearance. */
export function renumber(ops: readonly Op[]): Op[] {
  const procs = new Map<string, string>();
  const refs = new Map<string, string>();
  const vmas = new Map<string, string>();
  const p = (n: string): string => {
    if (!procs.has(n)) procs.set(n, `P${procs.size}`);
    return procs.get(n)!;
  };
  const r = (n: string): string => {
    if (!refs.has(n)) refs.set(n, `r${refs.size + 1}`);
    return refs.get(n)!;
  };
  const v = (n: string): string => {
    if (!vmas.has(n)) vmas.set(n, String.fromCharCode(65 + vmas.size));
    return vmas.get(n)!;
  };
  return ops.map((op): Op => {
    switch (op.kind) {
      case 'fork':
        return { ...op, mm: p(op.mm), child: p(op.child) };
      case 'exit':
      case 'clear_refs':
        return { ...op, mm: p(op.mm) };
      case 'release':
      case 'ref_read':
      case 'ref_write':
        return { ...op, ref: r(op.ref) };
      case 'gup':
        return { ...op, mm: p(op.mm), vma: v(op.vma), ref: r(op.ref) };
      default:
        return { ...op, mm: p(op.mm), vma: v(op.vma) };
    }
  });
}
