// variant(): a policy with some decisions replaced, derived from an era (how a developer proposes a
// change, and how the seeded bugs are made).
import { describe, expect, it } from 'vitest';
import { decision, type CowPolicy, type CowSite, type PteSite, type UnmapAnon } from '../../src/model/policy.js';
import { wpReuseByMapcount } from '../../src/policy/decisions.js';
import { anonExclusive } from '../../src/policy/eras/anon-exclusive.js';
import { mapcount } from '../../src/policy/eras/mapcount.js';
import { pagecount } from '../../src/policy/eras/pagecount.js';
import { variant } from '../../src/policy/variant.js';
import { noteAt, present, run } from '../helpers.js';

const always = decision<PteSite, boolean>('clear_soft_dirty', [], () => true);
const neverUnmap = decision<CowSite, UnmapAnon>('try_to_unmap_one', [], () => 'abort');

const LEAK = 'mmap P0 A 1\nwrite P0 A\nfork P0 P1\nvmsplice P1 A as r1\nmunmap P1 A\nwrite P0 A\nread r1';
const RECLAIM_PINNED = 'mmap P0 A 1\nwrite P0 A\nio_uring_register P0 A as r1\nreclaim P0 A';

describe('variant()', () => {
  it('overrides one decision and keeps every other one', () => {
    const v = variant(pagecount, { name: 'my-proposal', summary: 'mapcount reuse on a pagecount kernel' }, { wpReuseAnon: wpReuseByMapcount });
    expect(v).toMatchObject({ name: 'my-proposal', summary: 'mapcount reuse on a pagecount kernel', kernels: pagecount.kernels, base: 'pagecount' });
    expect('seededBug' in v).toBe(false);
    expect(v.wpReuseAnon).toBe(wpReuseByMapcount);
    for (const key of Object.keys(pagecount) as (keyof CowPolicy)[]) {
      if (['name', 'summary', 'base', 'wpReuseAnon'].includes(key)) continue;
      expect(v[key], key).toBe(pagecount[key]);
    }
    expect(pagecount.wpReuseAnon).not.toBe(wpReuseByMapcount); // the base is untouched
  });

  it('changes behaviour only where the decision is consulted', () => {
    const v = variant(pagecount, { name: 'v', summary: 's' }, { wpReuseAnon: wpReuseByMapcount });
    // the vmsplice child leak: pagecount passes, the variant with mapcount reuse leaks
    expect(run(LEAK, pagecount).verdict).toBe('pass');
    expect(run(LEAK, v).verdict).toBe('no-over-sharing');
    // a decision the variant did not touch: reclaim of a pinned page is still kept out of the swap cache
    const r = run(RECLAIM_PINNED, v);
    expect(r.verdict).toBe('pass');
    expect(noteAt(r, 3)).toBe('kept-pinned');
    expect(present(r, 'P0').write).toBe(true);
  });

  it('takes kernels and seededBug from the meta when given', () => {
    const v = variant(anonExclusive, { name: 'x', kernels: 'RFC', summary: 's', seededBug: 'oops' }, { clearRefsSkips: always, tryToUnmapAnon: neverUnmap });
    expect(v).toMatchObject({ name: 'x', kernels: 'RFC', seededBug: 'oops', base: 'anon-exclusive' });
    expect(v.features.anonExclusive).toBe(true);
    expect(v.gupMustUnshare).toBe(anonExclusive.gupMustUnshare);
    // and the replaced decisions are the ones the model asks: clear_refs leaves every PTE writable,
    // try_to_unmap_one() refuses every page
    const r = run('mmap P0 A 1\nwrite P0 A\nclear_refs P0\nreclaim P0 A', v);
    expect(r.verdict).toBe('pass');
    expect(noteAt(r, 3)).toBe('kept-mapped');
    expect(present(r, 'P0').write).toBe(true);
  });

  it('a variant of a variant names its direct base', () => {
    const a = variant(mapcount, { name: 'a', summary: 's' }, {});
    const b = variant(a, { name: 'b', summary: 's' }, {});
    expect(b.base).toBe('a');
    expect(b.wpReuseAnon).toBe(mapcount.wpReuseAnon);
    expect(run(LEAK, b).verdict).toBe('no-over-sharing');
  });
});
