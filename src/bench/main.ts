// npm run bench [-- --json] [-- --quick] [-- --only SECTION]: how fast cowfuzz finds bugs, measured fairly on a shared,
// noisy machine: CPU time beside wall time, the things compared interleaved in one run, several
// repetitions, min and median. Prints markdown tables (or one JSON document with --json).
//
// - throughput: checked ops per CPU-second per era at the default scope; anon-exclusive also with
//   no invariants (raw), with --check full, and at a large scope (24 processes, 16 pages, 8 refs);
// - where an op's time goes: generating it against stepping it, by kind;
// - seeded bugs: runs-to-find (no timing noise) and time-to-find, cowfuzz's loop against
//   fast-check's fc.commands over the same model, invariants, scope and ops per run (only
//   executed commands counted);
// - --jobs 1 against --jobs 2 as interleaved pairs of the same fixed run count: a short, a long and a
//   nightly one, wall time and each process's CPU time;
// - exhaust depth 5 and 6 of anon-exclusive with --jobs 1 and with one job per core: seconds, states/s, peak memory;
// - `cowfuzz policies` start-up wall time.

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { randomChoose } from '../engine/choose.js';
import { cpuNow } from './cpu.js';
import { generateFrom, kindTable, refreshKindTable, weightArray, weightedKinds } from '../engine/generate.js';
import { ANON_SCOPE, DEFAULT_SCOPE, FUZZ_SCOPES, LARGE_SCOPE } from '../engine/scope.js';
import { step } from '../engine/step.js';
import { swarmInto, swarmKeep } from '../engine/weights.js';
import { resetWorld } from '../world/reset.js';
import { newWorld } from '../world/world.js';
import { DEFAULT_RUN_CONFIG, makeFuzzer } from '../fuzz/engine.js';
import { streamRng } from '../fuzz/campaign.js';
import { DEFAULT_COMMANDS, noInvariantFails, type Real } from '../fuzz/fc-commands.js';
import { OP_SPECS } from '../ops/registry.js';
import { eraPolicies, getPolicy, seededBugs } from '../policy/registry.js';
import type { CheckMode } from '../world/world.js';

const args = process.argv.slice(2);
const JSON_OUT = args.includes('--json');
const QUICK = args.includes('--quick');
const REPS = QUICK ? 3 : 5;
const BIN = fileURLToPath(new URL('../../bin/cowfuzz.js', import.meta.url));

const log = (s: string): void => {
  if (!JSON_OUT) process.stdout.write(s + '\n');
};
const progress = (s: string): void => void process.stderr.write(`bench: ${s}\n`);

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]): number => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const min = (xs: readonly number[]): number => sorted(xs)[0]!;
const max = (xs: readonly number[]): number => sorted(xs)[xs.length - 1]!;
const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

interface Variant {
  readonly label: string;
  readonly policy: string;
  readonly check: CheckMode;
  /** measure.js's scope: the default, anonymous memory only (the default less files), or the large one */
  readonly scope: 'default' | 'anon' | 'large';
}

const MEASURE = fileURLToPath(new URL('./measure.js', import.meta.url));

/**
 * Ops per CPU-second (and per wall-second) of one variant over `runs` runs, in a process of its own
 * as a fuzz worker runs it (see measure.ts for why), after `warm` runs of the same fuzzer.
 */
function measure(v: Variant, warm: number, runs: number, seed: string): { cpu: number; wall: number; ops: number } {
  const out = execFileSync(process.execPath, [MEASURE, v.policy, v.check, v.scope, seed, String(warm), String(runs)], { encoding: 'utf8' });
  const m = JSON.parse(out) as { ops: number; cpu: number; wall: number };
  return { cpu: m.ops / m.cpu, wall: m.ops / m.wall, ops: m.ops };
}

