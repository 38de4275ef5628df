// The random op generator: picks a kind by weight among those whose precondition holds in the
// current world, then arguments among what is alive, so no generated op is wasted.

import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../model/constants.js';
import type { Mm, Vma } from '../model/kernel.js';
import type { Op, OpKind } from '../ops/types.js';
import { OP_KINDS } from '../ops/types.js';
import type { World } from '../ops/world.js';
import { refWriteWithinContract } from '../oracle/shadow.js';
import { VMA_NAMES, type Scope } from './scope.js';
import type { Weights } from './weights.js';

export type Rnd = () => number;

const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

interface Live {
  readonly mms: Mm[];
  readonly withVma: Mm[];
  readonly refs: string[];
}

function live(w: World): Live {
  const mms: Mm[] = [];
  const withVma: Mm[] = [];
  for (const mm of w.k.mms) {
    if (!mm.alive) continue;
    mms.push(mm);
    if (mm.vmas.length > 0) withVma.push(mm);
  }
  const refs: string[] = [];
  for (const name of w.refIds.keys()) refs.push(name);
  return { mms, withVma, refs };
}

function possible(kind: OpKind, w: World, l: Live, scope: Scope): boolean {
  switch (kind) {
    case 'mmap':
      return l.mms.length === 0 ? w.k.mms.length === 0 : l.mms.some((m) => m.vmas.length < scope.maxVmasPerProc);
    case 'fork':
      return l.mms.length > 0 && w.k.mms.length < scope.maxProcs + 2 && l.mms.length < scope.maxProcs;
    case 'exit':
    case 'clear_refs':
      return l.mms.length > 0;
    case 'write':
      return l.withVma.some((m) => m.vmas.some((v) => v.flags.write));
    case 'gup':
      return l.withVma.length > 0 && l.refs.length < scope.maxRefs;
    case 'release':
    case 'ref_read':
      return l.refs.length > 0;
    case 'ref_write':
      return l.refs.some((r) => refWritable(w, r));
    default:
      return l.withVma.length > 0;
  }
}

function refWritable(w: World, name: string): boolean {
  const id = w.refIds.get(name)!;
  const r = w.k.refs.find((x) => x.id === id);
  return r !== undefined && refWriteWithinContract(r.gupFlags, w.shadow.refs.get(id));
}

export interface GenState {
  /** counters for fresh names */
  nextProc: number;
  nextRef: number;
}

export function newGenState(): GenState {
  return { nextProc: 0, nextRef: 1 };
}

/** Picks the next op, or null when nothing is possible. */
export function generateOp(w: World, g: GenState, rnd: Rnd, weights: Weights, scope: Scope): Op | null {
  const l = live(w);
  let total = 0;
  const cand: OpKind[] = [];
  const cw: number[] = [];
  for (const k of OP_KINDS) {
    const wt = weights[k];
    if (wt <= 0 || !possible(k, w, l, scope)) continue;
    cand.push(k);
    cw.push(wt);
    total += wt;
  }
  if (total === 0) return null;
  let x = rnd() * total;
  let kind = cand[cand.length - 1]!;
  for (let i = 0; i < cand.length; i++) {
    x -= cw[i]!;
    if (x < 0) {
      kind = cand[i]!;
      break;
    }
  }
  return build(kind, w, g, l, rnd, scope);
}

function addr(rnd: Rnd, mm: Mm): { vma: string; page: number; v: Vma } {
  const v = pick(rnd, mm.vmas);
  return { vma: v.name, page: Math.floor(rnd() * v.npages), v };
}

/**
 * The op of a given kind, its arguments drawn with `rnd` from what is alive, or null when the
 * kind's precondition does not hold. The fast-check runner uses it with a tape of choices.
 */
export function generateOpOfKind(w: World, g: GenState, kind: OpKind, rnd: Rnd, scope: Scope): Op | null {
  const l = live(w);
  return possible(kind, w, l, scope) ? build(kind, w, g, l, rnd, scope) : null;
}

function build(kind: OpKind, w: World, g: GenState, l: Live, rnd: Rnd, scope: Scope): Op {
  switch (kind) {
    case 'mmap': {
      let mm: string;
      if (l.mms.length === 0) mm = `P${g.nextProc++}`;
      else mm = pick(rnd, l.mms.filter((m) => m.vmas.length < scope.maxVmasPerProc)).name;
      const used = new Set(l.mms.find((m) => m.name === mm)?.vmas.map((v) => v.name) ?? []);
      const vma = VMA_NAMES.find((n) => !used.has(n))!;
      return { kind, mm, vma, pages: 1 + Math.floor(rnd() * scope.maxPagesPerVma), write: rnd() < 0.9 };
    }
    case 'munmap': {
      const mm = pick(rnd, l.withVma);
      return { kind, mm: mm.name, vma: pick(rnd, mm.vmas).name };
    }
    case 'mprotect': {
      const mm = pick(rnd, l.withVma);
      const v = pick(rnd, mm.vmas);
      return { kind, mm: mm.name, vma: v.name, write: !v.flags.write };
    }
    case 'dontneed':
    case 'read':
    case 'reclaim': {
      const mm = pick(rnd, l.withVma);
      const a = addr(rnd, mm);
      return { kind, mm: mm.name, vma: a.vma, page: a.page };
    }
    case 'write': {
      const mm = pick(rnd, l.withVma.filter((m) => m.vmas.some((v) => v.flags.write)));
      const v = pick(rnd, mm.vmas.filter((x) => x.flags.write));
      return { kind, mm: mm.name, vma: v.name, page: Math.floor(rnd() * v.npages) };
    }
    case 'fork': {
      const mm = pick(rnd, l.mms);
      let child = `P${g.nextProc++}`;
      while (w.mmIds.has(child)) child = `P${g.nextProc++}`;
      return { kind, mm: mm.name, child };
    }
    case 'exit':
      return { kind, mm: pick(rnd, l.mms).name };
    case 'clear_refs':
      return { kind, mm: pick(rnd, l.mms).name };
    case 'gup': {
      const mm = pick(rnd, l.withVma);
      const a = addr(rnd, mm);
      let flags = rnd() < 0.5 ? FOLL_PIN : FOLL_GET;
      if (a.v.flags.write && rnd() < 0.5) flags |= FOLL_WRITE;
      if (rnd() < 0.5) flags |= FOLL_LONGTERM;
      let ref = `r${g.nextRef++}`;
      while (w.refIds.has(ref)) ref = `r${g.nextRef++}`;
      return { kind, mm: mm.name, vma: a.vma, page: a.page, flags, ref };
    }
    case 'release': {
      const ref = pick(rnd, l.refs);
      const r = w.k.refs.find((x) => x.id === w.refIds.get(ref))!;
      return { kind, ref, how: r.gupFlags & FOLL_PIN ? 'unpin' : 'put' };
    }
    case 'ref_read':
      return { kind, ref: pick(rnd, l.refs) };
    case 'ref_write':
      return { kind, ref: pick(rnd, l.refs.filter((r) => refWritable(w, r))) };
  }
}
