// Parser for the scenario language: one statement per line, '#' starts a comment.

import { INVARIANT_NAMES, isInvariantName } from '../invariants/types.js';
import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../model/constants.js';
import type { Op } from '../ops/types.js';
import { isPolicyName } from '../policy/registry.js';
import { GUP_FLAG_NAMES, HEADER_SYNTAX, OP_SYNTAX } from './syntax.js';
import { ScenarioError, type BodyItem, type Expectation, type ParsedScenario, type Verdict } from './types.js';

interface Tok {
  readonly text: string;
  readonly col: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function tokenize(line: string): Tok[] {
  const toks: Tok[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) toks.push({ text: m[0], col: m.index + 1 });
  return toks;
}

export function parseScenario(text: string, file = '<scenario>'): ParsedScenario {
  let title: string | null = null;
  const sources: string[] = [];
  const expect: Expectation[] = [];
  let swapSlots: number | undefined;
  const body: BodyItem[] = [];
  const opLines: number[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, n) => {
    const lineNo = n + 1;
    const hash = raw.indexOf('#');
    const code = hash >= 0 ? raw.slice(0, hash) : raw;
    const note = hash >= 0 ? raw.slice(hash + 1).trim() : '';
    const toks = tokenize(code);
    const err = (col: number, what: string): never => {
      throw new ScenarioError(file, lineNo, col, what);
    };
    if (toks.length === 0) {
      if (hash >= 0) body.push({ kind: 'comment', text: note });
      return;
    }
    const head = toks[0]!;
    switch (head.text) {
      case 'title': {
        // title and source take the rest of the line verbatim: '#' is text there (URLs, issue numbers)
        const text = raw.slice(raw.indexOf('title') + 5).trim();
        if (!text) err(head.col, `expected ${HEADER_SYNTAX.title}`);
        if (title !== null) err(head.col, 'a scenario has one title');
        title = text;
        return;
      }
      case 'source': {
        const text = raw.slice(raw.indexOf('source') + 6).trim();
        if (!text) err(head.col, `expected ${HEADER_SYNTAX.source}`);
        sources.push(text);
        return;
      }
      case 'expect': {
        if (toks.length !== 3) err(head.col, `expected ${HEADER_SYNTAX.expect}`);
        const [, p, v] = toks as [Tok, Tok, Tok];
        if (p.text !== 'default' && !isPolicyName(p.text)) err(p.col, `unknown policy '${p.text}' (see 'cowfuzz policies')`);
        if (expect.some((e) => e.policy === p.text)) err(p.col, `a second expectation for ${p.text}`);
        if (v.text !== 'pass' && v.text !== 'error' && !isInvariantName(v.text)) {
          err(v.col, `expected a verdict: pass, error or one of ${INVARIANT_NAMES.join(', ')}; got '${v.text}'`);
        }
        expect.push({ policy: p.text, verdict: v.text as Verdict });
        return;
      }
      case 'swap': {
        if (toks.length !== 2) err(head.col, `expected ${HEADER_SYNTAX.swap}`);
        const n2 = Number(toks[1]!.text);
        if (!Number.isInteger(n2) || n2 < 2 || n2 > 4096) err(toks[1]!.col, 'expected a slot count from 2 to 4096 (slot 0 is the header)');
        swapSlots = n2;
        return;
      }
      default: {
        const op = parseOp(toks, err);
        body.push(note ? { kind: 'op', op, note } : { kind: 'op', op });
        opLines.push(lineNo);
      }
    }
  });
  if (title === null) throw new ScenarioError(file, 1, 1, 'expected a `title` line');
  return {
    scenario: { title, sources, expect, ...(swapSlots !== undefined ? { swapSlots } : {}), body },
    file,
    opLines,
  };
}

type Err = (col: number, what: string) => never;

