// The main thread of `cowfuzz fuzz`: starts one worker per job (even for --jobs 1, so the main
// thread stays free to answer signals), gathers findings, keeps one report per signature, and
// stops the workers on a signal or an error. Findings are on disk (written by the worker) before
// they reach this thread.

import { Worker } from 'node:worker_threads';
import { earlier, sameFindingOnDisk, signature, writeFinding, type Finding } from './findings.js';
import type { FuzzJobOptions } from './options.js';
import type { WorkerInput, WorkerMessage } from './worker.js';

export interface PoolFinding {
  readonly finding: Finding;
  readonly path: string | null;
}

export interface PoolProgress {
  readonly execs: number;
  readonly ops: number;
  readonly findings: number;
  readonly elapsedMs: number;
}

export interface PoolEvents {
  /** a signature seen for the first time (reported at once with one job; at the end, in stream order, with several) */
  finding?(f: PoolFinding): void;
  /** a new signature was seen by some job (for live notes when findings are reported at the end) */
  sighting?(f: PoolFinding): void;
  progress?(p: PoolProgress): void;
}

export interface PoolResult {
  readonly execs: number;
  readonly ops: number;
  readonly elapsedMs: number;
  /** one per signature, in (stream, run) order */
  readonly findings: readonly PoolFinding[];
  /** sightings per signature, over all jobs */
  readonly perSignature: ReadonlyMap<string, number>;
  /** failures per policy/invariant that were not shrunk */
  readonly unshrunk: ReadonlyMap<string, number>;
  readonly interrupted: boolean;
  /** an I/O failure (exit 3) or an internal error, if one stopped the run */
  readonly error: { readonly kind: 'io' | 'internal'; readonly message: string } | null;
}

/** How long workers get to finish their current run after a stop request before they are terminated. */
export const STOP_GRACE_MS = 800;

export interface Pool {
  /** stop at the next run boundary (a signal, the deadline); the first call starts the grace timer */
  stop(): void;
  readonly done: Promise<PoolResult>;
}

export function startPool(o: FuzzJobOptions, ev: PoolEvents): Pool {
  const started = Date.now();
  const deadline = o.timeMs !== null ? started + o.timeMs : null;
  const stopBuf = new SharedArrayBuffer(4);
  const stopFlag = new Int32Array(stopBuf);
  const perJob = Array.from({ length: o.jobs }, () => ({ execs: 0, ops: 0, findings: 0 }));
  const kept = new Map<string, PoolFinding>();
  const perSignature = new Map<string, number>();
  const unshrunk = new Map<string, number>();
  let interrupted = false;
  let error: PoolResult['error'] = null;
  const workers: Worker[] = [];
  let graceTimer: NodeJS.Timeout | null = null;
  const live = o.jobs === 1;

  const progress = (): void =>
    ev.progress?.({
      execs: perJob.reduce((a, j) => a + j.execs, 0),
      ops: perJob.reduce((a, j) => a + j.ops, 0),
      findings: kept.size,
      elapsedMs: Date.now() - started,
    });

  const stop = (): void => {
    if (Atomics.load(stopFlag, 0) !== 0) return;
    Atomics.store(stopFlag, 0, 1);
    graceTimer = setTimeout(() => {
      for (const w of workers) void w.terminate();
    }, STOP_GRACE_MS);
  };

  /** Writes the finding over its signature's file: its path, or null (the error kept) when it cannot. */
  const rewrite = (dir: string, f: Finding): string | null => {
    try {
      return writeFinding(dir, f, true).path;
    } catch (e) {
      error ??= { kind: 'io', message: `${dir}: cannot write a finding: ${(e as Error).message}` };
      return null;
    }
  };

  const onFinding = (pf: PoolFinding): void => {
    const sig = signature(pf.finding);
    const prev = kept.get(sig);
    if (prev === undefined) {
      kept.set(sig, pf);
      if (live) ev.finding?.(pf);
      ev.sighting?.(pf);
      return;
    }
    // the same signature from another job: keep the earlier (stream, run), whatever the timing
    if (earlier(pf.finding, prev.finding)) {
      let path = pf.path;
      if (o.outDir !== null) {
        const written = rewrite(o.outDir, pf.finding);
        if (written === null) stop();
        else path = written;
      }
      kept.set(sig, { finding: pf.finding, path });
    }
  };

  const runOne = (job: number): Promise<void> =>
    new Promise((resolve) => {
      const input: WorkerInput = { opts: o, job, deadline, stop: stopBuf };
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: input });
      workers.push(w);
      let finished = false;
      w.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'finding':
            onFinding({ finding: m.finding, path: m.path });
            break;
          case 'progress':
            perJob[job] = { execs: m.execs, ops: m.ops, findings: m.findings };
            progress();
            break;
          case 'done':
            finished = true;
            perJob[job] = { ...perJob[job]!, execs: m.execs, ops: m.ops };
            for (const [s, n] of m.perSignature) perSignature.set(s, (perSignature.get(s) ?? 0) + n);
            for (const [s, n] of m.unshrunk) unshrunk.set(s, (unshrunk.get(s) ?? 0) + n);
            if (m.interrupted) interrupted = true;
            break;
          case 'error':
            error ??= { kind: m.kind, message: m.message };
            stop();
            break;
        }
      });
      w.on('error', (e) => {
        error ??= { kind: 'internal', message: e.stack ?? e.message };
        stop();
      });
      w.on('exit', () => {
        if (!finished && Atomics.load(stopFlag, 0) !== 0) interrupted = true;
        resolve();
      });
    });

  const done = Promise.all(perJob.map((_, j) => runOne(j))).then((): PoolResult => {
    if (graceTimer) clearTimeout(graceTimer);
    // A job writes a signature's file only when it finds none, and two jobs may both find none at
    // the same moment (the later rename wins), or one may skip it because another job's later
    // finding got there first: the file can hold a finding other than the kept one. Every job has
    // stopped writing now: each signature's file is made the kept (earliest) finding's, so the
    // files depend on the seed, never on timing.
    const dir = o.outDir;
    if (dir !== null && o.jobs > 1) for (const pf of kept.values()) if (pf.path !== null && !sameFindingOnDisk(pf.path, pf.finding)) rewrite(dir, pf.finding);
    const findings = [...kept.values()].sort((a, b) => (earlier(a.finding, b.finding) ? -1 : 1));
    if (!live) for (const f of findings) ev.finding?.(f);
    return {
      execs: perJob.reduce((a, j) => a + j.execs, 0),
      ops: perJob.reduce((a, j) => a + j.ops, 0),
      elapsedMs: Date.now() - started,
      findings,
      perSignature,
      unshrunk,
      interrupted,
      error,
    };
  });
  return {
    stop() {
      interrupted = true;
      stop();
    },
    done,
  };
}
