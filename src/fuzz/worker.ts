// Worker-thread entry: runs one job of a fuzz campaign, writes each finding to disk, then tells the
// main thread. The main thread only orchestrates (signals, progress, reports), so a stop request
// is honoured between two runs, within milliseconds.

import { parentPort, workerData } from 'node:worker_threads';
import { registryWithModules } from '../policy/module.js';
import { runCampaign } from './campaign.js';
import { writeFinding, type Finding } from './findings.js';
import { runsOf, streamOf, type FuzzJobOptions } from './options.js';

export type WorkerMessage =
  | { readonly type: 'finding'; readonly finding: Finding; readonly path: string | null }
  | { readonly type: 'progress'; readonly execs: number; readonly ops: number; readonly findings: number }
  | {
      readonly type: 'done';
      readonly execs: number;
      readonly ops: number;
      readonly perSignature: [string, number][];
      readonly unshrunk: [string, number][];
      readonly interrupted: boolean;
    }
  | { readonly type: 'error'; readonly kind: 'io' | 'internal'; readonly message: string };

export interface WorkerInput {
  readonly opts: FuzzJobOptions;
  readonly job: number;
  readonly deadline: number | null;
  readonly stop: SharedArrayBuffer;
}

const data = workerData as WorkerInput;
const stop = new Int32Array(data.stop);
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);

class WriteError extends Error {}

async function main(): Promise<void> {
  const reg = await registryWithModules(data.opts.policyModules);
  const o = data.opts;
  const stats = runCampaign(
    {
      policies: o.policies.map((n) => reg.get(n)),
      seed: o.seed,
      stream: streamOf(o, data.job),
      runs: runsOf(o, data.job),
      deadline: data.deadline,
      run: { maxOps: o.maxOps, weights: o.weights, swarm: o.swarm, scope: o.scope, check: o.check, policyScopes: !o.scopeGiven, scopeWeights: !o.weightsGiven },
      optionsText: o.optionsText,
      shrinkPerKey: 3,
    },
    {
      finding(f) {
        let path: string | null = null;
        if (o.outDir !== null) {
          try {
            path = writeFinding(o.outDir, f).path;
          } catch (e) {
            const err = e as NodeJS.ErrnoException;
            throw new WriteError(`${o.outDir}: cannot write a finding: ${err.code ?? ''} ${err.message}`.trim());
          }
        }
        post({ type: 'finding', finding: f, path });
      },
      progress: (s) => post({ type: 'progress', execs: s.execs, ops: s.ops, findings: s.findings }),
      shouldStop: () => Atomics.load(stop, 0) !== 0,
    },
  );
  post({
    type: 'done',
    execs: stats.execs,
    ops: stats.ops,
    perSignature: [...stats.perSignature],
    unshrunk: [...stats.unshrunk],
    interrupted: stats.interrupted,
  });
}

main().catch((e: unknown) => {
  if (e instanceof WriteError) post({ type: 'error', kind: 'io', message: e.message });
  else post({ type: 'error', kind: 'internal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
});
