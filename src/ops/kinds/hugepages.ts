// hugepages N: echo N > /proc/sys/vm/nr_hugepages (set_max_huge_pages()), written at the top of a
// scenario like a header or at any point. The pool never shrinks below the huge pages in use plus
// those reserved. The model boots with DEFAULT_HUGEPAGES.

import { setMaxHugePages } from '../../model/hugetlb.js';
import { arity, countArg } from '../syntax.js';
import type { OpSpec } from '../types.js';

export interface HugepagesOp {
  readonly kind: 'hugepages';
  readonly count: number;
}

const syntax = ['hugepages N'];

export const hugepagesOp: OpSpec<HugepagesOp> = {
  kind: 'hugepages',
  verbs: ['hugepages'],
  syntax,
  weight: 1,
  names: {},
  parse(toks) {
    arity(toks, syntax, 1);
    return { kind: 'hugepages', count: countArg(toks[1]!, 0, 64, 'a number of huge pages') };
  },
  print: (op) => `hugepages ${op.count}`,
  check: () => null,
  apply(w, op) {
    setMaxHugePages(w.k, op.count);
    w.journal.other();
    return { kind: 'ok', note: `nr_hugepages ${w.k.hugetlb.nr}, ${w.k.hugetlb.free} free, ${w.k.hugetlb.resv} reserved` };
  },
  possible: (_w, scope) => scope.hugetlb === true,
  inScope: (scope) => scope.hugetlb === true,
  // a pool size is most often written first, as a scenario's header: a small pool makes COW fail
  boost: (w) => (w.steps === 0 ? 20 : 1),
  boostMax: 20,
  build: (_w, _scope, c) => ({ kind: 'hugepages', count: 1 + c.pick(3) }),
  simplify: (op) => (op.count > 1 ? [{ kind: 'hugepages', count: 1 }] : []),
};
