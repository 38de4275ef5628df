// Exhaustive small-scope search: breadth-first over every op sequence up to a depth, in a small
// world (a few processes, one VMA each, two pages, two references, a tiny swap device). It uses
// applyOp() / cloneWorld() / checkInvariants(), the transition every other driver uses, and
// de-duplicates states by a canonical fingerprint, so "clean to depth N" means no sequence of N
// ops or fewer within the scope fails an invariant, and a counterexample is a shortest one.

import { createHash } from 'node:crypto';
import { checkInvariants, isInvariantName, type InvariantName, type Violation } from '../invariants/index.js';
import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, ZERO_VALUE } from '../model/constants.js';
import type { Mm } from '../model/kernel.js';
import type { Pte } from '../model/pte.js';
import { slotFree } from '../model/swap.js';
import { applyOp, OpNameError } from '../ops/apply.js';
import type { Op } from '../ops/types.js';
import { refWriteWithinContract } from '../oracle/shadow.js';
import { cloneWorld, newWorld, type World } from '../ops/world.js';
import { getPolicy } from '../policy/registry.js';
import type { CowPolicy } from '../policy/types.js';
import { printOp, printScenario } from '../scenario/print.js';
import { counterexampleScenario, type Scenario } from '../scenario/types.js';
import { UsageError } from '../cli/errors.js';

export interface ExhaustScope {
  /** processes ever created (P0 by mmap, the others by fork) */
  readonly maxProcs: number;
  /** the page counts `mmap P0 A N` may use */
  readonly mmapPages: readonly number[];
  /** live GUP references at once (names r1..rN, the lowest free one first) */
  readonly maxRefs: number;
  /** swap device slots, header included */
  readonly swapSlots: number;
}

export const DEFAULT_EXHAUST_SCOPE: ExhaustScope = { maxProcs: 3, mmapPages: [1, 2], maxRefs: 2, swapSlots: 4 };

/** The one VMA name of the exhaustive scope. */
const VMA = 'A';

export interface ExhaustOptions {
  readonly policy: CowPolicy;
  readonly depth: number;
  readonly scope?: ExhaustScope;
  /** only violations of this invariant are counterexamples; sequences failing another one are pruned */
  readonly invariant?: InvariantName;
  /** stop (kind 'incomplete') once this many distinct states have been seen */
  readonly maxStates?: number;
  /** de-duplicate states by fingerprint (default true; false is for checking the fingerprint) */
  readonly dedup?: boolean;
}

interface Stats {
  /** distinct states seen (the empty world included) */
  readonly states: number;
  /** op sequences executed (every legal op from every expanded state) */
  readonly sequences: number;
  readonly elapsedMs: number;
}

export type ExhaustResult =
  | ({ readonly kind: 'clean'; readonly depth: number } & Stats)
  | ({ readonly kind: 'counterexample'; readonly ops: readonly Op[]; readonly violation: Violation } & Stats)
  | ({ readonly kind: 'incomplete'; readonly depth: number; readonly completedDepth: number; readonly maxStates: number } & Stats);

export const DEFAULT_MAX_STATES = 2_000_000;

interface Node {
  readonly w: World;
  readonly ops: readonly Op[];
}

export function exhaust(opts: ExhaustOptions): ExhaustResult {
  const scope = opts.scope ?? DEFAULT_EXHAUST_SCOPE;
  const maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
  const dedup = opts.dedup ?? true;
  const t0 = performance.now();
  const root = newWorld(opts.policy, { swapSlots: scope.swapSlots });
  const visited = new Set<string>([fingerprintKey(root)]);
  let sequences = 0;
  const stats = (): Stats => ({ states: visited.size, sequences, elapsedMs: performance.now() - t0 });
  let frontier: Node[] = [{ w: root, ops: [] }];
  for (let level = 1; level <= opts.depth; level++) {
    const next: Node[] = [];
    const last = level === opts.depth;
    for (const node of frontier) {
      for (const op of enumerateOps(node.w, scope)) {
        const w = cloneWorld(node.w);
        let ok: boolean;
        try {
          ok = applyOp(w, op).ok;
        } catch (e) {
          if (e instanceof OpNameError) continue;
          throw e;
        }
        if (!ok) continue;
        sequences++;
        const key = dedup ? fingerprintKey(w) : String(sequences);
        if (visited.has(key)) continue;
        visited.add(key);
        const ops = [...node.ops, op];
        const v = checkInvariants(w);
        if (v) {
          if (opts.invariant === undefined || v.invariant === opts.invariant) {
            return { kind: 'counterexample', ops, violation: v, ...stats() };
          }
          continue; // fails another invariant first: pruned
        }
        if (visited.size >= maxStates) {
          return { kind: 'incomplete', depth: opts.depth, completedDepth: level - 1, maxStates, ...stats() };
        }
        if (!last) next.push({ w, ops });
      }
    }
    frontier = next;
    if (frontier.length === 0) break;
  }
  return { kind: 'clean', depth: opts.depth, ...stats() };
}

