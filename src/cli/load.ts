// Finding and parsing scenario files named on the command line.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from '../scenario/parse.js';
import type { ParsedScenario } from '../scenario/types.js';
import { UsageError } from './errors.js';

export const SCENARIO_EXT = '.cow';

/** Files and directories (searched recursively for *.cow), in a stable order. */
export function scenarioFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) {
        const q = join(p, e);
        if (statSync(q).isDirectory() || e.endsWith(SCENARIO_EXT)) walk(q);
      }
    } else out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}

export function loadScenarios(paths: readonly string[]): ParsedScenario[] {
  return scenarioFiles(paths).map((f) => parseScenario(readFileSync(f, 'utf8'), f));
}
