// Generator weights per op kind (the scenario verbs: write=10,reclaim=0), overridable with
// --weights or a config file. Swarm testing switches a random half of the kinds off for a run.

import { OP_KINDS, OP_SPECS, type OpKind } from '../ops/registry.js';
import type { Scope } from '../ops/types.js';
import { kindInScope } from './generate.js';

export type Weights = Readonly<Record<OpKind, number>>;

export const DEFAULT_WEIGHTS: Weights = Object.fromEntries(OP_SPECS.map((s) => [s.kind, s.weight])) as Record<OpKind, number>;

export class WeightsError extends Error {}

const WEIGHT = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** Parses "write=10,reclaim=0" over a base. */
export function parseWeights(spec: string, base: Weights = DEFAULT_WEIGHTS): Weights {
  const out: Record<OpKind, number> = { ...base };
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)=(.*)$/.exec(part);
    if (!m) throw new WeightsError(`bad weight '${part}': expected KIND=NUMBER, e.g. write=10`);
    const kind = m[1] as OpKind;
    if (!OP_KINDS.includes(kind)) throw new WeightsError(`unknown op kind '${m[1]}' in weights; expected one of ${OP_KINDS.join(', ')}`);
    if (!WEIGHT.test(m[2]!)) throw new WeightsError(`bad weight '${m[2]}' for ${kind}: expected a plain decimal number`);
    out[kind] = Number(m[2]);
  }
  return out;
}

/** Checks that a weight set can make a run at all: mmap (the only way to start) must be on. */
export function weightsProblem(w: Weights): string | null {
  if (!(w.mmap > 0)) return 'mmap has weight 0: no run could start (every run begins with an mmap)';
  return null;
}

/**
 * The kinds a swarm run keeps: each with probability 1/2, but mmap and write always; a kind the
 * scope leaves out is off and costs no coin.
 */
export function swarm(weights: Weights, rnd: () => number, scope?: Scope): Weights {
  const out: Record<OpKind, number> = { ...weights };
  OP_KINDS.forEach((k, i) => {
    if (!kindInScope(OP_SPECS[i]!, scope)) out[k] = 0;
    else if (k === 'mmap' || k === 'write' || scope?.swarmKeep?.includes(k)) return;
    else if (rnd() < 0.5) out[k] = 0;
  });
  return out;
}

/** Per kind (OP_SPECS order): 1 kept on in every swarm run (mmap and write), 2 left out by the scope (no coin), 0 a coin. */
export function swarmKeep(_w: Weights, scope?: Scope): Uint8Array {
  return Uint8Array.from(OP_SPECS.map((s) => (!kindInScope(s, scope) ? 2 : s.kind === 'mmap' || s.kind === 'write' || scope?.swarmKeep?.includes(s.kind) ? 1 : 0)));
}

/** swarm() into a reusable weight array (OP_SPECS order), drawing the same coins in the same order. */
export function swarmInto(out: Float64Array, base: Float64Array, keep: Uint8Array, rnd: () => number): void {
  for (let i = 0; i < base.length; i++) {
    const k = keep[i];
    if (k === 1) out[i] = base[i]!;
    else if (k === 2) out[i] = 0;
    else out[i] = rnd() < 0.5 ? 0 : base[i]!;
  }
}
