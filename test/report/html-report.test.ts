// cowfuzz report --html, read without a browser: the matrix agrees with `compare`, the page loads
// nothing from anywhere, the timelines hold each step's state, fuzz JSON output is read back
// (progress lines included) and charted, and the command's exit statuses.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/cli/compare.js';
import { loadScenarios } from '../../src/cli/load.js';
import type { PoolProgress } from '../../src/fuzz/pool.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { jsonReporter, JSON_PROGRESS_MS } from '../../src/report/fuzz/json.js';
import { chartPoints, FuzzLogError, parseFuzzLog } from '../../src/report/html/fuzzlog.js';
import { buildReport } from '../../src/report/html/page.js';
import type { Timeline } from '../../src/report/html/timeline.js';
import { NO_PAINT } from '../../src/report/paint.js';
import { cli, ROOT } from '../cli/run-cli.js';

const reg = new PolicyRegistry();
const parse = { isPolicy: (n: string) => reg.has(n) };
const POLICIES = ['mapcount', 'gup-cow-on-read', 'pagecount', 'anon-exclusive'];

function build(paths: string[], fuzz: string[] = []) {
  const { scenarios } = loadScenarios(paths.map((p) => join(ROOT, p)), parse);
  const policies = POLICIES.map((n) => reg.get(n));
  const logs = fuzz.map((t, i) => parseFuzzLog(t, `fuzz-${i}.json`));
  const r = buildReport({ scenarios, policies, isEra: (n) => reg.kind(n) === 'era', fuzz: logs, policyOf: (n) => (reg.has(n) ? reg.get(n) : null), parse });
  const m = /<script type="application\/json" id="cowfuzz-data">(.*?)<\/script>/s.exec(r.html);
  const data = JSON.parse(m![1]!) as { timelines: Record<string, Timeline> };
  return { ...r, scenarios, policies, data };
}

/** What the JSON reporter writes for a run with these progress events (ms since the start). */
function jsonRun(progressAt: number[]): string {
  const lines: string[] = [];
  const rep = jsonReporter({ out: (s) => lines.push(s), paint: NO_PAINT });
  rep.start({ seed: 's', policies: ['mapcount'], jobs: 1, budget: '3 s' });
  progressAt.forEach((ms, i) => rep.progress!({ execs: (i + 1) * 100, ops: (i + 1) * 3000, findings: i >= 6 ? 1 : 0, elapsedMs: ms } satisfies PoolProgress));
  rep.end({ execs: 1500, ops: 45_000, elapsedMs: 3100, findings: [], perSignature: new Map(), unshrunk: new Map(), interrupted: false, error: null });
  return lines.join('\n') + '\n';
}

