// `cowfuzz report --html`: one self-contained page (inline CSS, SVG and script; nothing fetched).
// The compare matrix, each cell linking to its scenario's timeline under that policy; per scenario
// a timeline per policy (tabs), drawn by the page's script from the recorded states; per fuzz run
// (its --format json output) a chart of runs/s and findings over time, and its findings, each with
// a timeline of its own.

import { basename } from 'node:path';
import type { CowPolicy } from '../../model/policy.js';
import { parseScenario, type ParseOptions } from '../../scenario/parse.js';
import { describeExpectation, expectationFor, meets, ScenarioError, type ParsedScenario } from '../../scenario/types.js';
import { record } from '../recording.js';
import { SHORT, shortVerdict } from '../verdicts.js';
import { fuzzChart } from './chart.js';
import { escapeHtml as h, scriptJson } from './escape.js';
import type { FuzzLog, FuzzLogFinding } from './fuzzlog.js';
import { SCRIPT } from './script.js';
import { CSS } from './style.js';
import { timeline, timelineId, type Timeline } from './timeline.js';

export interface ReportInput {
  readonly scenarios: readonly ParsedScenario[];
  /** the matrix's columns */
  readonly policies: readonly CowPolicy[];
  /** is the policy a kernel era (`expect default` applies to eras only) */
  readonly isEra: (name: string) => boolean;
  readonly fuzz: readonly FuzzLog[];
  /** a finding's policy by name (null: unknown here, e.g. a variant whose module was not loaded) */
  readonly policyOf: (name: string) => CowPolicy | null;
  readonly parse: ParseOptions;
}

export interface Cell {
  readonly scenario: string;
  readonly policy: string;
  readonly verdict: string;
  /** null: the scenario expects nothing of this policy */
  readonly ok: boolean | null;
}

export interface Report {
  readonly html: string;
  readonly cells: readonly Cell[];
  /** cells whose verdict differs from the scenario's expectation */
  readonly mismatches: number;
}

/** Element ids from file names: letters, digits, '.', '_' and '-', unique. */
function ids(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const base = n.replace(/[^A-Za-z0-9_.-]/g, '-') || 'scenario';
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    return k === 1 ? base : `${base}-${k}`;
  });
}

