// Running a scenario under a policy, with the scenario's own names in every message, and judging
// the result against the scenario's expectation.

import { ImpossibleOpError, runOps, type RunOptions, type RunResult } from '../engine/run.js';
import type { Op } from '../ops/registry.js';
import type { CowPolicy } from '../model/policy.js';
import { ZERO_VALUE } from '../model/constants.js';
import { addrText, objName, procName, refName, type Names } from '../ops/names.js';
import { objIndex, objIno } from '../oracle/shadow.js';
import { newWorld, type World } from '../world/world.js';
import { folioWord, type Words } from '../world/words.js';
import { ScenarioError, scenarioOps, type ParsedScenario, type Scenario } from './types.js';
import { DEFAULT_SWAP_SLOTS } from './defaults.js';

/** Names for messages: P1 A+0, r1, value #3 (written by P0 at A+0). */
export function scenarioWords(w: World, names: Names): Words {
  const procOfMm = (mm: number): string => {
    const p = w.procMm.indexOf(mm);
    return p >= 0 ? procName(names, p) : `mm${mm}`;
  };
  const addrOf = (mm: number, addr: number): string => {
    const m = w.k.mms[mm];
    if (!m) return `${addr}`;
    let best = -1;
    for (let l = 0; l < m.labels.length; l++) {
      const base = m.labels[l]!;
      if (base >= 0 && base <= addr && addr < base + m.labelPages[l]! && (best < 0 || base > m.labels[best]!)) best = l;
    }
    return best < 0 ? `${addr}` : addrText(names, best, addr - m.labels[best]!);
  };
  return {
    addr: (mm, addr) => `${procOfMm(mm)} ${addrOf(mm, addr)}`,
    ref: (id) => {
      const r = w.refOf.indexOf(id);
      return r >= 0 ? refName(names, r) : `reference #${id}`;
    },
    folio: folioWord,
    value: (v) => {
      if (v === ZERO_VALUE) return 'zero';
      const mm = w.shadow.valueMm[v]!;
      const at = w.shadow.valueAddr[v]!;
      if (at < 0) {
        const key = -at - 1;
        return `value #${v} (written to page ${objIndex(key)} of ${fileName(w, names, objIno(key))}${mm >= 0 ? ` by ${procOfMm(mm)}` : ''})`;
      }
      return `value #${v} (written by ${procOfMm(mm)} at ${addrOf(mm, at)})`;
    },
  };
}

/** A file's scenario name; shared anonymous memory (an unnamed shmem object) by its inode. */
export function fileName(w: World, names: Names, ino: number): string {
  const o = w.objIno.indexOf(ino);
  return o >= 0 ? objName(names, o) : `shmem inode ${ino} (shared anonymous memory)`;
}

/** Installs a scenario's names for every message the world's checks write. */
export function installNames(w: World, names: Names): void {
  w.words = scenarioWords(w, names);
  w.fileWords = (ino) => fileName(w, names, ino);
}

export function scenarioSwapSlots(s: Scenario): number {
  return s.swapSlots ?? DEFAULT_SWAP_SLOTS;
}

/** Runs ops in a fresh world whose messages use the given names. */
export function runNamed(ops: readonly Op[], names: Names, pol: CowPolicy, o: RunOptions): RunResult {
  const w = newWorld(pol, { swapSlots: o.swapSlots, check: o.check ?? 'incremental' });
  installNames(w, names);
  return runOps(ops, pol, o, w);
}

/** Runs a parsed scenario; an op whose names do not resolve is a ScenarioError at its line. */
export function runScenario(p: ParsedScenario, pol: CowPolicy, o: Partial<RunOptions> = {}): RunResult {
  const s = p.scenario;
  const w = newWorld(pol, { swapSlots: scenarioSwapSlots(s), check: o.check ?? 'incremental' });
  installNames(w, s.names);
  try {
    return runOps(scenarioOps(s), pol, { swapSlots: scenarioSwapSlots(s), ...o }, w);
  } catch (e) {
    if (e instanceof ImpossibleOpError) {
      const op = scenarioOps(s)[e.index]!;
      throw new ScenarioError(p.file, p.opLines[e.index] ?? 1, 1, `'${op.kind}' cannot run here: ${e.message}`);
    }
    throw e;
  }
}
