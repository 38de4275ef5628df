// One interface for every fuzz output format; one file per format.

import type { PoolFinding, PoolProgress, PoolResult } from '../../fuzz/pool.js';
import type { Paint } from '../paint.js';

export interface FuzzStart {
  readonly seed: string;
  readonly policies: readonly string[];
  readonly jobs: number;
  readonly budget: string;
}

export interface FuzzReporter {
  start(s: FuzzStart): void;
  /** a finding, already on disk at its path */
  finding(f: PoolFinding): void;
  /** the pool's progress, about every 200 ms (a reporter that records it picks its own rate) */
  progress?(p: PoolProgress): void;
  end(r: PoolResult): void;
}

export type Out = (s: string) => void;

export interface ReporterContext {
  readonly out: Out;
  readonly paint: Paint;
}
