// cowfuzz exhaust: breadth-first over every op sequence up to a depth in exhaust's scope.

import { EXHAUST_SCOPES } from '../engine/scope.js';
import type { Scope } from '../ops/types.js';
import type { ExhaustResult } from '../exhaust/exhaust.js';
import { startExhaustPool } from '../exhaust/pool.js';
import { isInvariantName, type InvariantName } from '../invariants/types.js';
import { canonicalNamesFor } from '../fuzz/normalize.js';
import { printOp, printScenario } from '../scenario/print.js';
import type { Scenario } from '../scenario/types.js';
import { runNamed } from '../scenario/run.js';
import type { CowPolicy } from '../model/policy.js';
import type { Ctx } from './context.js';
import { EXIT, UsageError } from './errors.js';
import { positiveInt } from '../fuzz/options.js';

export interface ExhaustFlags {
  depth: string;
  policy: string;
  invariant?: string;
  maxStates: string;
  json: boolean;
  scope: string;
  jobs: string;
}

export function exhaustScenario(pol: CowPolicy, r: Extract<ExhaustResult, { kind: 'counterexample' }>, depth: number, invariant?: string, scopeName = 'anon'): Scenario {
  const policy = pol.name;
  const names = canonicalNamesFor(r.ops);
  const swapSlots = EXHAUST_SCOPES[scopeName]!.swapSlots;
  // the message again, in the scenario's names
  const message = runNamed(r.ops, names, pol, { swapSlots }).violation?.message ?? r.violation.message;
  return {
    title: `cowfuzz exhaust: ${r.violation.invariant} under ${policy} (${r.ops.length} ops, a shortest counterexample)`,
    sources: [`cowfuzz exhaust --policy ${policy} --depth ${depth}${scopeName !== 'anon' ? ` --scope ${scopeName}` : ''}${invariant ? ` --invariant ${invariant}` : ''}`],
    expect: [{ policies: [policy], verdict: r.violation.invariant }],
    swapSlots,
    names,
    body: [{ kind: 'comment', text: message }, ...r.ops.map((op) => ({ kind: 'op' as const, op }))],
  };
}

/** 0 clean within the scope and depth, 1 a counterexample (printed as a scenario), 3 stopped early. */
export async function exhaustCommand(ctx: Ctx, f: ExhaustFlags): Promise<number> {
  const pol = ctx.reg.get(f.policy);
  if (!/^(0|[1-9][0-9]*)$/.test(f.depth)) throw new UsageError(`bad --depth '${f.depth}': expected a whole number >= 0`);
  const depth = Number(f.depth);
  if (f.invariant !== undefined && !isInvariantName(f.invariant)) throw new UsageError(`unknown invariant '${f.invariant}' (see 'cowfuzz invariants')`);
  const maxStates = positiveInt(f.maxStates, '--max-states');
  const invariant = f.invariant as InvariantName | undefined;
  const scope: Scope | undefined = Object.hasOwn(EXHAUST_SCOPES, f.scope) ? EXHAUST_SCOPES[f.scope] : undefined;
  if (scope === undefined) throw new UsageError(`bad --scope '${f.scope}': expected ${Object.keys(EXHAUST_SCOPES).join(', ')}`);
  const jobs = positiveInt(f.jobs, '--jobs', 64);
  // the search runs in worker threads: this thread stays free, so a signal stops it at once
  const pool = startExhaustPool({ policy: pol, depth, maxStates, scope, ...(invariant ? { invariant } : {}) }, jobs, ctx.policyModules);
  let stopped = false;
  const onSignal = (): void => {
    if (stopped) process.exit(130);
    stopped = true;
    pool.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let r: ExhaustResult;
  try {
    r = await pool.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const rate = Math.round(r.states / Math.max(r.elapsedMs / 1000, 1e-3));
  const secs = (r.elapsedMs / 1000).toFixed(1);
  const scenario = r.kind === 'counterexample' ? exhaustScenario(pol, r, depth, invariant, f.scope) : null;
  if (f.json) {
    const base = { policy: pol.name, scope: f.scope, depth, invariant: invariant ?? null, kind: r.kind, states: r.states, sequences: r.sequences, seconds: Number(secs), statesPerSecond: rate, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
    if (r.kind === 'counterexample') {
      ctx.out(JSON.stringify({ ...base, length: r.ops.length, invariantFailed: r.violation.invariant, message: r.violation.message, ops: r.ops.map((op) => printOp(op, scenario!.names)), scenario: printScenario(scenario!) }));
    } else if (r.kind === 'incomplete') ctx.out(JSON.stringify({ ...base, completedDepth: r.completedDepth, reason: r.reason }));
    else ctx.out(JSON.stringify(base));
  } else if (r.kind === 'counterexample') {
    ctx.out(printScenario(scenario!).trimEnd());
    ctx.out(`# ${r.ops.length}-op counterexample; ${r.states} states, ${r.sequences} sequences in ${secs}s (${rate} states/s)`);
  } else if (r.kind === 'incomplete') {
    ctx.out(`${pol.name}: incomplete (${r.reason}): clean to depth ${r.completedDepth} of ${depth} (${r.states} states, ${r.sequences} sequences, ${secs}s, ${rate} states/s)`);
  } else {
    ctx.out(`${pol.name}: clean to depth ${r.depth}${invariant ? ` for ${invariant}` : ''} (${r.states} states, ${r.sequences} sequences, ${secs}s, ${rate} states/s)`);
  }
  return r.kind === 'clean' ? EXIT.clean : r.kind === 'counterexample' ? EXIT.found : EXIT.io;
}