function throughput(): Record<string, { min: number; median: number; max: number; wallMedian: number }> {
  const variants: Variant[] = [
    ...eraPolicies.map((p) => ({ label: p.name, policy: p.name, check: 'incremental' as const, scope: 'default' as const })),
    { label: 'anon-exclusive, raw (no invariants)', policy: 'anon-exclusive', check: 'none', scope: 'default' },
    { label: 'anon-exclusive, --check full', policy: 'anon-exclusive', check: 'full', scope: 'default' },
    // the default scope less files (maxObjs 0): what the default was before files joined it, to
    // show what the file ops and file-backed memory cost every op
    { label: 'anon-exclusive, anonymous memory only', policy: 'anon-exclusive', check: 'incremental', scope: 'anon' },
    { label: 'anon-exclusive, large scope', policy: 'anon-exclusive', check: 'incremental', scope: 'large' },
  ];
  // the timed runs follow the warm-up runs of the same fuzzer: V8 has compiled the hot code by
  // about 16,000 default-scope runs, and the background threads (its compiler, the GC) settle
  // by about 30,000 (the large scope's runs are 5 times longer)
  const runs = QUICK ? 4000 : 12000;
  const warm = 30_000; // --quick too: with 10,000 the CPU figure read 5-13% low (TurboFan still compiling)
  const samples = new Map<string, { cpu: number[]; wall: number[] }>(variants.map((v) => [v.label, { cpu: [], wall: [] }]));
  for (let rep = 0; rep < REPS; rep++) {
    progress(`throughput, round ${rep + 1} of ${REPS}`);
    for (const v of variants) {
      const m = v.scope === 'large' ? measure(v, warm / 10, runs / 10, `bench-${rep}`) : measure(v, warm, runs, `bench-${rep}`);
      samples.get(v.label)!.cpu.push(m.cpu);
      samples.get(v.label)!.wall.push(m.wall);
    }
  }
  log('## Throughput: model ops per second, one core\n');
  log(
    `Interleaved, ${REPS} rounds; each sample a process of its own that makes one fuzzer, as a fuzz worker does, and times ${runs.toLocaleString('en-US')} runs (the large scope: ${(runs / 10).toLocaleString('en-US')} runs of 200 ops) after ${warm.toLocaleString('en-US')} (${(warm / 10).toLocaleString('en-US')}) warm-up runs; every invariant judged after every op unless said otherwise.\n`,
  );
  log('| variant | per CPU-second: min | median | max | per wall-second: median |');
  log('|---|---|---|---|---|');
  const out: Record<string, { min: number; median: number; max: number; wallMedian: number }> = {};
  for (const v of variants) {
    const s = samples.get(v.label)!;
    out[v.label] = { min: min(s.cpu), median: median(s.cpu), max: max(s.cpu), wallMedian: median(s.wall) };
    log(`| ${v.label} | ${fmt(min(s.cpu))} | ${fmt(median(s.cpu))} | ${fmt(max(s.cpu))} | ${fmt(median(s.wall))} |`);
  }
  log('');
  return out;
}

/**
 * Where an op's time goes: generating it (kinds proposed by weight until one is possible, then its build())
 * against stepping it (apply and the invariants), per kind, timed op by op with the process's
 * high-resolution clock (its own cost, measured alongside, is subtracted). The fuzzer's loop,
 * unrolled here so the hot loop itself carries no timer. A CPU profile cannot tell these apart
 * well: V8 inlines the builds and the checks into their callers.
 */
