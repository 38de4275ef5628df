// cowfuzz report PATH... --html OUT: scenario files and folders, and the JSON output of fuzz runs,
// made into one self-contained HTML page (src/report/html).

import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { buildReport } from '../report/html/page.js';
import { FuzzLogError, parseFuzzLog, type FuzzLog } from '../report/html/fuzzlog.js';
import type { Ctx } from './context.js';
import { EXIT, IoError, ioCause } from './errors.js';
import { loadScenarios, SCENARIO_EXT, type LoadProblem, problemLine } from './load.js';

export interface ReportFlags {
  html: string;
  policy: string;
}

/** Fuzz output can be long (a progress line a second); anything larger than this is not one. */
const MAX_FUZZ_LOG_BYTES = 64 << 20;

function readFuzzLog(path: string): FuzzLog | LoadProblem {
  let text: string;
  try {
    // O_NONBLOCK: a FIFO must not hang the command; only regular files are read
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return { path, message: 'not read: not a regular file', kind: 'input' };
      if (st.size > MAX_FUZZ_LOG_BYTES) return { path, message: `not read: ${st.size} bytes, more than ${MAX_FUZZ_LOG_BYTES}`, kind: 'input' };
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    return { path, message: ioCause(e), kind: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'input' : 'io' };
  }
  try {
    return parseFuzzLog(text, path);
  } catch (e) {
    if (e instanceof FuzzLogError) return { path, message: e.message.startsWith(path) ? e.message.slice(path.length + 1).trim() : e.message, kind: 'input' };
    throw e;
  }
}

/** 0 every cell meets its expectation; 1 one does not; 2 bad input; 3 an I/O error. */
export function reportCommand(ctx: Ctx, paths: readonly string[], flags: ReportFlags): number {
  const policies = ctx.reg.resolve(flags.policy);
  // a folder or a *.cow file is scenarios; any other file is a fuzz run's JSON output
  const scenarioPaths: string[] = [];
  const logPaths: string[] = [];
  for (const p of paths) {
    let dir = false;
    try {
      dir = statSync(p).isDirectory();
    } catch {
      // loadScenarios() reports it
    }
    if (dir || p.endsWith(SCENARIO_EXT)) scenarioPaths.push(p);
    else logPaths.push(p);
  }
  const { scenarios, problems } = scenarioPaths.length ? loadScenarios(scenarioPaths, ctx.parse) : { scenarios: [], problems: [] as LoadProblem[] };
  const logs: FuzzLog[] = [];
  for (const p of logPaths) {
    const r = readFuzzLog(p);
    if ('kind' in r && 'message' in r) problems.push(r);
    else logs.push(r);
  }
  let code: number = EXIT.clean;
  for (const p of problems) {
    ctx.err(`cowfuzz: ${problemLine(p)}`);
    code = Math.max(code, p.kind === 'io' ? EXIT.io : EXIT.usage);
  }
  if (scenarios.length === 0 && logs.length === 0) {
    if (code === EXIT.clean) ctx.err('cowfuzz: nothing to report: no scenario file and no fuzz output');
    return code === EXIT.clean ? EXIT.usage : code;
  }
  const report = buildReport({
    scenarios,
    policies,
    isEra: (n) => ctx.reg.kind(n) === 'era',
    fuzz: logs,
    policyOf: (n) => (ctx.reg.has(n) ? ctx.reg.get(n) : null),
    parse: ctx.parse,
  });
  try {
    mkdirSync(dirname(flags.html), { recursive: true });
    writeFileSync(flags.html, report.html);
  } catch (e) {
    throw new IoError(`${flags.html}: cannot write the report: ${ioCause(e)}`);
  }
  ctx.out(`${flags.html}: ${scenarios.length} scenario(s) x ${policies.length} policies, ${report.mismatches} cell(s) differ from expectations${logs.length ? `, ${logs.length} fuzz run(s)` : ''}`);
  if (code !== EXIT.clean) return code;
  return report.mismatches > 0 ? EXIT.found : EXIT.clean;
}
