// One interface for every fuzz output format; one file per format.

import type { Finding } from '../../fuzz/findings.js';

export interface FuzzStart {
  readonly seed: string;
  readonly policies: readonly string[];
  readonly jobs: number;
  readonly budget: string;
}

export interface FuzzSummary {
  readonly execs: number;
  readonly ops: number;
  readonly seconds: number;
  readonly findings: readonly { finding: Finding; path: string | null }[];
  readonly interrupted: boolean;
}

export interface FuzzReporter {
  start(s: FuzzStart): void;
  /** a finding, already on disk at `path` */
  finding(f: Finding, path: string | null): void;
  end(s: FuzzSummary): void;
}

export type Out = (s: string) => void;
