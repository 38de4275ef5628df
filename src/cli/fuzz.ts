// cowfuzz fuzz: orchestrates the jobs (in-process for --jobs 1, worker threads otherwise),
// shows progress, and hands findings to the chosen reporter. Findings are on disk before they
// are reported; Ctrl-C, SIGTERM or the time limit stop the jobs and keep what was found.

import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import cliProgress from 'cli-progress';
import type { Finding } from '../fuzz/findings.js';
import { runJob } from '../fuzz/job.js';
import { parseFuzzFlags, type FuzzJobOptions, type RawFuzzFlags } from '../fuzz/options.js';
import type { WorkerMessage } from '../fuzz/worker.js';
import { FORMATS, makeReporter, type Format } from '../report/fuzz/index.js';
import { UsageError } from './errors.js';

export interface FuzzCliFlags extends RawFuzzFlags {
  format: string;
}

export async function fuzzCli(flags: FuzzCliFlags, out: (s: string) => void): Promise<number> {
  if (!(FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`bad --format '${flags.format}': expected one of ${FORMATS.join(', ')}`);
  }
  const o = parseFuzzFlags(flags, () => randomBytes(4).toString('hex'));
  const reporter = makeReporter(flags.format as Format, out);
  const budget = o.runs !== null ? `${o.runs} runs` : `${(o.timeMs! / 1000).toFixed(0)} s`;
  reporter.start({ seed: o.seed, policies: o.policies, jobs: o.jobs, budget });

  const started = Date.now();
  const deadline = o.timeMs !== null ? started + o.timeMs : null;
  const stop = new SharedArrayBuffer(4);
  const stopFlag = new Int32Array(stop);
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    Atomics.store(stopFlag, 0, 1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const bar = process.stderr.isTTY && flags.format === 'text' ? progressBar(o) : null;
  const perJob = Array.from({ length: o.jobs }, () => ({ execs: 0, ops: 0, findings: 0 }));
  const tick = (): void => {
    if (!bar) return;
    const execs = perJob.reduce((a, j) => a + j.execs, 0);
    const ops = perJob.reduce((a, j) => a + j.ops, 0);
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    const done = o.runs !== null ? execs : Math.min(o.timeMs!, Date.now() - started);
    bar.update(done, {
      execs,
      eps: Math.round(execs / secs),
      opsps: Math.round(ops / secs),
      findings: perJob.reduce((a, j) => a + j.findings, 0),
    });
  };

  // findings per job, reported in job order so the output does not depend on thread timing
  const found: { finding: Finding; path: string | null }[][] = perJob.map(() => []);
  const live = o.jobs === 1;
  const onFinding = (job: number, f: Finding, path: string | null): void => {
    found[job]!.push({ finding: f, path });
    if (live) {
      bar?.stop();
      reporter.finding(f, path);
      bar?.start(barTotal(o), 0);
    }
  };

  try {
    if (o.jobs === 1) {
      await new Promise((r) => setImmediate(r));
      const s = runJob(o, 0, deadline, {
        finding: (f, path) => onFinding(0, f, path),
        progress: (s2) => {
          perJob[0] = { execs: s2.execs, ops: s2.ops, findings: s2.findings };
          tick();
        },
        shouldStop: () => Atomics.load(stopFlag, 0) !== 0,
      });
      perJob[0] = { execs: s.execs, ops: s.ops, findings: s.findings };
    } else {
      await Promise.all(perJob.map((_, job) => runWorker(o, job, deadline, stop, perJob, onFinding, tick)));
    }
  } finally {
    bar?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (!live) for (const list of found) for (const x of list) reporter.finding(x.finding, x.path);
  const all = found.flat();
  reporter.end({
    execs: perJob.reduce((a, j) => a + j.execs, 0),
    ops: perJob.reduce((a, j) => a + j.ops, 0),
    seconds: (Date.now() - started) / 1000,
    findings: all,
    interrupted,
  });
  return all.length > 0 ? 1 : 0;
}

function runWorker(
  o: FuzzJobOptions,
  job: number,
  deadline: number | null,
  stop: SharedArrayBuffer,
  perJob: { execs: number; ops: number; findings: number }[],
  onFinding: (job: number, f: Finding, path: string | null) => void,
  tick: () => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('../fuzz/worker.js', import.meta.url), { workerData: { opts: o, job, deadline, stop } });
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'finding') onFinding(job, m.finding, m.path);
      else if (m.type === 'progress') {
        perJob[job] = { execs: m.execs, ops: m.ops, findings: m.findings };
        tick();
      } else {
        perJob[job] = { ...perJob[job]!, execs: m.execs, ops: m.ops };
      }
    });
    w.on('error', reject);
    w.on('exit', () => resolve());
  });
}

function barTotal(o: FuzzJobOptions): number {
  return o.runs ?? o.timeMs!;
}

function progressBar(o: FuzzJobOptions): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar(
    {
      format: 'fuzz [{bar}] {percentage}% | {execs} runs | {eps} execs/s | {opsps} ops/s | {findings} findings',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(barTotal(o), 0, { execs: 0, eps: 0, opsps: 0, findings: 0 });
  return bar;
}
