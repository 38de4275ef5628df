// Every op kind, in one list. Adding an op kind: write its module in kinds/ (see types.ts for what
// it holds) and add one line here; the parser, printer, generator, exhaust, the shrinker, the
// fast-check commands and the weights all read this list.

import { clearRefsOp, type ClearRefsOp } from './kinds/clear_refs.js';
import { fileOp, fsyncOp, ftruncateOp, memfdOp, preadOp, punchOp, pwriteOp, sealOp, type CreateOp, type FileIoOp, type FsyncOp, type SealOp, type TruncateOp } from './kinds/files.js';
import { gupStepOp, type GupStepOp } from './kinds/gup_step.js';
import { msyncOp, type MsyncOp } from './kinds/msync.js';
import { pokeOp, type PokeOp } from './kinds/poke.js';
import { exitOp, type ExitOp } from './kinds/exit.js';
import { forkOp, type ForkOp } from './kinds/fork.js';
import { gupOp, type GupOp } from './kinds/gup.js';
import { madviseOp, type MadviseOp } from './kinds/madvise.js';
import { mmapOp, type MmapOp } from './kinds/mmap.js';
import { mprotectOp, type MprotectOp } from './kinds/mprotect.js';
import { munmapOp, type MunmapOp } from './kinds/munmap.js';
import { readOp, type ReadOp } from './kinds/read.js';
import { reclaimOp, type ReclaimOp } from './kinds/reclaim.js';
import { putOp, unpinOp, type PutOp, type UnpinOp } from './kinds/release.js';
import { writeOp, type WriteOp } from './kinds/write.js';
import { splitOp, thpOp, type SplitOp, type ThpOp } from './kinds/thp.js';
import { settagOp, type SettagOp } from './kinds/settag.js';
import { pagemapOp, type PagemapOp } from './kinds/pagemap.js';
import { swaponOp, type SwaponOp } from './kinds/swapon.js';
import { uffdioMoveOp, type UffdioMoveOp } from './kinds/uffdio_move.js';
import { uffdRegisterOp, uffdUnregisterOp, type UffdRegisterOp, type UffdUnregisterOp } from './kinds/uffd_register.js';
import { uffdWpOp, type UffdWpOp } from './kinds/uffd_wp.js';
import {
  uffdioContinueOp,
  uffdioCopyOp,
  uffdioPoisonOp,
  uffdioZeropageOp,
  type UffdioContinueOp,
  type UffdioCopyOp,
  type UffdioPoisonOp,
  type UffdioZeropageOp,
} from './kinds/uffdio_fill.js';
import { hugepagesOp, type HugepagesOp } from './kinds/hugepages.js';
import { mremapOp, type MremapOp } from './kinds/mremap.js';
import { khugepagedOp, type KhugepagedOp } from './kinds/khugepaged.js';
import { deferredSplitOp, type DeferredSplitOp } from './kinds/deferred_split.js';
import type { OpBase, OpSpec } from './types.js';

export type Op =
  | MmapOp
  | MunmapOp
  | MprotectOp
  | MadviseOp
  | ForkOp
  | ExitOp
  | ReadOp
  | WriteOp
  | GupOp
  | GupStepOp
  | PokeOp
  | PutOp
  | UnpinOp
  | ReclaimOp
  | ClearRefsOp
  | CreateOp
  | FileIoOp
  | TruncateOp
  | FsyncOp
  | SealOp
  | MsyncOp
  | ThpOp
  | SplitOp
  | SettagOp
  | UffdRegisterOp
  | UffdUnregisterOp
  | UffdWpOp
  | UffdioCopyOp
  | UffdioZeropageOp
  | UffdioContinueOp
  | UffdioPoisonOp
  | PagemapOp
  | SwaponOp
  | UffdioMoveOp
  | HugepagesOp
  | MremapOp
  | KhugepagedOp
  | DeferredSplitOp;

export type OpKind = Op['kind'];

/** Every scope has the kind (the OpSpec.inScope default). */
const EVERY_SCOPE = (): boolean => true;

/** The boost of a kind that has none (OpSpec.boost left out): the generator skips the call. */
export const NO_BOOST = (): number => 1;

/**
 * The spec with every field, in one order: the generator's hot loop reads `possible`, `build` and
 * `boost` of the kinds it proposes after every op, and objects of one shape keep those reads monomorphic.
 */
function uniform(s: OpSpec<OpBase>): OpSpec<OpBase> {
  return {
    kind: s.kind,
    verbs: s.verbs,
    syntax: s.syntax,
    weight: s.weight,
    names: s.names,
    parse: s.parse,
    print: s.print,
    check: s.check,
    apply: s.apply,
    possible: s.possible,
    build: s.build,
    simplify: s.simplify,
    inScope: s.inScope ?? EVERY_SCOPE,
    // every optional field too: a field left out here is silently lost (bindsNames and boost were,
    // from 6c4a00f until this was found: step() judged binding ops moot, the generator never boosted)
    bindsNames: s.bindsNames ?? false,
    keepsCensus: s.keepsCensus ?? false,
    boost: s.boost ?? NO_BOOST,
    boostMax: s.boostMax ?? 1,
  };
}

export const OP_SPECS: readonly OpSpec<OpBase>[] = (
  [
  mmapOp,
  munmapOp,
  mprotectOp,
  madviseOp,
  forkOp,
  exitOp,
  readOp,
  writeOp,
  gupOp,
  gupStepOp,
  pokeOp,
  putOp,
  unpinOp,
  reclaimOp,
  clearRefsOp,
  fileOp,
  memfdOp,
  pwriteOp,
  preadOp,
  punchOp,
  ftruncateOp,
  fsyncOp,
  sealOp,
  msyncOp,
  thpOp,
  splitOp,
  settagOp,
  uffdRegisterOp,
  uffdUnregisterOp,
  uffdWpOp,
  uffdioCopyOp,
  uffdioZeropageOp,
  uffdioContinueOp,
  uffdioPoisonOp,
  pagemapOp,
  swaponOp,
  uffdioMoveOp,
  hugepagesOp,
  mremapOp,
  khugepagedOp,
  deferredSplitOp,
] as readonly OpSpec<OpBase>[]
).map(uniform);

export const OP_KINDS: readonly OpKind[] = OP_SPECS.map((s) => s.kind as OpKind);

const byKind = new Map<string, OpSpec<OpBase>>(OP_SPECS.map((s) => [s.kind, s]));
const byVerb = new Map<string, OpSpec<OpBase>>(OP_SPECS.flatMap((s) => s.verbs.map((v) => [v, s] as const)));

export function specOf(kind: string): OpSpec<OpBase> {
  const s = byKind.get(kind);
  if (s === undefined) throw new Error(`no op kind '${kind}'`);
  return s;
}

/** The spec a scenario verb parses with, or undefined. */
export function specOfVerb(verb: string): OpSpec<OpBase> | undefined {
  return byVerb.get(verb);
}

export const VERBS: readonly string[] = [...byVerb.keys()];

/** Index of a kind in OP_SPECS (weights are kept in this order). */
export function kindIndex(kind: string): number {
  return OP_SPECS.findIndex((s) => s.kind === kind);
}