function perOp(): { generateNs: number; stepNs: number; byKind: Record<string, { ops: number; stepNs: number }> } {
  const now = process.hrtime.bigint;
  let clock = 0n;
  for (let i = 0; i < 100_000; i++) {
    const a = now();
    clock += now() - a;
  }
  const clockNs = Number(clock) / 100_000;
  const cfg = DEFAULT_RUN_CONFIG;
  const base = weightArray({ ...cfg.weights, ...cfg.scope.weights }, cfg.scope);
  const kinds = weightedKinds(base);
  const weights = base.slice();
  const table = kindTable(weights, kinds);
  const keep = swarmKeep(cfg.weights, cfg.scope);
  const rnd = streamRng('bench-per-op', 0, 'anon-exclusive');
  const c = randomChoose(rnd);
  const w = newWorld(getPolicy('anon-exclusive'), { swapSlots: cfg.scope.swapSlots, check: 'incremental' });
  const runs = QUICK ? 8000 : 30_000;
  const warm = runs / 10;
  let gen = 0;
  let stp = 0;
  let ops = 0;
  const byKind = new Map<string, { ops: number; ns: number }>();
  for (let run = 0; run < runs; run++) {
    resetWorld(w);
    swarmInto(weights, base, keep, rnd);
    refreshKindTable(table);
    for (let i = 0; i < cfg.maxOps; i++) {
      const t0 = now();
      const op = generateFrom(w, cfg.scope, table, c, rnd);
      const t1 = now();
      if (op === null) break;
      const r = step(w, op, OP_SPECS[table.picked], true); // as the fuzz loop steps a built op
      const t2 = now();
      if (run >= warm) {
        ops++;
        gen += Number(t1 - t0) - clockNs;
        const ns = Number(t2 - t1) - clockNs;
        stp += ns;
        const k = byKind.get(op.kind) ?? { ops: 0, ns: 0 };
        k.ops++;
        k.ns += ns;
        byKind.set(op.kind, k);
      }
      if (r.status !== 'applied' && r.status !== 'refused') break;
    }
  }
  const rows = [...byKind].sort((a, b) => b[1].ns - a[1].ns);
  log('## Where an op\'s time goes (anon-exclusive, default scope)\n');
  log(`Op by op over ${runs - warm} runs (the clock's own ${fmt(clockNs)} ns subtracted): generating an op takes ${fmt(gen / ops)} ns, stepping it (apply and every invariant) ${fmt(stp / ops)} ns.\n`);
  log('| kind | share of ops | share of step time | step ns per op |');
  log('|---|---|---|---|');
  for (const [kind, k] of rows.slice(0, 12)) log(`| ${kind} | ${((100 * k.ops) / ops).toFixed(1)}% | ${((100 * k.ns) / stp).toFixed(1)}% | ${fmt(k.ns / k.ops)} |`);
  log('');
  return { generateNs: gen / ops, stepNs: stp / ops, byKind: Object.fromEntries(rows.map(([kind, k]) => [kind, { ops: k.ops, stepNs: k.ns / k.ops }])) };
}

/** Runs and executed ops until the first failure of the cowfuzz loop (in the bug's own fuzz scope), and its CPU seconds. */
function cowfuzzToFind(policy: string, seed: string, budget: number): { runs: number; ops: number; cpu: number } | null {
  const pol = getPolicy(policy);
  const scope = FUZZ_SCOPES[pol.fuzzScope ?? 'default'] ?? DEFAULT_SCOPE;
  const f = makeFuzzer(pol, streamRng(seed, 0, pol.name), { ...DEFAULT_RUN_CONFIG, scope });
  const c0 = cpuNow();
  let ops = 0;
  for (let run = 1; run <= budget; run++) {
    const r = f.run();
    ops += r.opsRun;
    if (r.failure) return { runs: run, ops, cpu: cpuNow() - c0 };
  }
  return null;
}

/** The same for fast-check's fc.commands: runs until the first failing one (no shrinking). */
function fcToFind(policy: string, seed: number, budget: number): { runs: number; ops: number; cpu: number } | null {
  let runs = 0;
  let ops = 0;
  const c0 = cpuNow();
  const pol = getPolicy(policy);
  const scope = FUZZ_SCOPES[pol.fuzzScope ?? 'default'] ?? DEFAULT_SCOPE;
  const r = fc.check(
    noInvariantFails(pol, { ...DEFAULT_COMMANDS, scope }, (real: Real) => {
      runs++;
      ops += real.executed;
    }),
    { seed, numRuns: budget, endOnFailure: true },
  );
  return r.failed ? { runs, ops, cpu: cpuNow() - c0 } : null;
}

