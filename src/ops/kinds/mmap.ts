// mmap PROC LABEL PAGES [rw|ro]: a private anonymous mapping (do_mmap() -> mmap_region()). The
// first mmap by a process name starts that process.

import { anonVmFlags, mmapRegion, newMm } from '../../model/mmap.js';
import { shadowMmap, shadowNewMm } from '../../oracle/shadow.js';
import { bindProc, procMm, type World } from '../../world/world.js';
import { labelName, procName } from '../names.js';
import { arity, countArg, keyword, labelArg, procArg } from '../syntax.js';
import { OK, type OpSpec } from '../types.js';

export interface MmapOp {
  readonly kind: 'mmap';
  readonly proc: number;
  readonly label: number;
  readonly pages: number;
  readonly write: boolean;
}

const syntax = ['mmap PROC LABEL PAGES [rw|ro]'];

export const MAX_MMAP_PAGES = 64;

function labelsOf(w: World, proc: number): number {
  return procMm(w, proc)?.labels.length ?? 0;
}

export const mmapOp: OpSpec<MmapOp> = {
  kind: 'mmap',
  verbs: ['mmap'],
  syntax,
  weight: 3,
  names: { procs: ['proc'], labels: ['label'] },
  parse(toks, ctx) {
    arity(toks, syntax, 3, 4);
    const prot = toks[4] ? keyword(toks[4], ['rw', 'ro'] as const, 'a protection', toks[4].col) : 'rw';
    return {
      kind: 'mmap',
      proc: procArg(ctx, toks[1]!),
      label: labelArg(ctx, toks[2]!),
      pages: countArg(toks[3]!, 1, MAX_MMAP_PAGES, 'a page count'),
      write: prot === 'rw',
    };
  },
  print: (op, n) => `mmap ${procName(n, op.proc)} ${labelName(n, op.label)} ${op.pages}${op.write ? '' : ' ro'}`,
  check(w, op) {
    const created = (w.procMm[op.proc] ?? -1) >= 0;
    if (!created) return null; // the first mmap starts the process
    const mm = procMm(w, op.proc);
    if (mm === null) return 'the process has exited';
    if ((mm.labels[op.label] ?? -1) >= 0 && mm.vmas.some((v) => v.label === op.label)) return 'the process already has a mapping by that name';
    return null;
  },
  apply(w, op) {
    let mm = procMm(w, op.proc);
    if (mm === null) {
      mm = newMm(w.k);
      shadowNewMm(w.shadow, mm.id, -1);
      bindProc(w, op.proc, mm);
    }
    const vma = mmapRegion(w.k, mm, op.label, op.pages, anonVmFlags(op.write));
    shadowMmap(w.shadow, mm.id, vma.start, vma.end);
    return OK;
  },
  possible(w, scope) {
    if (w.procsCreated === 0) return scope.maxProcs > 0;
    for (const p of w.liveProcs) if (labelsOf(w, p) < scope.maxLabels) return true;
    return false;
  },
  build(w, scope, c) {
    let proc: number;
    if (w.procsCreated === 0) proc = 0;
    else {
      const cands = w.liveProcs.filter((p) => labelsOf(w, p) < scope.maxLabels);
      proc = cands[c.pick(cands.length)]!;
    }
    return {
      kind: 'mmap',
      proc,
      label: labelsOf(w, proc),
      pages: scope.mmapPages[c.pick(scope.mmapPages.length)]!,
      write: c.chance(0.9),
    };
  },
  simplify(op) {
    const out: MmapOp[] = [];
    if (op.pages > 1) out.push({ ...op, pages: 1 });
    if (!op.write) out.push({ ...op, write: true });
    return out;
  },
};
