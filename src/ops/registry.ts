// Every op kind, in one list. Adding an op kind: write its module in kinds/ (see types.ts for what
// it holds) and add one line here; the parser, printer, generator, exhaust, the shrinker, the
// fast-check commands and the weights all read this list.

import { clearRefsOp, type ClearRefsOp } from './kinds/clear_refs.js';
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
import type { OpBase, OpSpec } from './types.js';

export type Op = MmapOp | MunmapOp | MprotectOp | MadviseOp | ForkOp | ExitOp | ReadOp | WriteOp | GupOp | PutOp | UnpinOp | ReclaimOp | ClearRefsOp;

export type OpKind = Op['kind'];

export const OP_SPECS: readonly OpSpec<OpBase>[] = [
  mmapOp,
  munmapOp,
  mprotectOp,
  madviseOp,
  forkOp,
  exitOp,
  readOp,
  writeOp,
  gupOp,
  putOp,
  unpinOp,
  reclaimOp,
  clearRefsOp,
];

export const OP_KINDS: readonly OpKind[] = OP_SPECS.map((s) => s.kind as OpKind);

const byKind: Readonly<Record<string, OpSpec<OpBase>>> = Object.fromEntries(OP_SPECS.map((s) => [s.kind, s]));
const byVerb = new Map<string, OpSpec<OpBase>>(OP_SPECS.flatMap((s) => s.verbs.map((v) => [v, s] as const)));

export function specOf(kind: string): OpSpec<OpBase> {
  const s = byKind[kind];
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
