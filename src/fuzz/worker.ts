// Worker-thread entry: runs one job and posts findings (already on disk) and progress to the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import type { Finding } from './findings.js';
import { runJob } from './job.js';
import type { FuzzJobOptions } from './options.js';

export type WorkerMessage =
  | { type: 'finding'; finding: Finding; path: string | null }
  | { type: 'progress'; execs: number; ops: number; findings: number }
  | { type: 'done'; execs: number; ops: number };

const data = workerData as { opts: FuzzJobOptions; job: number; deadline: number | null; stop: SharedArrayBuffer };
const stop = new Int32Array(data.stop);
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);

const stats = runJob(data.opts, data.job, data.deadline, {
  finding: (f, path) => post({ type: 'finding', finding: f, path }),
  progress: (s) => post({ type: 'progress', execs: s.execs, ops: s.ops, findings: s.findings }),
  shouldStop: () => Atomics.load(stop, 0) !== 0,
});
post({ type: 'done', execs: stats.execs, ops: stats.ops });
