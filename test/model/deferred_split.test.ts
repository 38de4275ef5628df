// The deferred split shrinker in the model (src/model/deferred_split.ts): it splits partially mapped
// large anon folios only, leaves pinned ones queued, and every process keeps its data.
import { describe, expect, it } from 'vitest';
import { CHECK_MODES, folioAt, noteAt, run, runClean, valueAt } from '../helpers.js';

const THP = ['mmap P0 A 4 aligned', 'madvise P0 A 4 MADV_HUGEPAGE', 'write P0 A', 'write P0 A+1'];
const ops = (...l: string[]): string => l.join('\n');

describe('deferred split (deferred_split_scan)', () => {
  it('splits a THP partially unmapped (MADV_DONTNEED of part): the mapped pages become small folios with their data', () => {
    const r = runClean(ops(...THP, 'madvise P0 A+2 2 MADV_DONTNEED', 'deferred_split', 'read P0 A+1'));
    expect(noteAt(r, 5)).toBe('1 split, 0 kept on the queue');
    expect(folioAt(r, 'P0', 'A').nr).toBe(1);
    expect(folioAt(r, 'P0', 'A', 1).nr).toBe(1);
    expect(folioAt(r, 'P0', 'A', 1).id).not.toBe(folioAt(r, 'P0', 'A').id);
    expect(valueAt(r, -1)).toBe(valueAt(r, 3));
  });

  it('leaves a fully mapped THP (PMD- or PTE-mapped) alone, unlike split', () => {
    const pmd = runClean(ops(...THP, 'deferred_split'));
    expect(noteAt(pmd, 4)).toBe('0 split, 0 kept on the queue');
    const pte = runClean(ops(...THP, 'mprotect P0 A+1 1 ro', 'deferred_split'));
    expect(noteAt(pte, 5)).toBe('0 split, 0 kept on the queue');
    expect(folioAt(pte, 'P0', 'A').nr).toBe(4);
  });

  it("does not count a THP mapped in part by one process and whole by another as partially mapped", () => {
    const r = runClean(ops(...THP, 'mprotect P0 A+1 1 ro', 'fork P0 P1', 'munmap P1 A+2 2', 'deferred_split'));
    expect(noteAt(r, 7)).toBe('0 split, 0 kept on the queue');
  });

  it('keeps a pinned, partially mapped THP queued (can_split_folio()), and the pin coherent', () => {
    for (const mode of CHECK_MODES) {
      const r = run(ops(...THP, 'io_uring_register P0 A 2 as r1', 'munmap P0 A+2 2', 'deferred_split', 'write P0 A', 'read r1'), 'anon-exclusive', mode);
      expect(r.verdict).toBe('pass');
      expect(noteAt(r, 6)).toBe('0 split, 1 kept on the queue');
      expect(valueAt(r, -1)).toBe(valueAt(r, -2));
    }
  });

  it("splits cow.c's partially mremap'ed THP only once a half is unmapped everywhere", () => {
    const r = runClean(ops(...THP, 'mremap P0 A+2 2 B', 'deferred_split', 'munmap P0 B 2', 'deferred_split', 'read P0 A+1'));
    expect(noteAt(r, 5)).toBe('0 split, 0 kept on the queue');
    expect(noteAt(r, 7)).toBe('1 split, 0 kept on the queue');
    expect(valueAt(r, -1)).toBe(valueAt(r, 3));
  });
});
