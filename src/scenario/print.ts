// Printer for the scenario language: parseScenario(printScenario(s)).scenario deep-equals s.

import type { Op } from '../ops/types.js';
import { printAddr, printGupFlags } from './syntax.js';
import type { Scenario } from './types.js';

export function printOp(op: Op): string {
  switch (op.kind) {
    case 'mmap':
      return `mmap ${op.mm} ${op.vma} ${op.pages}${op.write ? '' : ' ro'}`;
    case 'munmap':
      return `munmap ${op.mm} ${op.vma}`;
    case 'mprotect':
      return `mprotect ${op.mm} ${op.vma} ${op.write ? 'rw' : 'ro'}`;
    case 'dontneed':
      return `madvise ${op.mm} ${printAddr(op.vma, op.page)} MADV_DONTNEED`;
    case 'fork':
      return `fork ${op.mm} ${op.child}`;
    case 'exit':
      return `exit ${op.mm}`;
    case 'read':
      return `read ${op.mm} ${printAddr(op.vma, op.page)}`;
    case 'write':
      return `write ${op.mm} ${printAddr(op.vma, op.page)}`;
    case 'gup':
      return `gup ${op.mm} ${printAddr(op.vma, op.page)} ${printGupFlags(op.flags)} as ${op.ref}`;
    case 'release':
      return `${op.how} ${op.ref}`;
    case 'ref_read':
      return `read ${op.ref}`;
    case 'ref_write':
      return `write ${op.ref}`;
    case 'reclaim':
      return `reclaim ${op.mm} ${printAddr(op.vma, op.page)}`;
    case 'clear_refs':
      return `clear_refs ${op.mm}`;
  }
}

export function printScenario(s: Scenario): string {
  const out: string[] = [`title ${s.title}`];
  for (const src of s.sources) out.push(`source ${src}`);
  for (const e of s.expect) out.push(`expect ${e.policy} ${e.verdict}`);
  if (s.swapSlots !== undefined) out.push(`swap ${s.swapSlots}`);
  out.push('');
  for (const b of s.body) {
    if (b.kind === 'comment') out.push(b.text ? `# ${b.text}` : '#');
    else out.push(b.note ? `${printOp(b.op)}  # ${b.note}` : printOp(b.op));
  }
  return out.join('\n') + '\n';
}
