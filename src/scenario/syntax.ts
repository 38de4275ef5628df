// The op syntax shared by the parser and the printer: kernel words for kernel things.

import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../model/constants.js';

export const GUP_FLAG_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['FOLL_GET', FOLL_GET],
  ['FOLL_PIN', FOLL_PIN],
  ['FOLL_WRITE', FOLL_WRITE],
  ['FOLL_LONGTERM', FOLL_LONGTERM],
];

export function printGupFlags(flags: number): string {
  return GUP_FLAG_NAMES.filter(([, bit]) => flags & bit)
    .map(([name]) => name)
    .join('|');
}

export function printAddr(vma: string, page: number): string {
  return page === 0 ? vma : `${vma}+${page}`;
}

/** One line per op form, for error messages and the README. */
export const OP_SYNTAX: Readonly<Record<string, string>> = {
  mmap: 'mmap PROC VMA PAGES [rw|ro]',
  munmap: 'munmap PROC VMA',
  mprotect: 'mprotect PROC VMA rw|ro',
  madvise: 'madvise PROC ADDR MADV_DONTNEED',
  fork: 'fork PROC CHILD',
  exit: 'exit PROC',
  read: 'read PROC ADDR  |  read REF',
  write: 'write PROC ADDR  |  write REF',
  gup: 'gup PROC ADDR FOLL_GET|FOLL_PIN[|FOLL_WRITE][|FOLL_LONGTERM] as REF',
  vmsplice: 'vmsplice PROC ADDR as REF',
  io_uring_register: 'io_uring_register PROC ADDR as REF',
  unpin: 'unpin REF',
  put: 'put REF',
  reclaim: 'reclaim PROC ADDR',
  clear_refs: 'clear_refs PROC',
};

export const HEADER_SYNTAX: Readonly<Record<string, string>> = {
  title: 'title TEXT',
  source: 'source URL-OR-TEXT',
  expect: 'expect POLICY|default pass|error|INVARIANT',
  swap: 'swap SLOTS',
};
