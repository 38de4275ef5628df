// Looking up what a name is bound to (apart from world.ts so that census.ts can use it without a
// cycle).

import { FOLL_PIN } from '../model/constants.js';
import type { GupRef, Mm } from '../model/types.js';
import type { World } from './world.js';

/** The mm a process name is bound to, or null (never created, or exited). */
export function procMm(w: World, proc: number): Mm | null {
  const id = w.procMm[proc] ?? -1;
  if (id < 0) return null;
  const mm = w.k.mms[id]!;
  return mm.alive ? mm : null;
}

/** The live reference a reference name is bound to, or null (a GUP still in progress is not live). */
export function refOf(w: World, ref: number): GupRef | null {
  const id = w.refOf[ref] ?? -1;
  const r = id < 0 ? null : (w.k.refs[id] ?? null);
  return r !== null && r.job === null ? r : null;
}

/** The GUP in progress a reference name is bound to, or null. */
export function pendingRefOf(w: World, ref: number): GupRef | null {
  const id = w.refOf[ref] ?? -1;
  const r = id < 0 ? null : (w.k.refs[id] ?? null);
  return r !== null && r.job !== null ? r : null;
}

export function isPinRef(r: GupRef): boolean {
  return (r.gupFlags & FOLL_PIN) !== 0;
}
