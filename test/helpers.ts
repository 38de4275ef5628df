// Test helpers: run a scenario written as text (the header is optional), then look at the world it
// left, by the scenario's own names.

import { expect } from 'vitest';
import type { RunResult } from '../src/engine/run.js';
import type { CowPolicy } from '../src/model/policy.js';
import type { Pte, PtePresent, PteSwap } from '../src/model/pte.js';
import type { Folio, GupRef, Mm } from '../src/model/types.js';
import type { Names } from '../src/ops/names.js';
import { builtinPolicies } from '../src/policy/registry.js';
import { parseScenario } from '../src/scenario/parse.js';
import { runScenario } from '../src/scenario/run.js';
import type { ParsedScenario } from '../src/scenario/types.js';
import { procMm, refOf, type CheckMode, type World } from '../src/world/world.js';
import { fillFullCheckSet, fillIncrementalCheckSet, type CheckSet } from '../src/invariants/check-set.js';
import { checkInvariants, type Violation } from '../src/invariants/index.js';
import { touchFolio } from '../src/model/kernel.js';
import { setPte } from '../src/model/pgtable.js';
import { swpVal } from '../src/model/swapfile.js';

export function parse(text: string, file = 'test.cow'): ParsedScenario {
  const full = /^\s*title\s/m.test(text) ? text : `title test\n${text}`;
  return parseScenario(full, file, { isPolicy: (n) => builtinPolicies.has(n) });
}

export function policy(p: string | CowPolicy): CowPolicy {
  return typeof p === 'string' ? builtinPolicies.get(p) : p;
}

/** A run, with the scenario's names for looking things up afterwards. */
export interface Ran extends RunResult {
  readonly names: Names;
}

export function run(text: string, pol: string | CowPolicy = 'anon-exclusive', check: CheckMode = 'incremental'): Ran {
  const p = parse(text);
  return { ...runScenario(p, policy(pol), { check }), names: p.scenario.names };
}

/** run, and require that no op was refused and no invariant failed */
export function runClean(text: string, pol: string | CowPolicy = 'anon-exclusive'): Ran {
  const r = run(text, pol);
  expect(r.verdict, `${policy(pol).name}: ${r.violation?.message ?? r.refusal?.why}`).toBe('pass');
  return r;
}

export function mmOf(r: Ran, proc: string): Mm {
  const id = r.names.procs.indexOf(proc);
  const mm = id >= 0 ? procMm(r.world, id) : null;
  if (!mm) throw new Error(`no live process ${proc}`);
  return mm;
}

/** The PTE at LABEL+page of a process. */
export function pteAt(r: Ran, proc: string, label = 'A', page = 0): Pte {
  const mm = mmOf(r, proc);
  const l = r.names.labels.indexOf(label);
  return mm.pt[mm.labels[l]! + page]!;
}

export function present(r: Ran, proc: string, label = 'A', page = 0): PtePresent {
  const p = pteAt(r, proc, label, page);
  if (p.kind !== 'present') throw new Error(`${proc} ${label}+${page} is ${p.kind}`);
  return p;
}

export function swapPte(r: Ran, proc: string, label = 'A', page = 0): PteSwap {
  const p = pteAt(r, proc, label, page);
  if (p.kind !== 'swap') throw new Error(`${proc} ${label}+${page} is ${p.kind}`);
  return p;
}

/** The folio mapped at an address. */
export function folioAt(r: Ran, proc: string, label = 'A', page = 0): Folio {
  return r.world.k.folios[present(r, proc, label, page).folio]!;
}

export function ref(r: Ran, name: string): GupRef {
  const g = refOf(r.world, r.names.refs.indexOf(name));
  if (!g) throw new Error(`no live reference ${name}`);
  return g;
}

export function world(r: Ran): World {
  return r.world;
}

// ---- Outcomes, addresses, and hand-made corruption for the invariant tests ----

/** The value op i read or wrote (0-based; a negative i counts from the end, as Array.at does). */
export function valueAt(r: Ran, i: number): number {
  const o = r.trace.at(i)?.outcome;
  if (!o || o.kind !== 'ok' || o.value === undefined) throw new Error(`op ${i} gave no value: ${JSON.stringify(o)}`);
  return o.value;
}

