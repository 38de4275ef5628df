// `cowfuzz exhaust` across worker threads: the main thread keeps the search (levels, visited set,
// verdict) and stays free to answer signals; workers expand chunks of each level's frontier. The
// main thread merges chunk results in frontier order, so the states, the sequences and the
// counterexample are those of exhaust() in one thread, whatever the number of workers or timing.

import { Worker } from 'node:worker_threads';
import type { Scope } from '../ops/types.js';
import { CHUNK_STATES, Search, worldOptions, type ExhaustOptions, type ExhaustResult } from './exhaust.js';
import type { ChunkResult } from './expand.js';
import { fingerprint64 } from './fingerprint.js';
import { newWorld } from '../world/world.js';
import type { ExhaustTask, ExhaustWorkerInput, ExhaustWorkerMessage } from './worker.js';

export interface ExhaustPool {
  /** stop now: the result is 'incomplete' (interrupted) */
  stop(): void;
  readonly done: Promise<ExhaustResult>;
}

/** Chunks each worker may hold at once: one working, one queued, so no worker waits on the main thread. */
const IN_FLIGHT = 2;

export function startExhaustPool(o: ExhaustOptions & { readonly scope: Scope }, jobs: number, policyModules: readonly string[]): ExhaustPool {
  const s = new Search(o, fingerprint64(newWorld(o.policy, worldOptions(o.scope))));
  const input: ExhaustWorkerInput = { policy: o.policy.name, policyModules, scope: o.scope, invariant: o.invariant };
  const workers: Worker[] = [];
  let finish: (r: ExhaustResult) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const done = new Promise<ExhaustResult>((res, rej) => {
    finish = res;
    fail = rej;
  });
  let over = false;
  const end = (r: ExhaustResult | Error): void => {
    if (over) return;
    over = true;
    for (const w of workers) void w.terminate();
    if (r instanceof Error) fail(r);
    else finish(r);
  };

  // the level being expanded: its frontier size, the next chunk to hand out, results waiting to be merged in order
  let size = 0;
  let nextChunk = 0;
  let nextMerge = 0;
  const waiting = new Map<number, ChunkResult>();
  const inFlight = new Map<Worker, number>();
  let ready = 0;

  const chunks = (): number => Math.ceil(size / CHUNK_STATES);
  const feed = (w: Worker): void => {
    while ((inFlight.get(w) ?? 0) < IN_FLIGHT && nextChunk < chunks()) {
      const start = nextChunk++ * CHUNK_STATES;
      const end = Math.min(size, start + CHUNK_STATES);
      const paths = s.paths(start, end);
      const task: ExhaustTask = { start, nodes: end - start, len: s.level - 1, paths };
      inFlight.set(w, (inFlight.get(w) ?? 0) + 1);
      w.postMessage(task, [paths.buffer as ArrayBuffer]);
    }
  };
  const startLevel = (): void => {
    size = s.beginLevel();
    if (size === 0) return end(s.clean());
    nextChunk = 0;
    nextMerge = 0;
    for (const w of workers) feed(w);
  };
  const onChunk = (w: Worker, start: number, r: ChunkResult): void => {
    inFlight.set(w, inFlight.get(w)! - 1);
    waiting.set(start / CHUNK_STATES, r);
    for (let c = waiting.get(nextMerge); c !== undefined; c = waiting.get(nextMerge)) {
      waiting.delete(nextMerge);
      const verdict = s.merge(nextMerge * CHUNK_STATES, c);
      if (verdict !== null) return end(verdict);
      nextMerge++;
    }
    if (nextMerge === chunks()) {
      if (!s.endLevel()) return end(s.clean());
      return startLevel();
    }
    feed(w);
  };

  for (let j = 0; j < jobs; j++) {
    const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    workers.push(w);
    w.on('message', (m: ExhaustWorkerMessage) => {
      if (over) return;
      if (m.type === 'error') return end(new Error(m.message));
      if (m.type === 'ready') {
        if (++ready === jobs) startLevel();
        return;
      }
      onChunk(w, m.start, m.result);
    });
    w.on('error', (e) => end(e));
    w.on('exit', (code) => {
      if (!over) end(new Error(`an exhaust worker exited (code ${code}) before the search ended`));
    });
  }
  return {
    stop: () => end(s.interrupted()),
    done,
  };
}
