// A world: the kernel model under one policy, the data oracle's shadow, the reverse index the
// invariants keep, and which model object each of a scenario's names is bound to. Names are
// small integers here (process 0, label 2, reference 1); the scenario layer prints them.

import { Journal } from '../model/journal.js';
import { newKernel } from '../model/kernel.js';
import type { CowPolicy } from '../model/policy.js';
import type { GupRef, Kernel, Mm } from '../model/types.js';
import { pendingRefOf, refOf } from './lookup.js';
import { newShadow, type Shadow } from '../oracle/shadow.js';
import { newCensus, type Census } from './census.js';
import { newCheckSet, type CheckSet } from './check-set.js';
import { newSiteIndex, type SiteIndex } from './site-index.js';
import { PLAIN_WORDS, type Words } from './words.js';

/** A user access asleep in handle_userfault() (another thread of the process goes on): resumed when an ioctl wakes its userfault. */
export interface Blocked {
  /** the Userfault id it sleeps on */
  readonly userfault: number;
  /** the process name id, its mm, the address and whether it is a store */
  readonly proc: number;
  readonly mm: number;
  readonly addr: number;
  readonly write: boolean;
  /** an MTE tag store (settag) of this tag, -1 for a load or a plain store */
  readonly tag: number;
}

/** 'none' judges nothing: only the benchmark uses it, to measure the generator and the model alone. */
export type CheckMode = 'incremental' | 'full' | 'none';

export interface WorldOptions {
  /** slots of the swap device, header included */
  readonly swapSlots: number;
  /** judge only what each step touched, or everything after every step */
  readonly check: CheckMode;
  /** pages per PMD (HPAGE_PMD_NR); the model's default when left out */
  readonly pmdPages?: number;
}

export const DEFAULT_WORLD_OPTIONS: WorldOptions = { swapSlots: 8, check: 'incremental' };

export interface World {
  readonly pol: CowPolicy;
  readonly k: Kernel;
  readonly shadow: Shadow;
  readonly journal: Journal;
  readonly index: SiteIndex;
  readonly opts: WorldOptions;
  /** process name id -> mm id (-1: not created) */
  readonly procMm: number[];
  /** reference name id -> GupRef id (-1: not bound or released) */
  readonly refOf: number[];
  /** live process name ids, in creation order (the generator draws from it) */
  readonly liveProcs: number[];
  /** bound reference name ids (the generator draws from it) */
  readonly liveRefs: number[];
  /** process name ids ever created (the next fresh name is this count in generated runs) */
  procsCreated: number;
  /** reference names ever bound */
  refsBound: number;
  /** steps applied */
  steps: number;
  /** how messages name things (the scenario layer installs its names) */
  words: Words;
  /** how messages name a file (inode id -> its scenario name) */
  fileWords: (ino: number) => string;
  /** object name id -> inode id (-1: not created) */
  readonly objIno: number[];
  /** GupRef ids of forced writes in progress (poke ... as REF): gup_step writes and puts when the GUP completes */
  readonly pokes: Set<number>;
  /** reference name ids of GUPs in progress (stepwise: gup_step advances them), in start order */
  readonly pending: number[];
  /** (process, label) pairs whose mmap the kernel refused (labelKey()): ops naming them are skipped */
  readonly refusedLabels: Set<number>;
  /** reference names ever marked REF_REFUSED (0: step() need not look) */
  refusedRefs: number;
  /** user accesses asleep on a userfault, oldest first */
  readonly blocked: Blocked[];
  /** the sets the invariants judge after a step (buffers reused from step to step) */
  readonly checkSet: CheckSet;
  /** what is alive, counted once per step (see census.ts) */
  readonly census: Census;
}

/** How messages name a file without a scenario's names. */
export const plainFileWords = (ino: number): string => `inode ${ino}`;