function mutants(): Record<string, { cowfuzzRuns: number; fcRuns: number; cowfuzzMs: number; fcMs: number; cowfuzzOpsPerCpuS: number; fcOpsPerCpuS: number }> {
  const seeds = QUICK ? 3 : 5;
  const budget = 50_000;
  log(`## Seeded bugs: runs to the first failure, median over ${seeds} seeds\n`);
  log('Same model, same invariants, same scope, up to 40 ops per run; fast-check counts only the commands it executed. Runs-to-find has no timing noise; time-to-find is CPU time.\n');
  log('| seeded bug | cowfuzz runs | fc.commands runs | cowfuzz ms | fc.commands ms | cowfuzz ops/CPU-s | fc.commands ops/CPU-s |');
  log('|---|---|---|---|---|---|---|');
  const out: Record<string, { cowfuzzRuns: number; fcRuns: number; cowfuzzMs: number; fcMs: number; cowfuzzOpsPerCpuS: number; fcOpsPerCpuS: number }> = {};
  for (const bug of seededBugs) {
    progress(`seeded bug ${bug.name}`);
    const cf: { runs: number; ops: number; cpu: number }[] = [];
    const fcr: { runs: number; ops: number; cpu: number }[] = [];
    for (let s = 0; s < seeds; s++) {
      // interleaved: one seed of each, in turn
      cf.push(cowfuzzToFind(bug.name, `find-${s}`, budget) ?? { runs: budget, ops: 0, cpu: NaN });
      fcr.push(fcToFind(bug.name, 1000 + s, budget) ?? { runs: budget, ops: 0, cpu: NaN });
    }
    const row = {
      cowfuzzRuns: median(cf.map((x) => x.runs)),
      fcRuns: median(fcr.map((x) => x.runs)),
      cowfuzzMs: median(cf.map((x) => x.cpu * 1000)),
      fcMs: median(fcr.map((x) => x.cpu * 1000)),
      cowfuzzOpsPerCpuS: cf.reduce((a, x) => a + x.ops, 0) / cf.reduce((a, x) => a + x.cpu, 0),
      fcOpsPerCpuS: fcr.reduce((a, x) => a + x.ops, 0) / fcr.reduce((a, x) => a + x.cpu, 0),
    };
    out[bug.name] = row;
    log(`| ${bug.name} | ${row.cowfuzzRuns} | ${row.fcRuns} | ${fmt(row.cowfuzzMs)} | ${fmt(row.fcMs)} | ${fmt(row.cowfuzzOpsPerCpuS)} | ${fmt(row.fcOpsPerCpuS)} |`);
  }
  log('');
  return out;
}

/**
 * CPU-seconds of the children this process has waited for (Linux: /proc/self/stat's cutime and
 * cstime, in USER_HZ ticks, which the kernel always exposes as 100 per second); null elsewhere.
 */
function childCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // the fields after the command name (which may hold spaces and parentheses) start at state (field 3)
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return null;
  }
}

/** Wall seconds and CPU-seconds (every thread: the workers, V8's compiler and GC threads) of one `cowfuzz fuzz` process. */
function fuzzProcess(jobs: number, runs: number): { wall: number; cpu: number | null } {
  const c0 = childCpuSeconds();
  const t0 = performance.now();
  spawnSync(process.execPath, [BIN, 'fuzz', '--policy', 'anon-exclusive', '--runs', String(runs), '--seed', 'jobs', '--jobs', String(jobs), '--out', '/tmp/cowfuzz-bench-findings'], { stdio: 'ignore' });
  const wall = (performance.now() - t0) / 1000;
  const c1 = childCpuSeconds();
  return { wall, cpu: c0 === null || c1 === null ? null : c1 - c0 };
}

interface JobsFigures {
  readonly runs: number;
  /** median over the pairs of (--jobs 1 wall) / (--jobs 2 wall) */
  readonly speedup: number;
  readonly pairs: number[];
  /** wall seconds per pair */
  readonly t1: number[];
  readonly t2: number[];
  /** CPU-seconds per pair (empty where the platform cannot tell) */
  readonly cpu1: number[];
  readonly cpu2: number[];
}

