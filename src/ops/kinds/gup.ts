// gup PROC ADDR [PAGES] FLAGS as REF [stepwise]: get_user_pages() / pin_user_pages() on a range.
// vmsplice PROC ADDR [PAGES] as REF [stepwise] = FOLL_GET (a pipe holding the pages);
// io_uring_register PROC ADDR [PAGES] as REF [stepwise] = FOLL_PIN|FOLL_WRITE|FOLL_LONGTERM (a
// fixed buffer), after io_uring's own check of the VMA.
// With `stepwise` the GUP only starts: each `gup_step REF` runs one turn of __get_user_pages()'s
// loop, so other ops can run between its fault and its retry; REF becomes usable when it completes.

import { FOLL_FAST, FOLL_FORCE, FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, VM_HUGETLB, VM_WRITE } from '../../model/constants.js';
import { gupFinish, gupStart, type GupResult } from '../../model/gup.js';
import { ask, folioTestAnon } from '../../model/kernel.js';
import { vmaLookup } from '../../model/mmap.js';
import type { GupRef } from '../../model/types.js';
import { shadowRefPageTaken, shadowRefStarted, wpPromised } from '../../oracle/shadow.js';
import { bindPending, bindRef, refNameInUse, refuseRefName, type World } from '../../world/world.js';
import { checkAddr, pickAddr, pickProcWithVma, printAddr, procsWithVma, refused, resolveAddr } from '../common.js';
import { refName } from '../names.js';
import { addrArg, asRef, countArg, fail, gupFlagsArg, printGupFlags, procArg } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';
import { wpLost } from '../uffd.js';

export type GupVia = 'gup' | 'vmsplice' | 'io_uring';

export interface GupOp {
  readonly kind: 'gup';
  readonly via: GupVia;
  readonly proc: number;
  readonly label: number;
  readonly off: number;
  readonly pages: number;
  readonly flags: number;
  readonly ref: number;
  /** start the GUP only; gup_step advances it */
  readonly stepwise: boolean;
}

const VMSPLICE = FOLL_GET;
const IO_URING = FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM;

const syntax = [
  'gup PROC ADDR [PAGES] FOLL_GET|FOLL_PIN[|FOLL_WRITE][|FOLL_LONGTERM][|FOLL_FORCE][|FAST] as REF [stepwise]',
  'vmsplice PROC ADDR [PAGES] as REF [stepwise]',
  'io_uring_register PROC ADDR [PAGES] as REF [stepwise]',
];

/** The lowest reference name not bound to a live reference or a GUP in progress. */
export function freeRefName(w: World): number {
  let r = 0;
  while (refNameInUse(w, r)) r++;
  return r;
}

/**
 * The oracle learns of the pages a GUP in progress has taken since it last looked. A R/W GUP (not
 * a poke: that judges its own store) that took a page UFFDIO_WRITEPROTECT protects, without a WP
 * userfault, breaks `uffd-wp` (its DMA writes would land unseen); a page taken before the
 * protection came is not judged: WRITEPROTECT does not revoke a reference GUP already holds.
 */
export function gupTookPages(w: World, r: GupRef): Outcome | null {
  const sr = w.shadow.refs[r.id];
  if (!sr) return null;
  const judge = (r.gupFlags & FOLL_WRITE) !== 0 && !w.pokes.has(r.id);
  let lost: Outcome | null = null;
  for (let i = sr.taken; i < r.folios.length; i++) {
    shadowRefPageTaken(w.shadow, r.id, i, folioTestAnon(w.k.folios[r.folios[i]!]!));
    if (judge && lost === null && wpPromised(w.shadow, r.mm, r.addr + i)) lost = wpLost(w, r.mm, r.addr + i, 'a R/W GUP');
  }
  return lost;
}

/** A stepwise GUP started: the oracle knows its reference (and the pages GUP-fast took) from now on. */
export function gupStarted(w: World, r: GupRef): Outcome | null {
  shadowRefStarted(w.shadow, r.id, r.mm, r.addr, r.gupFlags & ~FOLL_FAST, r.nr);
  return gupTookPages(w, r);
}

