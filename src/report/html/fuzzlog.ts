// Reading what `cowfuzz fuzz --format json` wrote (src/report/fuzz/json.ts): one JSON object per
// line, a start, progress lines at most every second, findings, a summary. Lines of other types
// are skipped (a newer cowfuzz may add some); a file that is not such output is bad input.

export interface FuzzProgressPoint {
  readonly seconds: number;
  readonly execs: number;
  readonly ops: number;
  readonly findings: number;
}

export interface FuzzLogFinding {
  readonly signature: string;
  readonly policy: string;
  readonly invariant: string;
  readonly message: string;
  readonly path: string | null;
  readonly originalLength: number;
  readonly swapSlots: number | null;
  /** the ops as scenario lines */
  readonly ops: readonly string[];
}

export interface FuzzLog {
  readonly file: string;
  readonly seed: string;
  readonly policies: readonly string[];
  readonly jobs: number;
  readonly budget: string;
  readonly progress: readonly FuzzProgressPoint[];
  readonly findings: readonly FuzzLogFinding[];
  readonly summary: {
    readonly execs: number;
    readonly ops: number;
    readonly seconds: number;
    readonly findings: number;
    readonly interrupted: boolean;
    readonly error: string | null;
  } | null;
}

export class FuzzLogError extends Error {}

type Obj = Record<string, unknown>;

const num = (o: Obj, k: string): number => (typeof o[k] === 'number' ? (o[k] as number) : 0);
const str = (o: Obj, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');

/** Parses fuzz JSON output; throws FuzzLogError naming the line when it is not that. */
export function parseFuzzLog(text: string, file: string): FuzzLog {
  const lines = text.split(/\r?\n/);
  let start: Obj | null = null;
  const progress: FuzzProgressPoint[] = [];
  const findings: FuzzLogFinding[] = [];
  let summary: FuzzLog['summary'] = null;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      throw new FuzzLogError(`${file}:${i + 1}: not a line of cowfuzz fuzz --format json output (not JSON)`);
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o) || typeof (o as Obj).type !== 'string') {
      throw new FuzzLogError(`${file}:${i + 1}: not a line of cowfuzz fuzz --format json output (no "type")`);
    }
    const x = o as Obj;
    switch (x.type) {
      case 'start':
        start = x;
        break;
      case 'progress':
        progress.push({ seconds: num(x, 'seconds'), execs: num(x, 'execs'), ops: num(x, 'ops'), findings: num(x, 'findings') });
        break;
      case 'finding':
        findings.push({
          signature: str(x, 'signature'),
          policy: str(x, 'policy'),
          invariant: str(x, 'invariant'),
          message: str(x, 'message'),
          path: typeof x.path === 'string' ? x.path : null,
          originalLength: num(x, 'originalLength'),
          swapSlots: typeof x.swapSlots === 'number' ? x.swapSlots : null,
          ops: Array.isArray(x.ops) ? x.ops.filter((l): l is string => typeof l === 'string') : [],
        });
        break;
      case 'summary':
        summary = {
          execs: num(x, 'execs'),
          ops: num(x, 'ops'),
          seconds: num(x, 'seconds'),
          findings: num(x, 'findings'),
          interrupted: x.interrupted === true,
          error: typeof x.error === 'string' ? x.error : null,
        };
        break;
      default:
        break; // a type this reader does not know
    }
  });
  if (start === null) throw new FuzzLogError(`${file}: not cowfuzz fuzz --format json output (no "start" line)`);
  const s: Obj = start;
  return {
    file,
    seed: str(s, 'seed'),
    policies: Array.isArray(s.policies) ? s.policies.filter((p): p is string => typeof p === 'string') : [],
    jobs: num(s, 'jobs'),
    budget: str(s, 'budget'),
    progress,
    findings,
    summary,
  };
}

/** The chart's points: runs per second between consecutive points, and findings so far; the summary closes the series. */
export function chartPoints(log: FuzzLog): { seconds: number; runsPerSec: number; findings: number }[] {
  const pts: FuzzProgressPoint[] = [{ seconds: 0, execs: 0, ops: 0, findings: 0 }, ...log.progress];
  if (log.summary && log.summary.seconds > pts[pts.length - 1]!.seconds) {
    pts.push({ seconds: log.summary.seconds, execs: log.summary.execs, ops: log.summary.ops, findings: log.summary.findings });
  }
  const out: { seconds: number; runsPerSec: number; findings: number }[] = [];
  for (let i = 1; i < pts.length; i++) {
    const dt = pts[i]!.seconds - pts[i - 1]!.seconds;
    if (dt <= 0) continue;
    out.push({ seconds: pts[i]!.seconds, runsPerSec: (pts[i]!.execs - pts[i - 1]!.execs) / dt, findings: pts[i]!.findings });
  }
  return out;
}
