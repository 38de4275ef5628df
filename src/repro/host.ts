// Running reproducers on this machine's kernel, one at a time (they share the kernel: swap, LRU,
// CPU), and the swap area they need: made here when none is active and we may (root), removed
// afterwards by the caller, and found again and removed by the next run if a run was killed.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface RunResult {
  /** stdout and stderr, in the order they came */
  readonly log: string;
  /** how it ended: 'exit 0', 'signal SIGKILL', 'timed out after 60 s' */
  readonly exit: string;
}

export interface RunOptions {
  readonly timeoutMs: number;
  readonly env?: Readonly<Record<string, string>>;
  /** called with the child while it runs (so a signal handler can stop it) */
  readonly onChild?: (c: ChildProcess | null) => void;
}

/** Runs a program, collecting what it prints; SIGTERM after the timeout (the runtime then cleans up), SIGKILL 5 s later. */
export function runProgram(bin: string, o: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, [], { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    o.onChild?.(child);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    let timedOut = false;
    let kill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    }, o.timeoutMs);
    const done = (exit: string): void => {
      clearTimeout(timer);
      if (kill) clearTimeout(kill);
      o.onChild?.(null);
      resolve({ log: Buffer.concat(chunks).toString('utf8'), exit: timedOut ? `timed out after ${Math.round(o.timeoutMs / 1000)} s (${exit})` : exit });
    };
    child.on('error', (e) => done(`could not start: ${e.message}`));
    child.on('close', (code, sig) => done(sig ? `signal ${sig}` : `exit ${code}`));
  });
}

/** The active swap areas (/proc/swaps), by path. */
export function activeSwaps(): string[] {
  try {
    return readFileSync('/proc/swaps', 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0]!)
      .filter(Boolean);
  } catch {
    return [];
  }
}

const OURS = /\/cowfuzz-kernel-check-(\d+)\.swap$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface SwapFile {
  readonly path: string;
}

/** Switches off and deletes a swap file this module made. Synchronous: safe in a signal handler's last moments. */
export function removeSwapFile(s: SwapFile): string | null {
  let err: string | null = null;
  if (activeSwaps().includes(s.path)) {
    try {
      execFileSync('swapoff', [s.path], { stdio: 'pipe' });
    } catch (e) {
      err = `swapoff ${s.path}: ${(e as Error).message.split('\n')[0]}`;
    }
  }
  try {
    if (existsSync(s.path)) unlinkSync(s.path);
  } catch (e) {
    err ??= `rm ${s.path}: ${(e as Error).message}`;
  }
  return err;
}

/** Swap files an earlier kernel-check left behind (it was killed): switched off and removed. */
export function sweepStaleSwapFiles(): string[] {
  const out: string[] = [];
  for (const p of activeSwaps()) {
    const m = OURS.exec(p);
    if (!m || alive(Number(m[1]))) continue;
    const err = removeSwapFile({ path: p });
    out.push(err ?? `removed ${p}, left by an earlier run`);
  }
  return out;
}

/**
 * Makes and switches on a swap file (32 MiB, written with zeros: a swap file must have no holes)
 * in the first of `dirs` that takes one (tmpfs does not). Returns it, or why not.
 */
export function makeSwapFile(dirs: readonly string[]): SwapFile | string {
  const tried: string[] = [];
  const zeros = Buffer.alloc(1 << 20);
  for (const dir of dirs) {
    const path = join(dir, `cowfuzz-kernel-check-${process.pid}.swap`);
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        for (let i = 0; i < 32; i++) writeSync(fd, zeros);
      } finally {
        closeSync(fd);
      }
      execFileSync('mkswap', ['-q', path], { stdio: 'pipe' });
      execFileSync('swapon', [path], { stdio: 'pipe' });
      return { path };
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      tried.push(`${dir}: ${err.stderr?.toString().trim().split('\n')[0] || err.code || err.message.split('\n')[0]}`);
      try {
        if (existsSync(path)) unlinkSync(path);
      } catch {
        // nothing more to undo
      }
    }
  }
  return `no swap file could be made (${tried.join('; ')})`;
}