// ---- the op alphabet ----

const GUP_BASES = [FOLL_GET, FOLL_PIN] as const;

/** Every op the scope allows from this state, in a fixed order. Ops may still fail or name nothing. */
export function enumerateOps(w: World, scope: ExhaustScope): Op[] {
  const ops: Op[] = [];
  const mms = w.k.mms;
  const p0 = mms[0];
  if (p0 === undefined || (p0.alive && !p0.vmas.some((v) => v.name === VMA))) {
    for (const pages of scope.mmapPages) ops.push({ kind: 'mmap', mm: 'P0', vma: VMA, pages, write: true });
  }
  const liveRefs = [...w.refIds.keys()].sort();
  let freeRef: string | null = null;
  if (liveRefs.length < scope.maxRefs) {
    for (let i = 1; i <= scope.maxRefs && freeRef === null; i++) if (!w.refIds.has(`r${i}`)) freeRef = `r${i}`;
  }
  for (const mm of mms) {
    if (!mm.alive) continue;
    procOps(ops, w, mm, scope, freeRef);
  }
  for (const ref of liveRefs) {
    const r = w.k.refs.find((x) => x.id === w.refIds.get(ref));
    if (!r || r.released) continue;
    ops.push({ kind: 'release', ref, how: r.gupFlags & FOLL_PIN ? 'unpin' : 'put' });
    ops.push({ kind: 'ref_read', ref });
    if (refWriteWithinContract(r.gupFlags, w.shadow.refs.get(r.id))) ops.push({ kind: 'ref_write', ref });
  }
  return ops;
}

function procOps(ops: Op[], w: World, mm: Mm, scope: ExhaustScope, freeRef: string | null): void {
  const name = mm.name;
  if (w.k.mms.length < scope.maxProcs) ops.push({ kind: 'fork', mm: name, child: `P${w.k.mms.length}` });
  ops.push({ kind: 'exit', mm: name });
  ops.push({ kind: 'clear_refs', mm: name });
  for (const vma of mm.vmas) {
    ops.push({ kind: 'munmap', mm: name, vma: vma.name });
    ops.push({ kind: 'mprotect', mm: name, vma: vma.name, write: false });
    ops.push({ kind: 'mprotect', mm: name, vma: vma.name, write: true });
    for (let page = 0; page < vma.npages; page++) {
      ops.push({ kind: 'read', mm: name, vma: vma.name, page });
      if (vma.flags.write) ops.push({ kind: 'write', mm: name, vma: vma.name, page });
      ops.push({ kind: 'dontneed', mm: name, vma: vma.name, page });
      ops.push({ kind: 'reclaim', mm: name, vma: vma.name, page });
      if (freeRef === null) continue;
      for (const base of GUP_BASES) {
        for (const wr of vma.flags.write ? [0, FOLL_WRITE] : [0]) {
          for (const lt of [0, FOLL_LONGTERM]) {
            ops.push({ kind: 'gup', mm: name, vma: vma.name, page, flags: base | wr | lt, ref: freeRef });
          }
        }
      }
    }
  }
}

// ---- the canonical fingerprint ----

/**
 * A string that is equal for two worlds whose future behaviour (every op, every invariant) is the
 * same: pfns and data values are renumbered in order of first appearance (mms, VMAs, PTEs, then
 * references, the swap cache, swap slots, other folios, the shadow memory), and the oracle's
 * clock is replaced by the order of the fork times and the write times it compares. Conservative:
 * it may tell apart worlds that behave alike (e.g. symmetric processes), never the reverse.
 */
