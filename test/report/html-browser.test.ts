// The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core (which
// downloads no browser). Opens the report of corpus/vmsplice-child-leak.cow with a fuzz run,
// checks the matrix cells, follows a cell to its timeline, moves the step slider and checks that
// the lanes, PTE arrows, folio colours and step lines follow, and saves a screenshot under
// test-results/ as an artifact. Never skipped: without Chromium it fails saying how to install it.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ROOT } from '../cli/run-cli.js';

const CHROMIUM = process.env.COWFUZZ_CHROMIUM ?? '/usr/bin/chromium';
const POLICIES = ['mapcount', 'gup-cow-on-read', 'pagecount', 'anon-exclusive'];
const SCREENSHOT = join(ROOT, 'test-results', 'report-vmsplice-child-leak.png');

/** A fuzz run's JSON output with progress lines and one finding (what `cowfuzz fuzz --format json` writes). */
const FUZZ_LOG = [
  { type: 'start', seed: 'browser', policies: ['mapcount'], jobs: 1, budget: '3 s' },
  { type: 'progress', seconds: 1.001, execs: 20000, ops: 600000, findings: 0 },
  {
    type: 'finding',
    signature: 'mapcount--no-over-sharing--0123456789',
    policy: 'mapcount',
    invariant: 'no-over-sharing',
    message: 'r1 (P1 A) reads value #2 (written by P0 at A)',
    seed: 'browser',
    stream: 0,
    run: 1234,
    path: 'findings/mapcount--no-over-sharing--0123456789.cow',
    originalLength: 17,
    swapSlots: 6,
    ops: ['mmap P0 A 1', 'write P0 A', 'fork P0 P1', 'vmsplice P1 A as r1', 'munmap P1 A', 'write P0 A'],
  },
  { type: 'progress', seconds: 2.003, execs: 47000, ops: 1400000, findings: 1 },
  { type: 'summary', execs: 70000, ops: 2100000, seconds: 3.004, findings: 1, perSignature: {}, unshrunk: {}, interrupted: false, error: null },
]
  .map((o) => JSON.stringify(o))
  .join('\n');

