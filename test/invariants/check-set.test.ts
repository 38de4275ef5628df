// The incremental check set is sound for the data oracle: after every step, every address whose
// reading (peekAddr(), peekTag()) or expectation (the oracle's value, or what the file page it
// views should hold) changed is in the set of sites judged again, and every file page whose
// page-cache entry, content or expected content changed is in the set of file pages judged again. One
// left out would keep a wrong value unjudged until something else touched it; the full check
// would see it at once.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { randomChoose } from '../../src/engine/choose.js';
import { generateOp, weightArray } from '../../src/engine/generate.js';
import { DEFAULT_SCOPE, FUZZ_SCOPES, LARGE_SCOPE } from '../../src/engine/scope.js';
import { step } from '../../src/engine/step.js';
import { DEFAULT_WEIGHTS, swarm } from '../../src/engine/weights.js';
import { objectContent, peekAddr, peekTag } from '../../src/invariants/data-oracle.js';
import type { Op } from '../../src/ops/registry.js';
import type { Scope } from '../../src/ops/types.js';
import { expected, expectedTag, FILE_VIEW, fileExpected, objAt, objKey, SHARED_VIEW } from '../../src/oracle/shadow.js';
import { builtinPolicies } from '../../src/policy/registry.js';
import { site } from '../../src/world/site-index.js';
import { newWorld, type World } from '../../src/world/world.js';

/** What the data oracle reads at every address of every live mm's VMAs, by site. */
function views(w: World): Map<number, string> {
  const out = new Map<number, string>();
  for (const mm of w.k.mms) {
    if (!mm.alive) continue;
    for (const v of mm.vmas) {
      for (let a = v.start; a < v.end; a++) {
        const exp = expected(w.shadow, mm.id, a);
        const file = exp === FILE_VIEW || exp === SHARED_VIEW ? fileExpected(w.shadow, objAt(w.shadow, mm.id, a)) : '';
        out.set(site(mm.id, a), `${exp}/${file}/${peekAddr(w.k, mm.id, a)}/${peekTag(w.k, mm.id, a)}/${expectedTag(w.shadow, mm.id, a)}`);
      }
    }
  }
  return out;
}

/** Every file page's page-cache entry (and the folio it names), and within i_size what it holds and should hold, by objKey(). */
function filePages(w: World): Map<number, string> {
  const out = new Map<number, string>();
  for (const ino of w.k.inodes) {
    for (let index = 0; index < Math.max(ino.size, ino.cache.length); index++) {
      const id = ino.cache[index] ?? -1;
      const f = id >= 0 ? w.k.folios[id] : undefined;
      const entry = `${id}:${f === undefined ? '' : f === null ? 'freed' : `${f.mapping}:${f.index}:${f.nr}`}:${ino.swapped[index] ?? -1}`;
      const data = index < ino.size ? `${objectContent(w.k, ino, index)}/${fileExpected(w.shadow, objKey(ino.id, index))}` : '';
      out.set(objKey(ino.id, index), `${entry}/${data}`);
    }
  }
  return out;
}

/** Random runs of the policy in the scope; the number of steps in which some address changed what it reads or expects. */
function checkRuns(polName: string, scope: Scope, runs: number, maxOps: number): number {
  const pol = builtinPolicies.get(polName);
  const rnd = seedrandom.alea(`check-set/${polName}/${runs}/${maxOps}`);
  const c = randomChoose(rnd);
  let changedSteps = 0;
  for (let run = 0; run < runs; run++) {
    const w = newWorld(pol, { swapSlots: scope.swapSlots, check: 'incremental' });
    const weights = weightArray(swarm({ ...DEFAULT_WEIGHTS, ...(scope.weights ?? {}) }, rnd, scope), scope);
    for (let i = 0; i < maxOps; i++) {
      const op: Op | null = generateOp(w, scope, weights, c, rnd);
      if (op === null) break;
      const before = views(w);
      const beforeFiles = filePages(w);
      const r = step(w, op);
      if (r.status === 'violated' || r.status === 'impossible') break;
      const { sites, files } = w.checkSet;
      const judged = new Set(w.journal.empty() ? [] : sites.v.slice(0, sites.n));
      const judgedFiles = new Set(w.journal.empty() ? [] : files.v.slice(0, files.n));
      let changed = false;
      for (const [s, now] of views(w)) {
        if (before.get(s) === now) continue;
        changed = true;
        if (!judged.has(s)) expect.fail(`${polName} run ${run} step ${i} (${op.kind}): site ${s} went from ${before.get(s)} to ${now} but was not judged again`);
      }
      for (const [key, now] of filePages(w)) {
        if (beforeFiles.get(key) === now) continue;
        changed = true;
        if (!judgedFiles.has(key)) expect.fail(`${polName} run ${run} step ${i} (${op.kind}): file page ${key} went from ${beforeFiles.get(key)} to ${now} but was not judged again`);
      }
      if (changed) changedSteps++;
    }
  }
  return changedSteps;
}

describe('the incremental check set holds every address and file page whose reading or expectation changed', () => {
  // files in the default and large scopes (the file sweep), shmem swap, hugetlb, userfaultfd, THPs and MTE tags
  const cases: [string, Scope, number, number][] = [
    ['anon-exclusive', DEFAULT_SCOPE, 1000, 40],
    ['anon-exclusive', LARGE_SCOPE, 60, 150],
    ['anon-exclusive', FUZZ_SCOPES.hugetlb!, 150, 40],
    ['anon-exclusive', FUZZ_SCOPES.uffd!, 150, 40],
    ['anon-exclusive', FUZZ_SCOPES.thp!, 150, 40],
    ['mapcount-4.8', DEFAULT_SCOPE, 150, 40],
    ['bug-shmem-swapin-clean', DEFAULT_SCOPE, 150, 40],
  ];
  for (const [pol, scope, runs, maxOps] of cases) {
    it(`${pol}, ${runs} runs of ${maxOps} ops (${scope === LARGE_SCOPE ? 'large' : (Object.entries(FUZZ_SCOPES).find(([, s]) => s === scope)?.[0] ?? '?')} scope)`, () => {
      // the comparison means something only where addresses changed
      expect(checkRuns(pol, scope, runs, maxOps)).toBeGreaterThan(runs);
    });
  }
});
