// A run, described for `cowfuzz replay`: each op with what it returned, the violation with the
// state of the folios involved.

import type { RunResult } from '../engine/run.js';
import type { Names } from '../ops/names.js';
import { printOp } from '../scenario/print.js';
import { dumpState } from './state.js';

export interface DescribeOptions {
  readonly names: Names;
  readonly opLines: readonly number[];
  readonly file: string;
  /** dump the folios and PTEs involved in a violation */
  readonly state: boolean;
}

export function describeRun(r: RunResult, o: DescribeOptions): string[] {
  const lines: string[] = [];
  const words = r.world.words;
  if (r.violation) {
    const line = o.opLines[r.at];
    lines.push(`step ${r.at + 1}${line !== undefined ? ` (${o.file}:${line})` : ''}: ${printOp(r.trace[r.at]!.op, o.names)}`);
    lines.push(`${r.violation.invariant}: ${r.violation.message}`);
    if (o.state) for (const l of dumpState(r.world, r.violation.folios)) lines.push(`  ${l}`);
  } else if (r.refusal) {
    const line = o.opLines[r.refusal.at];
    lines.push(`step ${r.refusal.at + 1}${line !== undefined ? ` (${o.file}:${line})` : ''}: ${printOp(r.trace[r.refusal.at]!.op, o.names)} -> ${r.refusal.why}`);
  }
  r.trace.forEach((t, i) => {
    const out = t.outcome;
    if (out.kind === 'ok' && out.value !== undefined && (t.op.kind === 'read' || o.state)) {
      lines.push(`  ${i + 1}. ${printOp(t.op, o.names)} -> ${words.value(out.value)}`);
    }
  });
  return lines;
}
