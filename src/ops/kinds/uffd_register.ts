// uffd_register PROC ADDR [PAGES] MODES [FEATURES] [expect IOCTLS]: userfaultfd(2) and UFFDIO_API
// (the process's first registration opens its userfaultfd with FEATURES), then UFFDIO_REGISTER of
// the range with MODES (MISSING|WP|MINOR, or `none` to see the kernel refuse it). `expect` states
// which ioctls the answer must name (COPY,ZEROPAGE,!CONTINUE); a mismatch is the verdict
// uffd-ioctls.
// uffd_unregister PROC ADDR [PAGES]: UFFDIO_UNREGISTER.

import {
  UFFD_FEATURE_EVENT_FORK,
  UFFD_FEATURE_EVENT_REMAP,
  UFFD_FEATURE_SIGBUS,
  UFFD_FEATURE_WP_UNPOPULATED,
  UFFDIO_CONTINUE,
  UFFDIO_COPY,
  UFFDIO_MOVE,
  UFFDIO_POISON,
  UFFDIO_WAKE,
  UFFDIO_WRITEPROTECT,
  UFFDIO_ZEROPAGE,
  VM_HUGETLB,
  VM_MAYWRITE,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
} from '../../model/constants.js';
import { vmaLookup } from '../../model/mmap.js';
import { userfaultfdApi, userfaultfdRegister, userfaultfdUnregister } from '../../model/userfaultfd.js';
import { uffdMemType } from '../../model/userfaultfd_k.js';
import { shadowWp } from '../../oracle/shadow.js';
import { census } from '../../world/census.js';
import { procMm, type World } from '../../world/world.js';
import { checkAddr, pickAddr, pickProcWithVma, printRange, refused, resolveAddr, type RangeArgs } from '../common.js';
import { addrArg, countArg, fail, procArg, type Tok } from '../syntax.js';
import type { Choose, OpSpec, Outcome } from '../types.js';
import { isRegistered, pickHugePmdRange, staleUffdWp, withResumed } from '../uffd.js';

/** A set of names to bits, parsed from `A|B` (or a list `A,!B` for expectations). */
type Names = ReadonlyArray<readonly [string, number]>;

export const MODE_NAMES: Names = [
  ['MISSING', VM_UFFD_MISSING],
  ['WP', VM_UFFD_WP],
  ['MINOR', VM_UFFD_MINOR],
];

export const FEATURE_NAMES: Names = [
  ['EVENT_FORK', UFFD_FEATURE_EVENT_FORK],
  ['EVENT_REMAP', UFFD_FEATURE_EVENT_REMAP],
  ['SIGBUS', UFFD_FEATURE_SIGBUS],
  ['WP_UNPOPULATED', UFFD_FEATURE_WP_UNPOPULATED],
];

export const IOCTL_NAMES: Names = [
  ['WAKE', UFFDIO_WAKE],
  ['COPY', UFFDIO_COPY],
  ['ZEROPAGE', UFFDIO_ZEROPAGE],
  ['WRITEPROTECT', UFFDIO_WRITEPROTECT],
  ['CONTINUE', UFFDIO_CONTINUE],
  ['POISON', UFFDIO_POISON],
  ['MOVE', UFFDIO_MOVE],
];

export function bitsText(names: Names, bits: number, none = 'none'): string {
  const parts = names.filter(([, b]) => bits & b).map(([n]) => n);
  return parts.length ? parts.join('|') : none;
}

function isBitsToken(names: Names, t: Tok | undefined): boolean {
  return t !== undefined && t.text.split('|').every((p) => names.some(([n]) => n === p));
}

function bitsArg(names: Names, t: Tok, what: string): number {
  let bits = 0;
  for (const part of t.text.split('|')) {
    const f = names.find(([n]) => n === part);
    if (!f) fail(t.col, `unknown ${what} '${part}'; expected ${names.map(([n]) => n).join(', ')} joined by |`);
    bits |= f[1];
  }
  return bits;
}

/** What a scenario expects of a set of flags: those that must be set, those that must be clear. */
export interface FlagExpect {
  readonly set: number;
  readonly clear: number;
}

