// cowfuzz explain FILE [--policy P] [--vs P2]: one scenario told step by step under each policy
// (src/explain), or under two policies side by side from the first step where they part.

import { statSync } from 'node:fs';
import { explainLines } from '../explain/explain.js';
import { vsLines } from '../explain/vs.js';
import type { CowPolicy } from '../model/policy.js';
import { record, type Recording } from '../report/recording.js';
import { describeExpectation, expectationFor, meets, type ParsedScenario } from '../scenario/types.js';
import type { Ctx } from './context.js';
import { EXIT, UsageError } from './errors.js';
import { loadScenarios, problemLine } from './load.js';

export interface ExplainFlags {
  policy?: string;
  vs?: string;
  width?: string;
}

/** The policies to explain when --policy is not given: those the scenario's expect lines name, else the current kernel. */
function defaultPolicies(ctx: Ctx, sc: ParsedScenario): CowPolicy[] {
  const named = sc.scenario.expect.flatMap((e) => e.policies).filter((n) => n !== 'default' && ctx.reg.has(n));
  return named.length ? [...new Set(named)].map((n) => ctx.reg.get(n)) : [ctx.reg.get('anon-exclusive')];
}

function one(ctx: Ctx, spec: string, flag: string): CowPolicy {
  const ps = ctx.reg.resolve(spec);
  if (ps.length !== 1) throw new UsageError(`${flag} '${spec}': name one policy (it names ${ps.length})`);
  return ps[0]!;
}

function expectationOf(ctx: Ctx, sc: ParsedScenario, rec: Recording): { text: string; met: boolean } | null {
  const e = expectationFor(sc.scenario, rec.policy.name, ctx.reg.kind(rec.policy.name) === 'era');
  return e === null ? null : { text: describeExpectation(e), met: meets(e, rec.result.verdict, rec.result.at) };
}

/** 0 every expectation met (or none named), 1 one not met, 2 bad input, 3 unreadable file. */
export function explainCommand(ctx: Ctx, file: string, flags: ExplainFlags): number {
  let st;
  try {
    st = statSync(file);
  } catch {
    st = null; // loadScenarios() reports it with the cause
  }
  if (st?.isDirectory()) throw new UsageError(`${file}: explain takes one scenario file, not a folder`);
  const width = flags.width === undefined ? 72 : Number(flags.width);
  if (!Number.isInteger(width) || width < 30 || width > 400) throw new UsageError(`bad --width '${flags.width}': a column width from 30 to 400`);

  const { scenarios, problems } = loadScenarios([file], ctx.parse);
  if (problems.length) {
    for (const p of problems) ctx.err(`cowfuzz: ${problemLine(p)}`);
    return problems.some((p) => p.kind === 'io') ? EXIT.io : EXIT.usage;
  }
  const sc = scenarios[0]!;

  if (flags.vs !== undefined) {
    let left: CowPolicy;
    let right: CowPolicy;
    const pair = flags.vs.split(',').map((s) => s.trim()).filter(Boolean);
    if (pair.length === 2 && flags.policy === undefined) {
      left = one(ctx, pair[0]!, '--vs');
      right = one(ctx, pair[1]!, '--vs');
    } else {
      right = one(ctx, flags.vs, '--vs');
      left = flags.policy !== undefined ? one(ctx, flags.policy, '--policy') : defaultPolicies(ctx, sc)[0]!;
    }
    if (left.name === right.name) throw new UsageError(`--vs ${right.name}: compare two different policies`);
    const a = record(sc, left);
    const b = record(sc, right);
    const ea = expectationOf(ctx, sc, a);
    const eb = expectationOf(ctx, sc, b);
    for (const l of vsLines(a, b, { paint: ctx.paint, left: ea, right: eb, width })) ctx.out(l);
    return (ea?.met ?? true) && (eb?.met ?? true) ? EXIT.clean : EXIT.found;
  }

  const policies = flags.policy !== undefined ? ctx.reg.resolve(flags.policy) : defaultPolicies(ctx, sc);
  let unmet = 0;
  policies.forEach((pol, i) => {
    const rec = record(sc, pol);
    const e = expectationOf(ctx, sc, rec);
    if (e !== null && !e.met) unmet++;
    if (i > 0) ctx.out('');
    for (const l of explainLines(rec, { paint: ctx.paint, expectation: e })) ctx.out(l);
  });
  return unmet > 0 ? EXIT.found : EXIT.clean;
}
