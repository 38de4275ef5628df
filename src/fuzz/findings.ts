// A finding is written as a scenario file (replayable with `cowfuzz replay`) before anyone is told
// about it. Its name is its signature: the policy, the invariant and a hash of the normalised
// (shrunk, renumbered) ops, so the same bug found twice is one file.

import { createHash } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InvariantName } from '../invariants/types.js';
import { canonicalNames } from '../ops/names.js';
import type { Op } from '../ops/registry.js';
import { printOp, printScenario } from '../scenario/print.js';
import type { Scenario } from '../scenario/types.js';
import { nameCounts } from './normalize.js';

export interface Finding {
  readonly policy: string;
  readonly invariant: InvariantName;
  readonly message: string;
  readonly seed: string;
  /** the command line options that reproduce the run */
  readonly options: string;
  /** the seed stream and the run within it where it was first found (the lowest, when found twice) */
  readonly stream: number;
  readonly run: number;
  /** the length before shrinking */
  readonly originalLength: number;
  /** shrunk and normalised (canonical names) */
  readonly ops: readonly Op[];
  readonly swapSlots: number;
  /** the decisions (and notable events) of the failing run, in the kernel's words, one per line, under a heading */
  readonly decisions?: readonly string[];
}

/** The comment above a finding's decisions. */
export const DECISIONS_HEADER = 'what the kernel decided and did, by op (cowfuzz explain FILE shows every step):';

/** The canonical printed ops of a finding. */
export function findingBody(ops: readonly Op[]): string {
  const c = nameCounts(ops);
  const names = canonicalNames(c.procs, c.labels, c.refs, c.objs);
  return ops.map((op) => printOp(op, names)).join('\n');
}

/** (policy, invariant, normalised ops): two findings with the same signature are one. */
export function signature(f: Pick<Finding, 'policy' | 'invariant' | 'ops'>): string {
  return signatureOf(f.policy, f.invariant, findingBody(f.ops));
}

export function signatureOf(policy: string, invariant: string, body: string): string {
  const h = createHash('sha1').update(`${invariant}\n${policy}\n${body}`).digest('hex').slice(0, 10);
  return `${policy}--${invariant}--${h}`;
}

/** Which of two sightings of the same signature is kept: the lower (stream, run). */
export function earlier(a: Pick<Finding, 'stream' | 'run'>, b: Pick<Finding, 'stream' | 'run'>): boolean {
  return a.stream !== b.stream ? a.stream < b.stream : a.run < b.run;
}

export function findingScenario(f: Finding): Scenario {
  const c = nameCounts(f.ops);
  return {
    title: `cowfuzz finding: ${f.invariant} under ${f.policy} (${f.ops.length} ops, shrunk from ${f.originalLength})`,
    sources: [`cowfuzz fuzz --seed ${f.seed}${f.options ? ' ' + f.options : ''} (stream ${f.stream}, run ${f.run})`],
    expect: [{ policies: [f.policy], verdict: f.invariant }],
    swapSlots: f.swapSlots,
    names: canonicalNames(c.procs, c.labels, c.refs, c.objs),
    body: [
      { kind: 'comment', text: f.message },
      ...(f.decisions ?? []).map((d) => ({ kind: 'comment' as const, text: d })),
      ...f.ops.map((op) => ({ kind: 'op' as const, op })),
    ],
  };
}

export function findingText(f: Finding): string {
  return printScenario(findingScenario(f));
}

export function findingPath(dir: string, f: Finding): string {
  return join(dir, `${signature(f)}.cow`);
}

/**
 * Writes the finding atomically (a temporary name unique to this process and thread, then
 * rename) unless a file with its signature exists; returns the path and whether it is new.
 * `replace` overwrites an existing file (the orchestrator keeping the earlier sighting).
 */
export function writeFinding(dir: string, f: Finding, replace = false): { path: string; fresh: boolean } {
  mkdirSync(dir, { recursive: true });
  const path = findingPath(dir, f);
  const exists = existsSync(path);
  if (exists && !replace) return { path, fresh: false };
  const tmp = `${path}.${process.pid}.${threadId}.tmp`;
  try {
    writeFileSync(tmp, findingText(f));
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    throw e;
  }
  return { path, fresh: !exists };
}

/** Is the file at `path` already this finding's text? */
export function sameFindingOnDisk(path: string, f: Finding): boolean {
  try {
    return readFileSync(path, 'utf8') === findingText(f);
  } catch {
    return false;
  }
}
