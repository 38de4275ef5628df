// mmap PROC LABEL PAGES [rw|ro] [private|shared] [NAME [offset N]]: do_mmap() -> mmap_region().
// Without NAME: private anonymous memory (MAP_PRIVATE|MAP_ANONYMOUS), or with `shared` shared
// anonymous memory (MAP_SHARED|MAP_ANONYMOUS: shmem underneath, shmem_zero_setup()). With NAME: a
// mapping of that file or memfd from page N. The first mmap by a process name starts that process.

import { VM_MTE } from '../../model/constants.js';
import { anonVmFlags, mmapFile, mmapHugetlbAnon, mmapHugetlbFile, mmapRegion, newMm } from '../../model/mmap.js';
import { newInode } from '../../model/filemap.js';
import { shadowMmap, shadowMmapFile, shadowNewMm } from '../../oracle/shadow.js';
import { bindProc, labelKey, procMm, type World } from '../../world/world.js';
import { refused } from '../common.js';
import { labelName, objName, procName } from '../names.js';
import { countArg, fail, labelArg, objArg, procArg, type Tok } from '../syntax.js';
import { OK, type OpSpec, type Outcome } from '../types.js';

export interface MmapOp {
  readonly kind: 'mmap';
  readonly proc: number;
  readonly label: number;
  readonly pages: number;
  readonly write: boolean;
  readonly shared: boolean;
  /** the file or memfd (-1: anonymous memory) */
  readonly obj: number;
  /** first file page mapped */
  readonly offset: number;
  /** the mapping starts on a PMD boundary (cow.c's mmap of twice the size, trimmed) */
  readonly aligned: boolean;
  /** PROT_MTE (arm64 VM_MTE): tag-checked accesses */
  readonly mte: boolean;
  /** MAP_HUGETLB: huge pages of the hugetlb pool (the length rounded up to whole huge pages) */
  readonly hugetlb: boolean;
}

const syntax = ['mmap PROC LABEL PAGES [rw|ro] [private|shared] [aligned] [mte] [hugetlb] [NAME [offset N]]'];

export const MAX_MMAP_PAGES = 64;

function labelsOf(w: World, proc: number): number {
  return procMm(w, proc)?.labels.length ?? 0;
}

/** Objects created so far (name ids 0..n-1 in generated runs). */
export function objsCreated(w: World): number {
  let n = 0;
  for (const ino of w.objIno) if (ino >= 0) n++;
  return n;
}

