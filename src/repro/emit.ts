// The C reproducer of a scenario: the runtime (cowfuzz_rt.h) and one table entry per op, in the
// scenario's order. Each op kind has its C form in C_FORMS below: a runtime macro, or the reason
// user space cannot perform it. An op kind without an entry (a kind added since) is emitted as an
// unsupported step naming the kind: it is listed, never dropped, and the program stops there.
// Adding an op kind: add its entry here, and its CF_OP_* to the runtime if it needs a new one.

import { FOLL_FAST, FOLL_FORCE, FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../model/constants.js';
import { labelName, objName, procName, refName, type Names } from '../ops/names.js';
import type { Op, OpKind } from '../ops/registry.js';
import { printGupFlags } from '../ops/syntax.js';
import { printOp } from '../scenario/print.js';
import { scenarioOps, type ParsedScenario } from '../scenario/types.js';

/** How one op is performed from user space: a runtime macro (without braces), or why it cannot be. */
export type CForm = { readonly kind: 'c'; readonly macro: string } | { readonly kind: 'unsupported'; readonly why: string };

/** The op type of a kind (an op type may stand for several kinds: CreateOp is `file` and `memfd`). */
type OpOf<K extends OpKind> = Op extends infer O ? (O extends { readonly kind: infer OK } ? (K extends OK ? O : never) : never) : never;

type FormOf<K extends OpKind> = (op: OpOf<K>, n: Names) => CForm;

/** One entry per op kind (see the header comment for a kind without one). */
export type CFormTable = { readonly [K in OpKind]?: FormOf<K> };

const c = (macro: string): CForm => ({ kind: 'c', macro });
const unsupported = (why: string): CForm => ({ kind: 'unsupported', why });

/** A C string literal: escapes that keep gcc -Wall -Werror quiet (no trigraphs, only ASCII). */
export function cString(s: string): string {
  let out = '"';
  for (const b of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(b);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '?') out += '\\?';
    else if (b >= 0x20 && b < 0x7f) out += ch;
    else out += '\\' + b.toString(8).padStart(3, '0');
  }
  return out + '"';
}

/** Text safe inside a C block comment: no comment end, no trigraph, no control characters. */
export function cComment(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\*\//g, '* /')
    .replace(/\?\?/g, '? ?');
}

const P = (n: Names, id: number): string => cString(procName(n, id));
const L = (n: Names, id: number): string => cString(labelName(n, id));
const R = (n: Names, id: number): string => cString(refName(n, id));
const F = (n: Names, id: number): string => cString(objName(n, id));

/** The GUP flags each user-space mechanism takes, exactly as the model's verbs spell them. */
const VMSPLICE_FLAGS = FOLL_GET; // iov_iter_get_pages2() -> get_user_pages_fast(), no FOLL_WRITE
const IO_URING_FLAGS = FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM; // io_pin_pages()
/** The runtime's spelling of the flags a `gup` op names (CF_FOLL_*) */
const CF_FOLL: readonly (readonly [number, string])[] = [
  [FOLL_GET, 'CF_FOLL_GET'],
  [FOLL_PIN, 'CF_FOLL_PIN'],
  [FOLL_WRITE, 'CF_FOLL_WRITE'],
  [FOLL_LONGTERM, 'CF_FOLL_LONGTERM'],
];
const cFlags = (flags: number): string =>
  CF_FOLL.filter(([f]) => flags & f)
    .map(([, name]) => name)
    .join(' | ');

/** Why no user-space mechanism holds a reference taken with these flags across ops. */
export function gupUnsupportedWhy(flags: number): string {
  if (flags & FOLL_FORCE) return 'a FOLL_FORCE reference held across ops: /proc/PID/mem and ptrace take one only for the length of one access';
  if (flags & FOLL_PIN && !(flags & FOLL_WRITE)) return 'a R/O FOLL_PIN held across ops needs CONFIG_GUP_TEST (PIN_LONGTERM_TEST_*), which no kernel run here has';
  if (flags & FOLL_GET && flags & FOLL_WRITE) return 'a R/W FOLL_GET held across ops is an O_DIRECT read in flight: user space can only do it synchronously';
  if (flags & FOLL_PIN && !(flags & FOLL_LONGTERM)) return 'a short-term R/W FOLL_PIN held across ops is an O_DIRECT read in flight: user space can only do it synchronously';
  return `no user-space mechanism takes a reference with ${printGupFlags(flags)} (vmsplice is FOLL_GET, an io_uring fixed buffer FOLL_PIN|FOLL_WRITE|FOLL_LONGTERM)`;
}

