// `cowfuzz explain --vs`: the same scenario under two policies, side by side from the first step at
// which they part: where the kernel decides differently (compared by who asked and what was
// decided; the inputs differ between eras by design), or else where the op's outcome or the state
// differs (a policy constant such as forkClearsAnonExclusive is no decision), or where one run
// stops.

import type { Paint } from '../report/paint.js';
import type { Recording, StepRecord } from '../report/recording.js';
import type { Snapshot } from '../report/snapshot.js';
import { stepBody, stepHeading, TAG_WIDTH, verdictLine, type ExplainOptions, type Line } from './explain.js';

export type DivergenceKind = 'decisions' | 'outcome' | 'state';

export interface Divergence {
  /** 0-based op index of the first step that differs, or -1 when the runs go the same way throughout */
  readonly step: number;
  readonly kind: DivergenceKind | null;
}

function decisionKeys(st: StepRecord): string[] {
  return st.entries.filter((e) => e.kind === 'decision').map((e) => (e.kind === 'decision' ? `${e.caller} -> ${e.outcome}` : ''));
}

function outcomeKey(st: StepRecord): string {
  const o = st.outcome;
  const v = st.violation ? ` ${st.violation.invariant}` : '';
  if (o.kind === 'ok') return `ok ${o.value ?? ''}${v}`;
  if (o.kind === 'refused') return `refused ${o.refusal}${v}`;
  return `violated ${o.invariant}${v}`;
}

/** The state without what only some eras have (PG_anon_exclusive, the swap PTE bit, MMF_HAS_PINNED). */
function neutralState(s: Snapshot): string {
  const procs = s.procs.map((p) => `${p.name}${p.alive ? '' : ' exited'}: ${p.ptes.map((t) => `${t.vpn}=${t.kind}/${t.folio}/${t.page}/${t.write}/${t.slot}`).join(' ')}`);
  const folios = s.folios.map((f) => `${f.id}: ${f.refcount} ${f.pincount} ${f.swap} ${f.pages.map((p) => `${p.mapcount}/${p.data}`).join(' ')}`);
  const slots = s.slots.map((x) => `${x.key}: ${x.count} ${x.hasCache} ${x.cacheFolio}`);
  const refs = s.refs.map((r) => `${r.name}: ${r.pages.map((p) => `${p.folio}+${p.page}`).join(' ')}`);
  return [...procs, ...folios, ...slots, ...refs].join('\n');
}

export function firstDivergence(a: Recording, b: Recording): Divergence {
  const n = Math.min(a.steps.length, b.steps.length);
  for (let i = 0; i < n; i++) {
    const x = a.steps[i]!;
    const y = b.steps[i]!;
    if (decisionKeys(x).join('\n') !== decisionKeys(y).join('\n')) return { step: i, kind: 'decisions' };
    if (outcomeKey(x) !== outcomeKey(y)) return { step: i, kind: 'outcome' };
    if (neutralState(x.after) !== neutralState(y.after)) return { step: i, kind: 'state' };
  }
  if (a.steps.length !== b.steps.length) return { step: n, kind: 'outcome' };
  return { step: -1, kind: null };
}

/** Splits text into pieces of at most `first` then `rest` characters, at spaces where it can. */
function pieces(text: string, first: number, rest: number): string[] {
  const out: string[] = [];
  let s = text;
  let width = first;
  while (s.length > width) {
    let cut = s.lastIndexOf(' ', width);
    if (cut < width / 2) cut = width; // no space in the second half: cut the word
    out.push(s.slice(0, cut).trimEnd());
    s = s.slice(cut).trimStart();
    width = rest;
  }
  out.push(s);
  return out;
}

/** Wraps a line to `width`, continuation lines indented past the tag. */
function wrap(l: Line, width: number): Line[] {
  const indent = l.tag ? TAG_WIDTH : 2;
  const first = Math.max(8, width - (l.tag ? TAG_WIDTH : 0));
  const rest = Math.max(8, width - indent);
  return pieces(l.text, first, rest).map((text, i) =>
    i === 0 ? { ...l, text } : { tag: '', text: ' '.repeat(indent) + text, ...(l.style ? { style: l.style } : {}) },
  );
}

function cell(l: Line | undefined, width: number, p: Paint): string {
  if (!l) return ' '.repeat(width);
  const raw = l.tag ? `${l.tag.padEnd(TAG_WIDTH)}${l.text}` : l.text;
  const padded = raw.padEnd(width);
  if (!l.style) return padded;
  // colour only the text, so that the padding keeps the columns straight
  const tag = l.tag ? l.tag.padEnd(TAG_WIDTH) : '';
  return tag + p[l.style](l.text) + ' '.repeat(Math.max(0, width - raw.length));
}

function columns(left: readonly Line[], right: readonly Line[], width: number, p: Paint): string[] {
  const a = left.flatMap((l) => wrap(l, width));
  const b = right.flatMap((l) => wrap(l, width));
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(`  ${cell(a[i], width, p)} | ${cell(b[i], width, p)}`.trimEnd());
  return out;
}

export interface VsOptions {
  readonly paint: Paint;
  readonly left: ExplainOptions['expectation'];
  readonly right: ExplainOptions['expectation'];
  /** width of each column */
  readonly width: number;
}

const WHY: Record<DivergenceKind, string> = {
  decisions: 'the first where their decisions differ',
  outcome: 'the first where the op ends differently',
  state: 'the first where the state differs (no decision differs: a policy constant does)',
};

export function vsLines(a: Recording, b: Recording, o: VsOptions): string[] {
  const p = o.paint;
  const out = [
    `${p.bold(a.file)}: ${a.title}`,
    `${p.bold(a.policy.name)} (${a.policy.kernels}): ${verdictLine(a, { paint: p, expectation: o.left })}`,
    `${p.bold(b.policy.name)} (${b.policy.kernels}): ${verdictLine(b, { paint: p, expectation: o.right })}`,
    '',
  ];
  const d = firstDivergence(a, b);
  if (d.step < 0) {
    out.push(`the two policies take the same decisions and reach the same state at every step (${a.steps.length} steps);`);
    out.push(`run \`cowfuzz explain ${a.file} --policy ${a.policy.name}\` for the steps`);
    return out;
  }
  if (d.step > 0) {
    out.push(`steps 1-${d.step} go the same way under both:`);
    for (const st of a.steps.slice(0, d.step)) out.push(`  ${p.dim(stepHeading(a, st))}`);
    out.push('');
  }
  out.push(p.bold(`from step ${d.step + 1}, ${WHY[d.kind!]}:`));
  out.push(`  ${p.bold(a.policy.name.padEnd(o.width))} | ${p.bold(b.policy.name)}`);
  out.push(`  ${'-'.repeat(o.width)}-+-${'-'.repeat(o.width)}`);
  const n = Math.max(a.steps.length, b.steps.length);
  for (let i = d.step; i < n; i++) {
    const x = a.steps[i];
    const y = b.steps[i];
    const st = (x ?? y)!;
    out.push(p.bold(stepHeading(x ? a : b, st)));
    const left: Line[] = x ? stepBody(a, x) : [{ tag: '', text: '(the run stopped before this step)', style: 'dim' }];
    const right: Line[] = y ? stepBody(b, y) : [{ tag: '', text: '(the run stopped before this step)', style: 'dim' }];
    if (left.length === 0) left.push({ tag: '', text: 'nothing changed', style: 'dim' });
    if (right.length === 0) right.push({ tag: '', text: 'nothing changed', style: 'dim' });
    out.push(...columns(left, right, o.width, p));
  }
  return out;
}
