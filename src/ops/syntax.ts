// Tokens and argument parsers shared by the op modules. Every error names the column and what was
// expected; numbers are plain decimal (no 0x10, 1e1, +1 or 01).

import { FOLL_FAST, FOLL_FORCE, FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_TOUCH, FOLL_WRITE } from '../model/constants.js';
import type { Names } from './names.js';

export interface Tok {
  readonly text: string;
  /** 1-based column */
  readonly col: number;
}

/** A parse error at a column of the current line. */
export class OpSyntaxError extends Error {
  readonly col: number;
  constructor(col: number, message: string) {
    super(message);
    this.col = col;
  }
}

/** Interns names as they first appear; errors carry the column. */
export interface ParseCtx {
  readonly names: Names;
}

export function fail(col: number, what: string): never {
  throw new OpSyntaxError(col, what);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ADDR = /^([A-Za-z_][A-Za-z0-9_.-]*?)(?:\+(0|[1-9][0-9]*))?$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

export function tokenize(line: string): Tok[] {
  const toks: Tok[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) toks.push({ text: m[0], col: m.index + 1 });
  return toks;
}

/** Checks the argument count (tokens after the verb) is one of `allowed`. */
export function arity(toks: readonly Tok[], syntax: readonly string[], ...allowed: number[]): void {
  const n = toks.length - 1;
  if (allowed.includes(n)) return;
  const at = toks[Math.min(toks.length - 1, Math.max(...allowed) + 1)] ?? toks[toks.length - 1]!;
  fail(at.col, `wrong number of arguments; expected ${syntax.join('  or  ')}`);
}

function intern(list: string[], name: string): number {
  const i = list.indexOf(name);
  if (i >= 0) return i;
  list.push(name);
  return list.length - 1;
}

export function procArg(ctx: ParseCtx, t: Tok): number {
  if (!NAME.test(t.text)) fail(t.col, `expected a process name, got '${t.text}'`);
  return intern(ctx.names.procs, t.text);
}

export function refArg(ctx: ParseCtx, t: Tok): number {
  if (!NAME.test(t.text)) fail(t.col, `expected a reference name, got '${t.text}'`);
  return intern(ctx.names.refs, t.text);
}

export function objArg(ctx: ParseCtx, t: Tok): number {
  if (!NAME.test(t.text)) fail(t.col, `expected a file name, got '${t.text}'`);
  return intern(ctx.names.objs, t.text);
}

export function labelArg(ctx: ParseCtx, t: Tok): number {
  if (!NAME.test(t.text)) fail(t.col, `expected a mapping name, got '${t.text}'`);
  return intern(ctx.names.labels, t.text);
}

export function addrArg(ctx: ParseCtx, t: Tok): { label: number; off: number } {
  const m = ADDR.exec(t.text);
  if (!m) fail(t.col, `expected an address LABEL or LABEL+N (N plain decimal), got '${t.text}'`);
  const off = m[2] ? Number(m[2]) : 0;
  if (off > 4095) fail(t.col, `page offset ${off} is out of range (at most 4095)`);
  return { label: intern(ctx.names.labels, m[1]!), off };
}

/** A plain decimal count in [min, max]. */
export function countArg(t: Tok, min: number, max: number, what: string): number {
  if (!DECIMAL.test(t.text)) fail(t.col, `expected ${what} as a plain decimal number from ${min} to ${max}, got '${t.text}'`);
  const n = Number(t.text);
  if (n < min || n > max) fail(t.col, `expected ${what} from ${min} to ${max}, got ${n}`);
  return n;
}

export function keyword<T extends string>(t: Tok | undefined, allowed: readonly T[], what: string, at: number): T {
  if (t === undefined) fail(at, `expected ${what}: ${allowed.join(' or ')}`);
  if (!(allowed as readonly string[]).includes(t.text)) fail(t.col, `expected ${what} (${allowed.join(', ')}), got '${t.text}'`);
  return t.text as T;
}

/** `as REF` at toks[i], toks[i+1] */
export function asRef(ctx: ParseCtx, toks: readonly Tok[], i: number, syntax: readonly string[]): number {
  const t = toks[i];
  if (t?.text !== 'as' || toks[i + 1] === undefined) fail(t?.col ?? toks[toks.length - 1]!.col, `expected 'as REF'; ${syntax.join('  or  ')}`);
  return refArg(ctx, toks[i + 1]!);
}

export const GUP_FLAG_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['FOLL_GET', FOLL_GET],
  ['FOLL_PIN', FOLL_PIN],
  ['FOLL_WRITE', FOLL_WRITE],
  ['FOLL_LONGTERM', FOLL_LONGTERM],
  ['FOLL_FORCE', FOLL_FORCE],
  ['FOLL_TOUCH', FOLL_TOUCH],
  ['FAST', FOLL_FAST],
];

export function gupFlagsArg(t: Tok): number {
  let flags = 0;
  for (const part of t.text.split('|')) {
    const f = GUP_FLAG_NAMES.find(([n]) => n === part);
    if (!f) fail(t.col, `unknown GUP flag '${part}'; expected ${GUP_FLAG_NAMES.map(([n]) => n).join(', ')}`);
    flags |= f[1];
  }
  if (Boolean(flags & FOLL_GET) === Boolean(flags & FOLL_PIN)) fail(t.col, 'expected exactly one of FOLL_GET and FOLL_PIN');
  return flags;
}

export function printGupFlags(flags: number): string {
  return GUP_FLAG_NAMES.filter(([, bit]) => flags & bit)
    .map(([name]) => name)
    .join('|');
}
