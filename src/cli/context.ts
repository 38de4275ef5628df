// What every command shares: where output goes, whether it is coloured, and the policy registry
// (built-ins plus any --policy-module).

import { registryWithModules } from '../policy/module.js';
import type { PolicyRegistry } from '../policy/registry.js';
import type { ParseOptions } from '../scenario/parse.js';
import { colorWanted, makePaint, type Paint } from '../report/paint.js';

export interface Ctx {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly paint: Paint;
  /** paint for stderr (its own terminal test) */
  readonly paintErr: Paint;
  readonly reg: PolicyRegistry;
  readonly policyModules: readonly string[];
  readonly debug: boolean;
  readonly parse: ParseOptions;
}

export interface GlobalFlags {
  color?: boolean;
  debug?: boolean;
  policyModule?: string[];
}

export async function makeCtx(g: GlobalFlags): Promise<Ctx> {
  const modules = g.policyModule ?? [];
  const reg = await registryWithModules(modules);
  return {
    out: (s) => void process.stdout.write(s + '\n'),
    err: (s) => void process.stderr.write(s + '\n'),
    paint: makePaint(colorWanted(g.color, process.stdout.isTTY === true, process.env)),
    paintErr: makePaint(colorWanted(g.color, process.stderr.isTTY === true, process.env)),
    reg,
    policyModules: modules,
    debug: g.debug === true,
    parse: { isPolicy: (n) => reg.has(n) },
  };
}