export function fingerprint(w: World): string {
  const { k, shadow } = w;
  const pfnIds = new Map<number, number>();
  const valIds = new Map<number, number>();
  const parts: string[] = [];
  const val = (v: number): string => {
    if (v === ZERO_VALUE) return '0';
    let id = valIds.get(v);
    if (id === undefined) valIds.set(v, (id = valIds.size + 1));
    return `v${id}`;
  };
  const folio = (pfn: number): string => {
    let id = pfnIds.get(pfn);
    if (id !== undefined) return `f${id}`;
    pfnIds.set(pfn, (id = pfnIds.size + 1));
    const f = k.folios.get(pfn);
    if (!f) return `f${id}=freed`;
    const pages = f.pages.map((p) => `${val(p.data)}.${p.mapcount}.${p.anonExclusive ? 'X' : ''}.${p.mteTag}`).join(',');
    const swap = f.swap ? `${f.swap.type}:${f.swap.offset}` : '-';
    return `f${id}=(${f.refcount},${f.pincount},${f.anon ? 'a' : ''}${f.zero ? 'z' : ''},${swap},[${pages}])`;
  };
  const pte = (p: Pte): string => {
    switch (p.kind) {
      case 'none':
        return 'n';
      case 'present':
        return `p${folio(p.pfn)}+${p.idx}${p.write ? 'W' : ''}${p.dirty ? 'D' : ''}${p.softDirty ? 'S' : ''}${p.uffdWp ? 'U' : ''}`;
      case 'swap':
        return `s${p.type}:${p.offset}${p.exclusive ? 'X' : ''}${p.softDirty ? 'S' : ''}${p.uffdWp ? 'U' : ''}`;
      case 'migration':
        return `m${folio(p.pfn)}+${p.idx}${p.mode}${p.softDirty ? 'S' : ''}${p.uffdWp ? 'U' : ''}`;
      case 'marker':
        return `k${p.bits}`;
    }
  };
  for (const mm of k.mms) {
    parts.push(`M${mm.alive ? '' : 'x'}${mm.hasPinned ? 'p' : ''}`);
    for (const vma of mm.vmas) {
      const fl = vma.flags;
      const flags = `${fl.write ? 'w' : ''}${fl.mayWrite ? 'm' : ''}${fl.shared ? 's' : ''}${fl.dontCopy ? 'd' : ''}${fl.softDirty ? 'S' : ''}${fl.uffdWp ? 'U' : ''}`;
      parts.push(`V${vma.name}/${vma.npages}/${flags}:${vma.ptes.map(pte).join(' ')}`);
    }
  }
  const refNames = new Map<number, string>();
  for (const [name, id] of w.refIds) refNames.set(id, name);
  for (const r of k.refs) {
    if (r.released) continue;
    const sr = shadow.refs.get(r.id);
    const srs = sr ? `${sr.coherent ? 'c' : ''}${sr.write ? 'w' : ''}${sr.pin ? 'p' : ''}` : '?';
    parts.push(`R${refNames.get(r.id) ?? '?'}=${folio(r.pfn)}+${r.idx},${r.gupFlags},${r.mm},${r.vma}+${r.page},${srs}`);
  }
  for (const [key, pfn] of [...k.swapCache].sort((a, b) => a[0] - b[0])) parts.push(`C${key}=${folio(pfn)}`);
  for (const d of k.swap) {
    const slots: string[] = [];
    for (let o = 0; o < d.map.length; o++) {
      slots.push(slotFree(d, o) ? '_' : `${d.map[o]}${d.hasCache[o] ? 'c' : ''}=${val(d.data[o]!)}/${d.tags[o]}`);
    }
    parts.push(`S${d.type}:${slots.join(' ')}`);
  }
  for (const pfn of [...k.folios.keys()].sort((a, b) => a - b)) if (!pfnIds.has(pfn)) parts.push(`F${folio(pfn)}`);
  // the oracle: expected memory, the fork tree, and per value its writer, address and time order
  for (let mm = 0; mm < shadow.mem.length; mm++) {
    const mem = shadow.mem[mm]!;
    const areas = [...mem].map(([vma, vals]) => `${vma}:${vals.map(val).join(',')}`).join(';');
    parts.push(`H${mm}<${shadow.mmParent[mm]}:${areas}`);
  }
  const times: number[] = [];
  for (let mm = 0; mm < shadow.mmForkTime.length; mm++) times.push(shadow.mmForkTime[mm]!);
  for (const v of valIds.keys()) times.push(shadow.valueTime[v]!);
  const rank = new Map([...new Set(times)].sort((a, b) => a - b).map((t, i) => [t, i]));
  parts.push(`T${shadow.mmForkTime.map((t) => rank.get(t)).join(',')}`);
  for (const [v, id] of valIds) {
    parts.push(`v${id}@${shadow.valueMm[v]}:${shadow.valueAddr[v]}:${rank.get(shadow.valueTime[v]!)}`);
  }
  return parts.join('|');
}

