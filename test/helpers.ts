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
