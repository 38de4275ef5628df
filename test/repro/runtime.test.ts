// The C side on this machine's kernel: the reproducer of the example compiles with
// gcc -Wall -Werror and runs to `verdict: pass`; every corpus program compiles; the runtime's every
// op runs and is judged as the model would; its oracle catches a lie. Needs gcc (skipped without).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { emitProgram } from '../../src/repro/emit.js';
import { readRuntime, runtimePath } from '../../src/repro/files.js';
import { activeSwaps } from '../../src/repro/host.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { cli, ROOT } from '../cli/run-cli.js';

const HAS_GCC = spawnSync('gcc', ['--version']).status === 0;
const ROOT_USER = process.getuid?.() === 0;
const tmp = (): string => mkdtempSync(join(tmpdir(), 'cowfuzz-rt-'));
const STRICT = ['-Wall', '-Wextra', '-Werror'];

function gcc(cFile: string, flags: readonly string[]): string {
  const bin = cFile.replace(/\.c$/, '');
  execFileSync('gcc', [...flags, '-I', join(ROOT, 'src/repro'), '-o', bin, cFile], { stdio: 'pipe' });
  return bin;
}

function run(bin: string, env: NodeJS.ProcessEnv = {}): { status: number | null; out: string } {
  const r = spawnSync(bin, [], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe.skipIf(!HAS_GCC)('reproducers on this kernel', () => {
  it('cowfuzz repro corpus/vmsplice-child-leak.cow -o x.c && gcc -Wall -Werror x.c: runs to verdict pass', () => {
    const dir = tmp();
    const c = join(dir, 'x.c');
    const r = cli(['repro', 'corpus/vmsplice-child-leak.cow', '-o', c]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote .*x\.c \(7 steps\)/);
    for (const flags of [['-Wall', '-Werror'], ['-Wall', '-Werror', '-O2'], [...STRICT, '-O3']]) {
      const bin = gcc(c, flags);
      const { status, out } = run(bin);
      expect(out).toMatch(/^step 4: vmsplice P1 A as r1 -> ok: a pipe holds A/m);
      expect(out).toMatch(/^step 7: read r1 -> #1 \(by P0\), which P1 may see/m);
      expect(out).toMatch(/\nverdict: pass\n$/);
      expect(status).toBe(0);
    }
  });

  it('compiles the program of every corpus scenario with -Wall -Wextra -Werror', () => {
    const reg = new PolicyRegistry();
    const dir = tmp();
    const runtime = readRuntime();
    const corpus = join(ROOT, 'corpus');
    for (const f of readdirSync(corpus).filter((n) => n.endsWith('.cow'))) {
      const p = parseScenario(readFileSync(join(corpus, f), 'utf8'), f, { isPolicy: (n) => reg.has(n) });
      const c = join(dir, f.replace(/\.cow$/, '.c'));
      writeFileSync(c, emitProgram(p, { runtime }).source);
      expect(() => gcc(c, [...STRICT, '-O0']), f).not.toThrow();
    }
  });

  // every macro of the runtime, one after the other; ends with a step user space cannot perform
  const EVERY_OP = `#include "cowfuzz_rt.h"
static const struct cf_op scenario[] = {
	{ CF_MMAP("P0", "A", 3, CF_RW) },
	{ CF_WRITE("P0", "A", 0) },
	{ CF_WRITE("P0", "A", 1), .note = "a note" },
	{ CF_IO_URING_REGISTER("P0", "A", 0, 2, "r1") },
	{ CF_FORK("P0", "P1") },
	{ CF_WRITE("P0", "A", 1) },
	{ CF_READ_REF("r1", 1) },
	{ CF_WRITE_REF("r1", 0) },
	{ CF_READ("P0", "A", 0) },
	{ CF_READ("P1", "A", 0) },
	{ CF_VMSPLICE("P1", "A", 2, 1, "r2") },
	{ CF_MPROTECT("P1", "A", 2, 0, CF_RO) },
	{ CF_WRITE("P1", "A", 2) },
	{ CF_MPROTECT("P1", "A", 0, 0, CF_RW) },
	{ CF_POKE("P1", "A", 2) },
	{ CF_READ_REF("r2", 0) },
	{ CF_PUT("r2") },
	{ CF_MADVISE("P0", "A", 2, 1, MADV_DONTFORK) },
	{ CF_FORK("P0", "P2") },
	{ CF_READ("P2", "A", 2) },
	{ CF_MADVISE("P0", "A", 2, 1, MADV_DONTNEED) },
	{ CF_READ("P0", "A", 2) },
	{ CF_EXIT("P0") },
	{ CF_READ_REF("r1", 0) },
	{ CF_EXIT("P1") },
	{ CF_EXIT("P2") },
	{ CF_MMAP("P3", "B", 1, CF_RW) },
	{ CF_WRITE("P3", "B", 0) },
	{ CF_RECLAIM("P3", "B", 0) },
	{ CF_FORK("P3", "P4") },
	{ CF_WRITE("P3", "B", 0) },
	{ CF_READ("P4", "B", 0) },
	{ CF_MADVISE("P4", "B", 0, 1, MADV_PAGEOUT) },
	{ CF_READ("P4", "B", 0) },
	{ CF_MUNMAP("P4", "B", 0, 0) },
	{ CF_CLEAR_REFS("P3"), .text = "clear_refs P3" },
	{ CF_END },
};
int main(void) { return cf_main("every op", scenario); }
`;

  it.skipIf(!ROOT_USER)('runs every op of the runtime as the model judges it, and removes the swap file it made', () => {
    const dir = tmp();
    const c = join(dir, 'every.c');
    writeFileSync(c, EVERY_OP);
    const bin = gcc(c, [...STRICT, '-O2']);
    gcc(c, ['-Wall', '-Werror', '-O2', '-static']);
    const { status, out } = run(bin, { COWFUZZ_ALLOW_NOOP_CLEAR_REFS: '1', COWFUZZ_SWAPDIR: dir });
    expect(out).not.toMatch(/VIOLATION|BROKEN|UNSUPPORTED/);
    expect(out).toMatch(/^step 7: read r1\+1 -> #3 \(by P0\), as P0's page table reads$/m);
    expect(out).toMatch(/^step 10: read P1 A -> #1 \(by P0\), as expected$/m); // the DMA write went into P0's pinned page, not P1's copy
    expect(out).toMatch(/^step 13: write P1 A\+2 -> REFUSED SIGSEGV \(SEGV_ACCERR\) \(as expected: the mapping is read-only\)$/m);
    expect(out).toMatch(/^step 15: poke P1 A\+2 -> #6$/m);
    expect(out).toMatch(/^step 20: read P2 A\+2 -> REFUSED SIGSEGV \(SEGV_MAPERR\) \(as expected: the page is not mapped\)$/m);
    expect(out).toMatch(/^step 24: read r1 -> #4 \(by P0\), which P0 may see$/m); // P1 and P2 still hold the ring
    expect(out).toMatch(/^step 26: exit P2 -> ok; r1 released \(no process holds it any more\)$/m);
    expect(out).toMatch(/^step 29: reclaim P3 B -> swapped out/m);
    expect(out).toMatch(/^step 32: read P4 B -> #\d+ \(by P3\), as expected$/m);
    expect(out).toMatch(/^step 36: clear_refs P3 -> ok/m);
    expect(out).toMatch(/\nresult: verdict=error step=13 violations= refused=13 unsupported=0 broken=0 run=36\n/);
    expect(status).toBe(2);
    // the swap file it made (when no other swap was active) is off and gone
    expect(activeSwaps().filter((p) => p.startsWith(dir))).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.endsWith('.swap'))).toEqual([]);
  });

  it('catches an oracle that lies (a test hook): no-over-sharing at the step after the lie', () => {
    const dir = tmp();
    const c = join(dir, 'lie.c');
    writeFileSync(
      c,
      `#include "cowfuzz_rt.h"\nstatic const struct cf_op s[] = {\n\t{ CF_MMAP("P0", "A", 1, CF_RW) },\n\t{ CF_WRITE("P0", "A", 0) },\n\t{ CF_FORK("P0", "P1") },\n\t{ CF_TEST_EARLY_FORK("P1") },\n\t{ CF_READ("P1", "A", 0) },\n\t{ CF_END },\n};\nint main(void) { return cf_main("lie", s); }\n`,
    );
    const { status, out } = run(gcc(c, [...STRICT, '-O2']));
    expect(out).toMatch(/^step 4: TEST: .*\n    VIOLATION no-over-sharing: P1 A reads #1 \(written by P0 at A\+0, t=2\): P1 was forked at t=0/m);
    expect(out).toMatch(/\nresult: verdict=no-over-sharing step=4 violations=no-over-sharing /);
    expect(status).toBe(1);
  });

  it('stops at the first step user space cannot perform, listing every such step first', () => {
    const dir = tmp();
    const f = join(dir, 'ro-pin.cow');
    writeFileSync(f, 'title t\nmmap P0 A 1\nwrite P0 A\ngup P0 A FOLL_PIN|FOLL_LONGTERM as r1\nwrite P0 A\ngup P0 A FOLL_GET|FOLL_WRITE as r2\nread r1\n');
    const c = join(dir, 'ro-pin.c');
    const r = cli(['repro', f, '-o', c]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/step 3 'gup P0 A FOLL_PIN\|FOLL_LONGTERM as r1': user space cannot perform it: a R\/O FOLL_PIN/);
    expect(r.stderr).toMatch(/step 5 'gup P0 A FOLL_GET\|FOLL_WRITE as r2': user space cannot perform it: a R\/W FOLL_GET/);
    expect(r.stderr).toMatch(/runs steps 1 to 2 of 6, then stops/);
    const { status, out } = run(gcc(c, ['-Wall', '-Werror']));
    expect(out).toMatch(/^unsupported: step 3: gup P0 A FOLL_PIN\|FOLL_LONGTERM as r1: a R\/O FOLL_PIN/m);
    expect(out).toMatch(/^unsupported: step 5: gup P0 A FOLL_GET\|FOLL_WRITE as r2: /m);
    expect(out).toMatch(/^step 2: write P0 A -> #1$/m);
    expect(out).toMatch(/^\(steps 4 to 6 not run\)$/m);
    expect(out).toMatch(/\nverdict: unsupported\n$/);
    expect(status).toBe(3);
  });

  // every C form of files, memfds and shared mappings, through `cowfuzz repro` (test/repro/every-file-op.cow)
  it.skipIf(!ROOT_USER)('runs every file op and refusal as the model judges it, and skips what names a refused mapping', () => {
    const dir = tmp();
    const c = join(dir, 'files.c');
    const r = cli(['repro', join(ROOT, 'test/repro/every-file-op.cow'), '-o', c]);
    expect(r.status, r.stderr).toBe(0);
    gcc(c, ['-Wall', '-Werror', '-O2', '-static']);
    const { status, out } = run(gcc(c, [...STRICT, '-O2']), { COWFUZZ_SWAPDIR: dir });
    expect(out).not.toMatch(/VIOLATION|BROKEN|UNSUPPORTED/);
    expect(out).toMatch(/^step 1: file F 2 -> a file in \S+ \(fd \d+\)$/m);
    expect(out).toMatch(/^step 2: file R 1 ro -> a file in \S+ \(fd \d+, read-only\)$/m);
    expect(out).toMatch(/^step 7: read P0 B -> #1 \(by P0, F's\), as expected/m); // a private mapping views the file
    expect(out).toMatch(/^step 11: read P0 B -> #2 \(by P0\), as expected/m); // ... until its own write
    expect(out).toMatch(/^step 12: pread F 0 -> #3 \(by pwrite, F's\), as expected$/m);
    expect(out).toMatch(/^step 16: read P0 A -> zero, as expected$/m); // the hole punched
    expect(out).toMatch(/^step 17: read P0 B -> #2 \(by P0\), as expected/m); // the copy survives it
    expect(out).toMatch(/^step 18: mmap P0 C 1 shared R -> REFUSED EACCES /m);
    expect(out).toMatch(/^step 19: read P0 C -> skipped: the mapping was never made/m);
    expect(out).toMatch(/^step 22: poke P0 D -> REFUSED /m);
    expect(out).toMatch(/^step 23: pwrite R 0 -> REFUSED EBADF /m);
    expect(out).toMatch(/^step 26: seal M write -> REFUSED EBUSY/m);
    expect(out).toMatch(/^step 28: seal M write -> ok/m);
    expect(out).toMatch(/^step 29: pwrite M 0 -> REFUSED EPERM/m);
    expect(out).toMatch(/^step 30: mmap P0 G 1 shared M -> REFUSED EPERM/m);
    expect(out).toMatch(/^step 33: read P0 H -> #5 \(by P0, M's\), as expected/m); // the numbering is the model's
    expect(out).toMatch(/^step 36: read P0 A\+1 -> #7 \(by P1, F's\), as expected/m);
    expect(out).toMatch(/^step 37: reclaim P0 A\+1 -> unmapped from P1 A\+1 \(MADV_DONTNEED\); F page 1 left the page cache/m);
    expect(out).toMatch(/^step 39: pread F 1 -> #7 \(by P1, F's\), as expected$/m); // written back and read in again
    expect(out).toMatch(/^step 44: reclaim P0 S -> unmapped from P2 S \(MADV_DONTNEED\); shared anonymous memory page 0 left the page cache/m);
    expect(out).toMatch(/^step 45: read P2 S -> #8 \(by P0, shared\), as expected/m); // back from swap
    expect(out).toMatch(/^step 53: read P0 A\+1 -> REFUSED SIGBUS \(as expected: past the end of the file\)/m);
    expect(out).toMatch(/^step 55: read P0 B\+1 -> zero, as expected/m); // the truncate took the copy (even_cows)
    expect(out).toMatch(/\nresult: verdict=error step=18 violations= refused=18 unsupported=0 broken=0 run=55\n/);
    expect(status).toBe(2);
  });

  const fileLie = (privately: 0 | 1): string => `#include "cowfuzz_rt.h"
static const struct cf_op s[] = {
	{ CF_MEMFD("F", 2) },
	{ CF_MMAP_FILE("P0", "A", 1, CF_RW, CF_SHARED, "F", 1) },
	{ CF_WRITE("P0", "A", 0) },
	{ CF_PREAD("F", 1) },
	{ CF_TEST_FILE_LIE("F", ${privately}) },
	{ CF_PREAD("F", 1) },
	{ CF_END },
};
int main(void) { return cf_main("file lie", s); }
`;

  it('catches a file that holds what the oracle does not expect: shared-coherence, or no-write-through for a private value', () => {
    const dir = tmp();
    const c = join(dir, 'lie.c');
    writeFileSync(c, fileLie(0));
    const lost = run(gcc(c, [...STRICT, '-O2']));
    expect(lost.out).toMatch(/^step 4: pread F 1 -> #1 \(by P0, F's\), as expected$/m);
    expect(lost.out).toMatch(/^step 5: TEST: .*\n {4}VIOLATION shared-coherence: F page 1 holds #1 .* but should hold zero\n {4}VIOLATION shared-coherence: P0 A \(a shared mapping of F page 1\) reads #1/m);
    expect(lost.out).toMatch(/^step 6: pread F 1 -> #1 .*\n {4}VIOLATION shared-coherence: F page 1 holds #1/m);
    expect(lost.out).toMatch(/\nresult: verdict=shared-coherence step=5 violations=shared-coherence /);
    expect(lost.status).toBe(1);
    writeFileSync(c, fileLie(1));
    const through = run(gcc(c, [...STRICT, '-O2']));
    expect(through.out).toMatch(/^step 5: TEST: .*\n {4}VIOLATION no-write-through: F page 1 holds #1 .*, a private write$/m);
    expect(through.out).toMatch(/\nresult: verdict=no-write-through step=5 violations=no-over-sharing,no-write-through /);
    expect(through.status).toBe(1);
  });

  it('ships the runtime next to the module', () => {
    expect(readFileSync(runtimePath(), 'utf8')).toMatch(/#define COWFUZZ_RT_H/);
  });
});
