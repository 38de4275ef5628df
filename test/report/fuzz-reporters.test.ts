// The fuzz reporters, read back by real parsers: JUnit as XML (one testcase per finding, its
// scenario the failure text), TAP by tap-parser, JSON line by line.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Parser } from 'tap-parser';
import { describe, expect, it } from 'vitest';
import { inMemoryCampaign, runCampaign } from '../../src/fuzz/campaign.js';
import { findingText, signature, type Finding } from '../../src/fuzz/findings.js';
import type { PoolResult } from '../../src/fuzz/pool.js';
import { getPolicy } from '../../src/policy/registry.js';
import { makeReporter, type Format } from '../../src/report/fuzz/index.js';
import { NO_PAINT } from '../../src/report/paint.js';

function findings(): Finding[] {
  const out: Finding[] = [];
  runCampaign({ ...inMemoryCampaign(getPolicy('mapcount'), 'reporters', 3000), shrinkPerKey: 2 }, { finding: (f) => out.push(f), progress: () => {}, shouldStop: () => false });
  return out;
}

function render(format: Format, fs: Finding[], policies = ['mapcount', 'anon-exclusive']): string {
  const lines: string[] = [];
  const rep = makeReporter(format, { out: (s) => lines.push(s), paint: NO_PAINT });
  rep.start({ seed: 'reporters', policies, jobs: 1, budget: '3000 runs' });
  for (const f of fs) rep.finding({ finding: f, path: `findings/${signature(f)}.cow` });
  const r: PoolResult = {
    execs: 3000,
    ops: 90_000,
    elapsedMs: 1234,
    findings: fs.map((f) => ({ finding: f, path: `findings/${signature(f)}.cow` })),
    perSignature: new Map(fs.map((f) => [signature(f), 2])),
    unshrunk: new Map([['mapcount/no-over-sharing', 5]]),
    interrupted: false,
    error: null,
  };
  rep.end(r);
  return lines.join('\n') + '\n';
}

describe('fuzz reporters', () => {
  const fs = findings();

  it('have findings to report', () => expect(fs.length).toBeGreaterThan(1));

  it('junit: valid XML, one failing testcase per finding with its scenario, a passing one for a clean policy', () => {
    const xml = render('junit', fs);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      testsuites: { failures: string; testsuite: { name: string; testcase: unknown }[] };
    };
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s) => s.name)).toEqual(['cowfuzz.mapcount', 'cowfuzz.anon-exclusive']);
    const cases = ([] as { failure?: { '#text': string; type: string } }[]).concat(suites[0]!.testcase as never);
    expect(cases).toHaveLength(fs.length);
    cases.forEach((c, i) => {
      expect(c.failure!.type).toBe(fs[i]!.invariant);
      expect(c.failure!['#text'].trim()).toBe(findingText(fs[i]!).trim());
    });
    const clean = ([] as { failure?: unknown; name: string }[]).concat(suites[1]!.testcase as never);
    expect(clean).toHaveLength(1);
    expect(clean[0]!.failure).toBeUndefined();
    expect(Number(doc.testsuites.failures)).toBe(fs.length);
  });

  it('tap: parses, one failing point for the policy with findings, one passing', async () => {
    const tap = render('tap', fs);
    const results: { ok: boolean; name: string }[] = [];
    const p = new Parser();
    p.on('assert', (a: { ok: boolean; name: string }) => results.push(a));
    const done = new Promise<{ ok: boolean; count: number; fail: number }>((res) => p.on('complete', res));
    p.end(tap);
    const summary = await done;
    expect(summary.count).toBe(2);
    expect(summary.fail).toBe(1);
    expect(results.map((r) => [r.ok, r.name])).toEqual([
      [false, 'no invariant fails under mapcount'],
      [true, 'no invariant fails under anon-exclusive'],
    ]);
  });

  it('json: a start line, one line per finding with its signature, a summary with the counts per signature', () => {
    const lines = render('json', fs)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]!.type).toBe('start');
    expect(lines.filter((l) => l.type === 'finding').map((l) => l.signature)).toEqual(fs.map(signature));
    const sum = lines[lines.length - 1]!;
    expect(sum).toMatchObject({ type: 'summary', execs: 3000, findings: fs.length, unshrunk: { 'mapcount/no-over-sharing': 5 } });
    expect(Object.values(sum.perSignature as Record<string, number>)).toEqual(fs.map(() => 2));
  });

  it('text: every finding with its ops and how often it was seen', () => {
    const t = render('text', fs);
    for (const f of fs) expect(t).toContain(`FOUND ${f.invariant} under ${f.policy}`);
    expect(t).toContain('seen 2 times');
    expect(t).toContain('mapcount/no-over-sharing: 5 more failures not shrunk');
  });
});
