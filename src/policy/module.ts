// Loading a user's policies from a JavaScript module of their own (--policy-module FILE): every
// export that is a policy (or an array of policies), typically built with variant() imported from
// the package: `import { variant, policies } from 'cowfuzz'`.

import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { CowPolicy } from '../model/policy.js';
import { eraPolicies, PolicyRegistry } from './registry.js';

export class PolicyModuleError extends Error {}

/** The decisions every policy must have, checked on what a module exports. */
const REQUIRED: readonly (keyof CowPolicy)[] = Object.keys(eraPolicies[0]!).filter((k) => k !== 'base' && k !== 'seededBug') as (keyof CowPolicy)[];

export function isPolicy(x: unknown): x is CowPolicy {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.name === 'string' && typeof o.wpReuseAnon === 'function';
}

function checkPolicy(file: string, exportName: string, p: CowPolicy): CowPolicy {
  const o = p as unknown as Record<string, unknown>;
  const missing = REQUIRED.filter((k) => o[k] === undefined);
  if (missing.length > 0) throw new PolicyModuleError(`${file}: export '${exportName}' (policy '${p.name}') lacks ${missing.join(', ')}; build it with variant() from an era`);
  if (!/^[A-Za-z0-9_.-]+$/.test(p.name)) throw new PolicyModuleError(`${file}: policy name '${p.name}' must be letters, digits, '.', '_' or '-'`);
  return p;
}

/** Imports the module and returns the policies it exports, in export order. */
export async function loadPolicyModule(file: string): Promise<CowPolicy[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ERR_MODULE_NOT_FOUND' ? 'module not found' : (err.message ?? String(e)).split('\n')[0];
    throw new PolicyModuleError(`${file}: cannot load policy module: ${why}`);
  }
  const out: CowPolicy[] = [];
  for (const [name, value] of Object.entries(mod)) {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (isPolicy(v)) out.push(checkPolicy(file, `${name}[${i}]`, v));
      });
    } else if (isPolicy(value)) out.push(checkPolicy(file, name, value));
  }
  const seen = new Set<string>();
  const unique = out.filter((p) => (seen.has(p.name) ? false : (seen.add(p.name), true)));
  if (unique.length === 0) throw new PolicyModuleError(`${file}: exports no policy (export a variant(...) or an array of them)`);
  return unique;
}

/** The built-in policies and every policy the modules export, in order: what --policy-module gives a command and each of its workers. */
export async function registryWithModules(files: readonly string[]): Promise<PolicyRegistry> {
  const reg = new PolicyRegistry();
  for (const f of files) reg.add(await loadPolicyModule(f));
  return reg;
}
