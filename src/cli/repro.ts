// cowfuzz repro FILE [-o OUT.c]: the scenario as one self-contained C program that performs it on
// the running kernel (src/repro/emit.ts, runtime src/repro/cowfuzz_rt.h). The ops user space
// cannot perform are named here and in the program, which runs the steps before the first of them.

import { writeFileSync } from 'node:fs';
import { emitProgram } from '../repro/emit.js';
import { readRuntime } from '../repro/files.js';
import { modelLines } from '../repro/model.js';
import type { ParsedScenario } from '../scenario/types.js';
import type { Ctx } from './context.js';
import { EXIT, IoError, UsageError, ioCause } from './errors.js';
import { loadScenarios, problemLine } from './load.js';

export interface ReproFlags {
  out?: string;
}

/** Exactly one scenario file, parsed; bad input is a UsageError (exit 2), an unreadable file an IoError (exit 3). */
export function loadOne(ctx: Ctx, file: string): ParsedScenario {
  const { scenarios, problems } = loadScenarios([file], ctx.parse);
  const p = problems[0];
  if (p) {
    const msg = `${problemLine(p)}`;
    throw p.kind === 'io' ? new IoError(msg) : new UsageError(msg);
  }
  if (scenarios.length !== 1) throw new UsageError(`${file}: expected one scenario file, found ${scenarios.length}`);
  return scenarios[0]!;
}

export function reproCommand(ctx: Ctx, file: string, o: ReproFlags): number {
  const sc = loadOne(ctx, file);
  // running the model first also rejects a scenario whose names do not resolve (exit 2)
  const lines = modelLines(sc, ctx.reg.ofKind('era'));
  const prog = emitProgram(sc, { runtime: readRuntime(), modelLines: lines });
  if (o.out === undefined || o.out === '-') {
    process.stdout.write(prog.source);
  } else {
    try {
      writeFileSync(o.out, prog.source);
    } catch (e) {
      throw new IoError(`${o.out}: ${ioCause(e)}`);
    }
  }
  for (const u of prog.unsupported) ctx.err(`cowfuzz: ${file}: step ${u.step} '${u.text}': user space cannot perform it: ${u.why}`);
  if (prog.unsupported.length) {
    ctx.err(`cowfuzz: ${file}: the program runs steps 1 to ${prog.unsupported[0]!.step - 1} of ${prog.steps}, then stops (verdict: unsupported unless a violation came first)`);
  }
  if (o.out !== undefined && o.out !== '-') ctx.err(`wrote ${o.out} (${prog.steps} steps); build and run: gcc -Wall -Werror -O2 -o repro ${o.out} && sudo ./repro`);
  return EXIT.clean;
}
