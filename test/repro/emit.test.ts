// The emitter: one C form per op kind, strings gcc takes without warnings, and every op user space
// cannot perform listed (in the program's table, its leading comment and the result), never dropped.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OP_SPECS } from '../../src/ops/registry.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { C_FORMS, cComment, cString, emitProgram, NO_C_FORM_YET, unsupportedSteps } from '../../src/repro/emit.js';
import { parseScenario } from '../../src/scenario/parse.js';

const reg = new PolicyRegistry();
const parse = (text: string, file = 't.cow') => parseScenario(text, file, { isPolicy: (n) => reg.has(n) });
const RUNTIME = '/* runtime */';
const CORPUS = join(import.meta.dirname, '../../corpus');

describe('C_FORMS', () => {
  it('has an entry for every op kind in the registry, or says why it has none yet (add one when you add a kind)', () => {
    const missing = OP_SPECS.map((s) => s.kind).filter((k) => !(k in C_FORMS) && !(k in NO_C_FORM_YET));
    expect(missing, 'op kinds with neither a C form nor a reason in src/repro/emit.ts').toEqual([]);
    for (const k of Object.keys(C_FORMS)) expect(k in NO_C_FORM_YET, k).toBe(false);
  });
});

describe('cString and cComment', () => {
  it('escapes what C and -Wall care about', () => {
    expect(cString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(cString('??=')).toBe('"\\?\\?="');
    expect(cString('é\n')).toBe('"\\303\\251\\012"');
    expect(cComment('a */ b ??/ c\td')).toBe('a * / b ? ?/ c d');
  });
});

describe('emitProgram', () => {
  const text = [
    'title a R/O pin',
    'expect default pass',
    'mmap P0 A 2',
    'write P0 A+1          # the "secret"',
    '# a comment line',
    'gup P0 A FOLL_PIN as r1',
    'vmsplice P0 A+1 as r2',
    'io_uring_register P0 A 2 as r3',
    'read r3+1',
    '',
  ].join('\n');

  it('emits one entry per op in order, with the line and its note', () => {
    const e = emitProgram(parse(text), { runtime: RUNTIME });
    expect(e.steps).toBe(6);
    const table = e.source.slice(e.source.indexOf('static const struct cf_op scenario[]'));
    const entries = table.split('\n').filter((l) => l.startsWith('\t{ CF_'));
    expect(entries).toEqual([
      '\t{ CF_MMAP("P0", "A", 2, CF_RW), .text = "mmap P0 A 2" },',
      '\t{ CF_WRITE("P0", "A", 1), .text = "write P0 A+1", .note = "the \\"secret\\"" },',
      expect.stringMatching(/^\t\{ CF_UNSUPPORTED\("a R\/O FOLL_PIN held across ops needs CONFIG_GUP_TEST.*"\), \.text = "gup P0 A FOLL_PIN as r1" \},$/),
      '\t{ CF_VMSPLICE("P0", "A", 1, 1, "r2"), .text = "vmsplice P0 A+1 as r2" },',
      '\t{ CF_IO_URING_REGISTER("P0", "A", 0, 2, "r3"), .text = "io_uring_register P0 A 2 as r3" },',
      '\t{ CF_READ_REF("r3", 1), .text = "read r3+1" },',
      '\t{ CF_END },',
    ]);
    expect(table).toContain('/* a comment line */');
    expect(e.source).toContain('return cf_main("a R/O pin", scenario);');
  });

  it('lists the ops user space cannot perform, in the result and in the leading comment', () => {
    const e = emitProgram(parse(text), { runtime: RUNTIME });
    expect(e.unsupported).toEqual([{ step: 3, text: 'gup P0 A FOLL_PIN as r1', why: expect.stringMatching(/CONFIG_GUP_TEST/) }]);
    expect(e.source).toMatch(/Steps user space cannot perform[^\n]*\n \*   step 3: gup P0 A FOLL_PIN as r1: a R\/O FOLL_PIN/);
    expect(unsupportedSteps(parse(text))).toEqual(e.unsupported);
  });

  it('names an op kind without a table entry as unsupported, never drops it', () => {
    const { mmap, write } = C_FORMS;
    const e = emitProgram(parse('title t\nmmap P0 A 1\nwrite P0 A\nfork P0 P1\nread P1 A\n'), { runtime: RUNTIME, table: { mmap, write } });
    expect(e.unsupported.map((u) => [u.step, u.why])).toEqual([
      [3, "op kind 'fork' has no C form yet (src/repro/emit.ts)"],
      [4, "op kind 'read' has no C form yet (src/repro/emit.ts)"],
    ]);
    expect(e.source.match(/CF_UNSUPPORTED/g)).toHaveLength(2);
  });

  it('says why for each GUP flavour user space cannot hold across ops', () => {
    const why = (flags: string): string => unsupportedSteps(parse(`title t\nmmap P0 A 1\ngup P0 A ${flags} as r1\n`))[0]?.why ?? 'performed';
    expect(why('FOLL_GET')).toBe('performed');
    expect(why('FOLL_PIN|FOLL_WRITE|FOLL_LONGTERM')).toBe('performed');
    expect(why('FOLL_PIN|FOLL_LONGTERM')).toMatch(/R\/O FOLL_PIN/);
    expect(why('FOLL_GET|FOLL_WRITE')).toMatch(/O_DIRECT/);
    expect(why('FOLL_PIN|FOLL_WRITE')).toMatch(/short-term R\/W FOLL_PIN/);
    expect(why('FOLL_GET|FOLL_FORCE')).toMatch(/FOLL_FORCE/);
  });

  it('emits the C form of every file op, of shared and file mappings, and of a plain GUP by its mechanism', () => {
    const ops = [
      'file F 2 ro',
      'memfd M 1',
      'mmap P0 A 2 ro shared F offset 1',
      'mmap P0 B 1 M',
      'mmap P0 C 1 shared',
      'pwrite M 3',
      'pread F 1',
      'punch M 0',
      'ftruncate M 4',
      'fsync F',
      'seal M future-write',
      'seal M write',
      'msync P0 A+1 1',
      'gup P0 B FOLL_PIN|FOLL_WRITE|FOLL_LONGTERM|FAST as r1',
      'gup P0 C FOLL_GET as r2',
      'io_uring_register P0 C as r3',
      'gup_step r3',
    ];
    const e = emitProgram(parse(`title t\n${ops.join('\n')}\n`), { runtime: RUNTIME });
    const table = e.source.slice(e.source.indexOf('static const struct cf_op scenario[]'));
    expect(table.split('\n').filter((l) => l.startsWith('\t{ CF_')).map((l) => l.replace(/, \.text = .*/, ''))).toEqual([
      '\t{ CF_FILE("F", 2, 1)',
      '\t{ CF_MEMFD("M", 1)',
      '\t{ CF_MMAP_FILE("P0", "A", 2, CF_RO, CF_SHARED, "F", 1)',
      '\t{ CF_MMAP_FILE("P0", "B", 1, CF_RW, CF_PRIVATE, "M", 0)',
      '\t{ CF_MMAP_SHARED("P0", "C", 1, CF_RW)',
      '\t{ CF_PWRITE("M", 3)',
      '\t{ CF_PREAD("F", 1)',
      '\t{ CF_PUNCH("M", 0)',
      '\t{ CF_FTRUNCATE("M", 4)',
      '\t{ CF_FSYNC("F")',
      '\t{ CF_SEAL("M", CF_SEAL_FW)',
      '\t{ CF_SEAL("M", CF_SEAL_W)',
      '\t{ CF_MSYNC("P0", "A", 1, 1)',
      '\t{ CF_GUP("P0", "B", 0, 1, CF_FOLL_PIN | CF_FOLL_WRITE | CF_FOLL_LONGTERM, "r1")',
      '\t{ CF_GUP("P0", "C", 0, 1, CF_FOLL_GET, "r2")',
      '\t{ CF_IO_URING_REGISTER("P0", "C", 0, 1, "r3")',
      '\t{ CF_UNSUPPORTED("a GUP played out step by step between other ops (a race the model schedules) cannot be driven from user space")',
      '\t{ CF_END },',
    ]);
    expect(e.unsupported.map((u) => u.step)).toEqual([17]);
  });

  it('emits every corpus scenario, and of the private anonymous ones only the GUP flavours user space cannot hold are unsupported', () => {
    const expected: Record<string, number[]> = {
      'odirect-swapout-exclusive-lost.cow': [3],
      'ro-pin-exclusive.cow': [6],
      'ro-pin-previously-shared.cow': [5],
      'ro-pin-shared.cow': [4],
      'ro-pin-zero-page.cow': [3],
    };
    const anon = ['basic-cow-after-fork.cow', 'fork-iouring-fixed-buffer-swapped.cow', 'pinned-page-into-swapcache.cow', 'ro-mapping-iouring-fixed-buffer.cow', 'swap-header-reserved.cow', 'vmsplice-child-leak.cow', 'vmsplice-child-leak-swapped.cow', 'vmsplice-parent-leak-before-fork.cow', ...Object.keys(expected)];
    const files = readdirSync(CORPUS).filter((n) => n.endsWith('.cow'));
    for (const f of anon) expect(files).toContain(f);
    for (const f of files) {
      const e = emitProgram(parse(readFileSync(join(CORPUS, f), 'utf8'), f), { runtime: RUNTIME });
      expect(e.source, f).toContain('static const struct cf_op scenario[]');
      if (anon.includes(f)) expect(e.unsupported.map((u) => u.step), f).toEqual(expected[f] ?? []);
    }
  });
});