const STEPWISE = 'a GUP played out step by step between other ops (a race the model schedules) cannot be driven from user space';

const prot = (write: boolean): string => (write ? 'CF_RW' : 'CF_RO');
const MTE = 'arm64 MTE (PROT_MTE, tag stores) has no C form yet: the runtime is for x86-64';
const HUGETLB = "hugetlb has no C form yet (the runtime maps 4 KiB private anonymous memory; the model's huge page is a few pages, not 2 MiB, and the pool is the machine's nr_hugepages)";
const LARGE = "large folios have no C form yet (the runtime maps every label MADV_NOHUGEPAGE at a 4 KiB boundary, and the model's PMD is a few pages, not 2 MiB)";

export const C_FORMS: CFormTable = {
  mmap(op, n) {
    if (op.mte) return unsupported(MTE);
    if (op.aligned) return unsupported(LARGE);
    if (op.hugetlb) return unsupported(HUGETLB);
    const head = `${P(n, op.proc)}, ${L(n, op.label)}, ${op.pages}, ${prot(op.write)}`;
    if (op.obj >= 0) return c(`CF_MMAP_FILE(${head}, ${op.shared ? 'CF_SHARED' : 'CF_PRIVATE'}, ${F(n, op.obj)}, ${op.offset})`);
    return op.shared ? c(`CF_MMAP_SHARED(${head})`) : c(`CF_MMAP(${head})`);
  },
  // the controller's file and its system calls (the runtime's header says how a file is made)
  file: (op, n) => c(`CF_FILE(${F(n, op.obj)}, ${op.pages}, ${op.ro ? 1 : 0})`),
  memfd: (op, n) => (op.hugetlb ? unsupported(HUGETLB) : c(`CF_MEMFD(${F(n, op.obj)}, ${op.pages})`)),
  pwrite: (op, n) => c(`CF_PWRITE(${F(n, op.obj)}, ${op.page})`),
  pread: (op, n) => c(`CF_PREAD(${F(n, op.obj)}, ${op.page})`),
  punch: (op, n) => c(`CF_PUNCH(${F(n, op.obj)}, ${op.page})`),
  ftruncate: (op, n) => c(`CF_FTRUNCATE(${F(n, op.obj)}, ${op.pages})`),
  fsync: (op, n) => c(`CF_FSYNC(${F(n, op.obj)})`),
  seal: (op, n) => c(`CF_SEAL(${F(n, op.obj)}, ${op.seal === 'write' ? 'CF_SEAL_W' : 'CF_SEAL_FW'})`),
  msync: (op, n) => c(`CF_MSYNC(${P(n, op.proc)}, ${L(n, op.label)}, ${op.off}, ${op.pages})`),
  munmap: (op, n) => c(`CF_MUNMAP(${P(n, op.proc)}, ${L(n, op.label)}, ${op.off}, ${op.pages})`),
  mprotect: (op, n) => c(`CF_MPROTECT(${P(n, op.proc)}, ${L(n, op.label)}, ${op.off}, ${op.pages}, ${op.write ? 'CF_RW' : 'CF_RO'})`),
  madvise: (op, n) => (op.advice === 'MADV_HUGEPAGE' || op.advice === 'MADV_NOHUGEPAGE' || op.advice === 'MADV_COLLAPSE' ? unsupported(LARGE) : c(`CF_MADVISE(${P(n, op.proc)}, ${L(n, op.label)}, ${op.off}, ${op.pages}, ${op.advice})`)),
  fork: (op, n) => c(`CF_FORK(${P(n, op.proc)}, ${P(n, op.child)})`),
  exit: (op, n) => c(`CF_EXIT(${P(n, op.proc)})`),
  read: (op, n) => (op.via === 'ref' ? c(`CF_READ_REF(${R(n, op.ref)}, ${op.page})`) : c(`CF_READ(${P(n, op.proc)}, ${L(n, op.label)}, ${op.off})`)),
  write: (op, n) => (op.via === 'ref' ? c(`CF_WRITE_REF(${R(n, op.ref)}, ${op.page})`) : c(`CF_WRITE(${P(n, op.proc)}, ${L(n, op.label)}, ${op.off})`)),
  gup(op, n) {
    if (op.stepwise) return unsupported(STEPWISE);
    const where = `${P(n, op.proc)}, ${L(n, op.label)}, ${op.off}, ${op.pages}`;
    if (op.via === 'vmsplice') return c(`CF_VMSPLICE(${where}, ${R(n, op.ref)})`);
    if (op.via === 'io_uring') return c(`CF_IO_URING_REGISTER(${where}, ${R(n, op.ref)})`);
    // a plain GUP by the mechanism that takes one with these flags (both try GUP-fast first, so
    // FAST is theirs too); the runtime tells io_uring's own refusal of a VMA from GUP's
    const flags = op.flags & ~FOLL_FAST;
    if (flags === VMSPLICE_FLAGS || flags === IO_URING_FLAGS) return c(`CF_GUP(${where}, ${cFlags(flags)}, ${R(n, op.ref)})`);
    return unsupported(gupUnsupportedWhy(op.flags));
  },
  put: (op, n) => c(`CF_PUT(${R(n, op.ref)})`),
  unpin: (op, n) => c(`CF_UNPIN(${R(n, op.ref)})`),
  reclaim: (op, n) =>
    op.writeback
      ? unsupported('a swap-out whose write is still in flight when reclaim ends depends on the swap device; user space cannot arrange it')
      : c(`CF_RECLAIM(${P(n, op.proc)}, ${L(n, op.label)}, ${op.off})`),
  clear_refs: (op, n) => c(`CF_CLEAR_REFS(${P(n, op.proc)})`),
  // a write to /proc/PID/mem: __access_remote_vm() -> get_user_pages_remote(FOLL_FORCE|FOLL_WRITE)
  poke: (op, n) => (op.ref >= 0 ? unsupported(STEPWISE) : c(`CF_POKE(${P(n, op.proc)}, ${L(n, op.label)}, ${op.off})`)),
};

