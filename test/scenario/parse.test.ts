// The scenario language: what parses, what it parses to, and the error (file:line:col: what was
// expected) for what does not.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinPolicies } from '../../src/policy/registry.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { printScenario } from '../../src/scenario/print.js';
import { ScenarioError, scenarioOps } from '../../src/scenario/types.js';
import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../../src/model/constants.js';

const opts = { isPolicy: (n: string) => builtinPolicies.has(n) };
const parse = (text: string) => parseScenario(text, 'f.cow', opts);

function error(text: string): ScenarioError {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('parsed');
}

describe('parseScenario', () => {
  it('reads a header, ops, notes and comments', () => {
    const p = parse('title t\nsource s1\nexpect mapcount,pagecount no-over-sharing at 3\nexpect default pass\nswap 5\n\n# c\nmmap P0 A 2\nwrite P0 A+1  # note\n');
    const s = p.scenario;
    expect(s.title).toBe('t');
    expect(s.sources).toEqual(['s1']);
    expect(s.expect).toEqual([
      { policies: ['mapcount', 'pagecount'], verdict: 'no-over-sharing', at: 3 },
      { policies: ['default'], verdict: 'pass' },
    ]);
    expect(s.swapSlots).toBe(5);
    expect(s.body[0]).toEqual({ kind: 'comment', text: 'c' });
    expect(s.body[2]).toEqual({ kind: 'op', op: { kind: 'write', via: 'mm', proc: 0, label: 0, off: 1 }, note: 'note' });
    expect(p.opLines).toEqual([8, 9]);
  });

  it('treats LF, CRLF and CR alike', () => {
    const lf = parse('title t\nmmap P0 A 1\nwrite P0 A\n').scenario;
    expect(parse('title t\r\nmmap P0 A 1\r\nwrite P0 A\r\n').scenario).toEqual(lf);
    expect(parse('title t\rmmap P0 A 1\rwrite P0 A\r').scenario).toEqual(lf);
  });

  it('parses the aliases of gup', () => {
    const ops = scenarioOps(parse('title t\nmmap P0 A 2\nvmsplice P0 A+1 as r1\nio_uring_register P0 A 2 as r2\ngup P0 A FOLL_PIN|FOLL_WRITE as r3\n').scenario);
    expect(ops[1]).toMatchObject({ kind: 'gup', off: 1, pages: 1, flags: FOLL_GET, ref: 0 });
    expect(ops[2]).toMatchObject({ kind: 'gup', pages: 2, flags: FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM, ref: 1 });
    expect(ops[3]).toMatchObject({ kind: 'gup', flags: FOLL_PIN | FOLL_WRITE, ref: 2 });
  });

  it('keeps munmap/mprotect to the end of the mapping when PAGES is left out, madvise one page', () => {
    const ops = scenarioOps(parse('title t\nmmap P0 A 4\nmunmap P0 A+1\nmprotect P0 A 2 ro\nmadvise P0 A+2 MADV_PAGEOUT\n').scenario);
    expect(ops[1]).toMatchObject({ kind: 'munmap', off: 1, pages: 0 });
    expect(ops[2]).toMatchObject({ kind: 'mprotect', off: 0, pages: 2, write: false });
    expect(ops[3]).toMatchObject({ kind: 'madvise', off: 2, pages: 1, advice: 'MADV_PAGEOUT' });
  });

  it.each([
    ['title t\nmmap P0 A 0x10\n', 2, 11, 'plain decimal'],
    ['title t\nmmap P0 A 01\n', 2, 11, 'plain decimal'],
    ['title t\nmmap P0 A +1\n', 2, 11, 'plain decimal'],
    ['title t\nmmap P0 A 1e1\n', 2, 11, 'plain decimal'],
    ['title t\nmmap P0 A 1\nwrite P0 A+01\n', 3, 10, 'LABEL+N'],
    ['title t\nmmap P0 A 1\nfrob P0\n', 3, 1, "unknown operation 'frob'"],
    ['title t\nmmap P0 A 1\nwrite\n', 3, 1, 'wrong number of arguments'],
    ['title t\nexpect nosuch pass\nmmap P0 A 1\n', 2, 8, "unknown policy 'nosuch'"],
    ['title t\nexpect mapcount maybe\nmmap P0 A 1\n', 2, 17, 'expected a verdict'],
    ['title t\nexpect mapcount pass at 0\nmmap P0 A 1\n', 2, 25, 'step number'],
    ['title t\nexpect mapcount pass\nexpect mapcount fail\nmmap P0 A 1\n', 3, 8, 'a second expectation'],
    ['title t\nswap 1\nmmap P0 A 1\n', 2, 6, 'slot count'],
    ['title t\nmmap P0 A 1\ngup P0 A FOLL_GET|FOLL_PIN as r1\n', 3, 10, 'exactly one of FOLL_GET and FOLL_PIN'],
    ['title t\nmmap P0 A 1\ngup P0 A FOLL_BOGUS as r1\n', 3, 10, "unknown GUP flag 'FOLL_BOGUS'"],
    ['title t\nmmap P0 A 1\nmadvise P0 A MADV_FREE\n', 3, 14, 'expected an advice'],
    ['mmap P0 A 1\n', 1, 1, 'title'],
    ['title t\n', 2, 1, 'at least one operation'],
    ['title t\nmmap P0 A\u0000 1\n', 2, 10, 'NUL'],
  ])('%j is an error at line %i col %i', (text, line, col, what) => {
    const e = error(text);
    expect(e.message).toContain(what);
    expect([e.line, e.col]).toEqual([line, col]);
    expect(e.message.startsWith(`f.cow:${line}:${col}: `)).toBe(true);
  });

  it('prints what it parses: parse(print(s)) equals s for every corpus file', () => {
    const dir = join(import.meta.dirname, '../../corpus');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.cow'))) {
      const s = parseScenario(readFileSync(join(dir, f), 'utf8'), f, opts).scenario;
      expect(parseScenario(printScenario(s), f, opts).scenario, f).toEqual(s);
    }
  });

  it('keeps a scenario\'s own names', () => {
    const s = parse('title t\nmmap parent buf 1\nfork parent child\nvmsplice child buf as pipe\n').scenario;
    expect(s.names).toEqual({ procs: ['parent', 'child'], labels: ['buf'], objs: [], refs: ['pipe'] });
    expect(printScenario(s)).toContain('vmsplice child buf as pipe');
  });
});
