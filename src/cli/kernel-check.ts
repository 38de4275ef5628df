// cowfuzz kernel-check [PATHS] [--policy P] [--kernel IMAGE]: every scenario as a C reproducer,
// built and run on this machine's kernel (or booted under QEMU with another kernel), its verdict
// compared with the model's under the era that kernel belongs to (src/repro/compare.ts says how).
// Exit 1 on a disagreement (or a reproducer whose harness broke), 0 when every comparable
// scenario agrees; what cannot run is listed with the reason.
//
// Setup: reclaim needs an active swap area. On this machine, when none is active and we are root,
// a swap file is made under /var/tmp (then /tmp) and switched off and deleted at the end, also on
// SIGINT/SIGTERM (the program running then gets SIGTERM and cleans up its own processes); one a
// killed run left behind is removed by the next. Under QEMU the guest swaps to a RAM disk. Nothing
// else is mounted or changed (no kernel run here has gup_test, the one thing debugfs would give).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release as osRelease, tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { basename, join } from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import type { CowPolicy } from '../model/policy.js';
import { compile, CompileError, compilerOf, mapLimit } from '../repro/build.js';
import { judgeRun, type Agreement, type Comparison } from '../repro/compare.js';
import { emitProgram, type Emitted } from '../repro/emit.js';
import { eraForRelease } from '../repro/era.js';
import { initPath, readRuntime } from '../repro/files.js';
import { activeSwaps, makeSwapFile, removeSwapFile, runProgram, sweepStaleSwapFiles, type SwapFile } from '../repro/host.js';
import { knownDifferences, KNOWN_SYNTAX, type KnownDifference } from '../repro/known.js';
import { describeModel, modelLines, modelView, type ModelView } from '../repro/model.js';
import { randomScenario } from '../repro/random.js';
import { describeOutcome, parseOutcome, type KernelOutcome } from '../repro/outcome.js';
import { boot, buildInitramfs, disposeKernel, KernelImageError, makeFsImage, resolveKernel, type KernelImage } from '../repro/qemu.js';
import { ScenarioError, scenarioOps, type ParsedScenario } from '../scenario/types.js';
import { parseDuration } from '../fuzz/options.js';
import type { Ctx } from './context.js';
import { EXIT, IoError, UsageError } from './errors.js';
import { loadScenarios, type LoadProblem, problemLine } from './load.js';

export interface KernelCheckFlags {
  policy?: string;
  kernel?: string;
  modules?: string;
  keep?: string;
  timeout: string;
  verbose?: boolean;
  printEra?: boolean;
  random?: string;
  seed?: string;
  maxOps: string;
}

/** Has the running kernel soft-dirty tracking? (/proc/config.gz; true when it cannot tell) */
function hostSoftDirty(): boolean {
  try {
    return /^CONFIG_MEM_SOFT_DIRTY=y$/m.test(gunzipSync(readFileSync('/proc/config.gz')).toString('latin1'));
  } catch {
    return true;
  }
}

function positive(flag: string, v: string): number {
  if (!/^[1-9][0-9]*$/.test(v)) throw new UsageError(`bad ${flag} '${v}': expected a positive whole number`);
  return Number(v);
}

interface Row {
  readonly sc: ParsedScenario;
  readonly name: string;
  readonly model: ModelView;
  readonly prog: Emitted;
  readonly known: readonly KnownDifference[];
  /** where its files go: WORK/NNN-name(.c|.log) */
  stem: string;
  bin: string | null;
  compileError: string | null;
  outcome: KernelOutcome | null;
  result: Comparison | null;
}

const LABEL: Readonly<Record<Agreement, string>> = {
  agree: 'agree',
  disagree: 'DISAGREE',
  known: 'known difference',
  'not-observable': 'not observable',
  'cannot-run': 'cannot run',
  broken: 'BROKEN',
};

function needsSwap(sc: ParsedScenario): boolean {
  return scenarioOps(sc.scenario).some((op) => op.kind === 'reclaim' || (op.kind === 'madvise' && op.advice === 'MADV_PAGEOUT'));
}

/** Row names: file names without .cow, the path where two files share a name. */
function rowNames(scenarios: readonly ParsedScenario[]): string[] {
  const base = scenarios.map((s) => basename(s.file).replace(/\.cow$/, ''));
  return base.map((b, i) => (base.indexOf(b) !== base.lastIndexOf(b) ? scenarios[i]!.file : b));
}

