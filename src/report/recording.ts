// A scenario run under one policy, recorded step by step: the state before and after each op
// (snapshot.ts), every kernel decision and event it caused (engine/trace.ts), what each access saw
// and what the data oracle expected, and the violation where the run stopped. `cowfuzz explain`
// prints it; the HTML report draws it.

import { ZERO_VALUE } from '../model/constants.js';
import type { RunResult } from '../engine/run.js';
import type { TraceEntry } from '../engine/trace.js';
import type { Violation } from '../invariants/types.js';
import type { CowPolicy } from '../model/policy.js';
import { resolveAddr } from '../ops/common.js';
import type { Op } from '../ops/registry.js';
import type { Outcome } from '../ops/types.js';
import { expected, FILE_VIEW, fileExpected, fileHeld, mayObserve, objAt, SHARED_VIEW, UNMAPPED, valueObj, ZERO_PAGE_VIEW } from '../oracle/shadow.js';
import { printOp } from '../scenario/print.js';
import { traceScenario } from '../scenario/trace.js';
import type { ParsedScenario } from '../scenario/types.js';
import { procMm, refOf, type World } from '../world/world.js';
import { snapshot, type Snapshot } from './snapshot.js';

/** What a read saw, and what the data oracle says it may or must see. */
export interface ReadCheck {
  /** who read: "P0 A" for a load, "r1" (taken at P1 A) for a read through a reference */
  readonly reader: string;
  /** the value read (null when the access was refused) */
  readonly got: number | null;
  /** the value the oracle expects there (null: it expects no particular value, only one the holder may see) */
  readonly want: number | null;
  /** the reader may see the value at all: written by itself, or by an ancestor before the fork */
  readonly mayObserve: boolean;
  readonly ok: boolean;
  /** how the oracle judged it, in words */
  readonly why: string;
}

export interface StepRecord {
  /** 0-based op index */
  readonly index: number;
  readonly op: Op;
  /** the op as the scenario prints it */
  readonly text: string;
  /** source line, and the comment written after the op */
  readonly line: number | undefined;
  readonly note: string | undefined;
  readonly before: Snapshot;
  readonly after: Snapshot;
  readonly entries: readonly TraceEntry[];
  readonly outcome: Outcome;
  /** for a write: the value stored */
  readonly wrote: number | null;
  readonly read: ReadCheck | null;
  /** the violation this step ended the run with */
  readonly violation: Violation | null;
}

export interface Recording {
  readonly file: string;
  readonly title: string;
  readonly policy: CowPolicy;
  readonly result: RunResult;
  readonly steps: readonly StepRecord[];
  /** the empty world before the first op */
  readonly initial: Snapshot;
  /** every value the run wrote, described: "value #2 (written by P0 at A in step 6)" */
  readonly values: ReadonlyMap<number, string>;
  /** the folios named by the violation, and the references holding them (their names) */
  readonly culprits: { readonly folios: readonly number[]; readonly refs: readonly string[] } | null;
}

/** What a read is about, captured before the step (the oracle's expectations move on as the run goes). */
interface PendingRead {
  readonly reader: string;
  readonly mm: number;
  readonly addr: number;
  /** the address's expected value, or null when the oracle promises no particular value */
  readonly want: number | null;
  readonly promise: string;
  /** the file page the address views (-1: anonymous memory): any value that page held may be read */
  readonly fileKey: number;
}

/** What the oracle expects at an address that views a file: the file's value (shared), or none in particular (private). */
function fileWant(w: World, mm: number, addr: number): { want: number | null; promise: string; fileKey: number } | null {
  const e = expected(w.shadow, mm, addr);
  const key = objAt(w.shadow, mm, addr);
  if (e === SHARED_VIEW) return { want: fileExpected(w.shadow, key), promise: 'what the file holds: a shared mapping', fileKey: key };
  if (e === FILE_VIEW) return { want: fileExpected(w.shadow, key), promise: 'what the file holds: a private mapping views the file until its first write there', fileKey: key };
  return null;
}

