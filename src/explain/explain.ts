// `cowfuzz explain`: a recorded run (src/report/recording.ts) told step by step. Each step shows
// the kernel's decisions with what they read and what they decided, the events, every change of
// state (PTEs, folio counters and flags, swap slots and the swap cache, references, processes),
// what a write stored and what a read saw against what the data oracle expected, and, where the
// run stopped, the violation with the page and the references involved.

import { entryText } from '../engine/trace.js';
import type { Paint } from '../report/paint.js';
import type { Recording, StepRecord } from '../report/recording.js';
import { diffSnapshots, stateLines } from '../report/diff.js';

/** One line of an explanation: a tag saying what kind of line it is, the text, and how to colour it. */
export interface Line {
  readonly tag: string;
  readonly text: string;
  readonly style?: 'bad' | 'ok' | 'bold' | 'dim' | 'warn';
}

export const TAG_WIDTH = 10;

export function paintLine(l: Line, p: Paint): string {
  const text = l.style ? p[l.style](l.text) : l.text;
  return l.tag ? `${l.tag.padEnd(TAG_WIDTH)}${text}` : text;
}

/** The op as a step's heading: "step 6: write P0 A  (file:13)  # note". */
export function stepHeading(rec: Recording, st: StepRecord): string {
  const where = st.line !== undefined ? `  (${rec.file}:${st.line})` : '';
  return `step ${st.index + 1}: ${st.text}${where}${st.note ? `  # ${st.note}` : ''}`;
}

/** What happened in a step, in order: decisions and events, changes, the access, a refusal, the violation. */
export function stepBody(rec: Recording, st: StepRecord): Line[] {
  const out: Line[] = [];
  for (const e of st.entries) out.push(e.kind === 'decision' ? { tag: 'decision', text: entryText(e), style: 'bold' } : { tag: 'event', text: entryText(e) });
  for (const c of diffSnapshots(st.before, st.after)) out.push({ tag: c.kind, text: c.text });
  if (st.wrote !== null) out.push({ tag: 'wrote', text: rec.values.get(st.wrote) ?? `value #${st.wrote}` });
  if (st.read) {
    const r = st.read;
    const got = r.got === null ? 'nothing' : (rec.values.get(r.got) ?? (r.got === 0 ? 'zero' : `value #${r.got}`));
    out.push({ tag: 'read', text: `${r.reader} read ${got}: ${r.why}`, style: r.ok ? 'ok' : 'bad' });
  }
  if (st.outcome.kind === 'refused') out.push({ tag: 'refused', text: `${st.outcome.refusal}: ${st.outcome.why} (the run goes on)`, style: 'warn' });
  if (st.violation) out.push(...violationLines(rec, st));
  return out;
}

/** The violation, and the page and references it is about, as the state after the step shows them. */
export function violationLines(rec: Recording, st: StepRecord): Line[] {
  const v = st.violation!;
  const out: Line[] = [{ tag: 'VIOLATION', text: `${v.invariant} at step ${st.index + 1}: ${v.message}`, style: 'bad' }];
  const folios = rec.culprits?.folios ?? [];
  for (const id of folios) {
    const f = st.after.folios.find((x) => x.id === id);
    out.push({ tag: '  page', text: f ? f.text : `folio#${id}: freed`, style: 'bad' });
    for (const p of st.after.procs) {
      for (const t of p.ptes) if (t.folio === id) out.push({ tag: '  mapped', text: `${p.name} ${t.addr}: ${t.text}` });
    }
  }
  for (const r of st.after.refs) {
    if (!(rec.culprits?.refs ?? []).includes(r.name)) continue;
    const pages = r.pages.map((p) => `folio#${p.folio}${p.page ? '+' + p.page : ''}`).join(', ');
    out.push({ tag: '  ref', text: `${r.name}: ${r.flags} on ${pages}, taken at ${r.takenAt}, held by ${r.holders.join(', ') || 'nobody'}`, style: 'bad' });
  }
  return out;
}

export interface ExplainOptions {
  readonly paint: Paint;
  /** the scenario's expectation for this policy and whether the run met it (null: it names none) */
  readonly expectation: { readonly text: string; readonly met: boolean } | null;
}

export function verdictText(rec: Recording): string {
  const r = rec.result;
  return r.verdict === 'pass' ? 'pass' : `${r.verdict} at ${r.at + 1}`;
}

/** The headline of a policy's run: its verdict, and the expectation. */
export function verdictLine(rec: Recording, o: ExplainOptions): string {
  const p = o.paint;
  const e = o.expectation;
  const exp = e === null ? p.dim('the scenario names no expectation for it') : e.met ? p.ok(`expected ${e.text}: met`) : p.bad(`expected ${e.text}: NOT met`);
  return `verdict ${p.bold(verdictText(rec))}; ${exp}`;
}

export function explainLines(rec: Recording, o: ExplainOptions): string[] {
  const p = o.paint;
  const pol = rec.policy;
  const out = [`${p.bold(rec.file)}: ${rec.title}`, `policy ${p.bold(pol.name)} (${pol.kernels}): ${pol.summary}`, verdictLine(rec, o), ''];
  for (const st of rec.steps) {
    out.push(p.bold(stepHeading(rec, st)));
    const body = stepBody(rec, st);
    if (body.length === 0) out.push(`  ${paintLine({ tag: '', text: 'nothing changed', style: 'dim' }, p)}`);
    for (const l of body) out.push(`  ${paintLine(l, p)}`);
  }
  const last = rec.steps[rec.steps.length - 1];
  out.push('');
  out.push(p.bold(last ? `state after step ${last.index + 1}:` : 'state:'));
  for (const l of stateLines(last ? last.after : rec.initial)) out.push(`  ${l}`);
  return out;
}
