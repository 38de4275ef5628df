// Finding and reading scenario files named on the command line. Only regular files are read (a
// FIFO, a device or /dev/zero behind a link is refused), up to a size limit; a folder is walked
// for *.cow files without following links out of it. A file that cannot be read or parsed is
// reported and the batch goes on.

import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync, constants } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import type { ParseOptions } from '../scenario/parse.js';
import { parseScenario } from '../scenario/parse.js';
import { ScenarioError, type ParsedScenario } from '../scenario/types.js';
import { ioCause } from './errors.js';

export const SCENARIO_EXT = '.cow';

/** Scenario files are small; anything larger is not one. */
export const MAX_SCENARIO_BYTES = 1 << 20;

/** A file that could not be loaded: the path and why. `kind` tells the exit status (2 bad input, 3 I/O). */
export interface LoadProblem {
  readonly path: string;
  readonly message: string;
  readonly kind: 'input' | 'io';
}

/** A problem as one line: `file:line:col: what` for bad input at a place, else `file: what`. */
export function problemLine(p: LoadProblem): string {
  return /^\d+:\d+: /.test(p.message) ? `${p.path}:${p.message}` : `${p.path}: ${p.message}`;
}

export interface Loaded {
  readonly scenarios: ParsedScenario[];
  readonly problems: LoadProblem[];
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Files and folders (walked for *.cow), in a stable order, and the paths that could not be walked. */
export function scenarioFiles(paths: readonly string[]): { files: string[]; problems: LoadProblem[] } {
  const files: string[] = [];
  const problems: LoadProblem[] = [];
  const walk = (dir: string, root: string, seen: Set<string>): void => {
    let real: string;
    let entries: string[];
    try {
      real = realpathSync(dir);
      if (seen.has(real)) return; // a link loop
      seen.add(real);
      entries = readdirSync(dir).sort();
    } catch (e) {
      problems.push({ path: dir, message: `cannot read folder: ${ioCause(e)}`, kind: 'io' });
      return;
    }
    for (const e of entries) {
      const q = join(dir, e);
      let st;
      try {
        st = lstatSync(q);
        if (st.isSymbolicLink()) {
          const target = realpathSync(q);
          if (!inside(root, target)) {
            if (e.endsWith(SCENARIO_EXT) || statSync(q).isDirectory()) problems.push({ path: q, message: 'not followed: the link points outside the folder given', kind: 'input' });
            continue;
          }
          st = statSync(q);
        }
      } catch (err) {
        problems.push({ path: q, message: ioCause(err), kind: 'io' });
        continue;
      }
      if (st.isDirectory()) walk(q, root, seen);
      else if (e.endsWith(SCENARIO_EXT)) files.push(q);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      problems.push({ path: p, message: ioCause(e), kind: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'input' : 'io' });
      continue;
    }
    if (st.isDirectory()) {
      let root: string;
      try {
        root = realpathSync(p);
      } catch (e) {
        problems.push({ path: p, message: ioCause(e), kind: 'io' });
        continue;
      }
      walk(p, root, new Set());
    } else files.push(p);
  }
  return { files, problems };
}

/** Reads a scenario file: a regular file of at most MAX_SCENARIO_BYTES, as UTF-8. */
export function readScenarioFile(path: string): string {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the fstat below refuses it
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NotRegularError(st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a regular file');
    if (st.size > MAX_SCENARIO_BYTES) throw new NotRegularError(`${st.size} bytes, more than a scenario's limit of ${MAX_SCENARIO_BYTES}`);
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < st.size) {
      const got = readSync(fd, buf, n, st.size - n, n);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

class NotRegularError extends Error {}

export function loadScenarios(paths: readonly string[], o: ParseOptions): Loaded {
  const { files, problems } = scenarioFiles(paths);
  const scenarios: ParsedScenario[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readScenarioFile(f);
    } catch (e) {
      if (e instanceof NotRegularError) problems.push({ path: f, message: `not read: ${e.message}`, kind: 'input' });
      else problems.push({ path: f, message: ioCause(e), kind: 'io' });
      continue;
    }
    try {
      scenarios.push(parseScenario(text, f, o));
    } catch (e) {
      if (e instanceof ScenarioError) problems.push({ path: f, message: e.message.startsWith(f) ? e.message.slice(f.length + 1) : e.message, kind: 'input' });
      else throw e;
    }
  }
  return { scenarios, problems };
}
