// cowfuzz merge DIR... --out DIR [--baseline corpus]: one file per normalised signature; exit 1 when
// a finding is new to the baseline.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { planMerge } from '../fuzz/merge.js';
import { printScenario } from '../scenario/print.js';
import type { Ctx } from './context.js';
import { EXIT, IoError, ioCause } from './errors.js';
import { loadScenarios, problemLine } from './load.js';

export function mergeCommand(ctx: Ctx, dirs: readonly string[], outDir: string, baselineDir: string | null): number {
  const found = loadScenarios(dirs, ctx.parse);
  const base = baselineDir === null ? null : loadScenarios([baselineDir], ctx.parse);
  let code: number = EXIT.clean;
  for (const p of [...found.problems, ...(base?.problems ?? [])]) {
    ctx.err(`cowfuzz: ${problemLine(p)}`);
    code = Math.max(code, p.kind === 'io' ? EXIT.io : EXIT.usage);
  }
  const plan = planMerge(found.scenarios, base ? base.scenarios : null);
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw new IoError(`${outDir}: cannot create: ${ioCause(e)}`);
  }
  for (const [sig, p] of plan.kept) {
    const path = join(outDir, `${sig}.cow`);
    const tmp = `${path}.${process.pid}.${threadId}.tmp`;
    try {
      writeFileSync(tmp, printScenario(p.scenario));
      renameSync(tmp, path);
    } catch (e) {
      throw new IoError(`${path}: cannot write: ${ioCause(e)}`);
    }
  }
  for (const f of plan.ignored) ctx.err(`cowfuzz: ${f}: not a finding (it expects no invariant to fail); skipped`);
  ctx.out(`${found.scenarios.length} file(s), ${plan.kept.size} distinct finding(s) -> ${outDir}`);
  if (baselineDir !== null) {
    ctx.out(`${plan.fresh.length} new to ${baselineDir}${plan.fresh.length ? ':' : ''}`);
    for (const s of plan.fresh) ctx.out(`  ${s}`);
  }
  if (code !== EXIT.clean) return code;
  return baselineDir !== null && plan.fresh.length > 0 ? EXIT.found : EXIT.clean;
}