/**
 * Op kinds without a C form yet, and why: each is emitted as an unsupported step with this reason.
 * A kind in neither table is too (with a generic reason), and test/repro/emit.test.ts fails.
 */
/** userfaultfd needs a handler thread per process answering the scenario's ioctls: not in the runtime yet */
const UFFD = 'userfaultfd and pagemap expectations have no C form yet: the runtime has no handler thread to answer userfaults';

export const NO_C_FORM_YET: Readonly<Record<string, string>> = {
  gup_step: STEPWISE,
  thp: LARGE,
  split: LARGE,
  settag: MTE,
  uffd_register: UFFD,
  uffd_unregister: UFFD,
  uffd_wp: UFFD,
  uffdio_copy: UFFD,
  uffdio_zeropage: UFFD,
  uffdio_continue: UFFD,
  uffdio_poison: UFFD,
  uffdio_move: UFFD,
  pagemap: UFFD,
  swapon: 'swapon of a device per scenario line would change the machine beyond the run: not emitted',
  hugepages: HUGETLB,
  deferred_split: 'the deferred split shrinker runs under memory pressure; user space cannot start it on its own',
  khugepaged: 'khugepaged scans on its own schedule (scan_sleep_millisecs); user space cannot make it scan one PMD now',
  mremap: 'mremap moves pages to a new label; the runtime gives every label one fixed range in every process (no C form yet)',
};

/** The C form of one op, from the table. */
export function cFormOf(op: Op, n: Names, table: CFormTable = C_FORMS): CForm {
  const f = table[op.kind] as ((op: Op, n: Names) => CForm) | undefined;
  if (f) return f(op, n);
  return unsupported(NO_C_FORM_YET[op.kind] ?? `op kind '${op.kind}' has no C form yet (src/repro/emit.ts)`);
}