/**
 * A GUP completed: its reference name becomes live and the oracle records what it promises
 * (and judges the pages it took last, gupTookPages()).
 */
export function gupCompleted(w: World, ref: number, r: GupRef, stepwise: boolean): Outcome {
  if (!stepwise) {
    bindRef(w, ref, r);
    shadowRefStarted(w.shadow, r.id, r.mm, r.addr, r.gupFlags & ~FOLL_FAST, r.nr);
  }
  return gupTookPages(w, r) ?? { kind: 'ok' };
}

/** A GUP asleep on a userfault (it may sleep: FOLL_UNLOCKABLE): it stays in progress, gup_step continues it once woken. */
export function gupAsleep(w: World, ref: number, r: GupRef, uf: { readonly addr: number }): Outcome {
  bindPending(w, ref, r);
  const lost = gupStarted(w, r);
  w.journal.other();
  if (lost !== null) return lost;
  return { kind: 'ok', note: `asleep in handle_userfault() at ${w.words.addr(r.mm, uf.addr)}: gup_step continues it once an ioctl wakes it` };
}

/** What a finished or failed GUP means for the op that ran it. */
export function gupOutcome(g: Exclude<GupResult, { kind: 'ok' } | { kind: 'blocked' }>): Outcome {
  if (g.kind === 'refused') return refused(g.errno, g.why);
  return { kind: 'violated', invariant: 'gup-progress', why: g.why };
}

const VERB: Record<string, GupVia> = { gup: 'gup', vmsplice: 'vmsplice', io_uring_register: 'io_uring' };