/** `A,!B,C`: A and C set, B clear. */
export function expectArg(names: ReadonlyArray<readonly [string, number]>, t: Tok, what: string): FlagExpect {
  let set = 0;
  let clear = 0;
  for (const part of t.text.split(',')) {
    const neg = part.startsWith('!');
    const name = neg ? part.slice(1) : part;
    const f = names.find(([n]) => n === name);
    if (!f) fail(t.col, `unknown ${what} '${name}'; expected a comma-separated list of ${names.map(([n]) => n).join(', ')}, each maybe with ! (must be clear)`);
    if ((set | clear) & f[1]) fail(t.col, `expected each ${what} once; '${name}' is named twice`);
    if (neg) clear |= f[1];
    else set |= f[1];
  }
  return { set, clear };
}

export function printExpect(names: ReadonlyArray<readonly [string, number]>, e: FlagExpect): string {
  const parts: string[] = [];
  for (const [n, b] of names) {
    if (e.set & b) parts.push(n);
    if (e.clear & b) parts.push(`!${n}`);
  }
  return parts.join(',');
}

/** The part of an expectation that `got` does not meet, in words, or null. */
export function expectMismatch(names: ReadonlyArray<readonly [string, number]>, e: FlagExpect, got: number): string | null {
  const missing = names.filter(([, b]) => e.set & b && !(got & b)).map(([n]) => n);
  const extra = names.filter(([, b]) => e.clear & b && got & b).map(([n]) => n);
  if (missing.length === 0 && extra.length === 0) return null;
  const parts: string[] = [];
  if (missing.length) parts.push(`${missing.join(',')} expected set`);
  if (extra.length) parts.push(`${extra.join(',')} expected clear`);
  return parts.join('; ');
}

export interface UffdRegisterOp extends RangeArgs {
  readonly kind: 'uffd_register';
  /** VM_UFFD_* bits (0: none, which the kernel refuses) */
  readonly modes: number;
  /** UFFDIO_API features */
  readonly features: number;
  readonly expect: FlagExpect | null;
}

export interface UffdUnregisterOp extends RangeArgs {
  readonly kind: 'uffd_unregister';
}

const registerSyntax = ['uffd_register PROC ADDR [PAGES] MISSING|WP|MINOR|none [EVENT_FORK|EVENT_REMAP|SIGBUS|WP_UNPOPULATED] [expect IOCTLS]'];

/** The PAGES argument of a range op, at toks[i] if it is a number; 1 when left out. */
function pagesAt(toks: readonly Tok[], i: number): { pages: number; next: number } {
  const t = toks[i];
  if (t !== undefined && /^[0-9]/.test(t.text)) return { pages: countArg(t, 1, 4096, 'a page count'), next: i + 1 };
  return { pages: 1, next: i };
}

/** Every page of the range: the range stays inside its mapping (checkAddr). */
function checkRange(w: World, op: RangeArgs): string | null {
  return checkAddr(w, op.proc, op.label, op.off, op.pages);
}

/** A range for build(): one page, or the whole VMA the page is in. */
export function pickRange(w: World, proc: number, c: Choose, ok?: Parameters<typeof pickAddr>[3]): RangeArgs {
  const a = pickAddr(w, proc, c, ok);
  const vma = vmaLookup(procMm(w, proc)!, procMm(w, proc)!.labels[a.label]! + a.off)!;
  if (vma.end - vma.start > 1 && c.chance(0.5)) return { ...a, off: vma.start - vma.labelBase, pages: vma.end - vma.start };
  if (vma.flags & VM_HUGETLB && c.chance(0.9)) {
    // hugetlb: mostly the huge page around the address (the kernel refuses a range off a huge page boundary)
    const base = vma.labelBase + a.off - ((vma.labelBase + a.off) % w.k.pmdPages);
    return { ...a, off: base - vma.labelBase, pages: w.k.pmdPages };
  }
  return { ...a, pages: 1 };
}

export function simplifyRange<O extends RangeArgs>(op: O): O[] {
  const out: O[] = [];
  if (op.off > 0) out.push({ ...op, off: 0 });
  if (op.pages > 1) out.push({ ...op, pages: 1 });
  return out;
}

/** The modes the generator registers a VMA of this type with: the combinations its table could allow. */
const MODE_CHOICES: Readonly<Record<string, readonly number[]>> = {
  anon: [VM_UFFD_MISSING, VM_UFFD_WP, VM_UFFD_MISSING | VM_UFFD_WP],
  shmem: [VM_UFFD_MISSING, VM_UFFD_WP, VM_UFFD_MINOR, VM_UFFD_MISSING | VM_UFFD_WP, VM_UFFD_MINOR | VM_UFFD_WP],
  hugetlb: [VM_UFFD_MISSING, VM_UFFD_WP, VM_UFFD_MINOR, VM_UFFD_MISSING | VM_UFFD_WP, VM_UFFD_MINOR | VM_UFFD_WP],
};

