// One job's fuzzing campaign: a seeded stream of runs over the chosen policies, shrinking each
// new failure and writing it to disk before reporting it. Deterministic for a seed and a run count.

import seedrandom from 'seedrandom';
import type { CowPolicy } from '../policy/types.js';
import { DEFAULT_RUN_CONFIG, fuzzOnce, type RunConfig } from './engine.js';
import { signature, writeFinding, type Finding } from './findings.js';
import { shrink } from './shrink.js';
import { runOps } from '../scenario/run.js';

export interface CampaignOptions {
  readonly policies: readonly CowPolicy[];
  readonly seed: string;
  /** this job's stream number (job index, offset by the shard) */
  readonly stream: number;
  readonly runs: number | null;
  /** wall-clock deadline (ms since epoch) or null */
  readonly deadline: number | null;
  readonly run: RunConfig;
  readonly outDir: string | null;
  /** options to print in findings so a replay can reproduce the run */
  readonly optionsText: string;
  /** shrink at most this many failures per (policy, invariant); later ones are only counted */
  readonly shrinkPerSignature: number;
}

export interface CampaignEvents {
  finding(f: Finding, path: string | null, fresh: boolean): void;
  progress(s: CampaignStats): void;
  shouldStop(): boolean;
  /** a run failed (before shrinking): for time-to-find measurements */
  failure?(policy: string, invariant: string): void;
}

export interface CampaignStats {
  execs: number;
  ops: number;
  failures: number;
  findings: number;
  /** per policy: the exec count at the first failure of each invariant */
  readonly firstFailure: Map<string, number>;
}

/**
 * One stream over one policy with the default run configuration, nothing written to disk, each
 * (policy, invariant) shrunk once: what the property suites and the benchmark run.
 */
export function inMemoryCampaign(policy: CowPolicy, seed: string, runs: number): CampaignOptions {
  return {
    policies: [policy],
    seed,
    stream: 0,
    runs,
    deadline: null,
    run: DEFAULT_RUN_CONFIG,
    outDir: null,
    optionsText: '',
    shrinkPerSignature: 1,
  };
}

/** The PRNG of one (seed, stream, policy): disjoint for different streams. Alea: seedrandom's fastest generator. */
export function streamRng(seed: string, stream: number, policy: string): () => number {
  return seedrandom.alea(`${seed}/${stream}/${policy}`);
}

export function runCampaign(o: CampaignOptions, ev: CampaignEvents): CampaignStats {
  const stats: CampaignStats = { execs: 0, ops: 0, failures: 0, findings: 0, firstFailure: new Map() };
  const rngs = o.policies.map((p) => streamRng(o.seed, o.stream, p.name));
  const shrunkCount = new Map<string, number>();
  const seen = new Set<string>();
  let lastProgress = 0;
  for (let run = 0; ; run++) {
    if (o.runs !== null && run >= o.runs) break;
    if ((run & 63) === 0) {
      if (ev.shouldStop()) break;
      if (o.deadline !== null && Date.now() >= o.deadline) break;
      const now = Date.now();
      if (now - lastProgress > 250) {
        lastProgress = now;
        ev.progress(stats);
      }
    }
    const pi = run % o.policies.length;
    const pol = o.policies[pi]!;
    const r = fuzzOnce(pol, rngs[pi]!, o.run);
    stats.execs++;
    stats.ops += r.opsRun;
    if (!r.failure) continue;
    stats.failures++;
    const inv = r.failure.violation.invariant;
    ev.failure?.(pol.name, inv);
    const key = `${pol.name}/${inv}`;
    if (!stats.firstFailure.has(key)) stats.firstFailure.set(key, stats.execs);
    const n = shrunkCount.get(key) ?? 0;
    if (n >= o.shrinkPerSignature) continue;
    shrunkCount.set(key, n + 1);
    const ops = shrink(r.failure.ops, pol, inv, { swapSlots: o.run.scope.swapSlots });
    const f: Finding = {
      policy: pol.name,
      invariant: inv,
      message: runOps(ops, pol, o.run.scope.swapSlots).violation?.message ?? r.failure.violation.message,
      seed: o.seed,
      options: o.optionsText,
      run,
      originalLength: r.failure.ops.length,
      ops,
      swapSlots: o.run.scope.swapSlots,
    };
    const sig = signature(f);
    if (seen.has(sig)) continue;
    seen.add(sig);
    stats.findings++;
    // written before it is reported: an interrupted run keeps it
    const w = o.outDir ? writeFinding(o.outDir, f) : null;
    ev.finding(f, w ? w.path : null, w ? w.fresh : true);
  }
  ev.progress(stats);
  return stats;
}
