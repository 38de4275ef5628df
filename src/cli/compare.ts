// cowfuzz compare [DIR]: scenarios x policies, each cell the verdict, marked where it differs from the expectation.

import pc from 'picocolors';
import { resolvePolicies } from '../policy/registry.js';
import { runScenario } from '../scenario/run.js';
import { expectedVerdict } from '../scenario/types.js';
import { loadScenarios } from './load.js';
import { basename } from 'node:path';

const SHORT: Record<string, string> = {
  pass: 'pass',
  error: 'error',
  accounting: 'ACCT',
  'swap-offset-zero': 'SWP0',
  'anon-exclusive': 'EXCL',
  'pin-coherence': 'PIN',
  'no-over-sharing': 'LEAK',
  'data-oracle': 'DATA',
};

export function compare(paths: string[], policySpec: string, out: (s: string) => void): number {
  const scenarios = loadScenarios(paths);
  const policies = resolvePolicies(policySpec);
  const names = scenarios.map((s) => basename(s.file).replace(/\.cow$/, ''));
  const w0 = Math.max(8, ...names.map((n) => n.length));
  const colW = policies.map((p) => Math.max(p.name.length, 6));
  out(['scenario'.padEnd(w0), ...policies.map((p, i) => p.name.padEnd(colW[i]!))].join('  '));
  let mismatches = 0;
  scenarios.forEach((p, row) => {
    const cells = policies.map((pol, i) => {
      const r = runScenario(p, pol);
      const want = expectedVerdict(p.scenario, pol);
      const text = (SHORT[r.verdict] ?? r.verdict) + (want !== null && want !== r.verdict ? '!' : '');
      const padded = text.padEnd(colW[i]!);
      if (want !== null && want !== r.verdict) {
        mismatches++;
        return pc.red(padded);
      }
      return r.verdict === 'pass' ? pc.green(padded) : pc.yellow(padded);
    });
    out([names[row]!.padEnd(w0), ...cells].join('  '));
  });
  out('');
  out(`legend: ${Object.entries(SHORT).filter(([k]) => k !== 'pass').map(([k, v]) => `${v}=${k}`).join(' ')}; '!' = differs from the scenario's expectation`);
  out(`${mismatches} cell(s) differ from expectations`);
  return mismatches > 0 ? 1 : 0;
}