describe('report --html: the page', () => {
  const r = build(['corpus']);

  it('the matrix has the verdict of every scenario under every policy, as `compare` has it', () => {
    const m = matrix(r.scenarios, r.policies, reg);
    expect(r.cells).toHaveLength(r.scenarios.length * POLICIES.length);
    r.scenarios.forEach((_, i) =>
      POLICIES.forEach((_p, j) => {
        const c = r.cells[i * POLICIES.length + j]!;
        const want = m[i]![j]!;
        expect(c.verdict, `${c.scenario} ${c.policy}`).toBe(want.verdict === 'pass' ? 'pass' : `${want.verdict} at ${want.at + 1}`);
        expect(c.ok).toBe(want.ok);
      }),
    );
    expect(r.mismatches).toBe(0);
    // each cell links to its timeline, which exists
    for (const c of r.cells) {
      expect(r.html).toContain(`<a href="#t-${c.scenario}--${c.policy}">`);
      expect(r.data.timelines[`t-${c.scenario}--${c.policy}`]).toBeDefined();
    }
  });

  it('is self-contained: no external script, style, image or font, no fetch', () => {
    expect(r.html).not.toMatch(/<(script|img|link|iframe)[^>]*\s(src|href)=/i);
    expect(r.html).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//i);
    expect(r.html).not.toMatch(/\bfetch\(|XMLHttpRequest|import\(/);
    expect(r.html).toMatch(/^<!doctype html>/);
  });

  it('a timeline holds the state after every step: lanes, PTEs, folios by class, references, the violation', () => {
    const t = r.data.timelines['t-vmsplice-child-leak--mapcount']!;
    expect(t.verdict).toBe('no-over-sharing at 6');
    expect(t.met).toBe(true);
    expect(t.anonExclusiveBit).toBe(false);
    expect(t.initial.procs).toEqual([]);
    expect(t.steps.map((s) => s.text)).toEqual(['mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'vmsplice P1 A as r1', 'munmap P1 A', 'write P0 A']);
    const after = (k: number) => t.steps[k - 1]!.state;
    expect(after(2).folios.map((f) => [f.name, f.cls])).toEqual([['folio#1', 'exclusive']]);
    expect(after(3).procs.map((p) => [p.name, p.ptes.map((q) => `${q.addr}->${q.to}${q.write ? ' W' : ' RO'}`)])).toEqual([
      ['P0', ['A->1 RO']],
      ['P1', ['A->1 RO']],
    ]);
    expect(after(3).folios[0]!.cls).toBe('shared');
    expect(after(4).refs).toEqual([expect.objectContaining({ name: 'r1', flags: 'FOLL_GET', pin: false, folios: [1] })]);
    expect(t.steps[5]!.violation).toBe(true);
    expect(t.steps[5]!.lines).toContainEqual({ tag: 'decision', text: 'do_wp_page: reuse_swap_page: mapcount 1, swapcount 0 -> reuse' });
    expect(t.culprits).toEqual([1]);
    expect(t.culpritRefs).toEqual(['r1']);
    // the slider starts at the violation
    expect(r.html).toMatch(/id="t-vmsplice-child-leak--mapcount"[^]*?<input class="slider" type="range" min="0" max="6" value="6"/);
  });

  it('colours a pinned folio as pinned and a swap cache folio as swapped', () => {
    const pin = r.data.timelines['t-fork-iouring-fixed-buffer--anon-exclusive']!;
    expect(pin.steps[2]!.state.folios[0]!.cls).toBe('pinned');
    const sw = r.data.timelines['t-vmsplice-child-leak-swapped--mapcount']!;
    expect(sw.steps[2]!.state.slots.map((s) => s.name)).toEqual(['swp_entry(0,1)']);
    expect(sw.steps[4]!.state.folios.find((f) => f.name === 'folio#2')!.cls).toBe('swapped');
  });
});

describe('fuzz JSON output: progress lines, read back and charted', () => {
  it('the reporter writes a progress line at most every second of the run', () => {
    const text = jsonRun([200, 400, 800, 1000, 1200, 1900, 2050, 2990, 3000, 3060]);
    const progress = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; seconds?: number })
      .filter((l) => l.type === 'progress');
    expect(progress.map((p) => p.seconds)).toEqual([1, 2.05, 3.06]);
    for (let i = 1; i < progress.length; i++) expect((progress[i]!.seconds! - progress[i - 1]!.seconds!) * 1000).toBeGreaterThanOrEqual(JSON_PROGRESS_MS);
  });

  it('parses back: runs per second between progress lines, findings so far, the summary closing the series', () => {
    const log = parseFuzzLog(jsonRun([1000, 2000, 3000]), 'f.json');
    expect(log.seed).toBe('s');
    expect(log.progress).toHaveLength(3);
    const pts = chartPoints(log).map((p) => ({ ...p, runsPerSec: Math.round(p.runsPerSec) }));
    expect(pts).toEqual([
      { seconds: 1, runsPerSec: 100, findings: 0 },
      { seconds: 2, runsPerSec: 100, findings: 0 },
      { seconds: 3, runsPerSec: 100, findings: 0 },
      { seconds: 3.1, runsPerSec: 12000, findings: 0 },
    ]);
    expect(() => parseFuzzLog('{"type":"progress"}\n', 'x.json')).toThrow(FuzzLogError);
    expect(() => parseFuzzLog('not json\n', 'x.json')).toThrow(/x\.json:1: not a line/);
  });

  it('a fuzz run in the report: its chart, its findings, each with a timeline under its policy', () => {
    const f = {
      type: 'finding',
      signature: 'mapcount--no-over-sharing--0123456789',
      policy: 'mapcount',
      invariant: 'no-over-sharing',
      message: 'r1 (P1 A) reads value #2 (written by P0 at A)',
      path: 'findings/x.cow',
      originalLength: 12,
      swapSlots: 6,
      ops: ['mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'vmsplice P1 A as r1', 'munmap P1 A', 'write P0 A'],
    };
    const text = jsonRun([1000, 2000]).replace('\n', `\n${JSON.stringify(f)}\n`);
    const r = build(['corpus/vmsplice-child-leak.cow'], [text]);
    expect(r.html).toContain('<svg class="chart"');
    expect(r.html).toMatch(/<polyline class="runs" points="[\d., ]+">/);
    expect(r.html).toContain(`data-signature="${f.signature}"`);
    const t = Object.values(r.data.timelines).find((x) => x.id.startsWith('t-f1-'))!;
    expect(t.policy).toBe('mapcount');
    expect(t.verdict).toBe('no-over-sharing at 6');
    expect(t.met).toBe(true);
  });
});

describe('cowfuzz report (the command)', () => {
  const tmp = (): string => mkdtempSync(join(tmpdir(), 'cowfuzz-report-'));

  it('writes the page: exit 0 when every cell meets its expectation', () => {
    const out = join(tmp(), 'sub', 'report.html');
    const r = cli(['report', 'corpus', '--policy', POLICIES.join(','), '--html', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('0 cell(s) differ from expectations');
    expect(readFileSync(out, 'utf8')).toContain('<table class="matrix">');
  });

  it('exit 1 when a cell differs from its expectation', () => {
    const d = tmp();
    writeFileSync(join(d, 'wrong.cow'), 'title wrong\nexpect default no-over-sharing\n\nmmap P0 A 1\nwrite P0 A\n');
    const r = cli(['report', d, '--policy', 'anon-exclusive', '--html', join(d, 'r.html')]);
    expect(r.status).toBe(1);
    expect(readFileSync(join(d, 'r.html'), 'utf8')).toMatch(/class="cell pass unmet"/);
  });

  it('bad input: exit 2 (a file that is not fuzz output, nothing to report, no --html)', () => {
    const d = tmp();
    writeFileSync(join(d, 'notes.txt'), 'hello\n');
    const a = cli(['report', join(d, 'notes.txt'), 'corpus/vmsplice-child-leak.cow', '--html', join(d, 'r.html')]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/notes\.txt: 1: not a line of cowfuzz fuzz --format json output/);
    expect(cli(['report', join(d, 'none.json'), '--html', join(d, 'r.html')]).status).toBe(2);
    expect(cli(['report', 'corpus']).status).toBe(2);
  });
});