/** An op the program cannot perform: its step (1-based), its line and why. */
export interface UnsupportedStep {
  readonly step: number;
  readonly text: string;
  readonly why: string;
}

export interface EmitOptions {
  /** the runtime's text (cowfuzz_rt.h), pasted so the program is one self-contained file */
  readonly runtime: string;
  /** lines for the leading comment: what the model says under each era */
  readonly modelLines?: readonly string[];
  readonly table?: CFormTable;
}

export interface Emitted {
  readonly source: string;
  readonly steps: number;
  readonly unsupported: readonly UnsupportedStep[];
}

/** The ops user space cannot perform, without writing the program. */
export function unsupportedSteps(p: ParsedScenario, table: CFormTable = C_FORMS): UnsupportedStep[] {
  const names = p.scenario.names;
  const out: UnsupportedStep[] = [];
  scenarioOps(p.scenario).forEach((op, i) => {
    const f = cFormOf(op, names, table);
    if (f.kind === 'unsupported') out.push({ step: i + 1, text: printOp(op, names), why: f.why });
  });
  return out;
}

/** One self-contained C file that performs the scenario on a real kernel. */
export function emitProgram(p: ParsedScenario, o: EmitOptions): Emitted {
  const s = p.scenario;
  const names = s.names;
  const table = o.table ?? C_FORMS;
  const head: string[] = ['/*', ` * cowfuzz repro: ${cComment(s.title)}`, ` * scenario: ${cComment(p.file)}`];
  for (const src of s.sources) head.push(` * source: ${cComment(src)}`);
  for (const e of s.expect) head.push(` * expect ${cComment(e.policies.join(','))} ${e.verdict}${e.at !== undefined ? ` at ${e.at}` : ''}`);
  if (s.swapSlots !== undefined) head.push(` * swap ${s.swapSlots} (the model's device; the program uses whatever swap area is active, or makes a 16 MiB one)`);
  if (o.modelLines && o.modelLines.length) {
    head.push(' *', ' * What the model says, by kernel era (step = the op, 1 for the first):');
    for (const l of o.modelLines) head.push(` *   ${cComment(l)}`);
  }
  const entries: string[] = [];
  const unsupportedList: UnsupportedStep[] = [];
  let step = 0;
  for (const b of s.body) {
    if (b.kind === 'comment') {
      entries.push(b.text ? `\t/* ${cComment(b.text)} */` : '');
      continue;
    }
    step++;
    const text = printOp(b.op, names);
    const f = cFormOf(b.op, names, table);
    const fields = [f.kind === 'c' ? f.macro : `CF_UNSUPPORTED(${cString(f.why)})`, `.text = ${cString(text)}`];
    if (b.note) fields.push(`.note = ${cString(b.note)}`);
    entries.push(`\t{ ${fields.join(', ')} },`);
    if (f.kind === 'unsupported') unsupportedList.push({ step, text, why: f.why });
  }
  if (unsupportedList.length) {
    head.push(' *', ' * Steps user space cannot perform (the program runs the steps before the first of them):');
    for (const u of unsupportedList) head.push(` *   step ${u.step}: ${cComment(u.text)}: ${cComment(u.why)}`);
  }
  head.push(
    ' *',
    ' * Build: gcc -Wall -Werror -O2 -o repro repro.c   (add -static to run it in another kernel)',
    ' * Run as root (PFNs in pagemap, swapon): ./repro',
    ' * Exit: 0 pass, 1 a violation, 2 the kernel refused an op, 3 unsupported here, 4 the harness broke.',
    ' * The last line is "verdict: ..."; `cowfuzz kernel-check` compares it with the model.',
    ' */',
  );
  const source = [
    ...head,
    '',
    o.runtime.trimEnd(),
    '',
    'static const struct cf_op scenario[] = {',
    ...entries,
    '\t{ CF_END },',
    '};',
    '',
    'int main(void)',
    '{',
    `\treturn cf_main(${cString(s.title)}, scenario);`,
    '}',
    '',
  ].join('\n');
  return { source, steps: step, unsupported: unsupportedList };
}