export const uffdRegisterOp: OpSpec<UffdRegisterOp> = {
  kind: 'uffd_register',
  verbs: ['uffd_register'],
  syntax: registerSyntax,
  weight: 1,
  names: { procs: ['proc'], labels: ['label'] },
  parse(toks, ctx) {
    if (toks.length < 4) fail(toks[toks.length - 1]!.col, `wrong number of arguments; expected ${registerSyntax[0]}`);
    const proc = procArg(ctx, toks[1]!);
    const a = addrArg(ctx, toks[2]!);
    const { pages, next } = pagesAt(toks, 3);
    let i = next;
    const m = toks[i];
    if (m === undefined) fail(toks[toks.length - 1]!.col, `expected the modes: MISSING, WP, MINOR joined by |, or none; ${registerSyntax[0]}`);
    const modes = m.text === 'none' ? 0 : bitsArg(MODE_NAMES, m, 'mode');
    i++;
    let features = 0;
    if (isBitsToken(FEATURE_NAMES, toks[i])) features = bitsArg(FEATURE_NAMES, toks[i++]!, 'feature');
    let expect: FlagExpect | null = null;
    if (toks[i]?.text === 'expect') {
      if (toks[i + 1] === undefined) fail(toks[i]!.col, 'expected the ioctls after expect, e.g. expect COPY,ZEROPAGE,!CONTINUE');
      expect = expectArg(IOCTL_NAMES, toks[i + 1]!, 'ioctl');
      i += 2;
    }
    if (toks[i] !== undefined) fail(toks[i]!.col, `expected ${registerSyntax[0]}; '${toks[i]!.text}' is neither a feature list nor 'expect'`);
    return { kind: 'uffd_register', proc, ...a, pages, modes, features, expect };
  },
  print(op, n) {
    const modes = op.modes === 0 ? 'none' : bitsText(MODE_NAMES, op.modes);
    const features = op.features ? ` ${bitsText(FEATURE_NAMES, op.features)}` : '';
    const expect = op.expect ? ` expect ${printExpect(IOCTL_NAMES, op.expect)}` : '';
    return `uffd_register ${printRange(n, op)} ${modes}${features}${expect}`;
  },
  check: checkRange,
  apply(w, op): Outcome {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    const api = userfaultfdApi(w.k, mm, op.features);
    if (api) return refused(api.errno, api.why);
    const r = userfaultfdRegister(w.k, mm, addr, addr + op.pages, op.modes);
    if ('errno' in r) return refused(r.errno, r.why);
    // new modes replace the old ones: a range registered again without WP is no longer protected
    if (!(op.modes & VM_UFFD_WP)) for (let a = addr; a < addr + op.pages; a++) if (!(vmaLookup(mm, a)!.flags & VM_UFFD_WP)) shadowWp(w.shadow, mm.id, a, false);
    const note = `ioctls ${bitsText(IOCTL_NAMES, r.ioctls)}`;
    if (op.expect) {
      const bad = expectMismatch(IOCTL_NAMES, op.expect, r.ioctls);
      if (bad) return { kind: 'violated', invariant: 'uffd-ioctls', why: `UFFDIO_REGISTER answered ${bitsText(IOCTL_NAMES, r.ioctls)}: ${bad}` };
    }
    return { kind: 'ok', note };
  },
  possible: (w, scope) => scope.uffd && census(w).procsWithVma > 0,
  build(w, scope, c) {
    // VMAs userfaultfd may serve (anon, shmem, hugetlb), with VM_MAYWRITE
    const candidate = (v: { flags: number; file: number }): boolean => (v.flags & VM_MAYWRITE) !== 0 && (v.file < 0 || (v.flags & VM_HUGETLB) !== 0 || w.k.inodes[v.file]!.kind === 'shmem');
    // with THPs, often a huge PMD whole (a registration that splits the VMA splits the PMD)
    const huge = scope.thp && c.chance(0.5) ? pickHugePmdRange(w, c, candidate) : null;
    const proc = huge?.proc ?? pickProcWithVma(w, c, hasCandidate(w) ? candidate : undefined);
    const r = huge ?? pickRange(w, proc, c, hasCandidateIn(w, proc) ? candidate : undefined);
    const mm = procMm(w, proc)!;
    const vma = vmaLookup(mm, mm.labels[r.label]! + r.off)!;
    const choices = MODE_CHOICES[uffdMemType(w.k, vma)] ?? MODE_CHOICES.anon!;
    const modes = choices[c.pick(choices.length)]!;
    let features = mm.uffd?.features ?? -1;
    if (features < 0) {
      const known = w.pol.uffd.features;
      features = 0;
      if (known & UFFD_FEATURE_EVENT_FORK && c.chance(0.5)) features |= UFFD_FEATURE_EVENT_FORK;
      if (known & UFFD_FEATURE_WP_UNPOPULATED && c.chance(0.5)) features |= UFFD_FEATURE_WP_UNPOPULATED;
      if (known & UFFD_FEATURE_SIGBUS && c.chance(0.1)) features |= UFFD_FEATURE_SIGBUS;
      // where mremap() exists in the scope (the THP ones): with the remap event, or without
      if (scope.thp && known & UFFD_FEATURE_EVENT_REMAP && c.chance(0.5)) features |= UFFD_FEATURE_EVENT_REMAP;
    }
    return { kind: 'uffd_register', ...r, modes, features, expect: null };
  },
  simplify(op) {
    const out: UffdRegisterOp[] = simplifyRange(op);
    if (op.expect) out.push({ ...op, expect: null });
    for (const [, bit] of FEATURE_NAMES) if (op.features & bit) out.push({ ...op, features: op.features & ~bit });
    for (const [, bit] of MODE_NAMES) if (op.modes & bit && op.modes !== bit) out.push({ ...op, modes: op.modes & ~bit });
    return out;
  },
  inScope: (scope) => scope.uffd,
};

