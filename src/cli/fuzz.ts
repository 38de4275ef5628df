// cowfuzz fuzz: options, the worker pool, progress (a bar on a terminal, a plain line every
// --progress-interval otherwise), signals, and the reporter. A first SIGINT or SIGTERM stops the
// jobs within a second and keeps every finding; a second one exits at once.

import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync, accessSync, constants } from 'node:fs';
import cliProgress from 'cli-progress';
import { parseDuration, parseFuzzFlags, type RawFuzzFlags, FuzzOptionError, type FuzzJobOptions } from '../fuzz/options.js';
import { startPool } from '../fuzz/pool.js';
import { FORMATS, makeReporter, type Format } from '../report/fuzz/index.js';
import type { Ctx } from './context.js';
import { EXIT, IoError, UsageError, ioCause } from './errors.js';

export interface FuzzCliFlags extends RawFuzzFlags {
  format: string;
  progressInterval?: string;
}

/** The output folder must be a writable folder before any job starts (not at the first finding). */
function prepareOut(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    // a recursive mkdir on a read-only file system says ENOENT: ask once more for the real cause
    let cause = e;
    try {
      mkdirSync(dir);
    } catch (e2) {
      cause = e2;
    }
    throw new IoError(`${dir}: cannot create the findings folder: ${ioCause(cause)}`);
  }
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    throw new IoError(`${dir}: ${ioCause(e)}`);
  }
  if (!st.isDirectory()) throw new UsageError(`--out ${dir}: not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new IoError(`${dir}: the findings folder is not writable: ${ioCause(e)}`);
  }
}

export async function fuzzCommand(ctx: Ctx, flags: FuzzCliFlags): Promise<number> {
  if (!(FORMATS as readonly string[]).includes(flags.format)) throw new UsageError(`bad --format '${flags.format}': expected one of ${FORMATS.join(', ')}`);
  const intervalMs = flags.progressInterval !== undefined ? parseDuration(flags.progressInterval, '--progress-interval') : 10_000;
  const o: FuzzJobOptions = parseFuzzFlags(flags, ctx.reg, ctx.policyModules, () => randomBytes(4).toString('hex'));
  if (o.outDir !== null) prepareOut(o.outDir);
  const reporter = makeReporter(flags.format as Format, { out: ctx.out, paint: ctx.paint });
  const budget = o.runs !== null ? `${o.runs} runs` : `${o.timeMs! / 1000} s`;
  reporter.start({ seed: o.seed, policies: o.policies, jobs: o.jobs, budget });

  const tty = process.stderr.isTTY === true;
  const bar = tty ? progressBar(o) : null;
  let lastLine = Date.now();
  const pool = startPool(o, {
    finding(f) {
      bar?.stop();
      reporter.finding(f);
      if (bar) bar.start(o.runs ?? o.timeMs!, 0);
    },
    sighting(f) {
      if (o.jobs > 1 && !tty) ctx.err(`cowfuzz: found ${f.finding.invariant} under ${f.finding.policy}${f.path ? ` (${f.path})` : ''}`);
    },
    progress(p) {
      reporter.progress?.(p);
      const secs = Math.max(0.001, p.elapsedMs / 1000);
      if (bar) {
        bar.update(o.runs !== null ? p.execs : Math.min(o.timeMs!, p.elapsedMs), {
          execs: p.execs,
          eps: Math.round(p.execs / secs),
          opsps: Math.round(p.ops / secs),
          findings: p.findings,
        });
      } else if (Date.now() - lastLine >= intervalMs) {
        lastLine = Date.now();
        ctx.err(`cowfuzz: ${secs.toFixed(0)} s, ${p.execs} runs, ${p.ops} ops (${Math.round(p.ops / secs)} ops/s), ${p.findings} finding(s)`);
      }
    },
  });

  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      ctx.err(`cowfuzz: ${sig}: stopping; findings so far are kept (again to exit at once)`);
      pool.stop();
    } else process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let r;
  try {
    r = await pool.done;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  reporter.end(r);
  if (r.error) {
    ctx.err(`cowfuzz: ${r.error.kind === 'io' ? '' : 'internal error: '}${ctx.debug ? r.error.message : r.error.message.split('\n')[0]}`);
    return EXIT.io;
  }
  if (r.ops === 0 && !r.interrupted) throw new FuzzOptionError('the run executed no op (check --weights and the policies)');
  return r.findings.length > 0 ? EXIT.found : EXIT.clean;
}

function progressBar(o: FuzzJobOptions): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar(
    { format: 'fuzz [{bar}] {percentage}% | {execs} runs | {eps} execs/s | {opsps} ops/s | {findings} findings', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(o.runs ?? o.timeMs!, 0, { execs: 0, eps: 0, opsps: 0, findings: 0 });
  return bar;
}
