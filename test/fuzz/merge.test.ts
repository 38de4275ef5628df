// Merging the findings of several fuzz shards, and telling which are new to a baseline corpus.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { signature, writeFinding, type Finding } from '../../src/fuzz/findings.js';
import { mergeFindings } from '../../src/fuzz/merge.js';
import type { Op } from '../../src/ops/types.js';
import { FOLL_GET } from '../../src/model/constants.js';

const leak: Op[] = [
  { kind: 'mmap', mm: 'P0', vma: 'A', pages: 1, write: true },
  { kind: 'write', mm: 'P0', vma: 'A', page: 0 },
  { kind: 'fork', mm: 'P0', child: 'P1' },
  { kind: 'gup', mm: 'P1', vma: 'A', page: 0, flags: FOLL_GET, ref: 'r1' },
  { kind: 'munmap', mm: 'P1', vma: 'A' },
  { kind: 'write', mm: 'P0', vma: 'A', page: 0 },
];
const header: Op[] = [
  { kind: 'mmap', mm: 'P0', vma: 'A', pages: 1, write: true },
  { kind: 'write', mm: 'P0', vma: 'A', page: 0 },
  { kind: 'reclaim', mm: 'P0', vma: 'A', page: 0 },
];

function finding(policy: string, invariant: Finding['invariant'], ops: Op[], seed: string): Finding {
  return { policy, invariant, message: 'test', seed, options: '--policy ' + policy, run: 1, originalLength: ops.length + 3, ops, swapSlots: 4 };
}

let root: string;
const dir = (name: string): string => join(root, name);
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cowfuzz-merge-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('mergeFindings', () => {
  it('keeps one file per signature, named as writeFinding names it', () => {
    const a = finding('mapcount', 'no-over-sharing', leak, 's1');
    writeFinding(dir('shard1/findings'), a);
    writeFinding(dir('shard2/findings'), finding('mapcount', 'no-over-sharing', leak, 's2')); // same ops, other seed
    writeFinding(dir('shard2/findings'), finding('bug-swap-offset-zero', 'swap-offset-zero', header, 's2'));
    writeFinding(dir('shard2/findings'), finding('mapcount', 'no-over-sharing', [...leak, { kind: 'ref_read', ref: 'r1' }], 's2'));
    writeFileSync(dir('shard2/fuzz-2.xml'), '<testsuites/>');
    const lines: string[] = [];
    const code = mergeFindings([dir('shard1'), dir('shard2')], dir('merged'), null, (s) => lines.push(s));
    expect(code).toBe(0);
    const files = readdirSync(dir('merged')).sort();
    expect(files).toHaveLength(3);
    expect(files).toContain(`${signature(a)}.cow`);
    expect(lines.at(-1)).toMatch(/4 finding file\(s\), 3 distinct/);
    expect(readFileSync(join(dir('merged'), `${signature(a)}.cow`), 'utf8')).toContain('expect mapcount no-over-sharing');
  });

  it('against a baseline: exit 1 and NEW only for a (policy, invariant) the baseline does not expect', () => {
    writeFinding(dir('f'), finding('mapcount', 'no-over-sharing', leak, 's1'));
    mkdirSync(dir('corpus'));
    writeFileSync(
      dir('corpus/leak.cow'),
      'title vmsplice leak\nexpect mapcount no-over-sharing\nexpect default pass\n\nmmap P0 A 1\nwrite P0 A\n',
    );
    const lines: string[] = [];
    expect(mergeFindings([dir('f')], dir('m1'), dir('corpus'), (s) => lines.push(s))).toBe(0);
    expect(lines[0]).toMatch(/^known mapcount no-over-sharing/);
    expect(lines.at(-1)).toMatch(/0 new/);

    writeFinding(dir('f'), finding('bug-swap-offset-zero', 'swap-offset-zero', header, 's1'));
    lines.length = 0;
    expect(mergeFindings([dir('f')], dir('m2'), dir('corpus'), (s) => lines.push(s))).toBe(1);
    expect(lines.filter((l) => l.startsWith('NEW'))).toEqual([expect.stringMatching(/^NEW +bug-swap-offset-zero swap-offset-zero 3 ops/)]);
    expect(lines.at(-1)).toMatch(/1 new/);
  });

  it('a default expectation covers the kernel eras but not the seeded bugs', () => {
    writeFinding(dir('f'), finding('pagecount', 'pin-coherence', header, 's1'));
    writeFinding(dir('f'), finding('bug-ro-pin-no-unshare', 'pin-coherence', header, 's1'));
    mkdirSync(dir('corpus'));
    writeFileSync(dir('corpus/x.cow'), 'title x\nexpect default pin-coherence\n\nmmap P0 A 1\n');
    const lines: string[] = [];
    expect(mergeFindings([dir('f')], dir('m'), dir('corpus'), (s) => lines.push(s))).toBe(1);
    expect(lines.find((l) => l.includes('pagecount pin-coherence'))).toMatch(/^known/);
    expect(lines.find((l) => l.includes('bug-ro-pin-no-unshare'))).toMatch(/^NEW/);
  });

  it('bad input is a UsageError', () => {
    expect(() => mergeFindings([dir('missing')], dir('m'), null, () => {})).toThrow(UsageError);
    mkdirSync(dir('f'));
    expect(() => mergeFindings([dir('f')], dir('m'), dir('no-corpus'), () => {})).toThrow(UsageError);
    writeFileSync(dir('f/two.cow'), 'title two\nexpect mapcount pass\n\nmmap P0 A 1\n');
    expect(() => mergeFindings([dir('f')], dir('m'), null, () => {})).toThrow(/exactly one 'expect POLICY INVARIANT'/);
  });

  it('an empty findings directory merges to nothing, exit 0', () => {
    mkdirSync(dir('f'));
    mkdirSync(dir('corpus'));
    const lines: string[] = [];
    expect(mergeFindings([dir('f')], dir('m'), dir('corpus'), (s) => lines.push(s))).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/0 finding file\(s\), 0 distinct.*0 new/)]);
  });
});
