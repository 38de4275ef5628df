// cowfuzz explain: the decisions named in the kernel's words with what they read, what each step
// changed, era-aware state, the violation with its page and references, --vs from the first step
// where two eras part, and the command's exit statuses.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainLines, stepBody } from '../../src/explain/explain.js';
import { firstDivergence } from '../../src/explain/vs.js';
import { getPolicy } from '../../src/policy/registry.js';
import { NO_PAINT } from '../../src/report/paint.js';
import { record, type Recording } from '../../src/report/recording.js';
import { parseScenario } from '../../src/scenario/parse.js';
import type { ParsedScenario } from '../../src/scenario/types.js';
import { cli, ROOT } from '../cli/run-cli.js';

function corpus(name: string): ParsedScenario {
  const file = `corpus/${name}.cow`;
  return parseScenario(readFileSync(join(ROOT, file), 'utf8'), file, { isPolicy: () => true });
}

const texts = (rec: Recording, step: number): string[] => stepBody(rec, rec.steps[step - 1]!).map((l) => `${l.tag} ${l.text}`);

describe('explain: vmsplice() + unmap in child (CVE-2020-29374)', () => {
  const sc = corpus('vmsplice-child-leak');
  const old = record(sc, getPolicy('mapcount'));
  const cur = record(sc, getPolicy('anon-exclusive'));

  it('under mapcount, the parent\'s write is decided by reuse_swap_page() on mapcount 1: reuse, and the pipe sees it', () => {
    expect(old.result.verdict).toBe('no-over-sharing');
    expect(old.steps).toHaveLength(6);
    const s6 = texts(old, 6);
    expect(s6).toContain('decision do_wp_page: reuse_swap_page: mapcount 1, swapcount 0 -> reuse');
    expect(s6).toContain('pte P0 A: present folio#1 [RO,dirty,soft-dirty] -> present folio#1 [W,dirty,soft-dirty]');
    expect(s6).toContain('folio folio#1: content value #1 -> value #2');
    expect(s6.some((l) => /wp_page_copy/.test(l))).toBe(false);
    // the violation names the step, the page and the reference
    expect(s6).toContain('VIOLATION no-over-sharing at step 6: r1 (P1 A) reads value #2 (written by P0 at A in step 6)');
    expect(s6).toContain('  page folio#1: refcount 2 anon mapcount 1');
    expect(s6).toContain('  ref r1: FOLL_GET on folio#1, taken at P1 A, held by P1');
    expect(old.culprits).toEqual({ folios: [1], refs: ['r1'] });
  });

  it('under mapcount, the earlier steps show the sharing fork and the reference: refcount and mapcount by step', () => {
    expect(texts(old, 3)).toEqual(
      expect.arrayContaining([
        'decision copy_present_pte: -> share',
        'pte P0 A: present folio#1 [W,dirty,soft-dirty] -> present folio#1 [RO,dirty,soft-dirty]',
        'pte P1 A: none -> present folio#1 [RO,dirty,soft-dirty]',
        'folio folio#1: refcount 1 -> 2, mapcount 1 -> 2',
      ]),
    );
    expect(texts(old, 4)).toEqual(expect.arrayContaining(['folio folio#1: refcount 2 -> 3', 'ref r1: taken: FOLL_GET on folio#1, taken at P1 A, held by P1']));
    expect(texts(old, 5)).toContain('folio folio#1: refcount 3 -> 2, mapcount 2 -> 1');
  });

  it('under anon-exclusive, the page is not exclusive, so do_wp_page() copies and the pipe keeps the old data', () => {
    expect(cur.result.verdict).toBe('pass');
    const s6 = texts(cur, 6);
    expect(s6).toContain('decision do_wp_page: PageAnonExclusive no, refcount 2, swapcache no -> copy');
    expect(s6).toContain('event wp_page_copy: folio#1 copied to folio#2');
    expect(s6).toContain('pte P0 A: present folio#1 [RO,dirty,soft-dirty] -> present folio#2 [W,dirty,soft-dirty]');
    expect(s6).toContain('folio folio#2: allocated: refcount 1, mapcount 1, PageAnonExclusive yes, content value #2');
    const read = texts(cur, 7).find((l) => l.startsWith('read '))!;
    expect(read).toMatch(/^read r1 \(taken at P1 A\) read value #1 \(written by P0 at A in step 2\): allowed/);
  });

  it('shows only what the era has: no PageAnonExclusive before 5.19, the bit cleared by fork after', () => {
    const all = explainLines(old, { paint: NO_PAINT, expectation: null }).join('\n');
    expect(all).not.toMatch(/PageAnonExclusive|exclusive/);
    expect(texts(cur, 3)).toContain('folio folio#1: refcount 1 -> 2, mapcount 1 -> 2, PageAnonExclusive yes -> no');
    expect(texts(cur, 3)).toContain('decision copy_present_pte: folio_try_dup_anon_rmap_pte: PageAnonExclusive yes, MMF_HAS_PINNED no, refcount 1 -> share');
  });

  it('--vs starts at the first step whose decisions differ: the parent\'s write', () => {
    expect(firstDivergence(old, cur)).toEqual({ step: 5, kind: 'decisions' });
    expect(firstDivergence(cur, cur)).toEqual({ step: -1, kind: null });
  });
});

describe('explain: swap-in decisions and swap slots', () => {
  it('under mapcount, do_swap_page() reuses the swap cache page by reuse_swap_page() and frees the slot', () => {
    const rec = record(corpus('vmsplice-child-leak-swapped'), getPolicy('mapcount'));
    expect(texts(rec, 3)).toEqual(
      expect.arrayContaining([
        'decision shrink_folio_list: -> add_to_swap()',
        'event add_to_swap: folio#1 -> swp_entry(0,1)',
        'pte P0 A: present folio#1 [W,dirty,soft-dirty] -> swp_entry(0,1) [soft-dirty]',
        'swap swp_entry(0,1): allocated: swap count 1, SWAP_HAS_CACHE no, swap cache none, holds value #1',
      ]),
    );
    expect(texts(rec, 4)).toContain('swap swp_entry(0,1): swap count 1 -> 2');
    const s7 = texts(rec, 7);
    expect(s7).toContain('decision do_swap_page: reuse_swap_page: write yes, mapcount 0, swapcount 0 -> exclusive-free-swap');
    expect(s7).toContain('event folio_free_swap: folio#2 leaves the swap cache');
    expect(s7).toContain('swap swp_entry(0,1): free again');
    expect(rec.result.verdict).toBe('no-over-sharing');
  });

  it('under pagecount-5.18, the swap PTE has no exclusive bit to show; under 5.19 it does', () => {
    const sc = corpus('odirect-swapout-exclusive-lost');
    const r518 = record(sc, getPolicy('pagecount-5.18'));
    const r519 = record(sc, getPolicy('anon-exclusive-5.19'));
    expect(texts(r518, 4).join('\n')).not.toMatch(/exclusive/);
    expect(texts(r519, 4).join('\n')).toMatch(/swp_entry\(0,1\) \[exclusive,soft-dirty\]/);
  });
});

describe('cowfuzz explain (the command)', () => {
  const tmp = (): string => mkdtempSync(join(tmpdir(), 'cowfuzz-explain-'));

  it('explains the policies the scenario expects something of: exit 0 when the expectations are met', () => {
    const r = cli(['explain', 'corpus/vmsplice-child-leak.cow']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('policy mapcount');
    expect(r.stdout).toContain('verdict no-over-sharing at 6; expected no-over-sharing: met');
    expect(r.stdout).toMatch(/^ {2}decision {2}do_wp_page: reuse_swap_page: mapcount 1, swapcount 0 -> reuse$/m);
    expect(r.stdout).toMatch(/^state after step 6:$/m);
  });

  it('--vs P1,P2: the common steps listed once, then both eras side by side from step 6', () => {
    const r = cli(['explain', 'corpus/vmsplice-child-leak.cow', '--vs', 'mapcount,anon-exclusive']);
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toContain('steps 1-5 go the same way under both:');
    expect(out).toContain('from step 6, the first where their decisions differ:');
    expect(out.indexOf('from step 6')).toBeLessThan(out.indexOf('reuse_swap_page'));
    const row = out.split('\n').find((l) => l.includes('reuse_swap_page'))!;
    expect(row).toMatch(/decision {2}do_wp_page: reuse_swap_page: mapcount 1, swapcount 0 -> reuse +\| decision {2}do_wp_page: PageAnonExclusive no,/);
    expect(out).toMatch(/\| .*wp_page_copy: folio#1 copied to folio#2/);
    expect(out).toContain('(the run stopped before this step)');
    // --policy P --vs P2 is the same comparison
    const r2 = cli(['explain', 'corpus/vmsplice-child-leak.cow', '--policy', 'mapcount', '--vs', 'anon-exclusive']);
    expect(r2.stdout).toBe(out);
  });

  it('exit 1 when the run does not meet the scenario\'s expectation', () => {
    const d = tmp();
    const f = join(d, 'wrong.cow');
    writeFileSync(f, 'title wrong\nexpect anon-exclusive no-over-sharing\n\nmmap P0 A 1\nwrite P0 A\nread P0 A\n');
    const r = cli(['explain', f]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('expected no-over-sharing: NOT met');
    expect(r.stdout).toMatch(/read {6}P0 A read value #1 \(written by P0 at A in step 2\): as the oracle expects/);
  });

  it.each([
    [['explain', 'corpus'], /explain takes one scenario file/],
    [['explain', 'corpus/vmsplice-child-leak.cow', '--policy', 'nosuch'], /unknown policy 'nosuch'/],
    [['explain', 'corpus/vmsplice-child-leak.cow', '--vs', 'mapcount,mapcount'], /two different policies/],
    [['explain', 'corpus/vmsplice-child-leak.cow', '--vs', 'all'], /name one policy/],
    [['explain', 'no-such-file.cow'], /no such file/],
  ])('%j is bad input: exit 2, one line', (args, message) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a malformed scenario: exit 2 naming the line', () => {
    const d = tmp();
    const f = join(d, 'bad.cow');
    writeFileSync(f, 'title bad\n\nmmap P0 A 1\nfrobnicate P0\n');
    const r = cli(['explain', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.cow:4:1: unknown operation 'frobnicate'/);
  });
});
