// Bad input never crashes and never passes silently: 1,200 malformed scenarios (mutations of the
// corpus) each either parse (and run or name the op that cannot run) or fail with
// file:line:col and what was expected; 1,000 malformed fuzz flag sets each either parse or fail
// with a one-line usage error; a sample of both through the real command ends in exit status 2.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { FuzzOptionError, parseFuzzFlags, type RawFuzzFlags } from '../../src/fuzz/options.js';
import { INVARIANT_NAMES } from '../../src/invariants/types.js';
import { builtinPolicies, UnknownPolicyError } from '../../src/policy/registry.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { runScenario } from '../../src/scenario/run.js';
import { ScenarioError } from '../../src/scenario/types.js';
import { cli, ROOT } from './run-cli.js';

const corpus = readdirSync(join(ROOT, 'corpus'))
  .filter((f) => f.endsWith('.cow'))
  .map((f) => readFileSync(join(ROOT, 'corpus', f), 'utf8'));

const GARBAGE = ['0x10', '1e1', '+1', '01', '-1', '', 'A+', '+', 'as', 'FOLL_BOGUS', 'FOLL_GET|FOLL_PIN', '\u0000', 'é', 'x'.repeat(300), '#', 'P0', 'r1', 'A+4095', 'A+99999', '4096', '65', 'MADV_FREE', 'rw', 'ro', 'expect', 'title', 'swap', '999999999999', 'NaN', 'Infinity', 'mmap', 'fork', 'P0,P1', 'at', 'fail', 'default'];

/** One random mutation of a corpus file. */
function mutate(rnd: () => number, text: string): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const lines = text.split('\n');
  const i = Math.floor(rnd() * lines.length);
  const toks = lines[i]!.split(' ');
  const j = Math.floor(rnd() * toks.length);
  switch (Math.floor(rnd() * 10)) {
    case 0:
      toks.splice(j, 1);
      break;
    case 1:
      toks.splice(j, 0, toks[j] ?? 'x');
      break;
    case 2:
    case 3:
      toks[j] = pick(GARBAGE);
      break;
    case 4:
      lines.splice(i, 0, pick(['frob P0', 'mmap', 'fork P0 P0', 'read', 'write r9', 'put r1', 'unpin r1', 'exit P7', 'munmap P0 A 9', 'madvise P0 A 0 MADV_DONTNEED', 'gup P0 A 2 FOLL_PIN as r1', 'expect nosuch pass']));
      break;
    case 5:
      return lines.join('\r');
    case 6:
      return text.slice(0, Math.floor(rnd() * text.length));
    case 7:
      lines.splice(i, 1);
      break;
    case 8:
      [lines[i], lines[0]] = [lines[0]!, lines[i]!];
      break;
    default:
      toks[j] = (toks[j] ?? '') + pick(GARBAGE);
  }
  lines[i] = toks.join(' ');
  return lines.join('\n');
}

const opts = { isPolicy: (n: string) => builtinPolicies.has(n) };

