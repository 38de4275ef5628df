// cowfuzz: the command line. Each subcommand lives in its own file; this one wires them up and
// turns bad input into a one-line error and exit status 2.

import { Command, CommanderError } from 'commander';
import { INVARIANTS } from '../invariants/types.js';
import { allPolicies, UnknownPolicyError } from '../policy/registry.js';
import { ScenarioError } from '../scenario/types.js';
import { compare } from './compare.js';
import { UsageError } from './errors.js';
import { replay } from './replay.js';
import { exhaustCli } from '../fuzz/exhaust.js';
import { mergeFindings } from '../fuzz/merge.js';
import { fuzzCli, type FuzzCliFlags } from './fuzz.js';
import { FuzzOptionError } from '../fuzz/options.js';

const out = (s: string): void => {
  process.stdout.write(s + '\n');
};

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('cowfuzz')
    .description('property-based fuzzer for copy-on-write and GUP correctness in a model of Linux mm')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) });

  program
    .command('policies')
    .description('list the COW policies and the kernels they stand for')
    .action(() => {
      for (const p of allPolicies) {
        out(`${p.name.padEnd(30)} ${p.kernels.padEnd(16)} ${p.summary}`);
      }
    });

  program
    .command('invariants')
    .description('list the invariants checked after every operation')
    .action(() => {
      for (const [name, what] of Object.entries(INVARIANTS)) out(`${name.padEnd(18)} ${what}`);
    });

  program
    .command('replay')
    .description('run scenario files and check each verdict against the expectation')
    .argument('<paths...>', 'scenario files or directories of *.cow files')
    .option('-p, --policy <names>', "policy name(s), comma separated; 'all' = every kernel era, 'mutants', 'everything'", 'all')
    .option('--state', 'dump the pages and PTEs involved in every violation', false)
    .option('-q, --quiet', 'print details only for unmet expectations', false)
    .action((paths: string[], o: { policy: string; state: boolean; quiet: boolean }) => {
      setExit(replay(paths, o, out));
    });

  program
    .command('compare')
    .description('a table of scenarios x policies with each verdict')
    .argument('[paths...]', 'scenario files or directories', ['corpus'])
    .option('-p, --policy <names>', 'policies to compare', 'all')
    .action((paths: string[], o: { policy: string }) => {
      setExit(compare(paths, o.policy, out));
    });

  program
    .command('fuzz')
    .description('generate random op sequences, check every invariant after every op, shrink and save what fails')
    .option('-p, --policy <names>', "policies, comma separated; 'all' = every kernel era, 'mutants', 'everything'", 'all')
    .option('-t, --time <duration>', 'time budget, e.g. 60s, 5m (default 60s unless --runs)')
    .option('-n, --runs <n>', 'number of runs (op sequences) instead of a time budget')
    .option('--max-ops <n>', 'ops per run (default 40)')
    .option('-s, --seed <string>', 'any string; the same seed and options give the same run')
    .option('-o, --out <dir>', 'where findings are written', 'findings')
    .option('-j, --jobs <n>', 'worker threads, each its own seed stream', '1')
    .option('--shard <K/N>', 'this is shard K of N: disjoint seed streams for a CI matrix', '1/1')
    .option('-w, --weights <spec>', 'op weights, e.g. write=10,reclaim=0')
    .option('-c, --config <file>', 'JSON config: { "weights": {...}, "maxOps": n }')
    .option('--no-swarm', 'keep every op kind on in every run (no swarm testing)')
    .option('-f, --format <fmt>', 'text, json, junit or tap', 'text')
    .action(async (o: FuzzCliFlags) => {
      setExit(await fuzzCli(o, out));
    });

  program
    .command('exhaust')
    .description('breadth-first search over every op sequence up to a depth in a small scope: clean, or a shortest counterexample')
    .requiredOption('-d, --depth <n>', 'longest op sequence to explore')
    .option('-p, --policy <name>', 'one policy', 'anon-exclusive')
    .option('-i, --invariant <name>', 'only this invariant counts; sequences failing another one are pruned')
    .option('--max-states <n>', 'stop (exit 3, incomplete) after this many distinct states', '2000000')
    .option('--json', 'one JSON object instead of text', false)
    .action((o: { depth: string; policy: string; invariant?: string; maxStates: string; json: boolean }) => {
      setExit(
        exhaustCli(
          { policy: o.policy, depth: Number(o.depth), json: o.json, maxStates: Number(o.maxStates), ...(o.invariant !== undefined ? { invariant: o.invariant } : {}) },
          out,
        ),
      );
    });

  program
    .command('merge')
    .description('merge finding files from several runs (one per signature) and report which are new to a baseline corpus')
    .argument('<dirs...>', 'directories of *.cow findings (searched recursively)')
    .requiredOption('-o, --out <dir>', 'where the merged findings are written')
    .option('-b, --baseline <dir>', 'corpus to compare with: exit 1 when a finding is new to it')
    .action((dirs: string[], o: { out: string; baseline?: string }) => {
      setExit(mergeFindings(dirs, o.out, o.baseline ?? null, out));
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are not errors
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof ScenarioError || e instanceof UsageError || e instanceof UnknownPolicyError || e instanceof FuzzOptionError) {
      process.stderr.write(`cowfuzz: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  return code;
}

// a closed pipe (cowfuzz ... | head) is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