function fingerprintKey(w: World): string {
  return createHash('sha1').update(fingerprint(w)).digest('base64');
}

// ---- the command ----

export interface ExhaustCliArgs {
  readonly policy: string;
  readonly depth: number;
  readonly invariant?: string;
  readonly json: boolean;
  readonly maxStates?: number;
}

export function exhaustScenario(policy: string, result: Extract<ExhaustResult, { kind: 'counterexample' }>, depth: number, invariant?: string, swapSlots = DEFAULT_EXHAUST_SCOPE.swapSlots): Scenario {
  const inv = result.violation.invariant;
  return counterexampleScenario({
    title: `cowfuzz exhaust: ${inv} under ${policy} (${result.ops.length} ops, a shortest counterexample)`,
    source: `cowfuzz exhaust --policy ${policy} --depth ${depth}${invariant ? ` --invariant ${invariant}` : ''}`,
    policy,
    invariant: inv,
    message: result.violation.message,
    ops: result.ops,
    swapSlots,
  });
}

/**
 * `cowfuzz exhaust`: 0 clean within the scope and depth, 1 a counterexample (printed as a
 * scenario), 3 the state cap was hit first. Bad input throws (UsageError, UnknownPolicyError).
 */
export function exhaustCli(args: ExhaustCliArgs, out: (s: string) => void): number {
  const pol = getPolicy(args.policy);
  if (!Number.isInteger(args.depth) || args.depth < 0) throw new UsageError(`--depth expects a whole number >= 0, got '${args.depth}'`);
  if (args.invariant !== undefined && !isInvariantName(args.invariant)) {
    throw new UsageError(`unknown invariant '${args.invariant}' (see 'cowfuzz invariants')`);
  }
  if (args.maxStates !== undefined && (!Number.isInteger(args.maxStates) || args.maxStates < 1)) {
    throw new UsageError(`--max-states expects a whole number >= 1, got '${args.maxStates}'`);
  }
  const invariant = args.invariant as InvariantName | undefined;
  const r = exhaust({
    policy: pol,
    depth: args.depth,
    scope: DEFAULT_EXHAUST_SCOPE,
    ...(invariant ? { invariant } : {}),
    ...(args.maxStates !== undefined ? { maxStates: args.maxStates } : {}),
  });
  const rate = Math.round(r.states / Math.max(r.elapsedMs / 1000, 1e-3));
  const secs = (r.elapsedMs / 1000).toFixed(1);
  const scenario = r.kind === 'counterexample' ? printScenario(exhaustScenario(pol.name, r, args.depth, invariant)) : null;
  if (args.json) {
    const base = { policy: pol.name, depth: args.depth, invariant: invariant ?? null, kind: r.kind, states: r.states, sequences: r.sequences, seconds: Number(secs), statesPerSecond: rate };
    if (r.kind === 'counterexample') {
      out(JSON.stringify({ ...base, length: r.ops.length, invariantFailed: r.violation.invariant, message: r.violation.message, ops: r.ops.map(printOp), scenario }));
    } else if (r.kind === 'incomplete') {
      out(JSON.stringify({ ...base, completedDepth: r.completedDepth, maxStates: r.maxStates }));
    } else out(JSON.stringify(base));
  } else if (r.kind === 'counterexample') {
    out(scenario!.trimEnd());
    out(`# ${r.ops.length}-op counterexample; ${r.states} states, ${r.sequences} sequences in ${secs}s (${rate} states/s)`);
  } else if (r.kind === 'incomplete') {
    out(`${pol.name}: incomplete: ${r.maxStates} states reached; clean to depth ${r.completedDepth} of ${args.depth} (${r.sequences} sequences, ${secs}s, ${rate} states/s)`);
  } else {
    out(`${pol.name}: clean to depth ${r.depth}${invariant ? ` for ${invariant}` : ''} (${r.states} states, ${r.sequences} sequences, ${secs}s, ${rate} states/s)`);
  }
  return r.kind === 'clean' ? 0 : r.kind === 'counterexample' ? 1 : 3;
}
