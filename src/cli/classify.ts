// Which exit status an error calls for, and its one-line message.

import { FuzzOptionError } from '../fuzz/options.js';
import { PolicyModuleError } from '../policy/module.js';
import { UnknownPolicyError } from '../policy/registry.js';
import { ScenarioError } from '../scenario/types.js';
import { EXIT, IoError, UsageError, ioCause } from './errors.js';

export function classify(e: unknown): { code: number; message: string } {
  if (e instanceof ScenarioError || e instanceof UsageError || e instanceof UnknownPolicyError || e instanceof FuzzOptionError || e instanceof PolicyModuleError) {
    return { code: EXIT.usage, message: e.message };
  }
  if (e instanceof IoError) return { code: EXIT.io, message: e.message };
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.syscall === 'string') {
    return { code: EXIT.io, message: `${err.path ?? err.syscall}: ${ioCause(err)}` };
  }
  const first = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return { code: EXIT.io, message: `internal error: ${first} (run with --debug for the stack trace)` };
}
