// The options of a fuzz job, parsed and validated once; workers receive them as plain data.

import { readFileSync } from 'node:fs';
import { FUZZ_SCOPES } from '../engine/scope.js';
import { DEFAULT_WEIGHTS, parseWeights, WeightsError, weightsProblem, type Weights } from '../engine/weights.js';
import type { Scope } from '../ops/types.js';
import type { PolicyRegistry } from '../policy/registry.js';
import type { CheckMode } from '../world/world.js';
import { DEFAULT_RUN_CONFIG } from './engine.js';

export interface FuzzJobOptions {
  readonly policies: readonly string[];
  /** policy modules the workers must load too */
  readonly policyModules: readonly string[];
  readonly seed: string;
  readonly runs: number | null;
  readonly timeMs: number | null;
  readonly maxOps: number;
  readonly weights: Weights;
  readonly swarm: boolean;
  readonly scope: Scope;
  /** --scope was given: it applies to every policy, even one that names a scope of its own */
  readonly scopeGiven: boolean;
  /** --weights or --config gave weights: they apply as given, a scope's own weights do not */
  readonly weightsGiven: boolean;
  readonly check: CheckMode;
  readonly outDir: string | null;
  readonly jobs: number;
  readonly shard: { readonly index: number; readonly count: number };
  /** the reproducing command line options, printed in findings */
  readonly optionsText: string;
}

export class FuzzOptionError extends Error {}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** "60s", "5m", "1h", "500ms" or plain seconds; more than zero */
export function parseDuration(s: string, flag = '--time'): number {
  const m = /^(0|[1-9][0-9]*)(\.[0-9]+)?(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new FuzzOptionError(`bad ${flag} '${s}': expected a duration like 60s, 5m, 1h or 500ms`);
  const n = Number(m[1]! + (m[2] ?? ''));
  const unit = m[3] ?? 's';
  const ms = n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
  if (!(ms > 0)) throw new FuzzOptionError(`bad ${flag} '${s}': a budget of zero runs nothing`);
  return ms;
}

export function parseShard(s: string): { index: number; count: number } {
  const m = /^([1-9][0-9]*)\/([1-9][0-9]*)$/.exec(s.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || index > count) throw new FuzzOptionError(`bad --shard '${s}': expected K/N with 1 <= K <= N, e.g. 2/4`);
  return { index, count };
}

export function positiveInt(s: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!DECIMAL.test(s) || Number(s) < 1 || Number(s) > max) throw new FuzzOptionError(`bad ${what} '${s}': expected a whole number from 1 to ${max}`);
  return Number(s);
}

export interface RawFuzzFlags {
  policy: string;
  time?: string;
  runs?: string;
  maxOps?: string;
  seed?: string;
  out: string;
  jobs: string;
  shard: string;
  weights?: string;
  config?: string;
  swarm: boolean;
  check?: string;
  scope?: string;
}

/** Config file: JSON with optional { "weights": {kind: n}, "maxOps": n } */
function readConfig(path: string): { weights?: string; maxOps?: number } {
  let raw: unknown;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FuzzOptionError(`${path}: cannot read config: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new FuzzOptionError(`${path}: not JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FuzzOptionError(`${path}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key !== 'weights' && key !== 'maxOps') throw new FuzzOptionError(`${path}: unknown key '${key}'; expected weights, maxOps`);
  }
  const out: { weights?: string; maxOps?: number } = {};
  if (o.weights !== undefined) {
    if (typeof o.weights !== 'object' || o.weights === null || Array.isArray(o.weights)) throw new FuzzOptionError(`${path}: weights must be an object of op kind -> number`);
    for (const [k, v] of Object.entries(o.weights as Record<string, unknown>)) {
      if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new FuzzOptionError(`${path}: weight of '${k}' must be a number >= 0`);
    }
    out.weights = Object.entries(o.weights as Record<string, number>)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(',');
  }
  if (o.maxOps !== undefined) {
    if (typeof o.maxOps !== 'number' || !Number.isInteger(o.maxOps) || o.maxOps < 1) throw new FuzzOptionError(`${path}: maxOps must be a whole number >= 1`);
    out.maxOps = o.maxOps;
  }
  return out;
}

export function parseFuzzFlags(f: RawFuzzFlags, reg: PolicyRegistry, policyModules: readonly string[], randomSeed: () => string): FuzzJobOptions {
  const policies = reg.resolve(f.policy).map((p) => p.name);
  if (f.time !== undefined && f.runs !== undefined) throw new FuzzOptionError('give --time or --runs, not both');
  const cfg = f.config ? readConfig(f.config) : {};
  let weights: Weights = DEFAULT_WEIGHTS;
  try {
    if (cfg.weights) weights = parseWeights(cfg.weights, weights);
    if (f.weights) weights = parseWeights(f.weights, weights);
  } catch (e) {
    if (e instanceof WeightsError) throw new FuzzOptionError(e.message);
    throw e;
  }
  const problem = weightsProblem(weights);
  if (problem) throw new FuzzOptionError(`bad weights: ${problem}`);
  const runs = f.runs !== undefined ? positiveInt(f.runs, '--runs') : null;
  const timeMs = f.time !== undefined ? parseDuration(f.time) : runs === null ? 60_000 : null;
  const maxOps = f.maxOps !== undefined ? positiveInt(f.maxOps, '--max-ops', 10_000) : (cfg.maxOps ?? DEFAULT_RUN_CONFIG.maxOps);
  const jobs = positiveInt(f.jobs, '--jobs', 256);
  const shard = parseShard(f.shard);
  const check = f.check ?? 'incremental';
  if (check !== 'incremental' && check !== 'full') throw new FuzzOptionError(`bad --check '${check}': expected incremental or full`);
  const scopeName = f.scope ?? 'default';
  const scope = Object.hasOwn(FUZZ_SCOPES, scopeName) ? FUZZ_SCOPES[scopeName]! : null;
  if (scope === null) throw new FuzzOptionError(`bad --scope '${scopeName}': expected ${Object.keys(FUZZ_SCOPES).join(', ')}`);
  if (f.seed !== undefined && f.seed.length === 0) throw new FuzzOptionError('bad --seed: expected a non-empty string');
  const seed = f.seed ?? randomSeed();
  const opts = [
    `--policy ${policies.join(',')}`,
    `--max-ops ${maxOps}`,
    f.weights ? `--weights ${f.weights}` : '',
    f.config ? `--config ${f.config}` : '',
    f.swarm ? '' : '--no-swarm',
    check === 'full' ? '--check full' : '',
    scopeName !== 'default' ? `--scope ${scopeName}` : '',
    shard.count > 1 ? `--shard ${shard.index}/${shard.count}` : '',
    jobs > 1 ? `--jobs ${jobs}` : '',
    ...policyModules.map((m) => `--policy-module ${m}`),
  ]
    .filter(Boolean)
    .join(' ');
  return { policies, policyModules, seed, runs, timeMs, maxOps, weights, swarm: f.swarm, scope, scopeGiven: f.scope !== undefined, weightsGiven: Boolean(f.weights || cfg.weights), check, outDir: f.out || null, jobs, shard, optionsText: opts };
}

/** Job j's seed stream: disjoint across jobs and shards. */
export function streamOf(o: FuzzJobOptions, job: number): number {
  return o.shard.index - 1 + o.shard.count * job;
}

/** Job j's share of --runs. */
export function runsOf(o: FuzzJobOptions, job: number): number | null {
  if (o.runs === null) return null;
  return Math.floor(o.runs / o.jobs) + (job < o.runs % o.jobs ? 1 : 0);
}