/** A file name for the guest: NNN-name, letters, digits and '-' only. */
const guestName = (i: number, name: string): string => `${String(i).padStart(3, '0')}-${name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 80)}`;

function eraFor(ctx: Ctx, release: string, policy: string | undefined): CowPolicy {
  if (policy !== undefined) return ctx.reg.get(policy);
  const era = eraForRelease(release, ctx.reg.ofKind('era'));
  if (!era) throw new UsageError(`no kernel era of the model claims kernel ${release}: name one with --policy (see 'cowfuzz policies')`);
  return era;
}

export async function kernelCheckCommand(ctx: Ctx, paths: readonly string[], o: KernelCheckFlags): Promise<number> {
  const timeoutMs = parseDuration(o.timeout, '--timeout');
  let image: KernelImage | null = null;
  if (o.kernel !== undefined) {
    try {
      image = resolveKernel(o.kernel, o.modules);
    } catch (e) {
      if (e instanceof KernelImageError) throw new UsageError(e.message);
      throw e;
    }
  }
  if (o.printEra) {
    const release = image ? image.release : osRelease();
    if (image) disposeKernel(image);
    ctx.out(eraFor(ctx, release, o.policy).name);
    return EXIT.clean;
  }
  const randomCount = o.random !== undefined ? positive('--random', o.random) : 0;
  const maxOps = positive('--max-ops', o.maxOps);
  const p = ctx.paint;
  let work: string | null = null;
  let swap: SwapFile | null = null;
  let child: ChildProcess | null = null;
  let interrupted: NodeJS.Signals | null = null;
  const cleanup = (): void => {
    if (swap) {
      const err = removeSwapFile(swap);
      ctx.err(err ? `cowfuzz: ${err}` : `swap: ${swap.path} switched off and removed`);
      swap = null;
    }
    if (work && o.keep === undefined) rmSync(work, { recursive: true, force: true });
    work = null;
    if (image) disposeKernel(image);
    image = null;
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) {
      // a second signal: stop now, but still undo what we set up
      child?.kill('SIGKILL');
      cleanup();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    interrupted = sig;
    ctx.err(`cowfuzz: ${sig}: stopping after cleaning up (again to stop at once)`);
    child?.kill('SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const release = image ? image.release : osRelease();
    const era = eraFor(ctx, release, o.policy);
    ctx.out(`kernel-check: Linux ${release} (${image ? `under QEMU: ${o.kernel}` : 'this machine'}), compared with the model under ${era.name} (${era.kernels})`);
    if (o.keep !== undefined) mkdirSync((work = o.keep), { recursive: true });
    else work = mkdtempSync(join(tmpdir(), 'cowfuzz-kernel-check-'));
    const dir = work;
    const all = [...paths];
    if (randomCount > 0) {
      const seed = o.seed ?? Date.now().toString(36);
      const rdir = join(dir, 'random');
      mkdirSync(rdir, { recursive: true });
      const noClearRefs = image === null && !hostSoftDirty();
      for (let i = 0; i < randomCount; i++) writeFileSync(join(rdir, `random-${String(i).padStart(4, '0')}.cow`), randomScenario(era, i, { seed, maxOps, noClearRefs }));
      ctx.out(`random: ${randomCount} scenarios of up to ${maxOps} ops, seed ${seed} (--random ${randomCount} --seed ${seed} --max-ops ${maxOps} draws them again)`);
      all.push(rdir);
    }
    const { scenarios, problems } = loadScenarios(all, ctx.parse);

    const runtime = readRuntime();
    const rows: Row[] = [];
    const names = rowNames(scenarios);
    const eras = ctx.reg.ofKind('era');
    scenarios.forEach((sc, i) => {
      try {
        const model = modelView(sc, era);
        const prog = emitProgram(sc, { runtime, modelLines: modelLines(sc, eras) });
        const { known, bad } = knownDifferences(sc.scenario);
        for (const b of bad) problems.push({ path: sc.file, message: `'# ${b}' is not a known-difference record (${KNOWN_SYNTAX})`, kind: 'input' });
        rows.push({ sc, name: names[i]!, model, prog, known, stem: '', bin: null, compileError: null, outcome: null, result: null });
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw e;
        problems.push({ path: sc.file, message: e.message.startsWith(sc.file) ? e.message.slice(sc.file.length + 1) : e.message, kind: 'input' });
      }
    });

    // a program whose first step cannot be performed has nothing to run
    const runnable = rows.filter((r) => r.prog.unsupported[0]?.step !== 1);
    const cc = compilerOf({});
    if (runnable.length > 0 && spawnSync(cc, ['--version'], { stdio: 'ignore' }).status !== 0) {
      throw new IoError(`${cc} not found: kernel-check builds C programs (Debian: apt-get install gcc libc6-dev)`);
    }
    const t0 = Date.now();
    rows.forEach((r, i) => (r.stem = join(dir, guestName(i, r.name))));
    await mapLimit(runnable, async (r) => {
      try {
        await compile(r.prog.source, `${r.stem}.c`, r.stem, { static: image !== null, optimize: false });
        r.bin = r.stem;
      } catch (e) {
        if (!(e instanceof CompileError)) throw e;
        r.compileError = e.message;
      }
    });
    const compileSeconds = (Date.now() - t0) / 1000;
    if (interrupted) {
      ctx.err(`cowfuzz: interrupted (${interrupted})`);
      return interrupted === 'SIGINT' ? 130 : 143;
    }

    const w0 = Math.max(8, ...rows.map((r) => r.name.length));
    const header = `${'scenario'.padEnd(w0)}  ${'model'.padEnd(24)}  ${'kernel'.padEnd(24)}  result`;
    const printRow = (r: Row): void => {
      const res = r.result!;
      const label = LABEL[res.agreement];
      const painted = res.agreement === 'agree' ? p.ok(label) : res.agreement === 'disagree' || res.agreement === 'broken' ? p.bad(label) : p.warn(label);
      const kernel = r.outcome ? describeOutcome(r.outcome) : r.compileError ? 'not built' : '-';
      ctx.out(`${r.name.padEnd(w0)}  ${describeModel(r.model).padEnd(24)}  ${kernel.padEnd(24)}  ${painted}`);
    };
    const settle = (r: Row): void => {
      if (r.compileError) r.result = { agreement: 'broken', why: r.compileError.split('\n').slice(0, 3).join(' ') };
      else if (!r.outcome) {
        const u = r.prog.unsupported[0]!;
        r.result = { agreement: 'cannot-run', why: `step ${u.step}: ${u.text}: ${u.why}` };
      } else r.result = judgeRun(r.model, r.outcome, r.known, r.outcome.release || release);
      if (o.keep !== undefined && r.outcome) writeFileSync(`${r.stem}.log`, r.outcome.log);
    };

    const t1 = Date.now();
    if (image === null) {
      // a swap file an earlier run could not remove (it was killed) goes first
      if (process.getuid?.() === 0) for (const l of sweepStaleSwapFiles()) ctx.err(`swap: ${l}`);
      if (rows.some((r) => r.bin && needsSwap(r.sc)) && activeSwaps().length === 0) {
        if (process.getuid?.() !== 0) ctx.err('swap: none is active and only root can make one: reclaim steps will be unsupported');
        else {
          const made = makeSwapFile(['/var/tmp', '/tmp', process.cwd()]);
          if (typeof made === 'string') ctx.err(`swap: ${made}: reclaim steps will be unsupported`);
          else ctx.err(`swap: ${(swap = made).path} (32 MiB; removed at the end)`);
        }
      }
      ctx.out(header);
      for (const r of rows) {
        if (r.bin && !interrupted) {
          const run = await runProgram(r.bin, {
            timeoutMs,
            env: { COWFUZZ_SWAPFILE: '0', COWFUZZ_ALARM_S: String(Math.ceil(timeoutMs / 1000)), COWFUZZ_DIE_WITH_PARENT: '1' },
            onChild: (c) => void (child = c),
          });
          if (interrupted) break;
          r.outcome = parseOutcome(run.log, run.exit);
        }
        settle(r);
        printRow(r);
      }
    } else {
      const programs = rows.filter((r) => r.bin).map((r) => ({ name: basename(r.bin!), bin: r.bin!, row: r }));
      const init = join(dir, 'init');
      await compile(readFileSync(initPath(), 'utf8'), `${init}.c`, init, { static: true });
      const initramfs = join(dir, 'initramfs.cpio.gz');
      // a disk filesystem for `file` (rootfs is tmpfs): ext4 on the second RAM disk
      const needsFs = rows.some((r) => r.bin && scenarioOps(r.sc.scenario).some((op) => op.kind === 'file'));
      const fs = needsFs && image.brd ? makeFsImage(dir) : null;
      if (fs && 'why' in fs) ctx.err(`files: ${fs.why}: \`file\` steps will be unsupported in the guest`);
      writeFileSync(initramfs, buildInitramfs(init, programs, image.brd, fs && 'path' in fs ? fs.path : null));
      if (!image.brd) ctx.err(`swap: no brd.ko next to ${image.vmlinuz} (give --modules DIR): reclaim and \`file\` steps will be unsupported in the guest`);
      const res = await boot(image, initramfs, { timeoutMs: 60_000 + timeoutMs * programs.length, onChild: (c) => void (child = c) });
      if (o.keep !== undefined) writeFileSync(join(dir, 'console.log'), res.console);
      ctx.err(`qemu: booted and ran ${programs.length} programs in ${res.seconds.toFixed(1)} s`);
      ctx.out(header);
      for (const r of rows) {
        const g = programs.find((x) => x.row === r);
        if (g) {
          const run = res.programs.get(g.name);
          r.outcome = parseOutcome(run?.log ?? '', run?.exit ?? 'it never ran (the guest stopped before it)');
        }
        settle(r);
        printRow(r);
      }
    }
    const runSeconds = (Date.now() - t1) / 1000;
    if (interrupted) {
      ctx.err(`cowfuzz: interrupted (${interrupted})`);
      return interrupted === 'SIGINT' ? 130 : 143;
    }

    const done = rows.filter((r) => r.result !== null);
    const count = (a: Agreement): number => done.filter((r) => r.result!.agreement === a).length;
    ctx.out('');
    for (const a of ['disagree', 'broken', 'known', 'not-observable', 'cannot-run', 'agree'] as const) {
      const these = done.filter((r) => r.result!.agreement === a && r.result!.why !== '');
      if (these.length === 0) continue;
      ctx.out(a === 'agree' ? 'notes:' : `${LABEL[a]}:`);
      for (const r of these) ctx.out(`  ${r.name}: ${r.result!.why}`);
    }
    for (const r of done) {
      const bad = r.result!.agreement === 'disagree' || r.result!.agreement === 'broken';
      if (!r.outcome || !(bad || o.verbose)) continue;
      ctx.out('');
      ctx.out(`--- ${r.name} (${r.sc.file}), model ${describeModel(r.model)} under ${era.name}:`);
      if (randomCount > 0 && r.sc.file.startsWith(join(dir, 'random'))) for (const l of readFileSync(r.sc.file, 'utf8').trimEnd().split('\n')) ctx.out(`    | ${l}`);
      for (const l of r.outcome.log.trimEnd().split('\n')) ctx.out(`    ${l}`);
    }
    ctx.out('');
    ctx.out(
      `${done.length} scenario(s): ${count('agree')} agree, ${count('disagree')} disagree, ${count('known')} known difference(s), ` +
        `${count('not-observable')} not observable, ${count('cannot-run')} cannot run, ${count('broken')} broken ` +
        `(built in ${compileSeconds.toFixed(1)} s, ran in ${runSeconds.toFixed(1)} s)`,
    );
    const bad = reportProblems(ctx, problems);
    if (bad !== EXIT.clean) return bad;
    if (scenarios.length === 0) {
      ctx.err('cowfuzz: no scenario files found');
      return EXIT.usage;
    }
    return count('disagree') + count('broken') > 0 ? EXIT.found : EXIT.clean;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanup();
  }
}

function reportProblems(ctx: Ctx, problems: readonly LoadProblem[]): number {
  let code: number = EXIT.clean;
  for (const p of problems) {
    ctx.err(`cowfuzz: ${problemLine(p)}`);
    code = Math.max(code, p.kind === 'io' ? EXIT.io : EXIT.usage);
  }
  return code;
}
