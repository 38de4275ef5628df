// A world: the kernel model under one policy, plus the data oracle's shadow and the names a
// scenario gave to processes and references.

import { cloneKernel, newKernel, type Kernel } from '../model/kernel.js';
import { cloneShadow, newShadow, type Shadow } from '../oracle/shadow.js';
import type { CowPolicy } from '../policy/types.js';

export interface WorldOptions {
  /** slots per swap device, header included */
  readonly swapSlots: number;
}

export const DEFAULT_WORLD_OPTIONS: WorldOptions = { swapSlots: 8 };

export interface World {
  readonly pol: CowPolicy;
  readonly k: Kernel;
  readonly shadow: Shadow;
  readonly mmIds: Map<string, number>;
  readonly refIds: Map<string, number>;
  nextRefId: number;
}

export function newWorld(pol: CowPolicy, opts: WorldOptions = DEFAULT_WORLD_OPTIONS): World {
  return {
    pol,
    k: newKernel({ swapSlots: opts.swapSlots, swapDevices: 1, reserveSwapHeader: pol.reserveSwapHeader }),
    shadow: newShadow(),
    mmIds: new Map(),
    refIds: new Map(),
    nextRefId: 0,
  };
}

export function cloneWorld(w: World): World {
  return {
    pol: w.pol,
    k: cloneKernel(w.k),
    shadow: cloneShadow(w.shadow),
    mmIds: new Map(w.mmIds),
    refIds: new Map(w.refIds),
    nextRefId: w.nextRefId,
  };
}
