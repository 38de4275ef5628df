// Parser for the scenario language: one statement per line (LF, CRLF and CR all end a line),
// '#' starts a comment (a comment after an op is kept as its note).

import { INVARIANT_NAMES, isInvariantName } from '../invariants/types.js';
import { newNames } from '../ops/names.js';
import { specOfVerb, VERBS, type Op } from '../ops/registry.js';
import { OpSyntaxError, tokenize, type ParseCtx, type Tok } from '../ops/syntax.js';
import { ScenarioError, type BodyItem, type Expectation, type Expected, type ParsedScenario } from './types.js';

export const HEADER_SYNTAX: Readonly<Record<string, string>> = {
  title: 'title TEXT',
  source: 'source URL-OR-TEXT',
  expect: 'expect POLICY[,POLICY...]|default pass|error|fail|INVARIANT [at N]',
  swap: 'swap SLOTS',
};

export interface ParseOptions {
  /** is this a policy name? (the registry, with any loaded modules) */
  readonly isPolicy: (name: string) => boolean;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

export function parseScenario(text: string, file: string, o: ParseOptions): ParsedScenario {
  let title: string | null = null;
  const sources: string[] = [];
  const expect: Expectation[] = [];
  let swapSlots: number | undefined;
  const body: BodyItem[] = [];
  const opLines: number[] = [];
  const ctx: ParseCtx = { names: newNames() };
  const lines = splitLines(text);
  lines.forEach((raw, n) => {
    const lineNo = n + 1;
    const err = (col: number, what: string): never => {
      throw new ScenarioError(file, lineNo, col, what);
    };
    if (raw.includes('\0')) err(raw.indexOf('\0') + 1, 'expected text, found a NUL byte (is this a binary file?)');
    const hash = raw.indexOf('#');
    const code = hash >= 0 ? raw.slice(0, hash) : raw;
    const note = hash >= 0 ? raw.slice(hash + 1).trim() : '';
    const toks = tokenize(code);
    if (toks.length === 0) {
      if (hash >= 0) body.push({ kind: 'comment', text: note });
      return;
    }
    const head = toks[0]!;
    switch (head.text) {
      case 'title': {
        // title and source take the rest of the line verbatim: '#' is text there (URLs, issue numbers)
        const t = raw.slice(raw.indexOf('title') + 5).trim();
        if (!t) err(head.col, `expected ${HEADER_SYNTAX.title}`);
        if (title !== null) err(head.col, 'a scenario has one title');
        title = t;
        return;
      }
      case 'source': {
        const t = raw.slice(raw.indexOf('source') + 6).trim();
        if (!t) err(head.col, `expected ${HEADER_SYNTAX.source}`);
        sources.push(t);
        return;
      }
      case 'expect':
        expect.push(parseExpect(toks, expect, o, err));
        return;
      case 'swap': {
        if (toks.length !== 2) err(head.col, `expected ${HEADER_SYNTAX.swap}`);
        const t = toks[1]!;
        if (!DECIMAL.test(t.text) || Number(t.text) < 2 || Number(t.text) > 4096) {
          err(t.col, `expected a slot count from 2 to 4096 as a plain decimal number (slot 0 is the header), got '${t.text}'`);
        }
        if (swapSlots !== undefined) err(head.col, 'a scenario has one swap line');
        swapSlots = Number(t.text);
        return;
      }
      default: {
        const spec = specOfVerb(head.text);
        if (!spec) err(head.col, `unknown operation '${head.text}'; expected one of: ${[...VERBS, ...Object.keys(HEADER_SYNTAX)].join(', ')}`);
        try {
          const op = spec!.parse(toks, ctx) as Op;
          body.push(note ? { kind: 'op', op, note } : { kind: 'op', op });
        } catch (e) {
          if (e instanceof OpSyntaxError) err(e.col, e.message);
          throw e;
        }
        opLines.push(lineNo);
      }
    }
  });
  if (title === null) throw new ScenarioError(file, 1, 1, 'expected a `title` line (is this a scenario file?)');
  if (opLines.length === 0) throw new ScenarioError(file, lines.length, 1, 'expected at least one operation after the header');
  return { scenario: { title, sources, expect, ...(swapSlots !== undefined ? { swapSlots } : {}), body, names: ctx.names }, file, opLines };
}

function parseExpect(toks: readonly Tok[], seen: readonly Expectation[], o: ParseOptions, err: (col: number, what: string) => never): Expectation {
  const head = toks[0]!;
  if (toks.length !== 3 && toks.length !== 5) err(head.col, `expected ${HEADER_SYNTAX.expect}`);
  const [, p, v] = toks as [Tok, Tok, Tok];
  const policies = p.text.split(',');
  let col = p.col;
  for (const name of policies) {
    if (name === '') err(col, 'expected a policy name between commas');
    if (name !== 'default' && !o.isPolicy(name)) err(col, `unknown policy '${name}' (see 'cowfuzz policies')`);
    if (seen.some((e) => e.policies.includes(name))) err(col, `a second expectation for ${name}`);
    col += name.length + 1;
  }
  if (v.text !== 'pass' && v.text !== 'error' && v.text !== 'fail' && !isInvariantName(v.text)) {
    err(v.col, `expected a verdict: pass, error, fail or one of ${INVARIANT_NAMES.join(', ')}; got '${v.text}'`);
  }
  if (toks.length === 5) {
    if (toks[3]!.text !== 'at') err(toks[3]!.col, `expected 'at N'; ${HEADER_SYNTAX.expect}`);
    const n = toks[4]!;
    if (!DECIMAL.test(n.text) || Number(n.text) < 1) err(n.col, `expected a step number (1 for the first op), got '${n.text}'`);
    return { policies, verdict: v.text as Expected, at: Number(n.text) };
  }
  return { policies, verdict: v.text as Expected };
}
