// One job's fuzzing campaign: a seeded stream of runs over the chosen policies, shrinking failures
// and handing each new finding over (to be written to disk) before anything else happens.
// Deterministic for a seed, a stream and a run count.

import seedrandom from 'seedrandom';
import { decisionLines, traceNamed } from '../scenario/trace.js';
import { canonicalNamesFor } from './normalize.js';
import type { CowPolicy } from '../model/policy.js';
import { DEFAULT_RUN_CONFIG, makeFuzzer, runConfigFor, type RunConfig } from './engine.js';
import { DECISIONS_HEADER, signature, type Finding } from './findings.js';
import { shrink } from './shrink.js';

export interface CampaignOptions {
  readonly policies: readonly CowPolicy[];
  readonly seed: string;
  /** this job's stream number (see options.ts streamOf()) */
  readonly stream: number;
  readonly runs: number | null;
  /** wall-clock deadline (ms since epoch) or null */
  readonly deadline: number | null;
  readonly run: RunConfig;
  /** options to print in findings so a replay can reproduce the run */
  readonly optionsText: string;
  /** shrink at most this many failures per (policy, invariant); later ones are counted, not shrunk */
  readonly shrinkPerKey: number;
}

export interface CampaignEvents {
  /** a new signature (not yet seen by this job), shrunk; the callee writes it before reporting it */
  finding(f: Finding): void;
  progress(s: CampaignStats): void;
  shouldStop(): boolean;
  /** a run failed (before shrinking): for time-to-find measurements */
  failure?(policy: string, invariant: string, execs: number): void;
}

export interface CampaignStats {
  execs: number;
  ops: number;
  failures: number;
  findings: number;
  /** sightings per signature (shrunk failures) */
  readonly perSignature: Map<string, number>;
  /** failures per (policy/invariant) that were not shrunk (the budget per key was spent) */
  readonly unshrunk: Map<string, number>;
  /** per policy/invariant: the exec count at its first failure */
  readonly firstFailure: Map<string, number>;
  interrupted: boolean;
}

/**
 * One stream over one policy with the default run configuration, each (policy, invariant) shrunk
 * once: what the property suites and the benchmark run.
 */
export function inMemoryCampaign(policy: CowPolicy, seed: string, runs: number, run: RunConfig = DEFAULT_RUN_CONFIG): CampaignOptions {
  return { policies: [policy], seed, stream: 0, runs, deadline: null, run, optionsText: '', shrinkPerKey: 1 };
}

/** The PRNG of one (seed, stream, policy): disjoint for different streams. Alea: seedrandom's fastest generator. */
export function streamRng(seed: string, stream: number, policy: string): () => number {
  return seedrandom.alea(`${seed}/${stream}/${policy}`);
}

export function newStats(): CampaignStats {
  return { execs: 0, ops: 0, failures: 0, findings: 0, perSignature: new Map(), unshrunk: new Map(), firstFailure: new Map(), interrupted: false };
}

export function runCampaign(o: CampaignOptions, ev: CampaignEvents): CampaignStats {
  const stats = newStats();
  const configs = o.policies.map((p) => runConfigFor(p, o.run));
  const fuzzers = o.policies.map((p, i) => makeFuzzer(p, streamRng(o.seed, o.stream, p.name), configs[i]!));
  const shrunkPerKey = new Map<string, number>();
  let lastProgress = Date.now();
  for (let run = 0; ; run++) {
    if (o.runs !== null && run >= o.runs) break;
    if (ev.shouldStop()) {
      stats.interrupted = true;
      break;
    }
    if ((run & 31) === 0) {
      const now = Date.now();
      if (o.deadline !== null && now >= o.deadline) break;
      if (now - lastProgress > 200) {
        lastProgress = now;
        ev.progress(stats);
      }
    }
    const pi = run % o.policies.length;
    const pol = o.policies[pi]!;
    const r = fuzzers[pi]!.run();
    stats.execs++;
    stats.ops += r.opsRun;
    if (!r.failure) continue;
    stats.failures++;
    const inv = r.failure.violation.invariant;
    const key = `${pol.name}/${inv}`;
    ev.failure?.(pol.name, inv, stats.execs);
    if (!stats.firstFailure.has(key)) stats.firstFailure.set(key, stats.execs);
    const n = shrunkPerKey.get(key) ?? 0;
    if (n >= o.shrinkPerKey) {
      stats.unshrunk.set(key, (stats.unshrunk.get(key) ?? 0) + 1);
      continue;
    }
    shrunkPerKey.set(key, n + 1);
    const swapSlots = configs[pi]!.scope.swapSlots;
    const ops = shrink(r.failure.ops, pol, inv, { swapSlots });
    // replayed once with a tracer: the message in canonical names, and the decisions that led
    // there, so a reader of the finding file sees the cause without running anything
    const names = canonicalNamesFor(ops);
    const traced = traceNamed(ops, names, pol, { swapSlots });
    const decisions = decisionLines(ops, names, traced);
    const f: Finding = {
      policy: pol.name,
      invariant: inv,
      message: traced.result.violation?.message ?? r.failure.violation.message,
      seed: o.seed,
      options: o.optionsText,
      stream: o.stream,
      run,
      originalLength: r.failure.ops.length,
      ops,
      swapSlots,
      decisions: decisions.length ? [DECISIONS_HEADER, ...decisions] : [],
    };
    const sig = signature(f);
    const seen = stats.perSignature.get(sig) ?? 0;
    stats.perSignature.set(sig, seen + 1);
    if (seen > 0) continue;
    stats.findings++;
    ev.finding(f);
  }
  ev.progress(stats);
  return stats;
}