function hasCandidate(w: World): boolean {
  for (const p of w.liveProcs) if (hasCandidateIn(w, p)) return true;
  return false;
}

function hasCandidateIn(w: World, proc: number): boolean {
  const mm = procMm(w, proc);
  if (mm === null) return false;
  return mm.vmas.some((v) => (v.flags & VM_MAYWRITE) !== 0 && (v.file < 0 || (v.flags & VM_HUGETLB) !== 0 || w.k.inodes[v.file]!.kind === 'shmem'));
}

const unregisterSyntax = ['uffd_unregister PROC ADDR [PAGES]'];

export const uffdUnregisterOp: OpSpec<UffdUnregisterOp> = {
  kind: 'uffd_unregister',
  verbs: ['uffd_unregister'],
  syntax: unregisterSyntax,
  weight: 1,
  names: { procs: ['proc'], labels: ['label'] },
  parse(toks, ctx) {
    if (toks.length !== 3 && toks.length !== 4) fail((toks[4] ?? toks[toks.length - 1]!).col, `wrong number of arguments; expected ${unregisterSyntax[0]}`);
    const { pages } = pagesAt(toks, 3);
    return { kind: 'uffd_unregister', proc: procArg(ctx, toks[1]!), ...addrArg(ctx, toks[2]!), pages };
  },
  print: (op, n) => `uffd_unregister ${printRange(n, op)}`,
  check: checkRange,
  apply(w, op): Outcome {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    if (mm.uffd === null) return refused('EBADF', 'the process has no userfaultfd (uffd_register opens it)');
    const r = userfaultfdUnregister(w.k, mm, addr, addr + op.pages);
    if ('errno' in r) return refused(r.errno, r.why);
    // the range is no longer write-protected: what UFFDIO_WRITEPROTECT promised ends here
    for (let a = addr; a < addr + op.pages; a++) shadowWp(w.shadow, mm.id, a, false);
    // what f369b07c8614 resets: the ranges registered for WP when unregistered (a range that an
    // earlier UFFDIO_REGISTER without WP already took out of WP mode keeps its bits in every kernel)
    let stale: Outcome | null = null;
    for (const [s, e] of r.wpRanges) stale ??= staleUffdWp(w, mm, s, e, 'after UFFDIO_UNREGISTER of a WP range');
    return withResumed(w, stale ?? (r.woken ? { kind: 'ok', note: `${r.woken} userfault(s) woken` } : { kind: 'ok' }));
  },
  possible: (w) => census(w).uffdProcs > 0,
  build(w, _scope, c) {
    const proc = pickProcWithVma(w, c, isRegistered);
    const a = pickRange(w, proc, c, isRegistered);
    return { kind: 'uffd_unregister', proc: a.proc, label: a.label, off: a.off, pages: a.pages };
  },
  simplify: (op) => simplifyRange(op),
  inScope: (scope) => scope.uffd,
};