/** A finding of a fuzz log as a scenario (its ops are scenario lines), or why it cannot be one. */
function findingScenario(f: FuzzLogFinding, log: FuzzLog, parse: ParseOptions): ParsedScenario | string {
  const head = [`title cowfuzz finding: ${f.invariant} under ${f.policy}`, `expect ${f.policy} ${f.invariant}`];
  if (f.swapSlots !== null) head.push(`swap ${f.swapSlots}`);
  try {
    return parseScenario([...head, '', ...f.ops].join('\n') + '\n', `${log.file}#${f.signature}`, parse);
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
}

function legend(): string {
  return `<div class="legend" id="legend">
  <span><span class="sw exclusive"></span>exclusive: PageAnonExclusive (5.19+); in older eras, which have no such bit, mapped once</span>
  <span><span class="sw shared"></span>shared (COW)</span>
  <span><span class="sw pinned"></span>pinned (a FOLL_PIN reference holds it)</span>
  <span><span class="sw swapped"></span>in the swap cache / a swap slot</span>
  <span><span class="sw zero"></span>the zero page</span>
  <span><span class="sw culprit"></span>named by the violation</span>
  <span><span class="ln w"></span>writable PTE</span><span><span class="ln ro"></span>read-only PTE</span>
  <span><span class="ln swap"></span>swap PTE</span><span><span class="ln pin"></span>FOLL_PIN</span><span><span class="ln get"></span>FOLL_GET</span>
</div>`;
}

function cellClass(verdict: string, ok: boolean | null): string {
  const base = verdict === 'pass' ? 'pass' : verdict === 'error' ? 'error' : 'fail';
  return `cell ${base}${ok === false ? ' unmet' : ''}`;
}

function short(verdict: string): string {
  const v = verdict.split(' ')[0]!;
  return shortVerdict(v);
}

function timelineHtml(t: Timeline, hidden: boolean): string {
  const exp = t.expect === null ? '<span class="mute">no expectation</span>' : t.met ? `<span class="met">expected ${h(t.expect)}: met</span>` : `<span class="unmet">expected ${h(t.expect)}: NOT met</span>`;
  const vstep = t.steps.findIndex((s) => s.violation);
  const start = vstep >= 0 ? vstep + 1 : t.steps.length;
  const steps = t.steps
    .map((s, i) => {
      const note = s.note ? `<span class="note">${h(s.note)}</span>` : '';
      return `<li data-step="${i + 1}"${s.violation ? ' class="violation"' : ''}><button type="button">${h(s.text)}</button>${note}</li>`;
    })
    .join('\n');
  return `<div class="timeline" id="${h(t.id)}" data-policy="${h(t.policy)}" data-verdict="${h(t.verdict)}"${hidden ? ' hidden' : ''}>
<p class="tl-head">under <b>${h(t.policy)}</b>: verdict <b class="verdict">${h(t.verdict)}</b> · ${exp}</p>
<div class="controls"><label>step <input class="slider" type="range" min="0" max="${t.steps.length}" value="${start}" aria-label="step"></label><output class="step-caption"></output></div>
<div class="tl-body"><svg class="state" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="state after the step"></svg>
<ol class="steps">
${steps}
</ol></div>
<div class="step-lines"></div>
</div>`;
}

function articleHtml(id: string, title: string, meta: string, tls: readonly Timeline[]): string {
  // the first timeline shown: the first that fails (what a reader came for), else the first
  const shown = Math.max(0, tls.findIndex((t) => t.verdict !== 'pass'));
  const tabs = tls
    .map((t, i) => `<a href="#${h(t.id)}" aria-selected="${i === shown}"${t.met === false ? ' class="unmet"' : ''}>${h(t.policy)} <b>${h(short(t.verdict))}</b></a>`)
    .join('');
  return `<article class="scenario" id="${h(id)}">
<h3>${h(title)}</h3>
<p class="meta">${meta}</p>
<nav class="tabs">${tabs}</nav>
${tls.map((t, i) => timelineHtml(t, i !== shown)).join('\n')}
</article>`;
}

export function buildReport(input: ReportInput): Report {
  const timelines: Record<string, Timeline> = {};
  const cells: Cell[] = [];
  const sids = ids(input.scenarios.map((s) => basename(s.file).replace(/\.cow$/, '')));
  const articles: string[] = [];
  const rows: string[] = [];
  input.scenarios.forEach((sc, i) => {
    const sid = sids[i]!;
    const tls: Timeline[] = [];
    const tds: string[] = [];
    for (const pol of input.policies) {
      const rec = record(sc, pol);
      const e = expectationFor(sc.scenario, pol.name, input.isEra(pol.name));
      const ok = e === null ? null : meets(e, rec.result.verdict, rec.result.at);
      const t = timeline(rec, sid, e === null ? null : { text: describeExpectation(e), met: ok === true });
      timelines[t.id] = t;
      tls.push(t);
      cells.push({ scenario: sid, policy: pol.name, verdict: t.verdict, ok });
      const tip = `${pol.name}: ${t.verdict}${e ? ` (expected ${describeExpectation(e)})` : ''}`;
      tds.push(
        `<td class="${cellClass(rec.result.verdict, ok)}" data-policy="${h(pol.name)}" data-verdict="${h(t.verdict)}" title="${h(tip)}"><a href="#${h(t.id)}">${h(short(t.verdict))}${ok === false ? '!' : ''}</a></td>`,
      );
    }
    rows.push(`<tr data-scenario="${h(sid)}"><th><a href="#${h(sid)}">${h(sid)}</a></th>${tds.join('')}</tr>`);
    const sources = sc.scenario.sources.map((s) => h(s)).join('<br>');
    articles.push(articleHtml(sid, sc.scenario.title, `<code>${h(sc.file)}</code>${sources ? `<br>${sources}` : ''}`, tls));
  });
  const mismatches = cells.filter((c) => c.ok === false).length;

  const fuzzParts: string[] = [];
  input.fuzz.forEach((log, li) => {
    const s = log.summary;
    const sum = s
      ? `${s.execs} runs, ${s.ops} ops in ${s.seconds} s, ${s.findings} finding(s)${s.interrupted ? ', interrupted' : ''}${s.error ? `, stopped by an error: ${h(s.error)}` : ''}`
      : 'no summary line (the run did not finish)';
    const rowsF: string[] = [];
    const findingArticles: string[] = [];
    const fids = ids(log.findings.map((f) => `f${li + 1}-${f.signature}`));
    log.findings.forEach((f, fi) => {
      const pol = input.policyOf(f.policy);
      const parsed = findingScenario(f, log, input.parse);
      let link = h(f.signature);
      let problem = '';
      if (pol === null) problem = `policy '${f.policy}' is not known here (load its module with --policy-module)`;
      else if (typeof parsed === 'string') problem = parsed;
      else {
        const rec = record(parsed, pol);
        const t = timeline(rec, fids[fi]!, { text: f.invariant, met: rec.result.verdict === f.invariant });
        timelines[t.id] = t;
        link = `<a href="#${h(timelineId(fids[fi]!, pol.name))}">${h(f.signature)}</a>`;
        findingArticles.push(articleHtml(fids[fi]!, `finding ${f.signature}`, `${h(f.message)}${f.path ? `<br><code>${h(f.path)}</code>` : ''}`, [t]));
      }
      rowsF.push(
        `<tr class="finding" data-signature="${h(f.signature)}"><td>${link}${problem ? `<br><span class="problem">${h(problem)}</span>` : ''}</td><td>${h(f.policy)}</td><td>${h(f.invariant)}</td><td>${h(f.message)}</td><td>${f.ops.length} (from ${f.originalLength})</td></tr>`,
      );
    });
    const table = rowsF.length
      ? `<table class="findings"><thead><tr><th>signature</th><th>policy</th><th>invariant</th><th>message</th><th>ops</th></tr></thead><tbody>${rowsF.join('\n')}</tbody></table>`
      : '<p>no finding</p>';
    fuzzParts.push(`<section class="fuzz-run" id="fuzz-${li + 1}">
<h3>${h(log.file)}</h3>
<p class="meta">seed <code>${h(log.seed)}</code> · policies ${h(log.policies.join(', '))} · ${log.jobs} job(s) · budget ${h(log.budget)} · ${sum}</p>
${fuzzChart(log)}
${table}
${findingArticles.join('\n')}
</section>`);
  });

  const head = input.policies.map((p) => `<th title="${h(`${p.kernels}: ${p.summary}`)}">${h(p.name)}</th>`).join('');
  const legendShort = Object.entries(SHORT)
    .filter(([k]) => k !== 'pass')
    .map(([k, v]) => `${v} = ${h(k)}`)
    .join(' · ');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cowfuzz report</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>cowfuzz report</h1>
<p>${input.scenarios.length} scenario(s) under ${input.policies.length} polic${input.policies.length === 1 ? 'y' : 'ies'}, ${mismatches} cell(s) differ from expectations${input.fuzz.length ? `; ${input.fuzz.length} fuzz run(s)` : ''}.</p>
<nav class="top"><a href="#matrix">matrix</a><a href="#scenarios">scenarios</a>${input.fuzz.length ? '<a href="#fuzz">fuzz runs</a>' : ''}</nav>
</header>
<section id="matrix">
<h2>Scenarios × policies</h2>
<table class="matrix"><thead><tr><th>scenario</th>${head}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<p class="legend">${legendShort}; '!' = differs from the scenario's expectation. Each cell opens the scenario's timeline under that policy.</p>
</section>
<section id="scenarios">
<h2>Timelines</h2>
${legend()}
${articles.join('\n')}
</section>
${input.fuzz.length ? `<section id="fuzz"><h2>Fuzz runs</h2>\n${fuzzParts.join('\n')}\n</section>` : ''}
<script type="application/json" id="cowfuzz-data">${scriptJson({ timelines })}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
  return { html, cells, mismatches };
}
