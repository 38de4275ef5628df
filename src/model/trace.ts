// What `explain` sees of a step: every policy decision the model asked for, with what the kernel
// function read and what it decided, and the notable events (a copy, a swap-out) in between.
// The model calls the tracer only when one is attached (k.tracer), so fuzzing pays nothing.

export interface Tracer {
  /** `caller` asked the policy; `fn` is the kernel function the decision models; `inputs` what it read */
  decision(caller: string, fn: string, inputs: string, outcome: string): void;
  /** something the kernel did, in its words: `fn: text` */
  event(fn: string, text: string): void;
}