export const mmapOp: OpSpec<MmapOp> = {
  kind: 'mmap',
  verbs: ['mmap'],
  syntax,
  weight: 3,
  names: { procs: ['proc'], labels: ['label'], objs: ['obj'] },
  bindsNames: true,
  parse(toks, ctx) {
    if (toks.length < 4) fail(toks[toks.length - 1]!.col, `wrong number of arguments; expected ${syntax[0]}`);
    let i = 4;
    const next = (): Tok | undefined => toks[i];
    let write = true;
    if (next()?.text === 'rw' || next()?.text === 'ro') write = toks[i++]!.text === 'rw';
    let shared = false;
    if (next()?.text === 'private' || next()?.text === 'shared') shared = toks[i++]!.text === 'shared';
    let aligned = false;
    if (next()?.text === 'aligned') aligned = toks[i++]!.text === 'aligned';
    let mte = false;
    if (next()?.text === 'mte') mte = toks[i++]!.text === 'mte';
    let hugetlb = false;
    if (next()?.text === 'hugetlb') hugetlb = toks[i++]!.text === 'hugetlb';
    let obj = -1;
    let offset = 0;
    if (next() !== undefined) {
      obj = objArg(ctx, toks[i++]!);
      if (next() !== undefined) {
        if (next()!.text !== 'offset' || toks[i + 1] === undefined) fail(next()!.col, `expected 'offset N'; ${syntax[0]}`);
        offset = countArg(toks[i + 1]!, 0, 4095, 'a file page offset');
        i += 2;
      }
    }
    if (next() !== undefined) fail(next()!.col, `unexpected '${next()!.text}'; expected ${syntax[0]}`);
    return {
      kind: 'mmap',
      proc: procArg(ctx, toks[1]!),
      label: labelArg(ctx, toks[2]!),
      pages: countArg(toks[3]!, 1, MAX_MMAP_PAGES, 'a page count'),
      write,
      shared,
      obj,
      offset,
      aligned,
      mte,
      hugetlb,
    };
  },
  print: (op, n) =>
    `mmap ${procName(n, op.proc)} ${labelName(n, op.label)} ${op.pages}${op.write ? '' : ' ro'}${op.shared ? ' shared' : ''}${op.aligned ? ' aligned' : ''}${op.mte ? ' mte' : ''}${op.hugetlb ? ' hugetlb' : ''}${op.obj >= 0 ? ` ${objName(n, op.obj)}` : ''}${op.offset ? ` offset ${op.offset}` : ''}`,
  check(w, op) {
    if (op.mte && (op.obj >= 0 || op.shared || op.hugetlb)) return 'the model has PROT_MTE for private anonymous mappings of small pages only (mte on a shared, file or hugetlb mapping)';
    if (op.hugetlb && op.obj >= 0) return "MAP_HUGETLB is for anonymous memory (a hugetlb memfd's mappings are hugetlb already)";
    if (op.obj >= 0 && (w.objIno[op.obj] ?? -1) < 0) return 'no such file (create it with file or memfd first)';
    const created = (w.procMm[op.proc] ?? -1) >= 0;
    if (!created) return null; // the first mmap starts the process
    const mm = procMm(w, op.proc);
    if (mm === null) return 'the process has exited';
    if ((mm.labels[op.label] ?? -1) >= 0 && mm.vmas.some((v) => v.label === op.label)) return 'the process already has a mapping by that name';
    return null;
  },
  apply(w, op): Outcome {
    if (w.refusedLabels.size > 0) w.refusedLabels.delete(labelKey(op.proc, op.label)); // made again
    let mm = procMm(w, op.proc);
    if (mm === null) {
      mm = newMm(w.k);
      shadowNewMm(w.shadow, mm.id, -1);
      bindProc(w, op.proc, mm);
    }
    const align = op.aligned ? w.k.pmdPages : 1;
    // arch_calc_vm_prot_bits(): PROT_MTE becomes VM_MTE where the kernel has MTE (5.10+); do_mmap()
    // of an older kernel ignores a prot bit it does not know, and the mapping is not tagged
    const mte = op.mte && w.k.pol.protMte;
    if (mte) w.k.mteInUse = true;
    if (op.hugetlb && !op.shared) {
      const vma = mmapHugetlbAnon(w.k, mm, op.label, op.pages, op.write);
      if (typeof vma === 'string') return refused(vma, 'hugetlb_reserve_pages(): the pool cannot reserve the mapping\'s huge pages');
      shadowMmap(w.shadow, mm.id, vma.start, vma.end);
      return OK;
    }
    if (op.obj < 0 && !op.shared) {
      const vma = mmapRegion(w.k, mm, op.label, op.pages, anonVmFlags(op.write) | (mte ? VM_MTE : 0), -1, 0, align);
      shadowMmap(w.shadow, mm.id, vma.start, vma.end);
      return OK;
    }
    // shmem_zero_setup(): shared anonymous memory is an unnamed shmem object of the mapping's size;
    // with MAP_HUGETLB an unnamed hugetlbfs file (hugetlb_file_setup()), the length rounded up to whole huge pages
    const hpages = Math.ceil(op.pages / w.k.pmdPages) * w.k.pmdPages;
    const ino = op.obj >= 0 ? w.k.inodes[w.objIno[op.obj]!]! : op.hugetlb ? newInode(w.k, 'hugetlbfs', hpages, false) : newInode(w.k, 'shmem', op.pages, false);
    if (ino.kind === 'hugetlbfs') {
      const hv = mmapHugetlbFile(w.k, mm, op.label, op.obj >= 0 ? op.pages : hpages, op.write, op.shared, ino, op.offset);
      if (typeof hv === 'string') {
        const why = hv === 'EINVAL' ? 'a hugetlbfs mapping must cover whole huge pages from a huge page boundary' : hv === 'ENOMEM' ? "hugetlb_reserve_pages(): the pool cannot reserve the file's huge pages" : 'the memfd is write-sealed';
        return refused(hv, why);
      }
      shadowMmapFile(w.shadow, mm.id, hv.start, hv.end, ino.id, op.offset, op.shared);
      return OK;
    }
    const vma = mmapFile(w.k, mm, op.label, op.pages, op.write, op.shared, ino, op.offset, align);
    if (typeof vma === 'string') {
      w.refusedLabels.add(labelKey(op.proc, op.label));
      return refused(vma, vma === 'EACCES' ? 'MAP_SHARED with PROT_WRITE of a file opened read-only' : 'the memfd is write-sealed');
    }
    shadowMmapFile(w.shadow, mm.id, vma.start, vma.end, ino.id, op.offset, op.shared);
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
    const label = labelsOf(w, proc);
    if (scope.hugetlb && c.chance(0.6)) {
      // MAP_HUGETLB of one huge page (cow.c's hugetlb context)
      // (sometimes MAP_SHARED: an unnamed hugetlbfs file)
      return { kind: 'mmap', proc, label, pages: w.k.pmdPages, write: c.chance(0.9), shared: c.chance(0.2), obj: -1, offset: 0, aligned: false, mte: false, hugetlb: true };
    }
    if (scope.thp && (scope.mmapPages.length === 0 || c.chance(0.5))) {
      // a PMD-aligned mapping of one PMD: room for a THP (or mTHPs)
      return { kind: 'mmap', proc, label, pages: w.k.pmdPages, write: c.chance(0.9), shared: false, obj: -1, offset: 0, aligned: true, mte: scope.mte && c.chance(0.4), hugetlb: false };
    }
    const pages = scope.mmapPages[c.pick(scope.mmapPages.length)]!;
    const write = c.chance(0.9);
    const objs = objsCreated(w);
    if (scope.maxObjs > 0 && c.chance(0.4)) {
      // a file or memfd if there is one, else shared anonymous memory
      const shared = c.chance(0.5);
      if (objs > 0) {
        const obj = c.pick(objs);
        const ino = w.k.inodes[w.objIno[obj]!]!;
        // a hugetlb memfd is mapped whole (its size is whole huge pages)
        return { kind: 'mmap', proc, label, pages: ino.kind === 'hugetlbfs' ? Math.max(w.k.pmdPages, ino.size) : pages, write, shared, obj, offset: 0, aligned: false, mte: false, hugetlb: false };
      }
      return { kind: 'mmap', proc, label, pages, write, shared: true, obj: -1, offset: 0, aligned: false, mte: false, hugetlb: false };
    }
    return { kind: 'mmap', proc, label, pages, write, shared: false, obj: -1, offset: 0, aligned: false, mte: scope.mte && c.chance(0.4), hugetlb: false };
  },
  simplify(op) {
    const out: MmapOp[] = [];
    if (op.pages > 1) out.push({ ...op, pages: 1 });
    if (!op.write) out.push({ ...op, write: true });
    if (op.offset > 0) out.push({ ...op, offset: 0 });
    if (op.shared && op.obj >= 0) out.push({ ...op, shared: false });
    if (op.aligned) out.push({ ...op, aligned: false });
    if (op.mte) out.push({ ...op, mte: false });
    if (op.hugetlb) out.push({ ...op, hugetlb: false });
    return out;
  },
};