/** Interleaved pairs of --jobs 1 and --jobs 2 over the same run count (which goes first alternates, so drift favours neither). */
function jobPairs(runs: number, n: number): JobsFigures {
  const pairs: number[] = [];
  const t1s: number[] = [];
  const t2s: number[] = [];
  const c1s: number[] = [];
  const c2s: number[] = [];
  for (let i = 0; i < n; i++) {
    progress(`--jobs 1 vs --jobs 2, ${runs} runs, pair ${i + 1} of ${n}`);
    let a: ReturnType<typeof fuzzProcess>;
    let b: ReturnType<typeof fuzzProcess>;
    if (i % 2 === 0) {
      a = fuzzProcess(1, runs);
      b = fuzzProcess(2, runs);
    } else {
      b = fuzzProcess(2, runs);
      a = fuzzProcess(1, runs);
    }
    t1s.push(a.wall);
    t2s.push(b.wall);
    if (a.cpu !== null && b.cpu !== null) {
      c1s.push(a.cpu);
      c2s.push(b.cpu);
    }
    pairs.push(a.wall / b.wall);
  }
  return { runs, speedup: median(pairs), pairs, t1: t1s, t2: t2s, cpu1: c1s, cpu2: c2s };
}

/**
 * Three run counts: a short one and a long one, where each worker's fixed start-up weighs (V8
 * compiling the hot code: about 1 to 1.5 CPU-seconds per worker, done on the idle second core
 * with one job and on a busy one with two; loading the modules: 70 ms), and a nightly one (about
 * 40 s with one job), where it has faded to the steady state a nightly job runs in.
 */
function jobs(): { short: JobsFigures; long: JobsFigures; nightly: JobsFigures } {
  const short = jobPairs(QUICK ? 20_000 : 60_000, REPS);
  const long = jobPairs(QUICK ? 60_000 : 240_000, REPS);
  const nightly = jobPairs(QUICK ? 240_000 : 1_000_000, QUICK ? 2 : 3);
  log(`## --jobs 2 against --jobs 1\n`);
  log(
    `Interleaved pairs of \`cowfuzz fuzz --policy anon-exclusive --runs N\` per run count (whole process, start-up included): wall seconds, the speed-up they give, and the CPU-seconds each process spent on all its threads.\n`,
  );
  log('| runs | pairs | | --jobs 1 s | --jobs 2 s | speed-up | --jobs 1 CPU-s | --jobs 2 CPU-s |');
  log('|---|---|---|---|---|---|---|---|');
  const cpu = (xs: number[], f: (xs: number[]) => number): string => (xs.length ? fmt(f(xs)) : 'n/a');
  for (const f of [short, long, nightly]) {
    log(`| ${f.runs.toLocaleString('en-US')} | ${f.pairs.length} | min | ${fmt(min(f.t1))} | ${fmt(min(f.t2))} | ${fmt(min(f.pairs))}x | ${cpu(f.cpu1, min)} | ${cpu(f.cpu2, min)} |`);
    log(`| ${f.runs.toLocaleString('en-US')} | ${f.pairs.length} | median | ${fmt(median(f.t1))} | ${fmt(median(f.t2))} | ${fmt(f.speedup)}x | ${cpu(f.cpu1, median)} | ${cpu(f.cpu2, median)} |`);
  }
  log('');
  return { short, long, nightly };
}

/** Worker threads for the parallel exhaust figures: the machine's cores (2 here). */
const EXHAUST_JOBS = Math.max(2, Math.min(4, availableParallelism()));

function exhaustRuns(): Record<string, { jobs: number; seconds: number; states: number; statesPerSecond: number; peakRssMb: number }> {
  const out: Record<string, { jobs: number; seconds: number; states: number; statesPerSecond: number; peakRssMb: number }> = {};
  log('## exhaust, anon-exclusive\n');
  log(`Whole process; \`--jobs 1\` and \`--jobs ${EXHAUST_JOBS}\` explore the same states (the result does not depend on --jobs).\n`);
  log('| depth | --jobs | states | seconds | states/s | peak RSS MB |');
  log('|---|---|---|---|---|---|');
  for (const depth of QUICK ? [4, 5] : [5, 6]) {
    for (const jobs of [1, EXHAUST_JOBS]) {
      progress(`exhaust depth ${depth}, --jobs ${jobs}`);
      const r = JSON.parse(execFileSync(process.execPath, [BIN, 'exhaust', '--depth', String(depth), '--jobs', String(jobs), '--json'], { encoding: 'utf8' })) as {
        seconds: number;
        states: number;
        statesPerSecond: number;
        peakRssMb: number;
      };
      out[`depth${depth}${jobs === 1 ? '' : `jobs${jobs}`}`] = { jobs, ...r };
      log(`| ${depth} | ${jobs} | ${r.states.toLocaleString('en-US')} | ${r.seconds} | ${Math.round(r.statesPerSecond).toLocaleString('en-US')} | ${r.peakRssMb} |`);
    }
  }
  log('');
  return out;
}

