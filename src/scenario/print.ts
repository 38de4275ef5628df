// Printer for the scenario language: parseScenario(printScenario(s)).scenario deep-equals s.

import type { Names } from '../ops/names.js';
import { specOf, type Op } from '../ops/registry.js';
import { describeExpectation, type Scenario } from './types.js';

export function printOp(op: Op, names: Names): string {
  return specOf(op.kind).print(op, names);
}

export function printScenario(s: Scenario): string {
  const out: string[] = [`title ${s.title}`];
  for (const src of s.sources) out.push(`source ${src}`);
  for (const e of s.expect) out.push(`expect ${e.policies.join(',')} ${describeExpectation(e)}`);
  if (s.swapSlots !== undefined) out.push(`swap ${s.swapSlots}`);
  out.push('');
  for (const b of s.body) {
    if (b.kind === 'comment') out.push(b.text ? `# ${b.text}` : '#');
    else out.push(b.note ? `${printOp(b.op, s.names)}  # ${b.note}` : printOp(b.op, s.names));
  }
  return out.join('\n') + '\n';
}