function pendingRead(w: World, op: Op): PendingRead | null {
  if (op.kind !== 'read') return null;
  const { shadow, words } = w;
  if (op.via === 'mm') {
    if (procMm(w, op.proc) === null) return null;
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    const e = expected(shadow, mm.id, addr);
    const f = fileWant(w, mm.id, addr);
    if (f) return { reader: words.addr(mm.id, addr), mm: mm.id, addr, ...f };
    if (e === ZERO_PAGE_VIEW) return { reader: words.addr(mm.id, addr), mm: mm.id, addr, want: ZERO_VALUE, promise: 'zero: UFFDIO_ZEROPAGE mapped the zero page there', fileKey: -1 };
    return { reader: words.addr(mm.id, addr), mm: mm.id, addr, want: e === UNMAPPED ? null : e, promise: 'the last value written there', fileKey: -1 };
  }
  const r = refOf(w, op.ref);
  if (r === null) return null;
  const addr = r.addr + op.page;
  const sr = shadow.refs[r.id];
  const holderAlive = w.k.mms[r.mm]?.alive === true;
  const e = expected(shadow, r.mm, addr);
  const coherent = sr?.coherent[op.page] === true && holderAlive && e !== UNMAPPED;
  const name = `${words.ref(r.id)}${op.page ? '+' + op.page : ''}`;
  const reader = `${name} (taken at ${words.addr(r.mm, addr)})`;
  const fileKey = sr?.obj[op.page] ?? -1;
  const f = coherent ? fileWant(w, r.mm, addr) : null;
  if (f) return { reader, mm: r.mm, addr, ...f, promise: `${f.promise}, and the reference must stay coherent with its page table` };
  const promise = coherent
    ? `what its page table (${words.addr(r.mm, addr)}) reads: the reference must stay coherent with it`
    : 'no particular value: the reference keeps no promise of coherence with a page table now';
  return { reader, mm: r.mm, addr, want: coherent ? e : null, promise, fileKey };
}

function judgeRead(w: World, p: PendingRead, out: Outcome): ReadCheck {
  const words = w.words;
  if (out.kind !== 'ok' || out.value === undefined) {
    const why = out.kind === 'ok' ? (out.note ?? 'nothing read') : out.kind === 'violated' ? out.why : `${out.refusal}: ${out.why}`;
    return { reader: p.reader, got: null, want: p.want, mayObserve: true, ok: out.kind === 'ok', why };
  }
  const got = out.value;
  // a file's values are anyone's who maps the file; a private value only its writer's (and children's before the fork)
  const fromFile = p.fileKey >= 0 && (fileHeld(w.shadow, p.fileKey, got) || valueObj(w.shadow, got) === p.fileKey);
  const may = fromFile || mayObserve(w.shadow, got, p.mm, p.addr);
  if (!may) {
    return { reader: p.reader, got, want: p.want, mayObserve: false, ok: false, why: 'NOT for this reader to see: another process wrote it after the fork that separated them' };
  }
  if (p.want === null && p.fileKey >= 0 && !fromFile && valueObj(w.shadow, got) >= 0) {
    return { reader: p.reader, got, want: p.want, mayObserve: true, ok: false, why: 'a value that file page never held' };
  }
  if (p.want !== null && got !== p.want) {
    return { reader: p.reader, got, want: p.want, mayObserve: true, ok: false, why: `the oracle expects ${words.value(p.want)}: ${p.promise}` };
  }
  const why = p.want !== null ? `as the oracle expects (${p.promise})` : `allowed: the reader may see it; the oracle expects ${p.promise}`;
  return { reader: p.reader, got, want: p.want, mayObserve: true, ok: true, why };
}

/** Runs the scenario under the policy with a tracer and a snapshot around every op. Throws ScenarioError for an op that cannot run. */
export function record(p: ParsedScenario, pol: CowPolicy): Recording {
  const s = p.scenario;
  const names = s.names;
  const befores: Snapshot[] = [];
  const reads: (PendingRead | null)[] = [];
  const ops: Op[] = [];
  const notes: (string | undefined)[] = [];
  for (const b of s.body) {
    if (b.kind !== 'op') continue;
    ops.push(b.op);
    notes.push(b.note);
  }
  const t = traceScenario(p, pol, {
    stepWords: true,
    before: (w, i) => {
      befores[i] = snapshot(w, names);
      reads[i] = pendingRead(w, ops[i]!);
    },
  });
  const r = t.result;
  const w = r.world;
  const final = snapshot(w, names);
  const steps: StepRecord[] = r.trace.map((ts, i) => {
    const pr = reads[i] ?? null;
    return {
      index: i,
      op: ts.op,
      text: printOp(ts.op, names),
      line: p.opLines[i],
      note: notes[i],
      before: befores[i]!,
      after: i + 1 < r.trace.length ? befores[i + 1]! : final,
      entries: t.trace.at(i),
      outcome: ts.outcome,
      wrote: ts.op.kind === 'write' && ts.outcome.kind === 'ok' && ts.outcome.value !== undefined ? ts.outcome.value : null,
      // a refused load saw nothing: the refusal says what happened
      read: pr && ts.outcome.kind !== 'refused' ? judgeRead(w, pr, ts.outcome) : null,
      violation: r.violation && r.at === i ? r.violation : null,
    };
  });
  const values = new Map<number, string>();
  for (let v = 1; v < w.shadow.valueMm.length; v++) values.set(v, w.words.value(v));
  let culprits: Recording['culprits'] = null;
  if (r.violation) {
    const folios = [...new Set(r.violation.folios)];
    const refs = final.refs.filter((ref) => ref.pages.some((pg) => folios.includes(pg.folio))).map((ref) => ref.name);
    culprits = { folios, refs };
  }
  return { file: p.file, title: s.title, policy: pol, result: r, steps, initial: befores[0] ?? final, values, culprits };
}
