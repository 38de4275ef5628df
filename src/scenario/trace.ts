// Running ops or a scenario with a tracer attached: the run's verdict plus every decision and event
// of every step (engine/trace.ts), in the scenario's own names. Finding files, `explain` and the
// HTML report are built from this.

import { ImpossibleOpError, runOps, type RunResult } from '../engine/run.js';
import { entryText, TraceCollector } from '../engine/trace.js';
import type { CowPolicy } from '../model/policy.js';
import type { Names } from '../ops/names.js';
import type { Op } from '../ops/registry.js';
import { newWorld, type World } from '../world/world.js';
import type { Words } from '../world/words.js';
import { printOp } from './print.js';
import { fileName, scenarioSwapSlots, scenarioWords } from './run.js';
import { ScenarioError, scenarioOps, type ParsedScenario } from './types.js';

export interface TracedRun {
  readonly result: RunResult;
  readonly trace: TraceCollector;
}

export interface TraceOptions {
  readonly swapSlots: number;
  /** values say the step that wrote them: "value #2 (written by P0 at A in step 6)" */
  readonly stepWords?: boolean;
  /** called before each op, after the tracer is attached (a snapshot of the state before it) */
  readonly before?: (w: World, i: number) => void;
}

/**
 * Words whose values also name the step that wrote them. The shadow's clock ticks on every write
 * and fork; the clock before each step tells which step a value's time falls in.
 */
function wordsWithSteps(w: World, base: Words, clockBefore: readonly number[]): Words {
  return {
    ...base,
    value(v) {
      const text = base.value(v);
      const t = w.shadow.valueTime[v];
      if (t === undefined || v === 0) return text;
      let step = 0;
      for (let i = 0; i < clockBefore.length; i++) if (clockBefore[i]! < t) step = i + 1;
      if (step === 0) return text;
      return text.endsWith(')') ? `${text.slice(0, -1)} in step ${step})` : `${text} (step ${step})`;
    },
  };
}

/** Runs ops in a fresh world named by `names`, recording every decision and event by step. Throws ImpossibleOpError. */
export function traceNamed(ops: readonly Op[], names: Names, pol: CowPolicy, o: TraceOptions): TracedRun {
  const w = newWorld(pol, { swapSlots: o.swapSlots, check: 'incremental' });
  const base = scenarioWords(w, names);
  const clockBefore: number[] = [];
  w.words = o.stepWords ? wordsWithSteps(w, base, clockBefore) : base;
  w.fileWords = (ino) => fileName(w, names, ino);
  const trace = new TraceCollector();
  try {
    const result = runOps(
      ops,
      pol,
      {
        swapSlots: o.swapSlots,
        before: (world, i) => {
          world.k.tracer = trace;
          trace.beginStep(i);
          clockBefore[i] = world.shadow.clock;
          o.before?.(world, i);
        },
      },
      w,
    );
    return { result, trace };
  } finally {
    w.k.tracer = null;
  }
}

/** traceNamed() for a parsed scenario: an op whose names do not resolve is a ScenarioError at its line. */
export function traceScenario(p: ParsedScenario, pol: CowPolicy, o: Partial<TraceOptions> = {}): TracedRun {
  const s = p.scenario;
  const ops = scenarioOps(s);
  try {
    return traceNamed(ops, s.names, pol, { swapSlots: scenarioSwapSlots(s), ...o });
  } catch (e) {
    if (e instanceof ImpossibleOpError) {
      throw new ScenarioError(p.file, p.opLines[e.index] ?? 1, 1, `'${ops[e.index]!.kind}' cannot run here: ${e.message}`);
    }
    throw e;
  }
}

/** Events that only say a folio was allocated: the copy or read that needed it says more. */
const QUIET_EVENTS = /_alloc(_folio)?$/;

/**
 * The decisions (and the notable events: a copy, a swap-out) of a traced run, one line each, for a
 * finding file's comments: `step 6 (write P0 A): do_wp_page: reuse_swap_page: mapcount 1,
 * swapcount 0 -> reuse`.
 */
export function decisionLines(ops: readonly Op[], names: Names, t: TracedRun): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.result.trace.length; i++) {
    for (const e of t.trace.at(i)) {
      if (e.kind === 'event' && QUIET_EVENTS.test(e.fn)) continue;
      out.push(`step ${i + 1} (${printOp(ops[i]!, names)}): ${entryText(e)}`);
    }
  }
  return out;
}