export const gupOp: OpSpec<GupOp> = {
  kind: 'gup',
  verbs: ['gup', 'vmsplice', 'io_uring_register'],
  syntax,
  weight: 5,
  names: { procs: ['proc'], labels: ['label'], refs: ['ref'] },
  bindsNames: true,
  parse(toks, ctx) {
    const via = VERB[toks[0]!.text]!;
    const stepwise = toks[toks.length - 1]!.text === 'stepwise';
    const n = stepwise ? toks.length - 1 : toks.length;
    const base = via === 'gup' ? 6 : 5; // tokens without PAGES
    if (n !== base && n !== base + 1) fail((toks[Math.min(n, base + 1)] ?? toks[toks.length - 1]!).col, `wrong number of arguments; expected ${syntax.join('  or  ')}`);
    const hasPages = n === base + 1;
    const proc = procArg(ctx, toks[1]!);
    const a = addrArg(ctx, toks[2]!);
    const pages = hasPages ? countArg(toks[3]!, 1, 512, 'a page count') : 1;
    let i = hasPages ? 4 : 3;
    let flags = via === 'vmsplice' ? VMSPLICE : IO_URING;
    if (via === 'gup') flags = gupFlagsArg(toks[i++]!);
    const ref = asRef(ctx, toks, i, syntax);
    if (stepwise && flags & FOLL_FAST) fail(toks[n]!.col, 'a stepwise GUP is the slow path: drop FAST');
    return { kind: 'gup', via, proc, ...a, pages, flags, ref, stepwise };
  },
  print(op, n) {
    const pages = op.pages === 1 ? '' : ` ${op.pages}`;
    const tail = `as ${refName(n, op.ref)}${op.stepwise ? ' stepwise' : ''}`;
    if (op.via === 'vmsplice') return `vmsplice ${printAddr(n, op)}${pages} ${tail}`;
    if (op.via === 'io_uring') return `io_uring_register ${printAddr(n, op)}${pages} ${tail}`;
    return `gup ${printAddr(n, op)}${pages} ${printGupFlags(op.flags)} ${tail}`;
  },
  check(w, op) {
    if (refNameInUse(w, op.ref)) return 'the reference name is in use (release it first)';
    return checkAddr(w, op.proc, op.label, op.off, op.pages);
  },
  apply(w, op): Outcome {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    if (op.via === 'io_uring') {
      // io_uring's own test of the buffer's VMA before it pins (io_sqe_buffer_register() / io_pin_pages())
      const vma = vmaLookup(mm, addr)!;
      const inode = vma.file >= 0 ? w.k.inodes[vma.file]! : null;
      if (!ask(w.k, 'io_sqe_buffer_register', w.k.pol.ioUringAcceptsVma, { k: w.k, vma, inode })) {
        refuseRefName(w, op.ref);
        return refused('EOPNOTSUPP', 'io_uring takes fixed buffers in anonymous memory (or shmem, by era) only');
      }
    }
    // a stepwise GUP is the unlocked slow path (FOLL_UNLOCKABLE) and so is vmsplice()'s
    // get_user_pages_fast(); plain get_user_pages() and io_uring's pin_user_pages() hold the mmap lock
    const r = gupStart(w.k, mm, addr, op.pages, op.flags, op.stepwise || op.via === 'vmsplice');
    if (op.stepwise && r.job !== null) {
      bindPending(w, op.ref, r);
      const lost = gupStarted(w, r);
      w.journal.other();
      return lost ?? { kind: 'ok', note: 'started' };
    }
    const g = gupFinish(w.k, r);
    if (g.kind === 'blocked') return gupAsleep(w, op.ref, r, g.userfault);
    if (g.kind !== 'ok') {
      refuseRefName(w, op.ref);
      return gupOutcome(g);
    }
    return gupCompleted(w, op.ref, r, false);
  },
  possible: (w, scope) => procsWithVma(w) > 0 && w.liveRefs.length + w.pending.length < scope.maxRefs,
  build(w, scope, c) {
    const proc = pickProcWithVma(w, c);
    const a = pickAddr(w, proc, c);
    const mm = w.k.mms[w.procMm[proc]!]!;
    const vma = vmaLookup(mm, mm.labels[a.label]! + a.off)!;
    const ref = freeRefName(w);
    if (scope.maxObjs > 0 && vma.file >= 0 && c.chance(0.15)) {
      return { kind: 'gup', via: 'io_uring', ...a, pages: 1, flags: IO_URING, ref, stepwise: false };
    }
    let flags = c.chance(0.5) || (scope.hugetlbFollGet === false && vma.flags & VM_HUGETLB) ? FOLL_PIN : FOLL_GET;
    if (vma.flags & VM_WRITE && c.chance(0.5)) flags |= FOLL_WRITE;
    if (c.chance(0.5)) flags |= FOLL_LONGTERM;
    let stepwise = false;
    if (scope.gupVariants) {
      if (!(flags & FOLL_WRITE) && c.chance(0.1)) flags |= FOLL_FORCE | FOLL_WRITE; // ptrace-style forced write
      if (c.chance(0.2)) flags |= FOLL_FAST;
      else stepwise = c.chance(0.15);
    }
    // large-folio scopes: sometimes the whole mapping from its start, as cow.c pins or vmsplices a whole THP
    if (scope.thp && c.chance(0.5)) return { kind: 'gup', via: 'gup', proc, label: a.label, off: 0, pages: mm.labelPages[a.label]!, flags, ref, stepwise };
    return { kind: 'gup', via: 'gup', ...a, pages: 1, flags, ref, stepwise };
  },
  simplify(op) {
    const out: GupOp[] = [];
    if (op.stepwise) out.push({ ...op, stepwise: false });
    if (op.off > 0) out.push({ ...op, off: 0 });
    if (op.pages > 1) out.push({ ...op, pages: 1 });
    if (op.via === 'gup') {
      if (op.flags & FOLL_FAST) out.push({ ...op, flags: op.flags & ~FOLL_FAST });
      if (op.flags & FOLL_FORCE) out.push({ ...op, flags: op.flags & ~FOLL_FORCE });
      if (op.flags & FOLL_LONGTERM) out.push({ ...op, flags: op.flags & ~FOLL_LONGTERM });
      if (op.flags & FOLL_WRITE) out.push({ ...op, flags: op.flags & ~(FOLL_WRITE | FOLL_FORCE) });
      if (op.flags & FOLL_PIN) out.push({ ...op, flags: (op.flags & ~FOLL_PIN) | FOLL_GET });
    }
    return out;
  },
};