function parseOp(toks: Tok[], err: Err): Op {
  const head = toks[0]!;
  const syntax = OP_SYNTAX[head.text];
  if (!syntax) {
    err(head.col, `unknown operation '${head.text}'; expected one of: ${[...Object.keys(OP_SYNTAX), ...Object.keys(HEADER_SYNTAX)].join(', ')}`);
  }
  const arity = (...allowed: number[]): void => {
    if (!allowed.includes(toks.length - 1)) {
      const at = toks[Math.min(toks.length, Math.max(...allowed) + 1)] ?? toks[toks.length - 1]!;
      err(at.col, `wrong number of arguments; expected ${syntax}`);
    }
  };
  const name = (i: number, what: string): string => {
    const t = toks[i]!;
    if (!NAME.test(t.text)) err(t.col, `expected ${what} name, got '${t.text}'`);
    return t.text;
  };
  const addr = (i: number): { vma: string; page: number } => {
    const t = toks[i]!;
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*?)(?:\+(\d+))?$/.exec(t.text);
    if (!m) return err(t.col, `expected an address VMA or VMA+PAGE, got '${t.text}'`);
    return { vma: m[1]!, page: m[2] ? Number(m[2]) : 0 };
  };
  const asRef = (i: number): string => {
    if (toks[i]?.text !== 'as') err(toks[i]?.col ?? head.col, `expected 'as REF'; ${syntax}`);
    return name(i + 1, 'a reference');
  };
  const prot = (i: number, optional: boolean): boolean => {
    const t = toks[i];
    if (!t) return optional ? true : err(head.col, `expected rw or ro; ${syntax}`);
    if (t.text === 'rw') return true;
    if (t.text === 'ro') return false;
    return err(t.col, `expected rw or ro, got '${t.text}'`);
  };
  switch (head.text) {
    case 'mmap': {
      arity(3, 4);
      const pagesTok = toks[3]!;
      const pages = Number(pagesTok.text);
      if (!Number.isInteger(pages) || pages < 1 || pages > 64) err(pagesTok.col, `expected a page count from 1 to 64, got '${pagesTok.text}'`);
      return { kind: 'mmap', mm: name(1, 'a process'), vma: name(2, 'a VMA'), pages, write: prot(4, true) };
    }
    case 'munmap':
      arity(2);
      return { kind: 'munmap', mm: name(1, 'a process'), vma: name(2, 'a VMA') };
    case 'mprotect':
      arity(3);
      return { kind: 'mprotect', mm: name(1, 'a process'), vma: name(2, 'a VMA'), write: prot(3, false) };
    case 'madvise': {
      arity(3);
      if (toks[3]!.text !== 'MADV_DONTNEED') err(toks[3]!.col, `expected MADV_DONTNEED (the only advice modelled), got '${toks[3]!.text}'`);
      return { kind: 'dontneed', mm: name(1, 'a process'), ...addr(2) };
    }
    case 'fork':
      arity(2);
      return { kind: 'fork', mm: name(1, 'a process'), child: name(2, 'a process') };
    case 'exit':
      arity(1);
      return { kind: 'exit', mm: name(1, 'a process') };
    case 'read':
      arity(1, 2);
      return toks.length === 2 ? { kind: 'ref_read', ref: name(1, 'a reference') } : { kind: 'read', mm: name(1, 'a process'), ...addr(2) };
    case 'write':
      arity(1, 2);
      return toks.length === 2 ? { kind: 'ref_write', ref: name(1, 'a reference') } : { kind: 'write', mm: name(1, 'a process'), ...addr(2) };
    case 'gup': {
      arity(5);
      const ft = toks[3]!;
      let flags = 0;
      for (const part of ft.text.split('|')) {
        const f = GUP_FLAG_NAMES.find(([n]) => n === part);
        if (!f) err(ft.col, `unknown GUP flag '${part}'; expected ${GUP_FLAG_NAMES.map(([n]) => n).join(', ')}`);
        flags |= f![1];
      }
      if (Boolean(flags & FOLL_GET) === Boolean(flags & FOLL_PIN)) err(ft.col, 'expected exactly one of FOLL_GET and FOLL_PIN');
      return { kind: 'gup', mm: name(1, 'a process'), ...addr(2), flags, ref: asRef(4) };
    }
    case 'vmsplice':
      arity(4);
      return { kind: 'gup', mm: name(1, 'a process'), ...addr(2), flags: FOLL_GET, ref: asRef(3) };
    case 'io_uring_register':
      arity(4);
      return { kind: 'gup', mm: name(1, 'a process'), ...addr(2), flags: FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM, ref: asRef(3) };
    case 'unpin':
    case 'put':
      arity(1);
      return { kind: 'release', ref: name(1, 'a reference'), how: head.text };
    case 'reclaim':
      arity(2);
      return { kind: 'reclaim', mm: name(1, 'a process'), ...addr(2) };
    case 'clear_refs':
      arity(1);
      return { kind: 'clear_refs', mm: name(1, 'a process') };
  }
  return err(head.col, `unknown operation '${head.text}'`);
}
