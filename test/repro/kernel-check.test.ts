// cowfuzz kernel-check on this machine's kernel: agreement, a deliberately wrong expectation (an era
// this kernel is not) failing with exit 1 and the program's output as evidence, `expect-kernel`
// records, what cannot run listed with the reason, and the swap file it makes removed even when
// it is interrupted. Needs gcc (skipped without); the swap checks need root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eraPolicies } from '../../src/policy/registry.js';
import { eraForRelease } from '../../src/repro/era.js';
import { activeSwaps } from '../../src/repro/host.js';
import { cli, cliAsync, ROOT } from '../cli/run-cli.js';

const HAS_GCC = spawnSync('gcc', ['--version']).status === 0;
const ROOT_USER = process.getuid?.() === 0;
const LEAK = join(ROOT, 'corpus/vmsplice-child-leak.cow');

function withRecord(record: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cowfuzz-kc-'));
  const f = join(dir, 'leak.cow');
  writeFileSync(f, readFileSync(LEAK, 'utf8').replace('\nmmap P0 A 1', `\n# ${record}\nmmap P0 A 1`));
  return f;
}

describe.skipIf(!HAS_GCC)('cowfuzz kernel-check on this kernel', () => {
  it('agrees with the model under the era of uname -r', () => {
    const r = cli(['kernel-check', LEAK]);
    const era = eraForRelease(release(), eraPolicies)!.name;
    expect(r.stdout).toContain(`kernel-check: Linux ${release()} (this machine), compared with the model under ${era}`);
    expect(r.stdout).toMatch(/^vmsplice-child-leak +pass +pass +agree$/m);
    expect(r.stdout).toMatch(/1 scenario\(s\): 1 agree, 0 disagree/);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(cli(['kernel-check', '--print-era']).stdout.trim()).toBe(era);
  });

  it('exits 1 when the model expects what the kernel does not do, and shows the program as evidence', () => {
    const r = cli(['kernel-check', LEAK, '--policy', 'mapcount']);
    expect(r.stdout).toMatch(/^vmsplice-child-leak +no-over-sharing at 6 +pass +DISAGREE$/m);
    expect(r.stdout).toMatch(/the model finds no-over-sharing at 6; the kernel shows no violation up to step 6/);
    expect(r.stdout).toMatch(/^--- vmsplice-child-leak .*model no-over-sharing at 6 under mapcount:\n {4}cowfuzz repro:/m);
    expect(r.stdout).toMatch(/^ {4}verdict: pass$/m);
    expect(r.status).toBe(1);
  });

  it('counts a disagreement an expect-kernel record describes as known, and no other', () => {
    const known = cli(['kernel-check', withRecord('expect-kernel * pass: this kernel does not reuse the page'), '--policy', 'mapcount']);
    expect(known.stdout).toMatch(/^leak +no-over-sharing at 6 +pass +known difference$/m);
    expect(known.stdout).toMatch(/expect-kernel \* pass: this kernel does not reuse the page/);
    expect(known.status).toBe(0);
    const wrong = cli(['kernel-check', withRecord('expect-kernel * data-oracle at 6: wrong on purpose'), '--policy', 'mapcount']);
    expect(wrong.stdout).toMatch(/^leak +no-over-sharing at 6 +pass +DISAGREE$/m);
    expect(wrong.stdout).toMatch(/recorded for .*: expect-kernel \* data-oracle at 6/);
    expect(wrong.status).toBe(1);
    const bad = cli(['kernel-check', withRecord('expect-kernel nonsense')]);
    expect(bad.stderr).toMatch(/'# expect-kernel nonsense' is not a known-difference record/);
    expect(bad.status).toBe(2);
  });

  it.skipIf(!ROOT_USER)("agrees with the model on the corpus's scenarios with files, memfds and shared mappings (root: swap)", () => {
    // every one the runtime can perform to the end on any kernel (R/O pins cannot be held: the
    // ro-longterm-* ones stop early and still agree up to there)
    const files = [
      'basic-cow-memfd',
      'basic-cow-tmpfile',
      'fault-around-partial-cache',
      'iouring-fixed-buffer-memfd',
      'iouring-fixed-buffer-private-tmpfile',
      'iouring-fixed-buffer-shared-tmpfile',
      'longterm-rw-fast-pin-shared-tmpfile',
      'longterm-rw-pin-private-tmpfile',
      'longterm-rw-pin-shared-memfd',
      'longterm-rw-pin-shared-tmpfile',
      'memfd-seal-ro-shared-map',
      'memfd-seal-write-busy',
      'poke-ro-private-file',
      'private-file-punch-truncate',
      'shmem-swap-round-trip',
    ];
    const r = cli(['kernel-check', ...files.map((f) => join(ROOT, `corpus/${f}.cow`)), join(ROOT, 'test/repro/every-file-op.cow')]);
    for (const f of [...files, 'every-file-op']) expect(r.stdout, f).toMatch(new RegExp(`^${f} +\\S+( at \\d+)? +\\S+( at \\d+)? +agree$`, 'm'));
    expect(r.stdout).toMatch(/^every-file-op +error at 18 +error at 18 +agree$/m);
    expect(r.stdout).toMatch(/16 scenario\(s\): 16 agree, 0 disagree/);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('lists what it cannot run, with the reason, and still compares the steps before', () => {
    const r = cli(['kernel-check', join(ROOT, 'corpus/ro-pin-zero-page.cow')]);
    expect(r.stdout).toMatch(/^ro-pin-zero-page +\S+( at \d)? +unsupported at 3 +cannot run$/m);
    expect(r.stdout).toMatch(/^cannot run:\n {2}ro-pin-zero-page: step 3: gup P0 A FOLL_PIN\|FOLL_LONGTERM as r1: a R\/O FOLL_PIN held across ops needs CONFIG_GUP_TEST.*; they agree up to step 2$/m);
    expect(r.status).toBe(0);
  });

  it.skipIf(!ROOT_USER)('removes the swap file it made, also when interrupted', async () => {
    const swapped = join(ROOT, 'corpus/basic-cow-after-fork-swapped.cow');
    const ok = cli(['kernel-check', swapped]);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    const ours = (s: string): string | undefined => /swap: (\S+cowfuzz-kernel-check-\d+\.swap) \(32 MiB/.exec(s)?.[1];
    const made = ours(ok.stderr);
    if (made) {
      expect(ok.stderr).toContain(`swap: ${made} switched off and removed`);
      expect(existsSync(made)).toBe(false);
    }
    // slow each step down so that the signal comes while a program runs
    const run = cliAsync(['kernel-check', swapped], { env: { COWFUZZ_STEP_DELAY_MS: '1000' } });
    while (!/^scenario /m.test(run.output().stdout)) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1500));
    const path = ours(run.output().stderr);
    run.child.kill('SIGTERM');
    const done = await run.done;
    expect(done.status, done.stdout + done.stderr).toBe(143);
    expect(done.stderr).toMatch(/SIGTERM: stopping after cleaning up/);
    if (path) {
      expect(activeSwaps()).not.toContain(path);
      expect(existsSync(path)).toBe(false);
    }
  });
});

describe.skipIf(!HAS_GCC || !process.env.COWFUZZ_TEST_KERNEL)('cowfuzz kernel-check --kernel (COWFUZZ_TEST_KERNEL=a linux-image .deb or its unpacked folder)', () => {
  it('boots it under QEMU and agrees with the model on the corpus', () => {
    const r = cli(['kernel-check', 'corpus', '--kernel', process.env.COWFUZZ_TEST_KERNEL!], { timeout: 600_000 });
    expect(r.stdout).toMatch(/under QEMU/);
    expect(r.stdout).toMatch(/^vmsplice-child-leak +pass +pass +agree$/m);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