export function newWorld(pol: CowPolicy, opts: WorldOptions = DEFAULT_WORLD_OPTIONS): World {
  const k = newKernel(pol, { swapSlots: opts.swapSlots, reserveSwapHeader: pol.reserveSwapHeader, ...(opts.pmdPages !== undefined ? { pmdPages: opts.pmdPages } : {}) });
  const journal = new Journal();
  k.journal = journal;
  const shadow = newShadow();
  shadow.journal = journal;
  return {
    pol,
    k,
    shadow,
    journal,
    index: newSiteIndex(),
    opts,
    procMm: [],
    refOf: [],
    liveProcs: [],
    liveRefs: [],
    procsCreated: 0,
    refsBound: 0,
    steps: 0,
    words: PLAIN_WORDS,
    fileWords: plainFileWords,
    objIno: [],
    pokes: new Set(),
    pending: [],
    refusedLabels: new Set(),
    refusedRefs: 0,
    blocked: [],
    checkSet: newCheckSet(),
    census: newCensus(),
  };
}

export { isPinRef, pendingRefOf, procMm, refOf } from './lookup.js';

/** Binds a process name to a new mm. */
export function bindProc(w: World, proc: number, mm: Mm): void {
  while (w.procMm.length <= proc) w.procMm.push(-1);
  w.procMm[proc] = mm.id;
  w.liveProcs.push(proc);
  w.procsCreated = Math.max(w.procsCreated, proc + 1);
}

export function unbindProc(w: World, proc: number): void {
  const i = w.liveProcs.indexOf(proc);
  if (i >= 0) w.liveProcs.splice(i, 1);
}

export function bindRef(w: World, ref: number, r: GupRef): void {
  while (w.refOf.length <= ref) w.refOf.push(-1);
  w.refOf[ref] = r.id;
  if (!w.liveRefs.includes(ref)) w.liveRefs.push(ref);
  w.refsBound = Math.max(w.refsBound, ref + 1);
}

/** A (process, label) pair as one number. */
export function labelKey(proc: number, label: number): number {
  return proc * 65536 + label;
}

/** w.refOf value of a name whose GUP the kernel refused: ops that use it are skipped (see step()). */
export const REF_REFUSED = -2;

/** The kernel refused the GUP that was to bind this name. */
export function refuseRefName(w: World, ref: number): void {
  while (w.refOf.length <= ref) w.refOf.push(-1);
  w.refOf[ref] = REF_REFUSED;
  w.refusedRefs++;
}

/** Binds a reference name to a GUP still in progress (not live: nothing may use it until it completes). */
export function bindPending(w: World, ref: number, r: GupRef): void {
  while (w.refOf.length <= ref) w.refOf.push(-1);
  w.refOf[ref] = r.id;
  w.pending.push(ref);
  w.refsBound = Math.max(w.refsBound, ref + 1);
}

/** The GUP in progress completed (the name becomes live) or failed (the name is free again). */
export function settlePending(w: World, ref: number, live: boolean): void {
  const i = w.pending.indexOf(ref);
  if (i >= 0) w.pending.splice(i, 1);
  if (live) bindRef(w, ref, w.k.refs[w.refOf[ref]!]!);
  else w.refOf[ref] = -1;
}

/** A GUP in progress failed: the kernel refused it, so the name was never taken. */
export function refusePending(w: World, ref: number): void {
  settlePending(w, ref, false);
  refuseRefName(w, ref);
}

/** Is the reference name bound (live, or a GUP in progress)? */
export function refNameInUse(w: World, ref: number): boolean {
  const id = w.refOf[ref] ?? -1;
  return id >= 0 && (w.k.refs[id] ?? null) !== null;
}

export function unbindRef(w: World, ref: number): void {
  w.refOf[ref] = -1;
  const i = w.liveRefs.indexOf(ref);
  if (i >= 0) w.liveRefs.splice(i, 1);
}

/** Drops reference names whose reference the kernel released on its own (the last holder exited). */
export function unbindReleasedRefs(w: World): void {
  for (let i = w.liveRefs.length - 1; i >= 0; i--) {
    const ref = w.liveRefs[i]!;
    if (refOf(w, ref) === null) unbindRef(w, ref);
  }
  for (let i = w.pending.length - 1; i >= 0; i--) {
    const ref = w.pending[i]!;
    if (pendingRefOf(w, ref) === null) settlePending(w, ref, false);
  }
}
