// One throughput sample, in a process of its own, the way a `cowfuzz fuzz` worker runs: one
// fuzzer (one world) made up front, warmed up, then timed. `npm run bench` starts one of these
// per variant and round, interleaved.
//
// Why a process each: V8 specialises the hot code to the objects it has seen. A world made after
// that code was optimised (the next variant's, in one long bench process) generalises the field
// types it was compiled against, and the code is thrown away and recompiled less well: the same
// variant measured 8-11% slower after other variants than alone. A fuzz worker never does that
// (its campaign makes every fuzzer before the first run), so one bench process for all variants
// measured the bench, not the fuzzer.
//
// usage: node dist/bench/measure.js POLICY CHECK SCOPE SEED WARM RUNS  (SCOPE: default | anon | large)
// prints one JSON line: { ops, cpu, wall } (ops of the timed runs, CPU-seconds of the process, wall seconds)

import { DEFAULT_RUN_CONFIG, makeFuzzer, type RunConfig } from '../fuzz/engine.js';
import { streamRng } from '../fuzz/campaign.js';
import { ANON_SCOPE, LARGE_SCOPE } from '../engine/scope.js';
import { getPolicy } from '../policy/registry.js';
import { cpuNow } from './cpu.js';
import type { CheckMode } from '../world/world.js';

const CHECKS: readonly CheckMode[] = ['incremental', 'full', 'none'];

const SCOPES = ['default', 'anon', 'large'] as const;

/** The run configuration of a bench variant: the default one, anonymous memory only, or the large scope with 200 ops per run. */
function benchConfig(check: CheckMode, scope: (typeof SCOPES)[number]): RunConfig {
  if (scope === 'large') return { ...DEFAULT_RUN_CONFIG, check, scope: LARGE_SCOPE, maxOps: 200 };
  return scope === 'anon' ? { ...DEFAULT_RUN_CONFIG, check, scope: ANON_SCOPE } : { ...DEFAULT_RUN_CONFIG, check };
}

function main(argv: readonly string[]): void {
  const [policy, check, scope, seed, warm, runs] = argv;
  const count = (s: string | undefined): boolean => s !== undefined && /^(0|[1-9][0-9]*)$/.test(s);
  if (!count(warm) || !count(runs) || !(CHECKS as readonly string[]).includes(check!) || !(SCOPES as readonly string[]).includes(scope!)) {
    process.stderr.write('usage: measure.js POLICY CHECK SCOPE SEED WARM RUNS (CHECK: incremental | full | none; SCOPE: default | anon | large; WARM, RUNS: whole numbers)\n');
    process.exit(2);
  }
  let pol: ReturnType<typeof getPolicy>;
  try {
    pol = getPolicy(policy!);
  } catch (e) {
    process.stderr.write(`measure.js: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const f = makeFuzzer(pol, streamRng(seed!, 0, pol.name), benchConfig(check as CheckMode, scope as (typeof SCOPES)[number]));
  for (let i = 0; i < Number(warm); i++) f.run();
  const c0 = cpuNow();
  const t0 = performance.now();
  let ops = 0;
  for (let i = 0; i < Number(runs); i++) ops += f.run().opsRun;
  const cpu = cpuNow() - c0;
  const wall = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ ops, cpu, wall }) + '\n');
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`measure.js: ${(e as Error).message}\n`);
  process.exit(3);
}