/** The note op i left (reclaim: how shrink_folio_list() ended), or undefined. */
export function noteAt(r: Ran, i: number): string | undefined {
  const o = r.trace.at(i)?.outcome;
  return o && o.kind === 'ok' ? o.note : undefined;
}

/** The virtual page number of LABEL+page in a process (what mm.pt, the journal and the shadow index by). */
export function addrOf(r: Ran, proc: string, label = 'A', page = 0): number {
  return mmOf(r, proc).labels[r.names.labels.indexOf(label)]! + page;
}

/** Writes a PTE by hand through set_pte_at(), so the journal records it as it records the model's own writes. */
export function setPteAt(r: Ran, proc: string, label: string, page: number, pte: Pte): void {
  setPte(r.world.k, mmOf(r, proc), addrOf(r, proc, label, page), pte);
}

export const CHECK_MODES: readonly CheckMode[] = ['incremental', 'full'];

/** One invariant checker, as src/invariants exports them. */
export type Checker = (w: World, set: CheckSet) => Violation | null;

/**
 * Runs a scenario in check mode `mode` (it must pass), opens a new journal step and lets `change`
 * corrupt the world by hand. A change must record what it touches the way the model does (setPte /
 * setPteAt for PTEs, touchFolio() or w.journal.folio() for folios, w.journal.slot() for swap slots,
 * w.journal.addr() for the shadow's expectations), or the incremental check cannot see it.
 */
export function corrupt(text: string, pol: string | CowPolicy, mode: CheckMode, change: (r: Ran) => void): Ran {
  const r = run(text, pol, mode);
  expect(r.verdict, `${policy(pol).name} (${mode}): ${r.violation?.message ?? r.refusal?.why}`).toBe('pass');
  r.world.journal.begin();
  change(r);
  return r;
}

/**
 * Judges a world in its own check mode, with one checker or (no checker) with checkInvariants():
 * every invariant, in order. Call it once per corrupt(): the incremental set consumes the journal.
 */
export function judge(r: Ran, checker?: Checker): Violation | null {
  const w = r.world;
  if (!checker) return checkInvariants(w);
  const set = w.checkSet;
  if (w.opts.check === 'full') fillFullCheckSet(w, set);
  else fillIncrementalCheckSet(w, set);
  return checker(w, set);
}

/** A corruption that changes nothing but marks every live folio, swap slot and mapped address as touched. */
export function touchAll(r: Ran): void {
  const { k, journal } = r.world;
  for (const f of k.folios) if (f) touchFolio(k, f);
  for (const si of k.swap) for (let off = 0; off < si.map.length; off++) journal.slot(swpVal(si.type, off));
  for (const mm of k.mms) if (mm.alive) for (const v of mm.vmas) for (let a = v.start; a < v.end; a++) journal.addr(mm.id, a);
}

/**
 * In both check modes: after `change` (see corrupt()), `checker` reports `invariant` with a message
 * matching `message`, and checkInvariants() reports `first` (by default the same invariant; an
 * earlier one when the corruption breaks that too; null: not asked).
 */
export function expectCaught(
  text: string,
  pol: string | CowPolicy,
  change: (r: Ran) => void,
  checker: Checker,
  invariant: string,
  message?: RegExp,
  first: string | null = invariant,
): void {
  for (const mode of CHECK_MODES) {
    const v = judge(corrupt(text, pol, mode, change), checker);
    expect(v, `${mode}: expected ${invariant}`).not.toBeNull();
    expect(v!.invariant, `${mode}: ${v!.message}`).toBe(invariant);
    if (message) expect(v!.message, mode).toMatch(message);
    if (first !== null) expect(judge(corrupt(text, pol, mode, change))?.invariant, `${mode}: checkInvariants()`).toBe(first);
  }
}

/** In both check modes, with every folio, slot and address marked as touched: `checker` and checkInvariants() find nothing. */
export function expectQuiet(text: string, pol: string | CowPolicy, checker: Checker): void {
  for (const mode of CHECK_MODES) {
    expect(judge(corrupt(text, pol, mode, touchAll), checker), mode).toBeNull();
    expect(judge(corrupt(text, pol, mode, touchAll)), mode).toBeNull();
  }
}
