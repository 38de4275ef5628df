// Canonical forms of op sequences, so one bug gives one finding: names renumbered in order of
// first use across the whole sequence (P0, P1..., A, B..., r1, r2...), and the whole-sequence
// rewrites the shrinker tries (page offsets shifted down to 0, fork chains collapsed).

import { canonicalNames, type Names } from '../ops/names.js';
import { specOf, type Op } from '../ops/registry.js';
import type { NameFields } from '../ops/types.js';

type Rec = Record<string, unknown>;

function fieldsOf(op: Op): NameFields {
  return specOf(op.kind).names;
}

/** Renumbers processes, labels and references in order of first appearance. */
export function renumber(ops: readonly Op[]): Op[] {
  const maps = { procs: new Map<number, number>(), labels: new Map<number, number>(), refs: new Map<number, number>(), objs: new Map<number, number>() };
  const id = (m: Map<number, number>, v: number): number => {
    let x = m.get(v);
    if (x === undefined) m.set(v, (x = m.size));
    return x;
  };
  return ops.map((op) => {
    const f = fieldsOf(op);
    const out: Rec = { ...op };
    // a negative value is "none" (a poke without a name, an anonymous mmap): not a name
    const rename = (fields: readonly string[] | undefined, m: Map<number, number>): void => {
      for (const k of fields ?? []) if (typeof out[k] === 'number' && (out[k] as number) >= 0) out[k] = id(m, out[k] as number);
    };
    rename(f.procs, maps.procs);
    rename(f.labels, maps.labels);
    rename(f.refs, maps.refs);
    rename(f.objs, maps.objs);
    return out as unknown as Op;
  });
}

/**
 * The sequence without page `page` of label `label`: the mapping one page smaller, offsets above it
 * one lower, ranges over it one page shorter. Null when an op names that page alone (then the page
 * matters). Page 1 becomes page 0 when page 0 is unused, and so on.
 */
export function dropPage(ops: readonly Op[], label: number, page: number): Op[] | null {
  const out: Op[] = [];
  for (const op of ops) {
    const o = op as unknown as Rec;
    // an op with a second address in the label (uffdio_move's source) keeps its pages
    if (o.srcLabel === label) return null;
    if (o.label !== label) {
      out.push(op);
      continue;
    }
    if (op.kind === 'mmap') {
      if (op.pages <= page || op.pages === 1) return null;
      out.push({ ...op, pages: op.pages - 1 });
      continue;
    }
    const off = o.off as number;
    const pages = typeof o.pages === 'number' ? (o.pages as number) : 1;
    if (pages === 0) {
      // a range to the end of the mapping: it keeps covering what is left
      if (off === page && off === 0) out.push(op);
      else if (off > page) out.push({ ...o, off: off - 1 } as unknown as Op);
      else if (off === page) return null;
      else out.push(op);
      continue;
    }
    if (off > page) out.push({ ...o, off: off - 1 } as unknown as Op);
    else if (off + pages <= page) out.push(op);
    else if (pages === 1) return null;
    else out.push({ ...o, pages: pages - 1 } as unknown as Op);
  }
  return out;
}

/** Every dropPage() rewrite that applies. */
export function dropPages(ops: readonly Op[]): Op[][] {
  const out: Op[][] = [];
  for (const op of ops) {
    if (op.kind !== 'mmap') continue;
    for (let p = 0; p < op.pages; p++) {
      const c = dropPage(ops, op.label, p);
      if (c) out.push(c);
    }
  }
  return out;
}

/**
 * Fork chains where a middle process does nothing but fork: `fork P0 P1; fork P1 P2` with P1 used
 * nowhere else becomes `fork P0 P2`. Returns every such rewrite, one per collapsible fork.
 */
export function collapseForkChains(ops: readonly Op[]): Op[][] {
  const out: Op[][] = [];
  ops.forEach((op, i) => {
    if (op.kind !== 'fork') return;
    const mid = op.child;
    const uses = ops.filter((o, j) => j !== i && usesProc(o, mid));
    if (uses.length === 0 || !uses.every((o) => o.kind === 'fork' && o.proc === mid)) return;
    out.push(ops.flatMap((o, j) => (j === i ? [] : o.kind === 'fork' && o.proc === mid ? [{ ...o, proc: op.proc }] : [o])));
  });
  return out;
}

/**
 * For each fork: the sequence without it, the child's ops done by the parent instead (a
 * candidate the shrinker keeps only if it still fails the same way: often the second process
 * was only there because the generator made it).
 */
export function mergeForks(ops: readonly Op[]): Op[][] {
  const out: Op[][] = [];
  ops.forEach((op, i) => {
    if (op.kind !== 'fork') return;
    const { proc: parent, child } = op;
    out.push(
      ops.flatMap((o, j) => {
        if (j === i) return [];
        if (j < i || !usesProc(o, child)) return [o];
        const r: Rec = { ...(o as unknown as Rec) };
        for (const k of fieldsOf(o).procs ?? []) if (r[k] === child) r[k] = parent;
        return [r as unknown as Op];
      }),
    );
  });
  return out;
}

/**
 * Sequences without one mremap: the later uses of the label it moved to name the label it moved
 * from instead, at the page the move started from (a finding that only moved memory where the bug
 * does not need it reads as the bug without the move). Returns one rewrite per mremap.
 */
export function dropMoves(ops: readonly Op[]): Op[][] {
  const out: Op[][] = [];
  ops.forEach((op, i) => {
    if (op.kind !== 'mremap') return;
    out.push([...ops.slice(0, i), ...ops.slice(i + 1).map((o) => relabel(o, op.to, op.label, op.off))]);
  });
  return out;
}

/** The op with label `from` named `to` instead, an address in it shifted by `shift` pages. */
function relabel(op: Op, from: number, to: number, shift: number): Op {
  const rec: Rec = { ...op };
  let changed = false;
  for (const k of fieldsOf(op).labels ?? []) {
    if (rec[k] !== from) continue;
    rec[k] = to;
    changed = true;
    if (k === 'label' && typeof rec.off === 'number') rec.off = (rec.off as number) + shift;
  }
  return changed ? (rec as unknown as Op) : op;
}

function usesProc(op: Op, proc: number): boolean {
  const o = op as unknown as Rec;
  return (fieldsOf(op).procs ?? []).some((k) => o[k] === proc);
}

/** The highest id used + 1, per name kind (for canonical name tables). */
export function nameCounts(ops: readonly Op[]): { procs: number; labels: number; refs: number; objs: number } {
  const c = { procs: 0, labels: 0, refs: 0, objs: 0 };
  for (const op of ops) {
    const f = fieldsOf(op);
    const o = op as unknown as Rec;
    for (const k of f.procs ?? []) if (typeof o[k] === 'number') c.procs = Math.max(c.procs, (o[k] as number) + 1);
    for (const k of f.labels ?? []) if (typeof o[k] === 'number') c.labels = Math.max(c.labels, (o[k] as number) + 1);
    for (const k of f.refs ?? []) if (typeof o[k] === 'number') c.refs = Math.max(c.refs, (o[k] as number) + 1);
    for (const k of f.objs ?? []) if (typeof o[k] === 'number') c.objs = Math.max(c.objs, (o[k] as number) + 1);
  }
  return c;
}


/** Canonical names (P0.., A.., r1..) covering every id the ops use. */
export function canonicalNamesFor(ops: readonly Op[]): Names {
  const c = nameCounts(ops);
  return canonicalNames(c.procs, c.labels, c.refs, c.objs);
}
