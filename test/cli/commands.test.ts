// The command line as a user meets it: exit statuses, one-line errors, --version, colour, the
// corpus under every era, determinism of fuzz by seed, findings that replay.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHORT } from '../../src/report/verdicts.js';
import { cli, ROOT } from './run-cli.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'cowfuzz-cli-'));

describe('cowfuzz', () => {
  it('prints its version', () => {
    const r = cli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('documents the exit statuses in --help', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Exit status:[\s\S]*0 +clean[\s\S]*1 +found[\s\S]*2 +usage[\s\S]*3 +an I\/O/);
  });

  it('replays the corpus under every era: exit 0', () => {
    const r = cli(['replay', 'corpus', '--policy', 'all', '-q']);
    expect(r.status, r.stderr).toBe(0);
    const n = readdirSync(join(ROOT, 'corpus')).filter((f) => f.endsWith('.cow')).length;
    expect(r.stdout).toMatch(new RegExp(`${n} scenario\\(s\\), \\d+ expectation\\(s\\) checked, 0 not met`));
  });

  it('compares: the matrix has a row per scenario and no unmet cell', () => {
    const r = cli(['compare']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('0 cell(s) differ from expectations');
    const cells = Object.values(SHORT).join('|');
    expect(r.stdout.split('\n').filter((l) => new RegExp(`^[a-z0-9-]+ {2,}(${cells})\\b`).test(l))).toHaveLength(readdirSync(join(ROOT, 'corpus')).filter((f) => f.endsWith('.cow')).length);
  });

  it.each([
    [['replay', 'corpus', '--policy', 'nosuch'], /unknown policy 'nosuch'/],
    [['fuzz', '--runs', '0'], /--runs '0'/],
    [['fuzz', '--runs', '1e3'], /--runs '1e3'/],
    [['fuzz', '--time', '0'], /zero runs nothing/],
    [['fuzz', '--time', '10', '--runs', '5'], /not both/],
    [['fuzz', '--weights', 'mmap=0', '--runs', '5'], /mmap has weight 0/],
    [['fuzz', '--weights', 'bogus=1', '--runs', '5'], /unknown op kind 'bogus'/],
    [['fuzz', '--format', 'xml', '--runs', '5'], /--format 'xml'/],
    [['fuzz', '--shard', '3/2', '--runs', '5'], /--shard '3\/2'/],
    [['exhaust', '--depth', 'abc'], /--depth 'abc'/],
    [['exhaust', '--depth', '2', '--invariant', 'nosuch'], /unknown invariant 'nosuch'/],
    [['frobnicate'], /unknown command/],
    [['replay'], /missing required argument/],
  ])('%j is a usage error: exit 2, one line, no stack trace', (args, message) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
  });

  it('colours only on a terminal unless forced, CI=true or not', () => {
    const plain = cli(['compare'], { env: { NO_COLOR: undefined as unknown as string, CI: 'true' } });
    expect(plain.stdout).not.toMatch(/\x1b\[/);
    const forced = cli(['compare', '--color'], { env: { NO_COLOR: undefined as unknown as string } });
    expect(forced.stdout).toMatch(/\x1b\[/);
    const off = cli(['compare', '--no-color'], { env: { FORCE_COLOR: '1' } });
    expect(off.stdout).not.toMatch(/\x1b\[/);
  });

  it('fuzz: the same seed and options give the same output, and every finding replays', () => {
    const a = tmp();
    const b = tmp();
    const args = ['fuzz', '--policy', 'mapcount,pagecount', '--runs', '1500', '--seed', 'cli-test'];
    const r1 = cli([...args, '--out', join(a, 'f')]);
    const r2 = cli([...args, '--out', join(b, 'f')]);
    expect(r1.status).toBe(1);
    const strip = (s: string, d: string) => s.split(d).join('DIR').replace(/^time .*$/m, '');
    expect(strip(r1.stdout, a)).toBe(strip(r2.stdout, b));
    expect(readdirSync(join(a, 'f')).sort()).toEqual(readdirSync(join(b, 'f')).sort());
    for (const f of readdirSync(join(a, 'f'))) expect(readFileSync(join(a, 'f', f), 'utf8')).toBe(readFileSync(join(b, 'f', f), 'utf8'));
    const rep = cli(['replay', join(a, 'f'), '--policy', 'mapcount,pagecount', '-q']);
    expect(rep.status, rep.stdout).toBe(0);
  });

  it("fuzz: a policy that names a scope of its own is fuzzed in it unless --scope is given", () => {
    // bug-collapse-ignores-pins is reached only in the thp scope (MADV_COLLAPSE, khugepaged)
    const args = ['fuzz', '--policy', 'bug-collapse-ignores-pins', '--runs', '3000', '--seed', 'cli', '--format', 'json'];
    const own = cli([...args, '--out', join(tmp(), 'f')]);
    expect(own.status, own.stderr).toBe(1);
    expect(own.stdout).toMatch(/"type":"finding".*pin-coherence/);
    const given = cli([...args, '--scope', 'default', '--out', join(tmp(), 'f')]);
    expect(given.stdout).not.toMatch(/pin-coherence/);
  });

  it('fuzz --jobs 2: one report per signature, and the same files as another --jobs 2 run', () => {
    const a = tmp();
    const b = tmp();
    const args = ['fuzz', '--policy', 'mapcount', '--runs', '2000', '--seed', 'jobs', '--jobs', '2', '--format', 'json'];
    const r1 = cli([...args, '--out', join(a, 'f')]);
    const r2 = cli([...args, '--out', join(b, 'f')]);
    const findings = (s: string) => s.split('\n').filter((l) => l.includes('"type":"finding"')).map((l) => JSON.parse(l) as { signature: string });
    const f1 = findings(r1.stdout);
    expect(f1.length).toBeGreaterThan(0);
    expect(new Set(f1.map((f) => f.signature)).size).toBe(f1.length);
    expect(f1.map((f) => f.signature)).toEqual(findings(r2.stdout).map((f) => f.signature));
    for (const f of readdirSync(join(a, 'f'))) expect(readFileSync(join(a, 'f', f), 'utf8')).toBe(readFileSync(join(b, 'f', f), 'utf8'));
    expect(readdirSync(join(a, 'f')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('fuzz under anon-exclusive finds nothing: exit 0', () => {
    const r = cli(['fuzz', '--policy', 'anon-exclusive', '--runs', '2000', '--seed', 'clean', '--out', join(tmp(), 'f')]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain('0 finding(s) in 2000 runs');
  });

  it('exhaust: clean exits 0, a counterexample exits 1 and is a scenario', () => {
    expect(cli(['exhaust', '--depth', '3']).status).toBe(0);
    const r = cli(['exhaust', '--depth', '4', '--policy', 'bug-fork-shares-pinned']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^title cowfuzz exhaust: anon-exclusive under bug-fork-shares-pinned/);
  });
});

describe('cowfuzz exhaust --jobs', () => {
  const drop = (s: string): Record<string, unknown> => {
    const o = JSON.parse(s) as Record<string, unknown>;
    for (const k of ['seconds', 'statesPerSecond', 'peakRssMb']) delete o[k];
    return o;
  };
  for (const args of [
    ['--depth', '4'],
    ['--depth', '4', '--policy', 'mapcount'],
    ['--depth', '4', '--policy', 'mapcount', '--invariant', 'no-over-sharing'],
    ['--depth', '3', '--scope', 'files', '--policy', 'mapcount'],
  ]) {
    it(`exhaust ${args.join(' ')}: --jobs 2 and --jobs 3 give what --jobs 1 gives`, () => {
      const one = cli(['exhaust', ...args, '--json']);
      expect(one.status, one.stderr).not.toBe(2);
      for (const jobs of ['2', '3']) {
        const many = cli(['exhaust', ...args, '--json', '--jobs', jobs]);
        expect(many.status).toBe(one.status);
        expect(drop(many.stdout)).toEqual(drop(one.stdout));
      }
    });
  }

  it('rejects a bad --jobs: exit 2', () => {
    const r = cli(['exhaust', '--depth', '2', '--jobs', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--jobs '0'/);
  });
});
