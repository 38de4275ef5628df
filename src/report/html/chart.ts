// A fuzz run over time as an inline SVG chart: runs per second (left axis) and findings so far
// (right axis), from the run's progress lines. Drawn here, not in the browser: the data is fixed.

import { escapeHtml } from './escape.js';
import { chartPoints, type FuzzLog } from './fuzzlog.js';

const W = 640;
const H = 220;
const L = 56;
const R = 46;
const T = 16;
const B = 34;

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const fmt = (v: number): string => (v >= 100 ? String(Math.round(v)) : String(Number(v.toFixed(1))));

export function fuzzChart(log: FuzzLog): string {
  const pts = chartPoints(log);
  if (pts.length === 0) return `<p class="mute">no progress recorded (a run shorter than a second, or output of an older cowfuzz)</p>`;
  const maxT = niceMax(pts[pts.length - 1]!.seconds);
  const maxR = niceMax(Math.max(...pts.map((p) => p.runsPerSec)));
  const maxF = Math.max(1, ...pts.map((p) => p.findings));
  const x = (s: number): number => L + ((W - L - R) * s) / maxT;
  const yr = (v: number): number => T + (H - T - B) * (1 - v / maxR);
  const yf = (v: number): number => T + (H - T - B) * (1 - v / maxF);
  const runs = pts.map((p) => `${x(p.seconds).toFixed(1)},${yr(p.runsPerSec).toFixed(1)}`).join(' ');
  // findings is a count: a step line, flat between progress lines
  let prev = 0;
  const steps: string[] = [`${x(0).toFixed(1)},${yf(0).toFixed(1)}`];
  for (const p of pts) {
    const px = x(p.seconds);
    steps.push(`${px.toFixed(1)},${yf(prev).toFixed(1)}`, `${px.toFixed(1)},${yf(p.findings).toFixed(1)}`);
    prev = p.findings;
  }
  const grid: string[] = [];
  // 1, 2 or 5 times a power of ten, divided in five: round ticks
  for (let i = 0; i <= 5; i++) {
    const v = (maxR * i) / 5;
    grid.push(`<line class="grid" x1="${L}" x2="${W - R}" y1="${yr(v)}" y2="${yr(v)}"/><text x="${L - 6}" y="${yr(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
    const t = (maxT * i) / 5;
    grid.push(`<text x="${x(t)}" y="${H - B + 16}" text-anchor="middle">${fmt(t)} s</text>`);
  }
  grid.push(`<text x="${W - R + 6}" y="${yf(maxF) + 4}">${maxF}</text><text x="${W - R + 6}" y="${yf(0) + 4}">0</text>`);
  return [
    `<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="runs per second and findings over time of ${escapeHtml(log.file)}">`,
    ...grid,
    `<line class="axis" x1="${L}" x2="${L}" y1="${T}" y2="${H - B}"/><line class="axis" x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}"/>`,
    `<polyline class="runs" points="${runs}"><title>runs per second</title></polyline>`,
    `<polyline class="findings" points="${steps.join(' ')}"><title>findings so far</title></polyline>`,
    `<text x="${L}" y="${T - 4}">runs/s</text><text x="${W - R}" y="${T - 4}" fill="#c62828">findings</text>`,
    `</svg>`,
  ].join('\n');
}
