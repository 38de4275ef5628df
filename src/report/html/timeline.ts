// A recorded run (../recording.ts) as the data the page's timeline draws: for the empty world and
// after each step, the processes (lanes) with their PTEs, the folios (boxes) coloured by what they
// are (exclusive, shared, pinned, in the swap cache), the swap slots and the references; and for
// each step the lines that tell it (decisions, events, changes, the access, the violation).

import { entryText } from '../../engine/trace.js';
import { diffSnapshots } from '../diff.js';
import type { Recording, StepRecord } from '../recording.js';
import { slotName, type SnapFolio, type Snapshot } from '../snapshot.js';

/** How a folio box is coloured; the legend says what each means. */
export type FolioClass = 'exclusive' | 'shared' | 'pinned' | 'swapped' | 'zero' | 'file';

export interface TPte {
  readonly addr: string;
  readonly kind: 'present' | 'swap' | 'marker';
  /** present: the folio id; swap: the slot key; -1 otherwise */
  readonly to: number;
  readonly write: boolean;
  readonly text: string;
}

export interface TFolio {
  readonly id: number;
  readonly name: string;
  readonly cls: FolioClass;
  /** one-line counters: "ref 2 · map 1 · excl" */
  readonly counters: string;
  readonly text: string;
  /** the value it holds */
  readonly value: string;
  readonly swap: number;
}

export interface TState {
  readonly procs: readonly { readonly name: string; readonly alive: boolean; readonly note: string; readonly ptes: readonly TPte[] }[];
  readonly folios: readonly TFolio[];
  readonly slots: readonly { readonly key: number; readonly name: string; readonly count: number; readonly cache: number; readonly text: string }[];
  readonly refs: readonly { readonly name: string; readonly flags: string; readonly pin: boolean; readonly folios: readonly number[]; readonly text: string }[];
}

export interface TLine {
  readonly tag: string;
  readonly text: string;
  readonly bad?: boolean;
}

export interface TStep {
  readonly text: string;
  readonly line: number | null;
  readonly note: string | null;
  readonly lines: readonly TLine[];
  readonly state: TState;
  readonly violation: boolean;
}

export interface Timeline {
  /** the element id: t-<scenario>--<policy> */
  readonly id: string;
  readonly scenario: string;
  readonly policy: string;
  readonly verdict: string;
  /** the expectation and whether it was met (null: none) */
  readonly expect: string | null;
  readonly met: boolean | null;
  /** the era has PG_anon_exclusive: the legend says what "exclusive" means here */
  readonly anonExclusiveBit: boolean;
  readonly initial: TState;
  readonly steps: readonly TStep[];
  /** folio ids the violation names, and the references holding them */
  readonly culprits: readonly number[];
  readonly culpritRefs: readonly string[];
}

function folioClass(f: SnapFolio): FolioClass {
  if (f.zero) return 'zero';
  if (!f.anon) return 'file';
  if (f.pinned) return 'pinned';
  if (f.swap >= 0) return 'swapped';
  const p = f.pages[0]!;
  // with PG_anon_exclusive the bit decides; older eras have no such bit, and a page mapped once is
  // drawn as exclusive (what their reuse checks look at)
  if (p.exclusive !== null) return p.exclusive ? 'exclusive' : 'shared';
  return p.mapcount <= 1 ? 'exclusive' : 'shared';
}

function counters(f: SnapFolio): string {
  const parts = [`ref ${f.refcount}`, `map ${f.pages.map((p) => p.mapcount).join('/')}`];
  if (f.pincount) parts.push(`pin ${f.pincount}`);
  if (f.pages.some((p) => p.exclusive === true)) parts.push('excl');
  if (f.swap >= 0) parts.push('swapcache');
  return parts.join(' · ');
}

export function timelineState(s: Snapshot): TState {
  return {
    procs: s.procs.map((p) => ({
      name: p.name,
      alive: p.alive,
      note: p.alive ? (p.hasPinned ? 'MMF_HAS_PINNED' : '') : 'exited',
      ptes: p.ptes.map((t) => ({ addr: t.addr, kind: t.kind, to: t.kind === 'present' ? t.folio : t.kind === 'swap' ? t.slot : -1, write: t.write, text: `${p.name} ${t.addr}: ${t.text}` })),
    })),
    folios: s.folios.map((f) => ({
      id: f.id,
      name: f.name,
      cls: folioClass(f),
      counters: counters(f),
      text: f.text,
      value: f.zero ? 'zero' : f.pages.map((p) => (p.data === 0 ? 'zero' : `#${p.data}`)).join(' '),
      swap: f.swap,
    })),
    slots: s.slots.map((x) => ({
      key: x.key,
      name: x.name,
      count: x.count,
      cache: x.cacheFolio,
      text: `${slotName(x.key)}: swap count ${x.count}${x.hasCache ? `, swap cache ${x.cacheFolio >= 0 ? `folio#${x.cacheFolio}` : '(SWAP_HAS_CACHE)'}` : ''}`,
    })),
    refs: s.refs.map((r) => ({
      name: r.name,
      flags: r.flags,
      pin: r.pin,
      folios: r.pages.map((p) => p.folio),
      text: `${r.name}: ${r.flags}, taken at ${r.takenAt}, held by ${r.holders.join(', ') || 'nobody'}`,
    })),
  };
}

function stepLines(rec: Recording, st: StepRecord): TLine[] {
  const out: TLine[] = [];
  for (const e of st.entries) out.push({ tag: e.kind, text: entryText(e) });
  for (const c of diffSnapshots(st.before, st.after)) out.push({ tag: c.kind, text: c.text });
  if (st.wrote !== null) out.push({ tag: 'wrote', text: rec.values.get(st.wrote) ?? `value #${st.wrote}` });
  if (st.read) {
    const r = st.read;
    const got = r.got === null ? 'nothing' : (rec.values.get(r.got) ?? (r.got === 0 ? 'zero' : `value #${r.got}`));
    out.push({ tag: 'read', text: `${r.reader} read ${got}: ${r.why}`, ...(r.ok ? {} : { bad: true }) });
  }
  if (st.outcome.kind === 'refused') out.push({ tag: 'refused', text: `${st.outcome.refusal}: ${st.outcome.why}` });
  if (st.violation) out.push({ tag: 'VIOLATION', text: `${st.violation.invariant}: ${st.violation.message}`, bad: true });
  return out;
}

export function timelineId(scenario: string, policy: string): string {
  return `t-${scenario}--${policy}`;
}

export function timeline(rec: Recording, scenario: string, expect: { text: string; met: boolean } | null): Timeline {
  const r = rec.result;
  return {
    id: timelineId(scenario, rec.policy.name),
    scenario,
    policy: rec.policy.name,
    verdict: r.verdict === 'pass' ? 'pass' : `${r.verdict} at ${r.at + 1}`,
    expect: expect?.text ?? null,
    met: expect?.met ?? null,
    anonExclusiveBit: rec.policy.features.anonExclusive,
    initial: timelineState(rec.initial),
    steps: rec.steps.map((st) => ({
      text: st.text,
      line: st.line ?? null,
      note: st.note ?? null,
      lines: stepLines(rec, st),
      state: timelineState(st.after),
      violation: st.violation !== null,
    })),
    culprits: rec.culprits?.folios ?? [],
    culpritRefs: rec.culprits?.refs ?? [],
  };
}