describe('malformed scenarios', () => {
  it('1,200 mutations: parse and run, or an error at file:line:col', () => {
    const rnd = seedrandom.alea('bad-scenarios');
    let errors = 0;
    let accepted = 0;
    for (let n = 0; n < 1200; n++) {
      const base = corpus[n % corpus.length]!;
      let text = mutate(rnd, base);
      if (rnd() < 0.3) text = mutate(rnd, text);
      const nLines = text.split(/\r\n|\r|\n/).length;
      try {
        const p = parseScenario(text, 'm.cow', opts);
        accepted++;
        for (const pol of ['mapcount', 'anon-exclusive']) {
          try {
            const r = runScenario(p, builtinPolicies.get(pol));
            expect(['pass', 'error', ...INVARIANT_NAMES]).toContain(r.verdict);
            // the model's own bookkeeping holds whatever the input
            expect(r.verdict, `${text}\n${r.violation?.message}`).not.toBe('accounting');
          } catch (e) {
            if (!(e instanceof ScenarioError)) throw new Error(`run threw ${String(e)} for:\n${text}`);
            expect(e.message).toMatch(/^m\.cow:\d+:1: '[a-z_]+' cannot run here: /);
          }
        }
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw new Error(`parse threw ${String(e)} for:\n${JSON.stringify(text)}`);
        errors++;
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.line).toBeLessThanOrEqual(nLines);
        expect(e.col).toBeGreaterThanOrEqual(1);
        expect(e.message).toMatch(/^m\.cow:\d+:\d+: (expected|unknown|wrong|a |page offset|the )/);
      }
    }
    expect(errors).toBeGreaterThan(600);
    expect(accepted).toBeGreaterThan(100);
  });

  it('through the command: exit 2 and file:line:col on stderr, the batch goes on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cowfuzz-bad-'));
    const rnd = seedrandom.alea('bad-cli');
    let bad = 0;
    for (let n = 0; n < 30; n++) {
      let text = mutate(rnd, corpus[n % corpus.length]!);
      try {
        parseScenario(text, 'x', opts);
        text = 'frob\n' + text; // make sure it is bad
      } catch {
        // already bad
      }
      writeFileSync(join(dir, `bad-${n}.cow`), text);
      bad++;
    }
    writeFileSync(join(dir, 'good.cow'), corpus[0]!);
    const r = cli(['replay', dir, '-q']);
    expect(r.status).toBe(2);
    const errs = r.stderr.trim().split('\n');
    expect(errs).toHaveLength(bad);
    for (const e of errs) expect(e).toMatch(/^cowfuzz: \S+bad-\d+\.cow:\d+:\d+: /);
    expect(r.stdout).toContain('1 scenario(s)'); // the good one still ran
  });
});

const FLAG_VALUES: Record<keyof RawFuzzFlags, readonly string[]> = {
  policy: ['all', 'mutants', 'nosuch', '', ',', 'mapcount,', 'anon-exclusive,nosuch', 'everything'],
  time: ['0', '-1', '1e3', '60', '60s', '5m', '1h', '500ms', '10x', '', 's', '0.5s', '00'],
  runs: ['0', '-1', '1e3', '100', '01', '', 'abc', '1.5', '9007199254740993'],
  maxOps: ['0', '40', '-5', 'x', '10001'],
  seed: ['', 'abc', 'ünï', '0'],
  out: ['findings'],
  jobs: ['0', '1', '2', '257', 'two', '-1'],
  shard: ['1/1', '2/4', '0/1', '5/4', '1/0', 'a/b', '1', '1/2/3'],
  weights: ['write=10', 'bogus=1', 'write', 'write=-1', 'write=0x1', 'mmap=0', 'write=1e2', 'read=0,write=0', ''],
  config: [],
  swarm: [],
  check: ['incremental', 'full', 'partial', ''],
};

describe('malformed fuzz flags', () => {
  it('1,000 flag sets: options, or a one-line usage error', () => {
    const rnd = seedrandom.alea('bad-flags');
    let refused = 0;
    for (let n = 0; n < 1000; n++) {
      const f: RawFuzzFlags = { policy: 'all', out: 'findings', jobs: '1', shard: '1/1', swarm: true };
      const rec = f as unknown as Record<string, string>;
      for (const [k, vals] of Object.entries(FLAG_VALUES)) {
        if (vals.length === 0 || rnd() < 0.6) continue;
        rec[k] = vals[Math.floor(rnd() * vals.length)]!;
      }
      try {
        const o = parseFuzzFlags(f, builtinPolicies, [], () => 'seed');
        expect(o.policies.length).toBeGreaterThan(0);
        expect(o.runs === null ? o.timeMs! > 0 : o.runs > 0).toBe(true);
        expect(o.weights.mmap).toBeGreaterThan(0);
      } catch (e) {
        if (!(e instanceof FuzzOptionError || e instanceof UnknownPolicyError)) throw new Error(`threw ${String(e)} for ${JSON.stringify(f)}`);
        expect(e.message.includes('\n')).toBe(false);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(500);
  });
});
