// npm run bench: throughput per policy, time-to-find per seeded bug (ours vs a plain fc.commands
// runner), shrunk lengths, and the --jobs 2 speed-up. Prints a markdown table for the README.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { inMemoryCampaign, runCampaign } from '../fuzz/campaign.js';
import { noInvariantFails } from '../fuzz/fc-commands.js';
import type { Finding } from '../fuzz/findings.js';
import { eraPolicies, getPolicy } from '../policy/registry.js';
import { seededBugs } from '../policy/seeded-bugs.js';

const SEEDS = Number(process.env.BENCH_SEEDS ?? 5);
const out = (s: string): void => void process.stdout.write(s + '\n');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function campaign(policy: string, seed: string, runs: number, stopAtFirst: boolean) {
  const found: Finding[] = [];
  const t0 = performance.now();
  let tFound = -1;
  const stats = runCampaign(
    inMemoryCampaign(getPolicy(policy), seed, runs),
    {
      finding: (f) => {
        found.push(f);
      },
      failure: () => {
        if (tFound < 0) tFound = performance.now() - t0;
      },
      progress: () => {},
      shouldStop: () => stopAtFirst && found.length > 0,
    },
  );
  return { stats, found, ms: performance.now() - t0, tFound };
}

function throughput(): void {
  out('## Throughput (one core, every invariant checked after every op)\n');
  out('| policy | runs/s (execs/s) | model ops/s |');
  out('|---|---|---|');
  for (const p of eraPolicies) {
    const r = campaign(p.name, 'bench', 8000, false);
    const s = r.ms / 1000;
    out(`| ${p.name} | ${Math.round(r.stats.execs / s)} | ${Math.round(r.stats.ops / s)} |`);
  }
  out('');
}

/** time for fast-check's fc.commands runner to hit the first failure (no shrinking) */
function fcTimeToFind(policy: string, seed: number): number {
  const t0 = performance.now();
  const r = fc.check(noInvariantFails(getPolicy(policy)), { seed, numRuns: 200_000, endOnFailure: true });
  const ms = performance.now() - t0;
  return r.failed ? ms : Number.POSITIVE_INFINITY;
}

function mutants(): void {
  out(`## Seeded bugs: median time to find over ${SEEDS} seeds\n`);
  out('| seeded bug | cowfuzz time-to-find (ms) | fc.commands time-to-find (ms) | ratio | shrunk length | invariant |');
  out('|---|---|---|---|---|---|'.replace(/x/, ''));
  out('|---|---|---|---|---|---|');
  for (const bug of seededBugs) {
    const ours: number[] = [];
    const theirs: number[] = [];
    const lens: number[] = [];
    let inv = '';
    for (let i = 0; i < SEEDS; i++) {
      const r = campaign(bug.name, `bench-${i}`, 200_000, true);
      ours.push(r.tFound < 0 ? Number.POSITIVE_INFINITY : r.tFound);
      if (r.found[0]) {
        lens.push(r.found[0].ops.length);
        inv = r.found[0].invariant;
      }
      theirs.push(fcTimeToFind(bug.name, 1000 + i));
    }
    const a = median(ours);
    const b = median(theirs);
    out(`| ${bug.name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(1)}x | ${lens.length ? median(lens) : '-'} | ${inv} |`);
  }
  out('');
}

function jobsSpeedup(): void {
  const cli = fileURLToPath(new URL('../../bin/cowfuzz.js', import.meta.url));
  const rate = (jobs: number): number => {
    let text = '';
    try {
      text = execFileSync(process.execPath, [cli, 'fuzz', '--policy', 'anon-exclusive', '--time', '4s', '--jobs', String(jobs), '--format', 'json', '--out', ''], { encoding: 'utf8' });
    } catch (e) {
      text = (e as { stdout?: string }).stdout ?? '';
    }
    const summary = JSON.parse(text.trim().split('\n').pop()!);
    return summary.execs / summary.seconds;
  };
  const one = rate(1);
  const two = rate(2);
  out('## Parallel jobs\n');
  out(`| --jobs | execs/s |\n|---|---|\n| 1 | ${Math.round(one)} |\n| 2 | ${Math.round(two)} (${(two / one).toFixed(2)}x) |\n`);
}

out(`# cowfuzz bench (${new Date().toISOString().slice(0, 10)}, node ${process.version})\n`);
throughput();
mutants();
jobsSpeedup();
