// Collecting what the kernel decided, step by step: a Tracer (src/model/trace.ts) that files every
// policy decision and every notable event under the step being applied. `explain`, the HTML
// report and the finding files all read this one record. Attached only when someone asks for it:
// the fuzz loop never has a tracer.

import type { Tracer } from '../model/trace.js';

/** A policy decision: `caller` asked `fn` (the kernel function the decision models), which read `inputs`. */
export interface DecisionEntry {
  readonly kind: 'decision';
  readonly caller: string;
  readonly fn: string;
  /** what the decision read, in the kernel's words: "mapcount 1, swapcount 0" ('' when it reads nothing) */
  readonly inputs: string;
  readonly outcome: string;
}

/** Something the kernel did: "wp_page_copy: folio#1 copied to folio#3". */
export interface EventEntry {
  readonly kind: 'event';
  readonly fn: string;
  readonly text: string;
}

export type TraceEntry = DecisionEntry | EventEntry;

/** Decisions and events of every step, in the order the model produced them (index = op index). */
export class TraceCollector implements Tracer {
  readonly steps: TraceEntry[][] = [];
  private cur: TraceEntry[] = [];

  /** Files what follows under op `i` (0-based). */
  beginStep(i: number): void {
    while (this.steps.length <= i) this.steps.push([]);
    this.cur = this.steps[i]!;
  }

  decision(caller: string, fn: string, inputs: string, outcome: string): void {
    this.cur.push({ kind: 'decision', caller, fn, inputs, outcome });
  }

  event(fn: string, text: string): void {
    this.cur.push({ kind: 'event', fn, text });
  }

  /** The entries of op `i` (empty for an op that asked nothing). */
  at(i: number): readonly TraceEntry[] {
    return this.steps[i] ?? [];
  }
}

/**
 * What a yes/no decision means, by the kernel function it models (first) or the caller that asks
 * it, so that a trace reads "copy_present_pte: ... -> share" rather than "-> false". A decision
 * named otherwise (a user variant's) keeps "yes" / "no".
 */
const MEANING: Readonly<Record<string, readonly [yes: string, no: string]>> = {
  gup_must_unshare: ['unshare first (FAULT_FLAG_UNSHARE)', 'grab the page'],
  can_follow_write_pte: ['follow the read-only PTE', 'fault for write'],
  should_force_cow_break: ['break COW: fault as a write (FOLL_WRITE)', 'no forced COW break'],
  __get_user_pages: ['break COW: fault as a write (FOLL_WRITE)', 'no forced COW break'],
  shrink_folio_list: ['keep it out of the swap cache (maybe pinned)', 'add_to_swap()'],
  copy_present_pte: ['copy for the child (copy_present_page())', 'share'],
  change_pte_range: ['map it writable', 'leave it read-only'],
  clear_soft_dirty: ['leave the PTE writable (pinned)', 'write-protect'],
  pte_is_pinned: ['leave the PTE writable (pinned)', 'write-protect'],
  should_try_to_free_swap: ['folio_free_swap() first', 'keep the swap cache'],
  wp_can_reuse_anon_folio: ['reuse', 'copy'],
};

/** The caller's question where the function's name does not tell (do_swap_page asks two). */
const CALLER_MEANING: Readonly<Record<string, readonly [yes: string, no: string]>> = {
  do_swap_page: ['folio_free_swap() first', 'keep the swap cache'],
  do_wp_page: ['reuse', 'copy'],
  copy_present_pte: ['copy for the child (copy_present_page())', 'share'],
  shrink_folio_list: ['keep it out of the swap cache (maybe pinned)', 'add_to_swap()'],
  change_pte_range: ['map it writable', 'leave it read-only'],
  clear_soft_dirty: ['leave the PTE writable (pinned)', 'write-protect'],
  __get_user_pages: ['break COW: fault as a write (FOLL_WRITE)', 'no forced COW break'],
};

/** A decision's outcome in words: the string it returned, or what yes / no means there. */
export function outcomeText(d: DecisionEntry): string {
  if (d.outcome !== 'true' && d.outcome !== 'false') return d.outcome;
  const m = MEANING[d.fn] ?? CALLER_MEANING[d.caller];
  const yes = d.outcome === 'true';
  return m ? m[yes ? 0 : 1] : yes ? 'yes' : 'no';
}

/**
 * A decision in the kernel's words: `do_wp_page: wp_can_reuse_anon_folio: refcount 2, swapcache no
 * -> copy`. The caller is left out when the decision models the caller itself.
 */
export function decisionText(d: DecisionEntry): string {
  const who = d.caller === d.fn ? d.fn : `${d.caller}: ${d.fn}`;
  return `${who}: ${d.inputs ? d.inputs + ' ' : ''}-> ${outcomeText(d)}`;
}

export function eventText(e: EventEntry): string {
  return `${e.fn}: ${e.text}`;
}

export function entryText(e: TraceEntry): string {
  return e.kind === 'decision' ? decisionText(e) : eventText(e);
}
