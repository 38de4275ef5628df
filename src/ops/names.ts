// Names at the scenario boundary: a scenario's processes, labels (mapping names) and references are
// interned as small integers in order of first appearance; printing turns them back. Generated
// programs use the canonical names P0.., A.., r1...

export interface Names {
  readonly procs: string[];
  readonly labels: string[];
  readonly refs: string[];
  /** files and memfds */
  readonly objs: string[];
}

export function newNames(): Names {
  return { procs: [], labels: [], refs: [], objs: [] };
}

export function cloneNames(n: Names): Names {
  return { procs: n.procs.slice(), labels: n.labels.slice(), refs: n.refs.slice(), objs: n.objs.slice() };
}

/** The canonical name of process i, label i, reference i. */
export const canonProc = (i: number): string => `P${i}`;
export const canonRef = (i: number): string => `r${i + 1}`;
export const canonObj = (i: number): string => `F${i}`;
export function canonLabel(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

/** Canonical names for ids up to the counts given (what a generated run prints with). */
export function canonicalNames(procs: number, labels: number, refs: number, objs = 0): Names {
  return {
    procs: Array.from({ length: procs }, (_, i) => canonProc(i)),
    labels: Array.from({ length: labels }, (_, i) => canonLabel(i)),
    refs: Array.from({ length: refs }, (_, i) => canonRef(i)),
    objs: Array.from({ length: objs }, (_, i) => canonObj(i)),
  };
}

export function procName(n: Names, id: number): string {
  return n.procs[id] ?? canonProc(id);
}
export function labelName(n: Names, id: number): string {
  return n.labels[id] ?? canonLabel(id);
}
export function refName(n: Names, id: number): string {
  return n.refs[id] ?? canonRef(id);
}
export function objName(n: Names, id: number): string {
  return n.objs[id] ?? canonObj(id);
}

/** `A` for page 0, `A+2` for page 2. */
export function addrText(n: Names, label: number, off: number): string {
  return off === 0 ? labelName(n, label) : `${labelName(n, label)}+${off}`;
}