function startup(): { minMs: number; medianMs: number } {
  const ms: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, [BIN, 'policies'], { stdio: 'ignore' });
    ms.push(performance.now() - t0);
  }
  log(`## Start-up\n\n\`cowfuzz policies\`: min ${fmt(min(ms))} ms, median ${fmt(median(ms))} ms wall (10 runs).\n`);
  return { minMs: min(ms), medianMs: median(ms) };
}

// --only SECTION runs one section (the others are null in the JSON): for a quick look while working
const SECTIONS = ['throughput', 'per-op', 'seeded-bugs', 'jobs', 'exhaust', 'startup'] as const;
const onlyAt = args.indexOf('--only');
const ONLY = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
if (ONLY !== undefined && !(SECTIONS as readonly string[]).includes(ONLY)) {
  process.stderr.write(`bench: bad --only '${ONLY}': expected ${SECTIONS.join(', ')}\n`);
  process.exit(2);
}
const want = (section: (typeof SECTIONS)[number]): boolean => ONLY === undefined || ONLY === section;
const t = want('throughput') ? throughput() : null;
const po = want('per-op') ? perOp() : null;
const m = want('seeded-bugs') ? mutants() : null;
const j = want('jobs') ? jobs() : null;
const e = want('exhaust') ? exhaustRuns() : null;
const s = want('startup') ? startup() : null;
if (JSON_OUT) {
  process.stdout.write(
    JSON.stringify(
      {
        checkedOpsPerCpuSecond: t?.['anon-exclusive']!.median ?? null,
        checkedOpsPerCpuSecondLarge: t?.['anon-exclusive, large scope']!.median ?? null,
        checkedOpsPerCpuSecondAnon: t?.['anon-exclusive, anonymous memory only']!.median ?? null,
        rawOpsPerCpuSecond: t?.['anon-exclusive, raw (no invariants)']!.median ?? null,
        fullCheckOpsPerCpuSecond: t?.['anon-exclusive, --check full']!.median ?? null,
        // the nightly run count (about 40 s with one job: a nightly job's steady state); the
        // shorter ones, where each worker's start-up weighs, beside it
        jobs2Speedup: j?.nightly.speedup ?? null,
        jobs2SpeedupLongRun: j?.long.speedup ?? null,
        jobs2SpeedupShortRun: j?.short.speedup ?? null,
        // the parallel figure (the machine's cores); the one-thread figure beside it
        exhaustDepth6Seconds: e?.[`depth6jobs${EXHAUST_JOBS}`]?.seconds ?? null,
        exhaustDepth6PeakRssMb: e?.[`depth6jobs${EXHAUST_JOBS}`]?.peakRssMb ?? null,
        exhaustDepth6Jobs: EXHAUST_JOBS,
        exhaustDepth6SecondsOneJob: e?.depth6?.seconds ?? null,
        exhaustDepth6PeakRssMbOneJob: e?.depth6?.peakRssMb ?? null,
        policiesStartupMs: s?.medianMs ?? null,
        generateNsPerOp: po?.generateNs ?? null,
        stepNsPerOp: po?.stepNs ?? null,
        throughput: t,
        perOp: po,
        seededBugs: m,
        jobs: j,
        exhaust: e,
        scope: { default: DEFAULT_SCOPE, anon: ANON_SCOPE, large: LARGE_SCOPE },
      },
      null,
      2,
    ) + '\n',
  );
}
