import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/parse.js';
import { printScenario } from '../../src/scenario/print.js';
import { ScenarioError } from '../../src/scenario/types.js';

const dir = join(__dirname, '../../corpus');

function errorOf(text: string): ScenarioError {
  try {
    parseScenario(text, 'x.cow');
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('parsed without error');
}

describe('scenario language', () => {
  it('round-trips every corpus file: parse(print(s)) equals s', () => {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.cow'))) {
      const s = parseScenario(readFileSync(join(dir, f), 'utf8'), f).scenario;
      expect(parseScenario(printScenario(s), f).scenario).toEqual(s);
    }
  });

  it('reads the sugar forms as gup with the kernel flags', () => {
    const s = parseScenario('title t\nmmap P0 A 2 ro\nvmsplice P0 A+1 as r\nio_uring_register P0 A as q\n').scenario;
    expect(printScenario(s)).toContain('gup P0 A+1 FOLL_GET as r');
    expect(printScenario(s)).toContain('gup P0 A FOLL_PIN|FOLL_WRITE|FOLL_LONGTERM as q');
    expect(printScenario(s)).toContain('mmap P0 A 2 ro');
  });

  it('keeps comments, notes, sources and expectations', () => {
    const text = 'title T #1\nsource https://x/y#frag\nexpect mapcount no-over-sharing\nexpect default pass\nswap 6\n\n# a comment\nmmap P0 A 1  # note\n';
    const s = parseScenario(text).scenario;
    expect(s.title).toBe('T #1');
    expect(s.sources).toEqual(['https://x/y#frag']);
    expect(s.swapSlots).toBe(6);
    expect(s.body[0]).toEqual({ kind: 'comment', text: 'a comment' });
    expect(s.body[1]).toMatchObject({ kind: 'op', note: 'note' });
    expect(parseScenario(printScenario(s)).scenario).toEqual(s);
  });

  it.each([
    ['title t\nfrob P0\n', 2, 1, /unknown operation 'frob'/],
    ['title t\nmmap P0 A\n', 2, 9, /wrong number of arguments/],
    ['title t\nmmap P0 A 0\n', 2, 11, /page count/],
    ['title t\ngup P0 A FOLL_WRITE as r\n', 2, 10, /exactly one of FOLL_GET and FOLL_PIN/],
    ['title t\ngup P0 A FOLL_PIM as r\n', 2, 10, /unknown GUP flag 'FOLL_PIM'/],
    ['title t\nexpect nosuch pass\n', 2, 8, /unknown policy 'nosuch'/],
    ['title t\nexpect mapcount leaky\n', 2, 17, /expected a verdict/],
    ['title t\nmprotect P0 A rx\n', 2, 15, /expected rw or ro/],
    ['mmap P0 A 1\n', 1, 1, /expected a `title` line/],
    ['title t\nmadvise P0 A MADV_FREE\n', 2, 14, /MADV_DONTNEED/],
  ])('reports %j at line %i col %i', (text, line, col, re) => {
    const e = errorOf(text);
    expect(e.line).toBe(line);
    expect(e.col).toBe(col);
    expect(e.message).toMatch(re);
    expect(e.message.startsWith(`x.cow:${line}:${col}: `)).toBe(true);
  });
});
