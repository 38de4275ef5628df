// A finding is written as a scenario file (replayable with `cowfuzz replay`) before anyone is
// told about it. The file name carries its signature, so the same finding is never written twice.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InvariantName } from '../invariants/types.js';
import type { Op } from '../ops/types.js';
import { printOp, printScenario } from '../scenario/print.js';
import { counterexampleScenario, type Scenario } from '../scenario/types.js';

export interface Finding {
  readonly policy: string;
  readonly invariant: InvariantName;
  readonly message: string;
  readonly seed: string;
  /** the command line options that reproduce the run */
  readonly options: string;
  /** index of the run within its seed stream, and the length before shrinking */
  readonly run: number;
  readonly originalLength: number;
  readonly ops: readonly Op[];
  readonly swapSlots: number;
}

/** (invariant, policy, shrunk scenario): two findings with the same signature are one. */
export function signature(f: Pick<Finding, 'policy' | 'invariant' | 'ops'>): string {
  const body = f.ops.map(printOp).join('\n');
  const h = createHash('sha1').update(`${f.invariant}\n${f.policy}\n${body}`).digest('hex').slice(0, 10);
  return `${f.policy}--${f.invariant}--${h}`;
}

export function findingScenario(f: Finding): Scenario {
  return counterexampleScenario({
    title: `cowfuzz finding: ${f.invariant} under ${f.policy} (${f.ops.length} ops, shrunk from ${f.originalLength})`,
    source: `cowfuzz fuzz --seed ${f.seed} ${f.options} (run ${f.run})`,
    policy: f.policy,
    invariant: f.invariant,
    message: f.message,
    ops: f.ops,
    swapSlots: f.swapSlots,
  });
}

/** Writes the finding (atomically) unless a file with its signature exists; returns the path and whether it is new. */
export function writeFinding(dir: string, f: Finding): { path: string; fresh: boolean } {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${signature(f)}.cow`);
  if (existsSync(path)) return { path, fresh: false };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, printScenario(findingScenario(f)));
  renameSync(tmp, path);
  return { path, fresh: true };
}
