// mremap PROC ADDR PAGES LABEL [aligned]: mremap(ADDR, PAGES, PAGES, MREMAP_MAYMOVE|MREMAP_FIXED,
// new) to a fresh range that becomes LABEL's (PMD-aligned with `aligned`). The pages move with
// their folios; the old range is unmapped. cow.c's "partially mremap'ed THP" moves the second half
// of a THP: the PMD is split and the THP stays one folio, PTE-mapped across two VMAs.

import { mremapMove } from '../../model/mremap.js';
import { shadowMremap } from '../../oracle/shadow.js';
import { procMm, type World } from '../../world/world.js';
import { UFFD_FEATURE_EVENT_REMAP, VM_HUGETLB } from '../../model/constants.js';
import { staleUffdWp } from '../uffd.js';
import { checkAddr, printAddr, procsWithVma, refused, resolveAddr } from '../common.js';
import { labelName } from '../names.js';
import { addrArg, arity, countArg, fail, labelArg, procArg } from '../syntax.js';
import { OK, type OpSpec, type Outcome } from '../types.js';

export interface MremapOp {
  readonly kind: 'mremap';
  readonly proc: number;
  readonly label: number;
  readonly off: number;
  readonly pages: number;
  /** the label the moved range gets (a mapping name the process does not use yet) */
  readonly to: number;
  /** the new range starts on a PMD boundary (so that a whole huge PMD can move as one) */
  readonly aligned: boolean;
}

const syntax = ['mremap PROC ADDR PAGES LABEL [aligned]'];

/** Labels the process has had (a new mapping name gets the next one in generated runs). */
function labelsOf(w: World, proc: number): number {
  return procMm(w, proc)?.labels.length ?? 0;
}

/** A move may create one label beyond what the scope lets mmap create (exhaust's scopes have one mapping). */
function roomForLabel(w: World, proc: number, maxLabels: number): boolean {
  return labelsOf(w, proc) <= maxLabels;
}

export const mremapOp: OpSpec<MremapOp> = {
  kind: 'mremap',
  verbs: ['mremap'],
  syntax,
  weight: 1,
  names: { procs: ['proc'], labels: ['label', 'to'] },
  parse(toks, ctx) {
    arity(toks, syntax, 4, 5);
    if (toks.length === 6 && toks[5]!.text !== 'aligned') fail(toks[5]!.col, `expected 'aligned' or nothing after the label, got '${toks[5]!.text}'; ${syntax[0]}`);
    return {
      kind: 'mremap',
      proc: procArg(ctx, toks[1]!),
      ...addrArg(ctx, toks[2]!),
      pages: countArg(toks[3]!, 1, 4096, 'a page count'),
      to: labelArg(ctx, toks[4]!),
      aligned: toks.length === 6,
    };
  },
  print: (op, n) => `mremap ${printAddr(n, op)} ${op.pages} ${labelName(n, op.to)}${op.aligned ? ' aligned' : ''}`,
  check(w, op) {
    const bad = checkAddr(w, op.proc, op.label, op.off, op.pages);
    if (bad) return bad;
    if (op.to === op.label) return 'the new mapping needs a name of its own';
    const mm = procMm(w, op.proc)!;
    if ((mm.labels[op.to] ?? -1) >= 0 && mm.vmas.some((v) => v.label === op.to)) return 'the process already has a mapping by that name';
    const { addr } = resolveAddr(w, op.proc, op.label, op.off);
    // hugetlb's own page-table move (move_hugetlb_page_tables(), 5.16; EINVAL before) is not modelled
    if (mm.vmas.some((v) => addr >= v.start && addr < v.end && v.flags & VM_HUGETLB)) return 'the model has no mremap of a hugetlb mapping yet';
    return null;
  },
  apply(w, op): Outcome {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    const vma = mremapMove(w.k, mm, addr, op.pages, op.to, op.aligned ? w.k.pmdPages : 1);
    if (typeof vma === 'string') return refused(vma, 'the range is not inside one mapping (vma_to_resize())');
    const remap = ((mm.uffd?.features ?? 0) & UFFD_FEATURE_EVENT_REMAP) !== 0;
    shadowMremap(w.shadow, mm.id, addr, vma.start, op.pages, remap);
    w.journal.other();
    // without the remap event the new VMA has no userfaultfd (mremap_userfaultfd_prep()): no moved entry may keep uffd-wp
    return mm.uffd === null || remap ? OK : (staleUffdWp(w, mm, vma.start, vma.end, 'after mremap() without UFFD_FEATURE_EVENT_REMAP') ?? OK);
  },
  possible(w, scope) {
    if (!scope.thp || procsWithVma(w) === 0) return false;
    for (const p of w.liveProcs) if (procMm(w, p)!.vmas.length > 0 && roomForLabel(w, p, scope.maxLabels)) return true;
    return false;
  },
  inScope: (scope) => scope.thp,
  build(w, scope, c) {
    const procs = w.liveProcs.filter((p) => procMm(w, p)!.vmas.length > 0 && roomForLabel(w, p, scope.maxLabels));
    const proc = procs[c.pick(procs.length)]!;
    const mm = procMm(w, proc)!;
    const small = mm.vmas.filter((x) => !(x.flags & VM_HUGETLB)); // the thp scope maps no hugetlb
    const v = small[c.pick(small.length)]!;
    const n = v.end - v.start;
    const to = labelsOf(w, proc);
    const aligned = c.chance(0.5);
    const at = (start: number, pages: number): MremapOp => ({ kind: 'mremap', proc, label: v.label, off: start - v.labelBase, pages, to, aligned });
    // cow.c's partial mremap: the second half of the mapping; or all of it; or one page of it
    if (n >= 2 && c.chance(0.5)) return at(v.start + (n >> 1), n - (n >> 1));
    if (c.chance(0.5)) return at(v.start, n);
    return at(v.start + c.pick(n), 1);
  },
  simplify(op) {
    const out: MremapOp[] = [];
    if (op.aligned) out.push({ ...op, aligned: false });
    if (op.pages > 1) out.push({ ...op, pages: 1 });
    if (op.off > 0) out.push({ ...op, off: 0 });
    return out;
  },
};
