// The options of a fuzz job, parsed and validated once; workers receive them as plain data.

import { readFileSync } from 'node:fs';
import { resolvePolicies } from '../policy/registry.js';
import { DEFAULT_RUN_CONFIG } from './engine.js';
import { DEFAULT_SCOPE, type Scope } from './scope.js';
import { DEFAULT_WEIGHTS, parseWeights, WeightsError, type Weights } from './weights.js';

export interface FuzzJobOptions {
  readonly policies: readonly string[];
  readonly seed: string;
  readonly runs: number | null;
  readonly timeMs: number | null;
  readonly maxOps: number;
  readonly weights: Weights;
  readonly swarm: boolean;
  readonly scope: Scope;
  readonly outDir: string | null;
  readonly jobs: number;
  readonly shard: { index: number; count: number };
  /** the reproducing command line options, printed in findings */
  readonly optionsText: string;
}

export class FuzzOptionError extends Error {}

/** "60s", "5m", "1h", "500ms" or plain seconds */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new FuzzOptionError(`bad --time '${s}': expected a duration like 60s, 5m, 1h or 500ms`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}

export function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new FuzzOptionError(`bad --shard '${s}': expected K/N with 1 <= K <= N, e.g. 2/4`);
  return { index, count };
}

function positiveInt(s: string, what: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new FuzzOptionError(`bad ${what} '${s}': expected a whole number >= 1`);
  return n;
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
}

/** Config file: JSON with optional { "weights": {kind: n}, "maxOps": n } */
function readConfig(path: string): { weights?: string; maxOps?: number } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new FuzzOptionError(`${path}: cannot read config: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null) throw new FuzzOptionError(`${path}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key !== 'weights' && key !== 'maxOps') throw new FuzzOptionError(`${path}: unknown key '${key}'; expected weights, maxOps`);
  }
  const out: { weights?: string; maxOps?: number } = {};
  if (o.weights !== undefined) {
    if (typeof o.weights !== 'object' || o.weights === null) throw new FuzzOptionError(`${path}: weights must be an object of op kind -> number`);
    out.weights = Object.entries(o.weights as Record<string, unknown>)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(',');
  }
  if (o.maxOps !== undefined) {
    if (typeof o.maxOps !== 'number' || !Number.isInteger(o.maxOps) || o.maxOps < 1) throw new FuzzOptionError(`${path}: maxOps must be a whole number >= 1`);
    out.maxOps = o.maxOps;
  }
  return out;
}

export function parseFuzzFlags(f: RawFuzzFlags, randomSeed: () => string): FuzzJobOptions {
  const policies = resolvePolicies(f.policy).map((p) => p.name);
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
  const runs = f.runs !== undefined ? positiveInt(f.runs, '--runs') : null;
  const timeMs = f.time !== undefined ? parseDuration(f.time) : runs === null ? 60_000 : null;
  const maxOps = f.maxOps !== undefined ? positiveInt(f.maxOps, '--max-ops') : (cfg.maxOps ?? DEFAULT_RUN_CONFIG.maxOps);
  const jobs = positiveInt(f.jobs, '--jobs');
  const shard = parseShard(f.shard);
  const seed = f.seed ?? randomSeed();
  const opts = [
    `--policy ${policies.join(',')}`,
    `--max-ops ${maxOps}`,
    f.weights ? `--weights ${f.weights}` : '',
    f.config ? `--config ${f.config}` : '',
    f.swarm ? '' : '--no-swarm',
    shard.count > 1 ? `--shard ${shard.index}/${shard.count}` : '',
    jobs > 1 ? `--jobs ${jobs}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    policies,
    seed,
    runs,
    timeMs,
    maxOps,
    weights,
    swarm: f.swarm,
    scope: DEFAULT_SCOPE,
    outDir: f.out || null,
    jobs,
    shard,
    optionsText: opts,
  };
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
