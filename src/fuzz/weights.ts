// Generator weights per op kind, overridable with --weights or a config file. Swarm testing
// switches a random subset of kinds off for a whole run.

import { OP_KINDS, type OpKind } from '../ops/types.js';

export type Weights = Readonly<Record<OpKind, number>>;

export const DEFAULT_WEIGHTS: Weights = {
  mmap: 3,
  munmap: 1,
  mprotect: 2,
  dontneed: 1,
  fork: 4,
  exit: 1,
  read: 4,
  write: 8,
  gup: 5,
  release: 1,
  ref_read: 2,
  ref_write: 2,
  reclaim: 4,
  clear_refs: 1,
};

export class WeightsError extends Error {}

/** Parses "write=10,reclaim=0" over a base. */
export function parseWeights(spec: string, base: Weights = DEFAULT_WEIGHTS): Weights {
  const out: Record<OpKind, number> = { ...base };
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new WeightsError(`bad weight '${part}': expected KIND=NUMBER, e.g. write=10`);
    const kind = m[1] as OpKind;
    if (!OP_KINDS.includes(kind)) throw new WeightsError(`unknown op kind '${m[1]}' in weights; expected one of ${OP_KINDS.join(', ')}`);
    out[kind] = Number(m[2]);
  }
  return out;
}

/** Swarm testing: each kind stays on with probability 1/2, but the kinds that make state (mmap, write) always stay. */
export function swarm(weights: Weights, rnd: () => number): Weights {
  const out: Record<OpKind, number> = { ...weights };
  for (const k of OP_KINDS) {
    if (k === 'mmap' || k === 'write') continue;
    if (rnd() < 0.5) out[k] = 0;
  }
  return out;
}
