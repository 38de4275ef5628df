// What is alive, counted once per step: the generator asks every op kind whether it is possible
// before each op, and each answer reads these counts instead of walking the world again.

import { FOLL_PIN, VM_UFFD_MINOR, VM_UFFD_MISSING, VM_UFFD_WP, VM_WRITE } from '../model/constants.js';
import { refWriteWithinContract } from '../oracle/shadow.js';
import { procMm, refOf } from './lookup.js';
import type { World } from './world.js';

export interface Census {
  /** the step these counts were taken after (-1: never) */
  step: number;
  /** live processes with at least one VMA, and with a writable one */
  procsWithVma: number;
  procsWithWritableVma: number;
  /** those processes (names, in liveProcs order: the first procsWithVma / procsWithWritableVma entries count) */
  readonly withVma: number[];
  readonly withWritableVma: number[];
  /** live references taken with FOLL_GET, with FOLL_PIN, and the ones a DMA write may use */
  getRefs: number;
  pinRefs: number;
  writableRefs: number;
  /** live processes with a VMA registered with userfaultfd (any mode), with WP, with MINOR */
  uffdProcs: number;
  wpProcs: number;
  minorProcs: number;
}

export function newCensus(): Census {
  return { step: -1, procsWithVma: 0, procsWithWritableVma: 0, withVma: [], withWritableVma: [], getRefs: 0, pinRefs: 0, writableRefs: 0, uffdProcs: 0, wpProcs: 0, minorProcs: 0 };
}

/** The step just taken (of a kind that keepsCensus) changed nothing the census counts: the one taken before it still holds. */
export function censusKept(w: World): void {
  if (w.census.step === w.steps - 1) w.census.step = w.steps;
}

/** The counts after the last step, taken now if they were not yet (small, so V8 inlines the usual case into each caller). */
export function census(w: World): Census {
  const c = w.census;
  return c.step === w.steps ? c : takeCensus(w, c);
}

function takeCensus(w: World, c: Census): Census {
  c.step = w.steps;
  c.procsWithVma = 0;
  c.procsWithWritableVma = 0;
  c.uffdProcs = 0;
  c.wpProcs = 0;
  c.minorProcs = 0;
  for (const p of w.liveProcs) {
    const mm = procMm(w, p)!;
    if (mm.vmas.length === 0) continue;
    c.withVma[c.procsWithVma++] = p;
    let flags = 0;
    for (const v of mm.vmas) flags |= v.flags;
    if (flags & VM_WRITE) c.withWritableVma[c.procsWithWritableVma++] = p;
    if (flags & (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)) c.uffdProcs++;
    if (flags & VM_UFFD_WP) c.wpProcs++;
    if (flags & VM_UFFD_MINOR) c.minorProcs++;
  }
  c.getRefs = 0;
  c.pinRefs = 0;
  c.writableRefs = 0;
  for (const ref of w.liveRefs) {
    const r = refOf(w, ref)!;
    if (r.gupFlags & FOLL_PIN) c.pinRefs++;
    else c.getRefs++;
    const sr = w.shadow.refs[r.id];
    if (sr && refWriteWithinContract(sr)) c.writableRefs++;
  }
  return c;
}
