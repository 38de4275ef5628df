// poke PROC ADDR [as REF]: a forced write, as ptrace(PTRACE_POKEDATA) or a write to
// /proc/PID/mem does it: __access_remote_vm() -> get_user_pages_remote(FOLL_FORCE|FOLL_WRITE),
// copy_to_user_page(), set_page_dirty_lock(), put_page(). The write goes into whatever page GUP
// returned, even in a read-only mapping (that is what FOLL_FORCE is for: debuggers setting
// breakpoints in text). With `as REF` the GUP only starts; gup_step REF advances it and the write
// happens when it completes (the Dirty COW race, CVE-2016-5195).

import { FOLL_FORCE, FOLL_GET, FOLL_TOUCH, FOLL_WRITE } from '../../model/constants.js';
import { folioMarkDirty } from '../../model/filemap.js';
import { gupFinish, gupStart, putUserPages, refFolio } from '../../model/gup.js';
import { touchFolioData } from '../../model/kernel.js';
import type { GupRef } from '../../model/types.js';
import { shadowStore, storeValue, wpPromised } from '../../oracle/shadow.js';
import { bindPending, refNameInUse, type World } from '../../world/world.js';
import { checkAddr, pickAddr, pickProcWithVma, printAddr, procsWithVma, resolveAddr } from '../common.js';
import { refName } from '../names.js';
import { addrArg, asRef, fail, procArg } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';
import { wpLost } from '../uffd.js';
import { freeRefName, gupOutcome } from './gup.js';

export interface PokeOp {
  readonly kind: 'poke';
  readonly proc: number;
  readonly label: number;
  readonly off: number;
  /** the GUP's name while it is in progress (-1: not stepwise) */
  readonly ref: number;
}

const syntax = ['poke PROC ADDR [as REF [stepwise]]'];

/** FOLL_FORCE|FOLL_WRITE as __access_remote_vm() asks for a write (FOLL_TOUCH from get_user_pages_remote()) */
export const POKE_FLAGS = FOLL_GET | FOLL_FORCE | FOLL_WRITE | FOLL_TOUCH;

/** The forced write itself, once GUP has returned the page: copy_to_user_page(), set_page_dirty_lock(), put_page(). */
export function pokeWrite(w: World, r: GupRef): Outcome {
  const promised = wpPromised(w.shadow, r.mm, r.addr);
  const v = storeValue(w.shadow, r.mm, r.addr);
  const f = refFolio(w.k, r, 0);
  if (f !== null) {
    f.pages[r.idxs[0]!]!.data = v;
    touchFolioData(w.k, f);
    if (f.mapping >= 0) folioMarkDirty(w.k, f);
  }
  shadowStore(w.shadow, r.mm, r.addr, v);
  putUserPages(w.k, r);
  if (promised) return wpLost(w, r.mm, r.addr, 'a forced write (FOLL_FORCE)');
  return { kind: 'ok', value: v };
}

export const pokeOp: OpSpec<PokeOp> = {
  kind: 'poke',
  verbs: ['poke'],
  syntax,
  weight: 1,
  names: { procs: ['proc'], labels: ['label'], refs: ['ref'] },
  bindsNames: true,
  parse(toks, ctx) {
    // `as REF` makes it stepwise; a trailing `stepwise` (as gup takes it) says the same
    const n = toks.length === 6 && toks[5]!.text === 'stepwise' ? 5 : toks.length;
    if (n !== 3 && n !== 5) fail((toks[3] ?? toks[toks.length - 1]!).col, `wrong number of arguments; expected ${syntax[0]}`);
    const ref = n === 5 ? asRef(ctx, toks, 3, syntax) : -1;
    return { kind: 'poke', proc: procArg(ctx, toks[1]!), ...addrArg(ctx, toks[2]!), ref };
  },
  print: (op, n) => `poke ${printAddr(n, op)}${op.ref >= 0 ? ` as ${refName(n, op.ref)}` : ''}`,
  check(w, op) {
    if (op.ref >= 0 && refNameInUse(w, op.ref)) return 'the reference name is in use (release it first)';
    return checkAddr(w, op.proc, op.label, op.off);
  },
  apply(w, op): Outcome {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    const r = gupStart(w.k, mm, addr, 1, POKE_FLAGS);
    if (op.ref >= 0) {
      bindPending(w, op.ref, r);
      w.pokes.add(r.id);
      w.journal.other();
      return { kind: 'ok', note: 'started' };
    }
    const g = gupFinish(w.k, r);
    if (g.kind === 'blocked') throw new Error('model bug: /proc/PID/mem GUP slept on a userfault (it cannot: no FOLL_UNLOCKABLE)');
    if (g.kind !== 'ok') return gupOutcome(g);
    return pokeWrite(w, r);
  },
  inScope: (scope) => scope.gupVariants,
  // every VMA is readable here (mprotect knows rw and ro)
  possible: (w) => procsWithVma(w) > 0,
  build(w, scope, c) {
    const a = pickAddr(w, pickProcWithVma(w, c), c);
    const stepwise = w.liveRefs.length + w.pending.length < scope.maxRefs && c.chance(0.5);
    return { kind: 'poke', ...a, ref: stepwise ? freeRefName(w) : -1 };
  },
  simplify(op) {
    const out: PokeOp[] = [];
    if (op.ref >= 0) out.push({ ...op, ref: -1 });
    if (op.off > 0) out.push({ ...op, off: 0 });
    return out;
  },
};
