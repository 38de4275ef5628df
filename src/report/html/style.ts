// The report page's stylesheet (inline: the page is one file and loads nothing).

export const CSS = `
:root { --excl: #2e8b3d; --excl-bg: #dcf3df; --shared: #a87a00; --shared-bg: #fff1c4; --pinned: #8a2b8f; --pinned-bg: #f5dcf6;
  --swapped: #2a5caa; --swapped-bg: #dbe8ff; --zero: #777; --zero-bg: #eeeeee; --bad: #c62828; --ok: #2e7d32; --ink: #1d1d1f; --mute: #666; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0; padding: 0 24px 48px; max-width: 1400px; }
header { border-bottom: 1px solid #ddd; margin-bottom: 12px; }
h1 { font-size: 22px; margin: 18px 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; } h3 { font-size: 16px; margin: 0 0 4px; }
nav.top a { margin-right: 14px; }
code, .mono, .steps button, .step-lines, table.matrix td { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
table.matrix { border-collapse: collapse; margin: 8px 0; }
table.matrix th, table.matrix td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap; }
table.matrix thead th { background: #f4f4f6; font-weight: 600; writing-mode: horizontal-tb; }
table.matrix td a { display: block; text-decoration: none; color: inherit; }
td.cell.pass { background: #eef8ef; } td.cell.fail { background: #fff3e0; } td.cell.unmet { background: #ffd7d7; outline: 2px solid var(--bad); outline-offset: -2px; }
td.cell.error { background: #f0f0f0; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; align-items: center; margin: 6px 0 12px; color: var(--mute); }
.legend .sw { display: inline-block; width: 14px; height: 14px; border: 2px solid; border-radius: 3px; vertical-align: -2px; margin-right: 4px; }
.sw.exclusive { background: var(--excl-bg); border-color: var(--excl); } .sw.shared { background: var(--shared-bg); border-color: var(--shared); }
.sw.pinned { background: var(--pinned-bg); border-color: var(--pinned); } .sw.swapped { background: var(--swapped-bg); border-color: var(--swapped); }
.sw.zero { background: var(--zero-bg); border-color: var(--zero); } .sw.culprit { background: #fff; border-color: var(--bad); border-width: 3px; }
.ln { display: inline-block; width: 26px; height: 0; border-top: 2px solid; vertical-align: middle; margin-right: 4px; }
.ln.w { border-color: var(--excl); } .ln.ro { border-color: #666; } .ln.swap { border-color: var(--swapped); border-top-style: dashed; }
.ln.pin { border-color: var(--pinned); border-top-width: 3px; } .ln.get { border-color: var(--pinned); border-top-style: dotted; }
article.scenario { border: 1px solid #ddd; border-radius: 8px; padding: 12px 14px; margin: 14px 0; }
article.scenario .meta { color: var(--mute); margin: 0 0 8px; }
nav.tabs { display: flex; flex-wrap: wrap; gap: 4px; margin: 6px 0 10px; }
nav.tabs a { padding: 2px 8px; border: 1px solid #ccc; border-radius: 12px; text-decoration: none; color: inherit; font-size: 12.5px; }
nav.tabs a[aria-selected="true"] { background: #1d1d1f; color: #fff; border-color: #1d1d1f; }
nav.tabs a.unmet { border-color: var(--bad); }
.tl-head { margin: 4px 0 8px; } .tl-head .met { color: var(--ok); } .tl-head .unmet { color: var(--bad); font-weight: 600; }
.controls { display: flex; gap: 12px; align-items: center; margin-bottom: 6px; }
.controls input[type=range] { width: 320px; }
.step-caption { font-weight: 600; } .step-caption.violation { color: var(--bad); }
.tl-body { display: flex; gap: 16px; align-items: flex-start; }
svg.state { border: 1px solid #e2e2e2; border-radius: 6px; background: #fcfcfd; flex: 0 0 auto; }
ol.steps { margin: 0; padding-left: 28px; max-height: 420px; overflow: auto; flex: 1 1 260px; }
ol.steps li.current button { background: #1d1d1f; color: #fff; }
ol.steps li.violation button { border-color: var(--bad); color: var(--bad); }
ol.steps li.current.violation button { background: var(--bad); color: #fff; }
.steps button { border: 1px solid #ccc; background: #fff; border-radius: 4px; padding: 1px 6px; cursor: pointer; text-align: left; }
.steps .note { color: var(--mute); font-size: 12px; margin-left: 6px; }
.step-lines { margin: 8px 0 0; padding: 6px 10px; background: #f7f7f9; border-radius: 6px; white-space: pre-wrap; min-height: 2em; }
.step-lines .tag { display: inline-block; min-width: 84px; color: var(--mute); }
.step-lines .decision { font-weight: 600; } .step-lines .bad { color: var(--bad); font-weight: 600; }
svg .lane-label { font-weight: 600; font-size: 13px; } svg .lane-note { fill: var(--mute); font-size: 10.5px; }
svg .col-head { fill: var(--mute); font-size: 11px; text-transform: uppercase; letter-spacing: .05em; }
svg .lane-bg { fill: #f3f4f7; } svg .lane.exited .lane-bg { fill: #f8f8f8; } svg .lane.exited text { fill: #aaa; }
svg .pte rect { fill: #fff; stroke: #999; } svg .pte.swap rect { stroke: var(--swapped); stroke-dasharray: 3 2; }
svg .pte text, svg .ref text, svg .slot text { font-size: 11px; }
svg .folio rect { stroke-width: 2; } svg .folio text { font-size: 11px; } svg .folio .fname { font-weight: 700; font-size: 12px; }
svg .folio.exclusive rect { fill: var(--excl-bg); stroke: var(--excl); } svg .folio.shared rect { fill: var(--shared-bg); stroke: var(--shared); }
svg .folio.pinned rect { fill: var(--pinned-bg); stroke: var(--pinned); } svg .folio.swapped rect { fill: var(--swapped-bg); stroke: var(--swapped); }
svg .folio.zero rect, svg .folio.file rect { fill: var(--zero-bg); stroke: var(--zero); }
svg .folio.culprit rect { stroke: var(--bad); stroke-width: 4; }
svg .slot rect { fill: var(--swapped-bg); stroke: var(--swapped); }
svg .ref rect { fill: #fff; stroke: var(--pinned); } svg .ref.culprit rect { stroke: var(--bad); stroke-width: 3; }
svg .arrow { fill: none; stroke-width: 1.6; }
svg .arrow.pte.w { stroke: var(--excl); } svg .arrow.pte.ro { stroke: #666; }
svg .arrow.swap { stroke: var(--swapped); stroke-dasharray: 5 3; } svg .arrow.cache { stroke: var(--swapped); stroke-dasharray: 1 3; }
svg .arrow.pin { stroke: var(--pinned); stroke-width: 2.6; } svg .arrow.get { stroke: var(--pinned); stroke-dasharray: 2 3; }
.chart { border: 1px solid #e2e2e2; border-radius: 6px; background: #fff; }
.chart .runs { fill: none; stroke: #2a5caa; stroke-width: 2; } .chart .findings { fill: none; stroke: var(--bad); stroke-width: 2; }
.chart .axis { stroke: #999; } .chart text { font-size: 11px; fill: #444; } .chart .grid { stroke: #eee; }
table.findings { border-collapse: collapse; margin: 8px 0; } table.findings td, table.findings th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
.problem { color: var(--bad); }
`;
