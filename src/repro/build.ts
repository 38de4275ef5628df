// Compiling reproducers: gcc -Wall -Werror -O2, -static for a kernel booted under QEMU.

import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';

export interface CompileOptions {
  readonly static?: boolean;
  /** false: -O0 (four times faster to build; kernel-check's default), else -O2 as a user builds it */
  readonly optimize?: boolean;
  /** the compiler (default: $CC or gcc) */
  readonly cc?: string;
}

export class CompileError extends Error {}

export const compilerOf = (o: CompileOptions): string => o.cc ?? process.env.CC ?? 'gcc';

export function compileFlags(o: CompileOptions): string[] {
  return ['-Wall', '-Werror', o.optimize === false ? '-O0' : '-O2', ...(o.static ? ['-static'] : [])];
}

/** Writes `source` to `cPath` and compiles it to `binPath`; a CompileError carries the compiler's messages. */
export async function compile(source: string, cPath: string, binPath: string, o: CompileOptions): Promise<void> {
  await writeFile(cPath, source);
  const cc = compilerOf(o);
  await new Promise<void>((resolve, reject) => {
    execFile(cc, [...compileFlags(o), '-o', binPath, cPath], { maxBuffer: 16 << 20 }, (err, _out, stderr) => {
      if (!err) return resolve();
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return reject(new CompileError(`${cc} not found: install gcc (Debian: apt-get install gcc libc6-dev)`));
      reject(new CompileError(`${cc} ${compileFlags(o).join(' ')} ${cPath} failed:\n${stderr.trim()}`));
    });
  });
}

/** Runs fn over items, at most `limit` at a time (compiles are CPU-bound: one per core). */
export async function mapLimit<T, R>(items: readonly T[], fn: (t: T, i: number) => Promise<R>, limit = availableParallelism()): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
