// What the model says about a scenario, in the terms a kernel run can be compared with: the verdict
// and its step, the first refused op, and the first step from which the model is no longer what a
// real kernel does (a reclaim while the model's small swap device is full).

import { runScenario, scenarioSwapSlots } from '../scenario/run.js';
import type { ParsedScenario } from '../scenario/types.js';
import { ScenarioError, scenarioOps } from '../scenario/types.js';
import type { CowPolicy } from '../model/policy.js';
import { scanSwapMap } from '../model/swapfile.js';
import type { World } from '../world/world.js';
import type { Verdict } from '../engine/run.js';
import { parseKernels, versionText } from './era.js';

export interface ModelView {
  readonly policy: string;
  readonly verdict: Verdict;
  /** 1-based step of the verdict (the violating op, the first refused op), 0 for pass */
  readonly step: number;
  /** 1-based step of the first refused op, 0 if none */
  readonly refusedAt: number;
  /** 1-based step of a reclaim or MADV_PAGEOUT made while every slot of the model's swap device was taken, 0 if none */
  readonly swapFullAt: number;
  readonly swapSlots: number;
}

function swapFull(w: World): boolean {
  return w.k.swap.every((si) => scanSwapMap(si, w.k.pol.swapLowestBit) < 0);
}

export function modelView(p: ParsedScenario, pol: CowPolicy): ModelView {
  const ops = scenarioOps(p.scenario);
  let swapFullAt = 0;
  const r = runScenario(p, pol, {
    before: (w, i) => {
      const op = ops[i]!;
      const reclaims = op.kind === 'reclaim' || (op.kind === 'madvise' && op.advice === 'MADV_PAGEOUT');
      if (reclaims && swapFullAt === 0 && swapFull(w)) swapFullAt = i + 1;
    },
  });
  return {
    policy: pol.name,
    verdict: r.verdict,
    step: r.verdict === 'pass' ? 0 : r.at + 1,
    refusedAt: r.refusal ? r.refusal.at + 1 : 0,
    swapFullAt,
    swapSlots: scenarioSwapSlots(p.scenario),
  };
}

export function describeModel(m: ModelView): string {
  return m.verdict === 'pass' ? 'pass' : `${m.verdict} at ${m.step}`;
}

/**
 * One line per era for a reproducer's leading comment: `anon-exclusive-6.0 (6.0 - 6.1): pass`. A
 * scenario that runs under one era may not under another (a name made in one era and refused in
 * the other, as random scenarios drawn under one era do): that era's line says so.
 */
export function modelLines(p: ParsedScenario, eras: readonly CowPolicy[]): string[] {
  return eras.map((pol) => {
    const range = parseKernels(pol.kernels);
    const kernels = range ? (range.lo === range.hi ? versionText(range.lo) : pol.kernels.split('(')[0]!.trim()) : pol.kernels;
    let said: string;
    try {
      said = describeModel(modelView(p, pol));
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      said = `cannot replay it: ${e.message.startsWith(p.file) ? e.message.slice(p.file.length + 1) : e.message}`;
    }
    return `${`${pol.name} (${kernels})`.padEnd(34)} ${said}`;
  });
}
