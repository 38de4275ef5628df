// Random scenarios for `kernel-check --random N`: op sequences drawn by the fuzzer's own generator
// (generateOp(), the default scope and weights), kept to what a reproducer can perform, judged on
// the kernel and compared with the model like any scenario. Findings only ever hold sequences the
// model calls a bug; these test the model's claims of correctness too, against a real kernel.
//
// Left out while drawing: ops the emitter has no C form for, a reclaim of an anon page several
// processes map (MADV_PAGEOUT leaves shared pages alone, and user space cannot unmap an anon page
// from the others without losing it; a page-cache page it can: the runtime zaps the other PTEs
// first) or, at a swap PTE, of a swap-cache page another process maps again, a plain R/W
// long-term pin (an io_uring fixed buffer in the program) on a VMA io_uring itself refuses in the
// era, and clear_refs where `noClearRefs` says the kernel has no soft-dirty (it would
// write-protect nothing). Files, memfds and shared mappings are in DEFAULT_SCOPE, so drawn too.

import seedrandom from 'seedrandom';
import { randomChoose } from '../engine/choose.js';
import { generateOp, weightArray } from '../engine/generate.js';
import { DEFAULT_SCOPE } from '../engine/scope.js';
import { step } from '../engine/step.js';
import { DEFAULT_WEIGHTS } from '../engine/weights.js';
import { FOLL_FAST, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../model/constants.js';
import { folioTestAnon } from '../model/kernel.js';
import { vmaLookup } from '../model/mmap.js';
import type { CowPolicy } from '../model/policy.js';
import { swapCacheLookup } from '../model/swap_state.js';
import { canonicalNames } from '../ops/names.js';
import type { Op } from '../ops/registry.js';
import { newWorld, type World } from '../world/world.js';
import { printOp } from '../scenario/print.js';
import { cFormOf } from './emit.js';

export interface RandomOptions {
  readonly seed: string;
  readonly maxOps: number;
  /** leave clear_refs out (a kernel without soft-dirty) */
  readonly noClearRefs: boolean;
}

/** Slots of the model's swap device in random scenarios: more than a run can use, as a real swap area. */
export const RANDOM_SWAP_SLOTS = 256;

/** Would a reclaim of this op's page need an anon page several PTEs map paged out (or, at a swap PTE, one another process maps)? */
function reclaimsSharedPage(w: World, op: Op): boolean {
  if (op.kind !== 'reclaim') return false;
  const mmId = w.procMm[op.proc] ?? -1;
  const mm = mmId >= 0 ? w.k.mms[mmId] : undefined;
  if (!mm) return false;
  const pte = mm.pt[(mm.labels[op.label] ?? 0) + op.off];
  if (pte?.kind === 'swap') {
    // the shrinker takes the swap cache's folio, unmapping it where other processes map it again;
    // MADV_PAGEOUT at a swap PTE does nothing
    const f = swapCacheLookup(w.k, pte.type, pte.offset);
    return f !== null && f.pages.some((p) => p.mapcount > 0);
  }
  if (!pte || pte.kind !== 'present') return false;
  const f = w.k.folios[pte.folio];
  return f !== undefined && f !== null && folioTestAnon(f) && f.pages.reduce((n, p) => n + p.mapcount, 0) > 1;
}

/**
 * Is this a plain `gup FOLL_PIN|FOLL_WRITE|FOLL_LONGTERM` the program performs with an io_uring
 * fixed buffer, on a VMA io_uring itself refuses in this era (before 6.5)? The program cannot tell
 * GUP's answer then (it stops, unsupported).
 */
function ioUringRefusesGup(w: World, op: Op): boolean {
  if (op.kind !== 'gup' || op.via !== 'gup' || (op.flags & ~FOLL_FAST) !== (FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM)) return false;
  const mm = w.k.mms[w.procMm[op.proc] ?? -1];
  const vma = mm ? vmaLookup(mm, (mm.labels[op.label] ?? 0) + op.off) : null;
  if (!vma) return false;
  const inode = vma.file >= 0 ? (w.k.inodes[vma.file] ?? null) : null;
  return !w.k.pol.ioUringAcceptsVma({ k: w.k, vma, inode });
}

/** One random scenario's text (the i-th of the seed), under `pol`. */
export function randomScenario(pol: CowPolicy, i: number, o: RandomOptions): string {
  const rnd = seedrandom.alea(`${o.seed}/${i}`);
  const c = randomChoose(rnd);
  const w = newWorld(pol, { swapSlots: RANDOM_SWAP_SLOTS, check: 'incremental' });
  const weights = weightArray(DEFAULT_WEIGHTS);
  const ops: Op[] = [];
  let misses = 0;
  while (ops.length < o.maxOps && misses < 50) {
    const op = generateOp(w, DEFAULT_SCOPE, weights, c, rnd);
    if (op === null) break;
    if (
      cFormOf(op, canonicalNames(64, 64, 64)).kind === 'unsupported' ||
      reclaimsSharedPage(w, op) ||
      ioUringRefusesGup(w, op) ||
      (o.noClearRefs && op.kind === 'clear_refs')
    ) {
      misses++;
      continue;
    }
    const r = step(w, op);
    if (r.status === 'impossible') {
      misses++;
      continue;
    }
    ops.push(op);
    if (r.status === 'violated') break; // the model stops at its first violation
  }
  const names = canonicalNames(64, 64, 64);
  return [`title random scenario ${i} of seed ${o.seed} (${pol.name})`, `swap ${RANDOM_SWAP_SLOTS}`, '', ...ops.map((op) => printOp(op, names)), ''].join('\n');
}
