// Runs one job of a fuzz campaign; the same code runs in-process (--jobs 1) or in a worker thread.

import { getPolicy } from '../policy/registry.js';
import { runCampaign, type CampaignEvents, type CampaignStats } from './campaign.js';
import type { FuzzJobOptions } from './options.js';
import { runsOf, streamOf } from './options.js';

export function runJob(o: FuzzJobOptions, job: number, deadline: number | null, ev: CampaignEvents): CampaignStats {
  return runCampaign(
    {
      policies: o.policies.map(getPolicy),
      seed: o.seed,
      stream: streamOf(o, job),
      runs: runsOf(o, job),
      deadline,
      run: { maxOps: o.maxOps, weights: o.weights, swarm: o.swarm, scope: o.scope },
      outDir: o.outDir,
      optionsText: o.optionsText,
      shrinkPerSignature: 3,
    },
    ev,
  );
}
