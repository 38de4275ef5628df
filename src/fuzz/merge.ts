// Merging the findings of several fuzz runs (the shards of a nightly job): one file per distinct
// finding, named as writeFinding() names it, and, against a baseline corpus, which ones are new.

import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioFiles } from '../cli/load.js';
import { UsageError } from '../cli/errors.js';
import { isInvariantName, type InvariantName } from '../invariants/types.js';
import type { Op } from '../ops/types.js';
import { getPolicy } from '../policy/registry.js';
import { parseScenario } from '../scenario/parse.js';
import { expectedVerdict, scenarioOps, type Scenario } from '../scenario/types.js';
import { signature } from './findings.js';

export interface MergedFinding {
  readonly policy: string;
  readonly invariant: InvariantName;
  readonly ops: readonly Op[];
  readonly signature: string;
  /** the first file (in path order) with this signature, and how many files had it */
  readonly file: string;
  readonly text: string;
  readonly copies: number;
}

/** Reads a finding file: a scenario with exactly one `expect POLICY INVARIANT` line. */
export function readFinding(file: string): { scenario: Scenario; text: string; policy: string; invariant: InvariantName } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read: ${(e as Error).message}`);
  }
  const { scenario } = parseScenario(text, file);
  const [e, ...more] = scenario.expect;
  if (!e || more.length > 0 || e.policy === 'default' || !isInvariantName(e.verdict)) {
    throw new UsageError(`${file}: a finding has exactly one 'expect POLICY INVARIANT' line`);
  }
  return { scenario, text, policy: e.policy, invariant: e.verdict };
}

function checkDir(dir: string, what: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`${what} ${dir}: no such directory`);
  }
  if (!isDir) throw new UsageError(`${what} ${dir}: not a directory`);
}

/** scenarioFiles(), with an unreadable directory as bad input */
function listFiles(dirs: readonly string[]): string[] {
  try {
    return scenarioFiles(dirs);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${dirs.join(' ')}: ${(e as Error).message}`);
  }
}

/** Distinct findings in the dirs (searched recursively for *.cow), in signature order. */
export function collectFindings(dirs: readonly string[]): MergedFinding[] {
  if (dirs.length === 0) throw new UsageError('merge needs at least one findings directory');
  for (const d of dirs) checkDir(d, 'findings directory');
  const bySig = new Map<string, MergedFinding>();
  for (const file of listFiles(dirs)) {
    const f = readFinding(file);
    const ops = scenarioOps(f.scenario);
    const sig = signature({ policy: f.policy, invariant: f.invariant, ops });
    const seen = bySig.get(sig);
    if (seen) bySig.set(sig, { ...seen, copies: seen.copies + 1 });
    else bySig.set(sig, { policy: f.policy, invariant: f.invariant, ops, signature: sig, file, text: f.text, copies: 1 });
  }
  return [...bySig.values()].sort((a, b) => (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0));
}

/** Is the finding already known to the baseline: does a baseline scenario expect that invariant under that policy? */
export function knownTo(baseline: readonly Scenario[], f: Pick<MergedFinding, 'policy' | 'invariant'>): boolean {
  const pol = getPolicy(f.policy);
  return baseline.some((s) => expectedVerdict(s, pol) === f.invariant);
}

/**
 * `cowfuzz merge DIR... --out DIR [--baseline DIR]`. Exit status: 0 no new finding (or no
 * baseline given), 1 some finding is new to the baseline. Bad input throws UsageError / ScenarioError.
 */
export function mergeFindings(dirs: string[], outDir: string, baseline: string | null, out: (s: string) => void): number {
  const findings = collectFindings(dirs);
  let base: Scenario[] | null = null;
  if (baseline !== null) {
    checkDir(baseline, 'baseline');
    base = listFiles([baseline]).map((file) => parseScenario(readFileSync(file, 'utf8'), file).scenario);
  }
  mkdirSync(outDir, { recursive: true });
  let fresh = 0;
  const files = findings.reduce((n, f) => n + f.copies, 0);
  for (const f of findings) {
    const path = join(outDir, `${f.signature}.cow`);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.text);
    renameSync(tmp, path);
    const isNew = base !== null && !knownTo(base, f);
    if (isNew) fresh++;
    const mark = base === null ? '' : isNew ? 'NEW   ' : 'known ';
    const copies = f.copies > 1 ? ` (${f.copies} copies)` : '';
    out(`${mark}${f.policy} ${f.invariant} ${f.ops.length} ops -> ${path}${copies}`);
  }
  const summary = `${files} finding file(s), ${findings.length} distinct, written to ${outDir}`;
  out(base === null ? summary : `${summary}; ${fresh} new against ${baseline}`);
  return fresh > 0 ? 1 : 0;
}
