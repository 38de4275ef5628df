// uffd_wp PROC ADDR [PAGES] on|off: UFFDIO_WRITEPROTECT with mode WP (on) or 0 (off; it wakes
// the userfaults of the range). The oracle learns what the kernel's API promises: every populated
// page of the range traps its next write, and every page with markers (file-backed memory, or
// anonymous memory with UFFD_FEATURE_WP_UNPOPULATED).

import { PTE_MARKER_UFFD_WP, UFFD_FEATURE_WP_UNPOPULATED, UFFDIO_WRITEPROTECT, VM_HUGETLB, VM_UFFD_WP } from '../../model/constants.js';
import { vmaLookup } from '../../model/mmap.js';
import type { Mm } from '../../model/types.js';
import { mwriteprotectRange } from '../../model/userfaultfd.js';
import { wakeUserfault } from '../../model/userfaultfd_k.js';
import { shadowWp } from '../../oracle/shadow.js';
import { census } from '../../world/census.js';
import { checkAddr, pickProcWithVma, printRange, refused, resolveAddr, type RangeArgs } from '../common.js';
import { addrArg, countArg, fail, keyword, procArg } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';
import { isWpRegistered, pickBlocked, pickHugePmdRange, withResumed } from '../uffd.js';
import { pickRange, simplifyRange } from './uffd_register.js';

export interface UffdWpOp extends RangeArgs {
  readonly kind: 'uffd_wp';
  readonly on: boolean;
}

const syntax = ['uffd_wp PROC ADDR [PAGES] on|off'];

/**
 * The addresses of [start, end) the ioctl worked on (mwriteprotect_range() stops at the first VMA
 * without VM_UFFD_WP; before 6.4 the range is all or nothing), with what it promises for each.
 */
function promises(mm: Mm, pmdPages: number, start: number, end: number, on: boolean): [number, boolean][] {
  const out: [number, boolean][] = [];
  const unpopulated = ((mm.uffd?.features ?? 0) & UFFD_FEATURE_WP_UNPOPULATED) !== 0;
  for (let a = start; a < end; a++) {
    const vma = vmaLookup(mm, a);
    if (vma === null) continue;
    if (!(vma.flags & VM_UFFD_WP)) break;
    if (vma.flags & VM_HUGETLB) {
      if (start % pmdPages !== 0 || (end - start) % pmdPages !== 0) break; // mwriteprotect_range(): EINVAL at this VMA
      // hugetlb_change_protection(): every huge entry, a none one with a marker (hugetlb has uffd-wp only with markers); a poison marker is left alone
      const pmd = mm.pmd[(a / pmdPages) | 0]!;
      out.push([a, on && !(pmd.kind === 'marker' && !(pmd.bits & PTE_MARKER_UFFD_WP))]);
      continue;
    }
    // a huge PMD is populated: change_huge_pmd() protects it whole, or its split PTEs one by one
    if (mm.pmd[(a / pmdPages) | 0]?.kind === 'huge') {
      out.push([a, on]);
      continue;
    }
    const pte = mm.pt[a]!;
    // change_pte_range() leaves poison and guard markers alone: "any access should sigbus/sigsegv anyway"
    if (pte.kind === 'marker' && !(pte.bits & PTE_MARKER_UFFD_WP)) {
      out.push([a, false]);
      continue;
    }
    const populated = pte.kind === 'present' || pte.kind === 'swap';
    out.push([a, on && (populated || vma.file >= 0 || unpopulated)]);
  }
  return out;
}

export const uffdWpOp: OpSpec<UffdWpOp> = {
  kind: 'uffd_wp',
  verbs: ['uffd_wp'],
  syntax,
  weight: 2,
  names: { procs: ['proc'], labels: ['label'] },
  parse(toks, ctx) {
    if (toks.length !== 4 && toks.length !== 5) fail((toks[5] ?? toks[toks.length - 1]!).col, `wrong number of arguments; expected ${syntax[0]}`);
    const last = toks[toks.length - 1]!;
    return {
      kind: 'uffd_wp',
      proc: procArg(ctx, toks[1]!),
      ...addrArg(ctx, toks[2]!),
      pages: toks.length === 5 ? countArg(toks[3]!, 1, 4096, 'a page count') : 1,
      on: keyword(last, ['on', 'off'] as const, 'on or off', last.col) === 'on',
    };
  },
  print: (op, n) => `uffd_wp ${printRange(n, op)} ${op.on ? 'on' : 'off'}`,
  check: (w, op) => checkAddr(w, op.proc, op.label, op.off, op.pages),
  apply(w, op): Outcome {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    const end = addr + op.pages;
    if (mm.uffd === null) return refused('EBADF', 'the process has no userfaultfd (uffd_register opens it)');
    const promised = promises(mm, w.k.pmdPages, addr, end, op.on);
    const e = mwriteprotectRange(w.k, mm, addr, end, op.on);
    if (e !== null && !w.pol.uffd.wpMultiVma) return refused(e.errno, e.why);
    for (const [a, p] of promised) shadowWp(w.shadow, mm.id, a, p);
    if (e !== null) return refused(e.errno, e.why);
    if (op.on) return { kind: 'ok' };
    const woken = wakeUserfault(w.k, mm, addr, end);
    return withResumed(w, woken ? { kind: 'ok', note: `${woken} userfault(s) woken` } : { kind: 'ok' });
  },
  possible: (w) => (w.pol.uffd.rangeIoctls & UFFDIO_WRITEPROTECT) !== 0 && census(w).wpProcs > 0,
  build(w, scope, c) {
    // the handler first answers a pending WP userfault by unprotecting it
    const pending = c.chance(0.8) ? pickBlocked(w, c, VM_UFFD_WP) : null;
    if (pending !== null) return { kind: 'uffd_wp', ...pending, pages: 1, on: false };
    // with THPs, often a huge PMD whole (change_huge_pmd() rather than a split)
    const huge = scope.thp && c.chance(0.5) ? pickHugePmdRange(w, c, isWpRegistered) : null;
    if (huge !== null) return { kind: 'uffd_wp', ...huge, on: c.chance(0.7) };
    const proc = pickProcWithVma(w, c, isWpRegistered);
    const a = pickRange(w, proc, c, isWpRegistered);
    return { kind: 'uffd_wp', proc: a.proc, label: a.label, off: a.off, pages: a.pages, on: c.chance(0.7) };
  },
  simplify: (op) => simplifyRange(op),
  inScope: (scope) => scope.uffd,
};
