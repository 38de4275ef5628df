// Worker-thread entry of `cowfuzz exhaust`: expands the chunks of the frontier the main thread
// hands it (see pool.ts). It keeps its own PathCursor, so consecutive chunks it is given rebuild
// only the ops their paths do not share with the last one it expanded.

import { parentPort, workerData } from 'node:worker_threads';
import type { InvariantName } from '../invariants/types.js';
import type { Scope } from '../ops/types.js';
import { registryWithModules } from '../policy/module.js';
import { PathCursor } from './cursor.js';
import { worldOptions } from './exhaust.js';
import { expandChunk, type ChunkResult } from './expand.js';

export interface ExhaustWorkerInput {
  readonly policy: string;
  readonly policyModules: readonly string[];
  readonly scope: Scope;
  readonly invariant: InvariantName | undefined;
}

/** One chunk: `nodes` frontier states from `start`, their paths (`len` op indices each) one after the other. */
export interface ExhaustTask {
  readonly start: number;
  readonly nodes: number;
  readonly len: number;
  readonly paths: Uint32Array;
}

export type ExhaustWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'chunk'; readonly start: number; readonly result: ChunkResult }
  | { readonly type: 'error'; readonly message: string };

const input = workerData as ExhaustWorkerInput;
const post = (m: ExhaustWorkerMessage, transfer: ArrayBuffer[] = []): void => parentPort!.postMessage(m, transfer);

async function main(): Promise<void> {
  const reg = await registryWithModules(input.policyModules);
  const cursor = new PathCursor(reg.get(input.policy), worldOptions(input.scope), input.scope);
  parentPort!.on('message', (t: ExhaustTask) => {
    try {
      const result = expandChunk(cursor, t.paths, t.nodes, t.len, input.invariant);
      post({ type: 'chunk', start: t.start, result }, [result.counts.buffer as ArrayBuffer, result.fpA.buffer as ArrayBuffer, result.fpB.buffer as ArrayBuffer]);
    } catch (e) {
      post({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
  post({ type: 'ready' });
}

main().catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
