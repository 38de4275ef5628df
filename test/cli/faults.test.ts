// Faults a nightly job meets: signals at random moments, a read-only or full output folder, an
// output path that is a file, special files and link loops among the scenarios. Each ends in the
// documented exit status with one line of explanation, and nothing found is lost or half-written.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, cliAsync, ROOT } from './run-cli.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'cowfuzz-fault-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m]);
});

/** A folder that cannot be written: a read-only tmpfs as root, chmod 555 otherwise. */
function readOnlyDir(): string {
  const d = tmp();
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', d]);
  if (m.status === 0) mounts.push(d);
  else chmodSync(d, 0o555);
  return d;
}

/** A folder on a filesystem with almost no room: a 16 KiB tmpfs as root, else a folder whose findings path is a folder (EISDIR). */
function fullDir(): { dir: string; real: boolean } {
  const d = tmp();
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', d]);
  if (m.status === 0) {
    mounts.push(d);
    // fill it up
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${join(d, 'filler')}`, 'bs=4k', 'count=100'], { stdio: 'ignore' });
    } catch {
      // dd stops at ENOSPC, as intended
    }
    return { dir: d, real: true };
  }
  return { dir: d, real: false };
}

function noTmpFiles(dir: string): void {
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}

describe('output folder faults', () => {
  it('a read-only --out: exit 3 before any run, one line', () => {
    const d = readOnlyDir();
    const r = cli(['fuzz', '--policy', 'mapcount', '--runs', '200', '--seed', 'ro', '--out', join(d, 'findings')]);
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot create the findings folder: (read-only file system|permission denied)/);
  });

  it('a full disk at the first finding: exit 3, the error named, no half-written or temporary file', () => {
    const { dir } = fullDir();
    const out = join(dir, 'findings');
    mkdirSync(out, { recursive: true });
    const r = cli(['fuzz', '--policy', 'mapcount', '--runs', '3000', '--seed', 'full', '--out', out]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/cannot write a finding/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    noTmpFiles(out);
    for (const f of readdirSync(out)) expect(readFileSync(join(out, f), 'utf8')).toMatch(/^title cowfuzz finding/);
  });

  it('--out naming a file: exit 2 at once', () => {
    const d = tmp();
    writeFileSync(join(d, 'file'), 'x');
    const r = cli(['fuzz', '--runs', '10', '--out', join(d, 'file')]);
    expect([2, 3]).toContain(r.status);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('special files among scenarios', () => {
  it('a FIFO is refused, not waited on; a link to /dev/zero is refused; a link out of the folder is not followed; a link loop is reported', () => {
    const d = tmp();
    writeFileSync(join(d, 'ok.cow'), readFileSync(join(ROOT, 'corpus/basic-cow-after-fork.cow')));
    execFileSync('mkfifo', [join(d, 'fifo.cow')]);
    symlinkSync('/dev/zero', join(d, 'zero.cow'));
    symlinkSync('..', join(d, 'up'));
    symlinkSync(join(d, 'loop.cow'), join(d, 'loop.cow'));
    const r = cli(['replay', d, '-q'], { timeout: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.stderr).toMatch(/fifo\.cow: not read: a FIFO/);
    expect(r.stderr).toMatch(/zero\.cow: not followed: the link points outside the folder given/);
    expect(r.stderr).toMatch(/up: not followed: the link points outside the folder given/);
    expect(r.stderr).toMatch(/loop\.cow: too many levels of symbolic links/);
    expect(r.stdout).toContain('1 scenario(s)');
    expect(r.status).toBe(3);
  });

  it('a FIFO or a device named directly is refused at once', () => {
    const d = tmp();
    execFileSync('mkfifo', [join(d, 'p.cow')]);
    const r = cli(['replay', join(d, 'p.cow')], { timeout: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    const z = cli(['replay', '/dev/zero'], { timeout: 20_000 });
    expect(z.stderr).toMatch(/\/dev\/zero: not read: a device/);
    expect(z.status).toBe(2);
  });

  it('a scenario with CR-only line endings is read line by line (not one title line)', () => {
    const d = tmp();
    const text = readFileSync(join(ROOT, 'corpus/vmsplice-child-leak.cow'), 'utf8').replace(/\n/g, '\r');
    writeFileSync(join(d, 'cr.cow'), text);
    const r = cli(['replay', join(d, 'cr.cow'), '--policy', 'mapcount']);
    expect(r.stdout).toMatch(/mapcount +no-over-sharing at \d+/);
    expect(r.status).toBe(0);
  });
});

describe('signals', () => {
  for (const [sig, args] of [
    ['SIGINT', ['--time', '60s']],
    ['SIGTERM', ['--runs', '100000000']],
  ] as const) {
    it(`${sig} during fuzz --jobs 1 (${args.join(' ')}): stops within a second, marked interrupted, findings intact`, async () => {
      const d = tmp();
      const p = cliAsync(['fuzz', '--policy', 'mapcount,pagecount', '--seed', `sig-${sig}`, '--out', join(d, 'f'), ...args]);
      await new Promise((r) => setTimeout(r, 1500 + Math.floor(Math.random() * 1000)));
      const t0 = Date.now();
      p.child.kill(sig);
      const r = await p.done;
      expect(Date.now() - t0).toBeLessThan(1500);
      expect(r.stdout).toMatch(/interrupted: \d+ finding/);
      expect(r.status).toBe(1);
      noTmpFiles(join(d, 'f'));
      const rep = cli(['replay', join(d, 'f'), '--policy', 'mapcount,pagecount', '-q']);
      expect(rep.status, rep.stdout).toBe(0);
    });
  }

  for (const jobs of ['1', '2']) {
    it(`SIGINT during exhaust --jobs ${jobs}: stops within a second, incomplete (interrupted), exit 3`, async () => {
      // depth 7 runs for minutes: only the signal can end it this soon
      const p = cliAsync(['exhaust', '--depth', '7', '--jobs', jobs]);
      await new Promise((r) => setTimeout(r, 1500));
      const t0 = Date.now();
      p.child.kill('SIGINT');
      const r = await p.done;
      expect(Date.now() - t0).toBeLessThan(1500);
      expect(r.stdout).toMatch(/incomplete \(interrupted\)/);
      expect(r.status).toBe(3);
    });
  }

  it('a second signal exits at once (130), unless the first already ended the run', async () => {
    const p = cliAsync(['fuzz', '--policy', 'anon-exclusive', '--time', '60s', '--out', join(tmp(), 'f')]);
    await new Promise((r) => setTimeout(r, 1200));
    const t0 = Date.now();
    p.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 2));
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(Date.now() - t0).toBeLessThan(1000);
    if (r.status !== 130) {
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/interrupted: 0 finding/);
    }
  });
});
