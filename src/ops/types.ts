// The operation vocabulary's contract. Each op kind is one module (src/ops/kinds/) holding its
// scenario syntax (parse and print), when it is possible and how its arguments are drawn (one
// build() for the random generator, exhaustive enumeration and fast-check alike), its effect, how
// the shrinker simplifies it, and its default weight. The registry (registry.ts) lists them.

import type { InvariantName } from '../invariants/types.js';
import type { Advice } from '../model/madvise.js';
import type { Refusal } from '../model/result.js';
import type { World } from '../world/world.js';
import type { Names } from './names.js';
import type { ParseCtx, Tok } from './syntax.js';

/** How large a world the generator and exhaust build. */
export interface Scope {
  /** processes ever created (P0 by mmap, the others by fork) */
  readonly maxProcs: number;
  /** labels (mappings) a process may create */
  readonly maxLabels: number;
  /** the page counts mmap may use */
  readonly mmapPages: readonly number[];
  /** live references at once */
  readonly maxRefs: number;
  /** slots of the swap device, header included */
  readonly swapSlots: number;
  /** the madvise() advice the generator uses */
  readonly advice: readonly Advice[];
  /** munmap / mprotect of part of a mapping (false: whole mappings only) */
  readonly partialRanges: boolean;
  /** files and memfds a run may create (0: anonymous memory only) */
  readonly maxObjs: number;
  /** GUP variants the generator draws: FOLL_FORCE, GUP-fast, stepwise GUP (and poke) */
  readonly gupVariants: boolean;
  /** large folios: THP settings, MADV_HUGEPAGE, PMD-aligned PMD-sized mappings, split_folio() */
  readonly thp: boolean;
  /** arm64 MTE: PROT_MTE mappings and tag stores (settag) */
  readonly mte: boolean;
  /** hugetlb: MAP_HUGETLB mappings of one huge page and the pool size (hugepages) */
  readonly hugetlb?: boolean;
  /**
   * false: GUP of a hugetlb VMA takes FOLL_PIN references only. The FOLL_GET leak hugetlb_wp()
   * keeps on purpose (reuse by mapcount; cow.c XFAIL) is then out of reach, so the current era
   * stays clean in a scope that has hugetlb for other reasons (hugetlb-uffd).
   */
  readonly hugetlbFollGet?: boolean;
  /** generator weights of this scope by op kind, over the defaults (unless --weights or --config give weights) */
  readonly weights?: Readonly<Record<string, number>>;
  /** op kinds swarm testing never leaves out of a run of this scope (as mmap and write, always) */
  readonly swarmKeep?: readonly string[];
  /** userfaultfd: the generator registers ranges and answers userfaults with the ioctls */
  readonly uffd: boolean;
}

/**
 * Where an op's arguments come from. The random generator answers with a PRNG, exhaust with every
 * answer in turn, fast-check with a drawn tape: build() is written once for all three.
 */
export interface Choose {
  /** an integer in [0, n), n >= 1 */
  pick(n: number): number;
  /** true with probability p when random; both answers when enumerating */
  chance(p: number): boolean;
}

/** What applying an op did, before the invariants are judged. */
export type Outcome =
  | { readonly kind: 'ok'; readonly value?: number; readonly note?: string }
  /** the kernel refused it: an errno or a signal; the run goes on (see README, "refused ops") */
  | { readonly kind: 'refused'; readonly refusal: Refusal; readonly why: string }
  /** the op itself broke a promise the kernel makes (GUP that cannot make progress) */
  | { readonly kind: 'violated'; readonly invariant: InvariantName; readonly why: string };

export const OK: Outcome = Object.freeze({ kind: 'ok' });

/** Which fields of an op hold names: renaming and canonical printing go through these. */
export interface NameFields {
  readonly procs?: readonly string[];
  readonly labels?: readonly string[];
  readonly refs?: readonly string[];
  readonly objs?: readonly string[];
}

export interface OpBase {
  readonly kind: string;
}

export interface OpSpec<O extends OpBase = OpBase> {
  readonly kind: O['kind'];
  /** the scenario words that parse into this kind (the first is the kind's own) */
  readonly verbs: readonly string[];
  /** usage, one line per form, for errors and README */
  readonly syntax: readonly string[];
  /** default generator weight */
  readonly weight: number;
  readonly names: NameFields;
  /** Its reference or label fields name a new reference or mapping (gup, poke ... as REF, mmap), not one made before. */
  readonly bindsNames?: boolean;
  /**
   * Applying it never changes what the census counts (src/world/census.ts): the live processes,
   * their VMAs and VM_WRITE / VM_UFFD_* flags, the live references and what they promise. The
   * census taken before it then holds after it (a load, a store, reclaim, file I/O);
   * test/world/census.test.ts checks every such step.
   */
  readonly keepsCensus?: boolean;
  /** Parses the tokens of one line whose first token is one of `verbs`. */
  parse(toks: readonly Tok[], ctx: ParseCtx): O;
  print(op: O, names: Names): string;
  /** Why the op cannot run in this world (a name that does not resolve), or null when it can. */
  check(w: World, op: O): string | null;
  /** The effect. Called only when check() passed. */
  apply(w: World, op: O): Outcome;
  /** Can the scope ever make this kind (files need maxObjs, pokes gupVariants)? The fuzzer leaves kinds out of scope out of its weights. */
  inScope?(scope: Scope): boolean;
  /** Can build() make an op of this kind in this world, within the scope? Cheap. */
  possible(w: World, scope: Scope): boolean;
  /** False when no world within the scope makes this kind possible (fast-check then leaves the kind out); always true when left out. */
  inScope?(scope: Scope): boolean;
  /** A factor on the kind's weight in this world (the random generator only): for ops that matter most at a run's start. 1 when left out. */
  boost?(w: World, scope: Scope): number;
  /** The largest value boost() returns (the generator proposes a boosted kind at weight x boostMax). */
  readonly boostMax?: number;
  /** An op of this kind, its arguments drawn from what is alive. Called only when possible(). */
  build(w: World, scope: Scope, c: Choose): O;
  /** Strictly simpler variants, for the shrinker. */
  simplify(op: O): O[];
  /**
   * False when the scope leaves this kind out altogether: the generator never draws it and spends
   * no swarm coin on it, so a scope without it generates exactly what it did before the kind
   * existed. Absent: every scope.
   */
  inScope?(scope: Scope): boolean;
}