describe('report --html in headless Chromium', () => {
  let ctx: BrowserContext;
  let page: Page;
  let profile: string;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: install Debian's package with 'apt-get install -y chromium' (.ci/run does so when it is missing), or point COWFUZZ_CHROMIUM at a Chromium binary`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'cowfuzz-browser-'));
    writeFileSync(join(dir, 'fuzz.json'), FUZZ_LOG + '\n');
    const out = join(dir, 'report.html');
    const r = cli(['report', 'corpus/vmsplice-child-leak.cow', join(dir, 'fuzz.json'), '--policy', POLICIES.join(','), '--html', out]);
    expect(r.status, r.stderr).toBe(0);
    profile = mkdtempSync(join(tmpdir(), 'cowfuzz-chromium-profile-'));
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1360, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    // the page must load nothing: any request other than the file itself fails the test
    page.on('request', (req) => {
      if (req.url() !== pathToFileURL(out).href && !req.url().startsWith(pathToFileURL(out).href + '#')) errors.push(`request: ${req.url()}`);
    });
    await page.goto(pathToFileURL(out).href);
    await page.waitForSelector('body[data-ready="true"]');
  });

  afterAll(async () => {
    await ctx?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const tl = '#t-vmsplice-child-leak--mapcount';
  const texts = (sel: string): Promise<string[]> => page.locator(sel).allTextContents();
  const attrs = (sel: string, name: string): Promise<(string | null)[]> => page.locator(sel).evaluateAll((els, n) => els.map((e) => e.getAttribute(n)), name);

  it('shows the matrix: LEAK under mapcount, pass elsewhere, as the scenario expects', async () => {
    const row = 'table.matrix tr[data-scenario="vmsplice-child-leak"] td';
    expect(await texts(row)).toEqual(['LEAK', 'pass', 'pass', 'pass']);
    expect(await attrs(row, 'data-policy')).toEqual(POLICIES);
    expect(await attrs(row, 'data-verdict')).toEqual(['no-over-sharing at 6', 'pass', 'pass', 'pass']);
    expect(await page.locator('table.matrix td.unmet').count()).toBe(0);
  });

  it('a matrix cell opens the scenario under that policy', async () => {
    await page.click('tr[data-scenario="vmsplice-child-leak"] td[data-policy="anon-exclusive"] a');
    await expect.poll(() => page.isVisible('#t-vmsplice-child-leak--anon-exclusive')).toBe(true);
    expect(await page.isVisible(tl)).toBe(false);
    await page.click('tr[data-scenario="vmsplice-child-leak"] td[data-policy="mapcount"] a');
    await expect.poll(() => page.isVisible(tl)).toBe(true);
    expect(await page.isVisible('#t-vmsplice-child-leak--anon-exclusive')).toBe(false);
    expect(await page.locator('#vmsplice-child-leak nav.tabs a[aria-selected="true"]').textContent()).toContain('mapcount');
  });

  it('the timeline starts at the violation: lanes, the PTE and FOLL_GET arrows, the culprit folio', async () => {
    expect(await page.locator(`${tl} .step-caption`).textContent()).toBe('step 6 of 6: write P0 A  (violation)');
    expect(await attrs(`${tl} svg.state g.lane`, 'data-proc')).toEqual(['P0', 'P1', 'references']);
    expect(await attrs(`${tl} svg.state path.arrow.pte`, 'data-from')).toEqual(['P0 A']);
    expect(await attrs(`${tl} svg.state path.arrow.get`, 'data-from')).toEqual(['r1']);
    expect(await page.locator(`${tl} svg.state g.folio`).getAttribute('class')).toBe('folio exclusive culprit');
    expect(await page.locator(`${tl} svg.state g.ref`).getAttribute('class')).toBe('ref get culprit');
    const lines = await texts(`${tl} .step-lines .line`);
    expect(lines).toContain('decisiondo_wp_page: reuse_swap_page: mapcount 1, swapcount 0 -> reuse');
    expect(lines.some((l) => l.startsWith('VIOLATIONno-over-sharing: r1 (P1 A) reads value #2'))).toBe(true);
    expect(await page.locator(`${tl} .step-caption`).getAttribute('class')).toContain('violation');
  });

  it('moving the slider changes the state shown', async () => {
    const slider = page.locator(`${tl} input.slider`);
    await slider.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    expect(await slider.inputValue()).toBe('3');
    expect(await page.locator(`${tl} .step-caption`).textContent()).toBe('step 3 of 6: fork P0 P1');
    // after fork both processes map folio#1 read-only; it is shared; no reference yet
    expect(await attrs(`${tl} svg.state path.arrow.pte`, 'data-from')).toEqual(['P0 A', 'P1 A']);
    expect(await attrs(`${tl} svg.state path.arrow.pte`, 'class')).toEqual(['arrow pte ro', 'arrow pte ro']);
    expect(await page.locator(`${tl} svg.state g.folio`).getAttribute('class')).toBe('folio shared');
    expect(await page.locator(`${tl} svg.state g.ref`).count()).toBe(0);
    expect(await texts(`${tl} .step-lines .line`)).toContain('decisioncopy_present_pte: -> share');
    expect(await page.locator(`${tl} ol.steps li.current`).getAttribute('data-step')).toBe('3');

    await page.keyboard.press('Home');
    expect(await page.locator(`${tl} .step-caption`).textContent()).toBe('before step 1: the empty world');
    expect(await page.locator(`${tl} svg.state g.lane`).count()).toBe(0);

    // the step list moves the slider too
    await page.click(`${tl} ol.steps li[data-step="2"] button`);
    expect(await slider.inputValue()).toBe('2');
    expect(await attrs(`${tl} svg.state path.arrow.pte`, 'class')).toEqual(['arrow pte w']);
    expect(await page.locator(`${tl} svg.state g.folio`).getAttribute('class')).toBe('folio exclusive');

    await page.click(`${tl} ol.steps li[data-step="6"] button`);
    await page.locator('#vmsplice-child-leak').scrollIntoViewIfNeeded();
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await page.locator('#vmsplice-child-leak').screenshot({ path: SCREENSHOT });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });

  it('shows the fuzz run: a chart of runs/s and findings, the finding with a timeline of its own', async () => {
    expect(await page.locator('#fuzz svg.chart polyline.runs').count()).toBe(1);
    expect(await page.locator('#fuzz svg.chart polyline.findings').count()).toBe(1);
    expect(await attrs('#fuzz tr.finding', 'data-signature')).toEqual(['mapcount--no-over-sharing--0123456789']);
    await page.click('#fuzz tr.finding a');
    const t = page.locator('#fuzz .timeline');
    await expect.poll(() => t.isVisible()).toBe(true);
    expect(await t.getAttribute('data-verdict')).toBe('no-over-sharing at 6');
    await page.screenshot({ path: join(ROOT, 'test-results', 'report-fuzz-run.png'), fullPage: false });
  });

  it('raised no script error and loaded nothing', () => {
    expect(errors).toEqual([]);
  });
});
