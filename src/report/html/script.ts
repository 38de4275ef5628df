// The report page's script: draws a timeline's state for the step its slider shows (processes as
// lanes with their PTEs, folios as boxes coloured by what they are, swap slots, references, and
// arrows for PTEs, swap entries, the swap cache and GUP references), lists what the step did, and
// selects the timeline a matrix cell or a tab links to. Plain DOM, no library, no network.
// (Written without template literals: it lives inside one.)

export const SCRIPT = `
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var data = JSON.parse(document.getElementById('cowfuzz-data').textContent);

  function el(tag, attrs, parent, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function title(parent, text) { el('title', {}, parent, text); }
  function curve(x1, y1, x2, y2) {
    var mx = (x1 + x2) / 2;
    return 'M' + x1 + ',' + y1 + ' C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + x2 + ',' + y2;
  }

  // swap PTE arrows run along a band above the folio column (BAND), so that they never cross a folio
  function over(x1, y1, x2, y2) {
    var yb = BAND;
    return 'M' + x1 + ',' + y1 + ' C' + (x1 + 40) + ',' + y1 + ' ' + (x1 + 40) + ',' + yb + ' ' + (x1 + 80) + ',' + yb +
      ' L' + (x2 - 60) + ',' + yb + ' C' + (x2 - 20) + ',' + yb + ' ' + (x2 - 20) + ',' + y2 + ' ' + x2 + ',' + y2;
  }

  var BAND = 26, LANE_H = 58, TOP = 36, PTE_W = 58, PTE_H = 28, PTE_X = 74, FOLIO_W = 176, FOLIO_H = 46, SLOT_W = 128, SLOT_H = 32;

  function draw(svg, t, k) {
    var st = k === 0 ? t.initial : t.steps[k - 1].state;
    var violation = k > 0 && t.steps[k - 1].violation;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var defs = el('defs', {}, svg);
    var m = el('marker', { id: t.id + '-head', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' }, defs);
    el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#555' }, m);

    var lanes = st.procs.length + (st.refs.length ? 1 : 0);
    var widest = 0;
    st.procs.forEach(function (p) { widest = Math.max(widest, p.ptes.length); });
    widest = Math.max(widest, st.refs.length, 2);
    var folioX = PTE_X + widest * (PTE_W + 8) + 90;
    var slotX = folioX + FOLIO_W + 90;
    var height = Math.max(TOP + lanes * LANE_H, TOP + st.folios.length * (FOLIO_H + 12), TOP + st.slots.length * (SLOT_H + 12)) + 12;
    var width = slotX + SLOT_W + 16;
    svg.setAttribute('width', width); svg.setAttribute('height', height);
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    el('text', { x: 8, y: 14, 'class': 'col-head' }, svg, 'processes (PTEs)');
    el('text', { x: folioX, y: 14, 'class': 'col-head' }, svg, 'folios');
    el('text', { x: slotX, y: 14, 'class': 'col-head' }, svg, 'swap slots');

    var folioPos = {}, slotPos = {};
    st.folios.forEach(function (f, i) {
      var y = TOP + i * (FOLIO_H + 12);
      folioPos[f.id] = y;
      var cls = 'folio ' + f.cls + (violation && t.culprits.indexOf(f.id) >= 0 ? ' culprit' : '');
      var g = el('g', { 'class': cls, 'data-folio': f.name, transform: 'translate(' + folioX + ',' + y + ')' }, svg);
      title(g, f.text);
      el('rect', { width: FOLIO_W, height: FOLIO_H, rx: 5 }, g);
      el('text', { x: 8, y: 17, 'class': 'fname' }, g, f.name + '  ' + f.value);
      el('text', { x: 8, y: 35 }, g, f.counters);
    });
    st.slots.forEach(function (s, i) {
      var y = TOP + i * (SLOT_H + 12);
      slotPos[s.key] = y;
      var g = el('g', { 'class': 'slot', 'data-slot': s.name, transform: 'translate(' + slotX + ',' + y + ')' }, svg);
      title(g, s.text);
      el('rect', { width: SLOT_W, height: SLOT_H, rx: 4 }, g);
      el('text', { x: 6, y: 13 }, g, s.name);
      el('text', { x: 6, y: 26 }, g, 'count ' + s.count + (s.cache >= 0 ? ' · cache' : ''));
    });
    function arrow(cls, x1, y1, x2, y2, from, to, tip, routed) {
      var p = el('path', { 'class': 'arrow ' + cls, d: routed ? over(x1, y1, x2, y2) : curve(x1, y1, x2, y2), 'marker-end': 'url(#' + t.id + '-head)', 'data-from': from, 'data-to': to }, svg);
      title(p, tip);
    }
    st.folios.forEach(function (f) {
      if (f.swap >= 0 && slotPos[f.swap] !== undefined) {
        arrow('cache', folioX + FOLIO_W, folioPos[f.id] + FOLIO_H / 2, slotX, slotPos[f.swap] + SLOT_H / 2, f.name, 'slot ' + f.swap, f.name + ' is in the swap cache');
      }
    });
    st.procs.forEach(function (p, i) {
      var y = TOP + i * LANE_H;
      var g = el('g', { 'class': 'lane' + (p.alive ? '' : ' exited'), 'data-proc': p.name }, svg);
      el('rect', { 'class': 'lane-bg', x: 2, y: y, width: folioX - 40, height: LANE_H - 8, rx: 6 }, g);
      el('text', { x: 10, y: y + 22, 'class': 'lane-label' }, g, p.name);
      if (p.note) el('text', { x: 10, y: y + 38, 'class': 'lane-note' }, g, p.note);
      p.ptes.forEach(function (q, j) {
        var x = PTE_X + j * (PTE_W + 8), py = y + 10;
        var pg = el('g', { 'class': 'pte ' + q.kind, 'data-addr': q.addr, transform: 'translate(' + x + ',' + py + ')' }, g);
        title(pg, q.text);
        el('rect', { width: PTE_W, height: PTE_H, rx: 3 }, pg);
        el('text', { x: 5, y: 12 }, pg, q.addr);
        el('text', { x: 5, y: 24 }, pg, q.kind === 'present' ? (q.write ? 'W' : 'RO') : q.kind === 'swap' ? 'swap' : 'marker');
        var fx = x + PTE_W, fy = py + PTE_H / 2;
        if (q.kind === 'present' && folioPos[q.to] !== undefined) {
          arrow('pte ' + (q.write ? 'w' : 'ro'), fx, fy, folioX, folioPos[q.to] + FOLIO_H / 2, p.name + ' ' + q.addr, 'folio ' + q.to, q.text);
        } else if (q.kind === 'swap' && slotPos[q.to] !== undefined) {
          arrow('swap', fx, fy, slotX, slotPos[q.to] + SLOT_H / 2, p.name + ' ' + q.addr, 'slot ' + q.to, q.text, true);
        }
      });
    });
    if (st.refs.length) {
      var y = TOP + st.procs.length * LANE_H;
      var g = el('g', { 'class': 'lane refs', 'data-proc': 'references' }, svg);
      el('rect', { 'class': 'lane-bg', x: 2, y: y, width: folioX - 40, height: LANE_H - 8, rx: 6 }, g);
      el('text', { x: 10, y: y + 22, 'class': 'lane-label' }, g, 'refs');
      st.refs.forEach(function (r, j) {
        var x = PTE_X + j * (PTE_W + 8), py = y + 10;
        var cls = 'ref ' + (r.pin ? 'pin' : 'get') + (violation && t.culpritRefs.indexOf(r.name) >= 0 ? ' culprit' : '');
        var rg = el('g', { 'class': cls, 'data-ref': r.name, transform: 'translate(' + x + ',' + py + ')' }, g);
        title(rg, r.text);
        el('rect', { width: PTE_W, height: PTE_H, rx: 3 }, rg);
        el('text', { x: 5, y: 12 }, rg, r.name);
        el('text', { x: 5, y: 24 }, rg, r.pin ? 'PIN' : 'GET');
        r.folios.forEach(function (fid) {
          if (folioPos[fid] === undefined) return;
          arrow(r.pin ? 'pin' : 'get', x + PTE_W, py + PTE_H / 2, folioX, folioPos[fid] + FOLIO_H / 2, r.name, 'folio ' + fid, r.text);
        });
      });
    }
  }

  function showStep(root, t, k) {
    var caption = root.querySelector('.step-caption');
    var lines = root.querySelector('.step-lines');
    var step = k > 0 ? t.steps[k - 1] : null;
    caption.textContent = step ? 'step ' + k + ' of ' + t.steps.length + ': ' + step.text + (step.violation ? '  (violation)' : '') : 'before step 1: the empty world';
    caption.classList.toggle('violation', !!(step && step.violation));
    root.setAttribute('data-step', String(k));
    while (lines.firstChild) lines.removeChild(lines.firstChild);
    (step ? step.lines : []).forEach(function (l) {
      var d = document.createElement('div');
      d.className = 'line ' + l.tag + (l.bad ? ' bad' : '');
      var tag = document.createElement('span');
      tag.className = 'tag';
      tag.textContent = l.tag;
      d.appendChild(tag);
      d.appendChild(document.createTextNode(l.text));
      lines.appendChild(d);
    });
    if (step && step.lines.length === 0) lines.textContent = 'nothing changed';
    root.querySelectorAll('ol.steps li').forEach(function (li) { li.classList.toggle('current', Number(li.getAttribute('data-step')) === k); });
    draw(root.querySelector('svg.state'), t, k);
  }

  function init(root) {
    var t = data.timelines[root.id];
    var slider = root.querySelector('input.slider');
    slider.addEventListener('input', function () { showStep(root, t, Number(slider.value)); });
    root.querySelectorAll('ol.steps li').forEach(function (li) {
      li.querySelector('button').addEventListener('click', function () {
        slider.value = li.getAttribute('data-step');
        showStep(root, t, Number(slider.value));
      });
    });
    showStep(root, t, Number(slider.value));
  }

  function select(id) {
    var target = document.getElementById(id);
    if (!target || !target.classList.contains('timeline')) return;
    var art = target.closest('article');
    art.querySelectorAll('.timeline').forEach(function (x) { x.hidden = x !== target; });
    art.querySelectorAll('nav.tabs a').forEach(function (a) { a.setAttribute('aria-selected', String(a.getAttribute('href') === '#' + id)); });
    art.scrollIntoView();
  }

  document.querySelectorAll('.timeline').forEach(init);
  window.addEventListener('hashchange', function () { select(decodeURIComponent(location.hash.slice(1))); });
  if (location.hash) select(decodeURIComponent(location.hash.slice(1)));
  document.body.setAttribute('data-ready', 'true');
})();
`;
