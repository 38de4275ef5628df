// cowfuzz: the command line. Each command lives in its own module, loaded when it runs (so
// `cowfuzz policies` starts fast). Every error is one line naming what was wrong; exit status
// 0 clean, 1 found or an expectation not met, 2 usage or bad input, 3 an I/O or internal error.

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import type { Ctx, GlobalFlags } from './context.js';
import { EXIT } from './errors.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const EXIT_HELP = `
Exit status:
  0  clean: nothing found, every expectation met
  1  found: an invariant failed in a fuzz run, a scenario's expectation was not met, or
     (kernel-check) a kernel disagreed with the model
  2  usage error or bad input (a malformed scenario, an unknown policy, a bad flag)
  3  an I/O error (unreadable file, full or read-only output folder) or an internal error`;

/** Options every command takes (after the command name too). */
function withGlobals(cmd: Command): Command {
  return cmd
    .addOption(new Option('--color', 'colour the output even when it is not a terminal'))
    .addOption(new Option('--no-color', 'never colour the output'))
    .option('--policy-module <file>', 'load the policies a JavaScript module exports (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--debug', 'show stack traces of internal errors');
}

type Action = (ctx: Ctx, cmd: Command) => number | Promise<number>;

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('cowfuzz')
    .description('property-based fuzzer for copy-on-write and GUP correctness in a model of Linux mm')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s.startsWith('error:') ? `cowfuzz: ${s.slice(7)}` : s) })
    .addHelpText('after', EXIT_HELP);

  const run = (action: Action) => async (..._args: unknown[]) => {
    const cmd = _args[_args.length - 1] as Command;
    const { makeCtx } = await import('./context.js');
    const ctx = await makeCtx(cmd.optsWithGlobals() as GlobalFlags);
    setExit(await action(ctx, cmd));
  };

  withGlobals(program.command('policies').description('list the COW policies and the kernels they stand for')).action(
    run(async (ctx) => {
      const heading = { era: 'kernel eras:', 'seeded-bug': 'seeded bugs (anon-exclusive with one wrong decision):', proposal: "the seed threads' unmerged designs (--policy proposals):", variant: 'variants (from --policy-module):' } as const;
      for (const kind of ['era', 'seeded-bug', 'proposal', 'variant'] as const) {
        const ps = ctx.reg.ofKind(kind);
        if (ps.length === 0) continue;
        ctx.out(heading[kind]);
        for (const p of ps) ctx.out(`  ${p.name.padEnd(36)} ${p.kernels.padEnd(14)} ${p.summary}`);
      }
      return EXIT.clean;
    }),
  );

  withGlobals(program.command('invariants').description('list the invariants checked after every operation')).action(
    run(async (ctx) => {
      const { INVARIANTS } = await import('../invariants/types.js');
      for (const [name, what] of Object.entries(INVARIANTS)) ctx.out(`${name.padEnd(18)} ${what}`);
      return EXIT.clean;
    }),
  );

  withGlobals(
    program
      .command('replay')
      .description('run scenario files and check each verdict against the expectation')
      .argument('<paths...>', 'scenario files or folders of *.cow files')
      .option('-p, --policy <names>', "policy name(s), comma separated; 'all' = the kernel eras, 'mutants', 'proposals', 'variants', 'everything'", 'all')
      .option('--state', 'dump the folios and PTEs involved in every violation', false)
      .option('-q, --quiet', 'print details only for unmet expectations', false),
  ).action(
    run(async (ctx, cmd) => {
      const { replay } = await import('./scenarios.js');
      const o = cmd.opts<{ policy: string; state: boolean; quiet: boolean }>();
      return replay(ctx, cmd.args, o);
    }),
  );

  withGlobals(
    program
      .command('compare')
      .description('the matrix of scenarios x policies, each cell a verdict')
      .argument('[paths...]', 'scenario files or folders', ['corpus'])
      .option('-p, --policy <names>', 'policies to compare', 'all'),
  ).action(
    run(async (ctx, cmd) => {
      const { compare } = await import('./scenarios.js');
      return compare(ctx, cmd.args.length ? cmd.args : ['corpus'], cmd.opts<{ policy: string }>().policy);
    }),
  );

  withGlobals(
    program
      .command('explain')
      .description("tell a scenario's run step by step: the kernel's decisions, what each step changed, what reads saw, the violation")
      .argument('<file>', 'a scenario file')
      .option('-p, --policy <names>', 'policy name(s) (default: the policies the scenario expects something of, else anon-exclusive)')
      .option('--vs <policy>', 'a second policy: both side by side from the first step where they differ (or --vs P1,P2)')
      .option('--width <n>', 'column width of --vs', '72'),
  ).action(
    run(async (ctx, cmd) => {
      const { explainCommand } = await import('./explain.js');
      return explainCommand(ctx, cmd.args[0]!, cmd.opts<{ policy?: string; vs?: string; width?: string }>());
    }),
  );

  withGlobals(
    program
      .command('report')
      .description('one self-contained HTML page: the compare matrix, a timeline per scenario, fuzz runs (their JSON output) charted')
      .argument('<paths...>', 'scenario files or folders, and fuzz --format json output files')
      .requiredOption('--html <file>', 'where the page is written')
      .option('-p, --policy <names>', 'policies of the matrix', 'all'),
  ).action(
    run(async (ctx, cmd) => {
      const { reportCommand } = await import('./report.js');
      return reportCommand(ctx, cmd.args, cmd.opts<{ html: string; policy: string }>());
    }),
  );

  withGlobals(
    program
      .command('repro')
      .description('the scenario as one self-contained C program that performs it on a real kernel (gcc -Wall -Werror)')
      .argument('<file>', 'a scenario file')
      .option('-o, --out <file>', 'where the C program is written (default: standard output)'),
  ).action(
    run(async (ctx, cmd) => {
      const { reproCommand } = await import('./repro.js');
      return reproCommand(ctx, cmd.args[0]!, cmd.opts<{ out?: string }>());
    }),
  );

  withGlobals(
    program
      .command('kernel-check')
      .description("build and run each scenario's C reproducer on this kernel (or another under QEMU) and compare its verdict with the model's")
      .argument('[paths...]', 'scenario files or folders', ['corpus'])
      .option('-p, --policy <name>', 'the era to compare with (default: the one the kernel release belongs to)')
      .option('-k, --kernel <image>', 'boot this kernel under QEMU instead: a Debian linux-image .deb, the folder it unpacks to, or a bzImage')
      .option('--modules <dir>', "the image's lib/modules folder (for brd.ko, the guest's swap), when not next to it")
      .option('--keep <dir>', 'keep the C programs, binaries and logs in this folder')
      .option('--timeout <duration>', 'per program', '120s')
      .option('-v, --verbose', "print every program's output (by default: only where the kernel disagrees)", false)
      .option('--print-era', 'print the era the kernel belongs to and exit', false)
      .option('--random <n>', "also n random scenarios drawn by the fuzzer's generator (ops a reproducer can perform)")
      .option('--seed <string>', 'seed of --random (default: a new one, printed)')
      .option('--max-ops <n>', 'ops per random scenario', '20'),
  ).action(
    run(async (ctx, cmd) => {
      const { kernelCheckCommand } = await import('./kernel-check.js');
      const o = cmd.opts<{ random?: string }>();
      return kernelCheckCommand(ctx, cmd.args.length ? cmd.args : o.random !== undefined ? [] : ['corpus'], cmd.opts());
    }),
  );

  withGlobals(
    program
      .command('fuzz')
      .description('generate random op sequences, judge every invariant after every op, shrink and save what fails')
      .option('-p, --policy <names>', "policies, comma separated; 'all' = the kernel eras, 'mutants', 'proposals', 'variants', 'everything'", 'all')
      .option('-t, --time <duration>', 'time budget, e.g. 60s, 5m (default 60s unless --runs)')
      .option('-n, --runs <n>', 'number of runs (op sequences) instead of a time budget')
      .option('--max-ops <n>', 'ops per run (default 40)')
      .option('-s, --seed <string>', 'any string; the same seed and options give the same run')
      .option('-o, --out <dir>', 'where findings are written', 'findings')
      .option('-j, --jobs <n>', 'worker threads, each its own seed stream', '1')
      .option('--shard <K/N>', 'this is shard K of N: disjoint seed streams for a CI matrix', '1/1')
      .option('-w, --weights <spec>', 'op weights by scenario verb, e.g. write=10,reclaim=0')
      .option('-c, --config <file>', 'JSON config: { "weights": {...}, "maxOps": n }')
      .option('--no-swarm', 'keep every op kind on in every run (no swarm testing)')
      .option('--check <mode>', 'incremental (what each step touched) or full (everything after every step)', 'incremental')
      .option(
        '--scope <name>',
        'default (anonymous memory, files and memfds), anon (anonymous memory only), large (24 processes, 16 pages), thp (large folios and MTE), hugetlb (MAP_HUGETLB and the pool), uffd (userfaultfd) or thp-uffd (userfaultfd on large folios and huge PMDs); without it, default, or the scope a policy names',
      )
      .option('-f, --format <fmt>', 'text, json, junit or tap', 'text')
      .option('--progress-interval <duration>', 'a progress line on stderr this often when it is not a terminal', '10s'),
  ).action(
    run(async (ctx, cmd) => {
      const { fuzzCommand } = await import('./fuzz.js');
      return fuzzCommand(ctx, cmd.opts());
    }),
  );

  withGlobals(
    program
      .command('exhaust')
      .description('breadth-first search over every op sequence up to a depth in a small scope: clean, or a shortest counterexample')
      .requiredOption('-d, --depth <n>', 'longest op sequence to explore')
      .option('-p, --policy <name>', 'one policy', 'anon-exclusive')
      .option('-i, --invariant <name>', 'only this invariant counts; sequences failing another one are pruned')
      .option('--max-states <n>', 'stop (exit 3, incomplete) after this many distinct states', '4000000')
      .option('-j, --jobs <n>', 'worker threads expanding each level (the result is the same for any number; default: one per core, up to 8)', String(Math.min(8, availableParallelism())))
      .option('--scope <name>', 'anon (one mapping of anonymous memory), files (one file or memfd too: file-backed races such as Dirty COW), thp or hugetlb', 'anon')
      .option('--json', 'one JSON object instead of text', false),
  ).action(
    run(async (ctx, cmd) => {
      const { exhaustCommand } = await import('./exhaust.js');
      return exhaustCommand(ctx, cmd.opts());
    }),
  );

  withGlobals(
    program
      .command('merge')
      .description('merge finding files from several runs (one per normalised signature) and report which are new to a baseline')
      .argument('<dirs...>', 'folders of *.cow findings (searched recursively)')
      .requiredOption('-o, --out <dir>', 'where the merged findings are written')
      .option('-b, --baseline <dir>', 'corpus to compare with: exit 1 when a finding is new to it'),
  ).action(
    run(async (ctx, cmd) => {
      const { mergeCommand } = await import('./merge.js');
      const o = cmd.opts<{ out: string; baseline?: string }>();
      return mergeCommand(ctx, cmd.args, o.out, o.baseline ?? null);
    }),
  );

  return program;
}

/** Runs the command line; returns the exit status. Never throws. */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.clean;
  const program = buildProgram((c) => {
    code = c;
  });
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.clean : EXIT.usage;
    const { classify } = await import('./classify.js');
    const c = classify(e);
    process.stderr.write(`cowfuzz: ${c.message}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    return c.code;
  }
  return code;
}
