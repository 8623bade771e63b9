// @ts-check
// The page: picks a run, follows its events over SSE, and draws the graph,
// the alerts, the selected node's transcript and output, the findings, what
// was fixed, the timeline, and a comparison with another run. Every text that
// came from a run (agent output, messages, file names) goes in as textContent.
import { applyEvent, counts, emptyRun, roundLabel, selfCheckSummary } from './model.js';
import { BAND_HEAD, edgePath, fitView, layout, NODE_H, NODE_W, revealIn, zoomView } from './dag.js';
import { compareEl, fixesEl, h, secs, transcriptEl } from './panels.js';

let run = emptyRun();
/** @type {string|null} */
let selected = null;
/** @type {string|null} */
let selectedLog = null;
let logNext = 0;
let drawnNodes = '';
let dirty = false;
/** Phases shown as their header only. */
const collapsed = new Set();
/** @type {ReturnType<typeof layout>|null} */
let drawn = null;
/** @type {{x: number, y: number, w: number, h: number}|null} */
let view = null;
/** The user moved or zoomed the view: a new node no longer refits it. */
let viewTouched = false;
/** What the transcript and fix panels were last fetched for, so they are asked for again only when the record moved. */
let transcriptKey = '';
let transcriptAt = 0;
let transcriptNode = '';
/** @type {ReturnType<typeof setTimeout> | undefined} */
let transcriptTimer;
let fixesKey = '';
let fixesAt = 0;

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const svgEl = () => /** @type {SVGSVGElement} */ (/** @type {unknown} */ ($('dag')));

const label = (/** @type {any} */ n) =>
  n.kind === 'checkpoint' || n.kind === 'fix' ? `${n.kind} ${n.name}` : n.phase === null ? n.name : `${n.phase}/${n.name}`;
const labelOf = (/** @type {string} */ id) => {
  const n = run.nodes.get(id) ?? run.nodes.get(id.split('#')[0] ?? '');
  return n ? `${label(n)}${id.includes('#') ? ` (${roundLabel(id.slice(id.indexOf('#') + 1))})` : ''}` : id;
};

async function main() {
  const params = new URLSearchParams(location.search);
  const list = await (await fetch('/api/runs')).json();
  const id = params.get('run') ?? list.default;
  const picker = /** @type {HTMLSelectElement} */ ($('run-picker'));
  for (const r of list.runs) picker.append(h('option', r.id === id ? { value: r.id, selected: '' } : { value: r.id }, `${r.id} · ${r.command} · ${r.outcome}`));
  picker.addEventListener('change', () => (location.search = `?run=${encodeURIComponent(picker.value)}`));
  setUpCompare(list.runs, id);
  setUpGraphControls();
  // Opened without a run named: follow the latest, so a run started later shows up by itself.
  if (!params.get('run')) {
    setInterval(async () => {
      try {
        if ((await (await fetch('/api/runs')).json()).default !== (id ?? null)) location.reload();
      } catch {
        // the server is away; the connection badge says so
      }
    }, 2000);
  }
  if (!id || !list.runs.some((/** @type {{id: string}} */ r) => r.id === id)) {
    $('run-state').textContent = id ? `no run ${id} here` : 'no runs yet';
    if (!id) return;
    return setConnection('closed');
  }
  const source = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
  source.onopen = () => setConnection('live');
  source.onerror = () => setConnection(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  source.onmessage = (m) => {
    applyEvent(run, JSON.parse(m.data));
    dirty = true;
  };
  setInterval(() => {
    if (dirty || run.finishedAt === null) render();
    dirty = false;
  }, 250);
  setInterval(pollLog, 1000);
}

function setConnection(/** @type {string} */ state) {
  const el = $('connection');
  el.textContent = state === 'live' ? 'live' : state === 'closed' ? 'disconnected' : 'reconnecting…';
  el.className = `badge ${state === 'live' ? 'live' : 'down'}`;
}

function render() {
  const now = run.finishedAt ?? Date.now();
  const state = run.finishedAt === null ? (run.startedAt === null ? 'waiting' : 'running') : run.interrupted ? 'interrupted' : run.ok ? 'held' : 'failed';
  const badge = $('run-state');
  badge.textContent = state;
  badge.className = `badge s-${state}`;
  badge.dataset.state = state;
  const c = counts(run);
  const spent = run.costUsd ? ` · $${run.costUsd.toFixed(4)}` : '';
  const tokens = run.inputTokens + run.outputTokens ? ` · ${run.inputTokens.toLocaleString()} in / ${run.outputTokens.toLocaleString()} out tokens` : '';
  $('run-facts').textContent = `${run.command ?? ''} ${run.runId ?? ''} · ${run.startedAt ? secs(now - run.startedAt) : ''} · ${Object.entries(c)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')}${spent}${tokens}`;
  renderAlerts();
  renderGraph();
  renderFindings();
  renderFixes();
  renderTimeline(now);
  renderDetail(now);
}

function renderAlerts() {
  const ul = $('alerts');
  if (ul.childElementCount === run.alerts.length) return;
  $('alerts-pane').hidden = run.alerts.length === 0;
  $('alert-count').textContent = run.alerts.length ? `${run.alerts.length} alert${run.alerts.length === 1 ? '' : 's'}` : '';
  $('alert-count').hidden = run.alerts.length === 0;
  ul.replaceChildren(
    ...run.alerts.map((a) => {
      const li = h(
        'li',
        { class: `alert ${a.kind}`, 'data-kind': a.kind, ...(a.node ? { 'data-node-id': a.node } : {}) },
        h('span', { class: 'kind' }, a.kind),
        ` ${a.node ? `${labelOf(a.node)}: ` : ''}${a.message} `,
        h('span', { class: 'dim' }, new Date(a.ts).toLocaleTimeString()),
      );
      const node = a.node ? (run.nodes.has(a.node) ? a.node : a.node.split('#')[0]) : undefined;
      if (node) li.addEventListener('click', () => select(node));
      return li;
    }),
  );
}

function renderGraph() {
  const nodes = [...run.nodes.values()];
  const key = `${nodes.map((n) => n.id).join('\n')}|${[...collapsed].join(',')}`;
  const svg = svgEl();
  if (key !== drawnNodes) {
    drawnNodes = key;
    drawn = layout(nodes, collapsed);
    const { at, edges, bands } = drawn;
    svg.replaceChildren();
    for (const b of bands) {
      const members = b.ids.map((id) => run.nodes.get(id)).filter((n) => n !== undefined);
      const head = h(
        'svg:g',
        { class: 'band-head', 'data-phase': b.key, transform: `translate(0,${b.y})`, tabindex: '0', role: 'button' },
        h('svg:text', { x: '2', y: String(BAND_HEAD - 8) }, `${b.collapsed ? '▸' : '▾'} ${b.key ? `phase ${b.label}` : 'gates'} · ${members.length} nodes`),
        h('svg:text', { x: '220', y: String(BAND_HEAD - 8), class: 'sub band-summary' }, ''),
      );
      head.addEventListener('click', () => toggleBand(b.key));
      head.addEventListener('keydown', (ev) => /** @type {KeyboardEvent} */ (ev).key === 'Enter' && toggleBand(b.key));
      svg.append(head);
    }
    for (const e of edges) svg.append(h('svg:path', { class: 'edge', d: edgePath(/** @type {any} */ (at.get(e.from)), /** @type {any} */ (at.get(e.to))) }));
    for (const n of nodes) {
      const p = at.get(n.id);
      if (!p) continue;
      const g = h(
        'svg:g',
        { class: 'node', 'data-node-id': n.id, transform: `translate(${p.x},${p.y})`, tabindex: '0' },
        h('svg:rect', { width: String(NODE_W), height: String(NODE_H) }),
        h('svg:text', { x: '10', y: '18' }, clip(label(n), 24)),
        h('svg:text', { x: '10', y: '35', class: 'sub' }, ''),
      );
      g.append(h('svg:title', {}, `${n.kind} ${label(n)}`));
      g.addEventListener('click', () => select(n.id));
      g.addEventListener('keydown', (ev) => /** @type {KeyboardEvent} */ (ev).key === 'Enter' && select(n.id));
      svg.append(g);
    }
    if (!viewTouched || !view) fit();
    else applyView();
  }
  for (const g of svg.querySelectorAll('g.node')) {
    const n = run.nodes.get(/** @type {string} */ (g.getAttribute('data-node-id')));
    if (!n) continue;
    g.setAttribute('class', `node s-${n.state}${n.id === selected ? ' selected' : ''}${n.alert ? ' alerted' : ''}`);
    g.setAttribute('data-state', n.state);
    const sub = /** @type {SVGTextElement} */ (g.querySelector('text.sub'));
    sub.textContent = clip(
      [n.alert ? '⚠' : '', n.kind, n.state, n.agent ?? '', n.durationMs !== null && n.state !== 'running' ? secs(n.durationMs) : '']
        .filter(Boolean)
        .join(' · '),
      28,
    );
  }
  for (const head of svg.querySelectorAll('g.band-head')) {
    const b = drawn?.bands.find((x) => x.key === head.getAttribute('data-phase'));
    const states = /** @type {Record<string, number>} */ ({});
    for (const id of b?.ids ?? []) {
      const s = run.nodes.get(id)?.state ?? 'waiting';
      states[s] = (states[s] ?? 0) + 1;
    }
    /** @type {SVGTextElement} */ (head.querySelector('text.band-summary')).textContent = Object.entries(states)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
  }
}

function toggleBand(/** @type {string} */ key) {
  if (collapsed.has(key)) collapsed.delete(key);
  else collapsed.add(key);
  renderGraph();
}

function paneSize() {
  const r = svgEl().getBoundingClientRect();
  return { w: r.width || 800, h: r.height || 400 };
}

function fit() {
  if (!drawn) return;
  const { w, h: ph } = paneSize();
  view = fitView(drawn.width, drawn.height, w, ph);
  viewTouched = false;
  applyView();
}

function applyView() {
  if (view) svgEl().setAttribute('viewBox', `${view.x} ${view.y} ${view.w} ${view.h}`);
}

/** The selected node in sight: its phase opened, the view moved to it if it is outside. */
function reveal(/** @type {string} */ id) {
  const n = run.nodes.get(id);
  if (n && collapsed.has(n.phase ?? '')) {
    collapsed.delete(n.phase ?? '');
    renderGraph();
  }
  const p = drawn?.at.get(id);
  if (!p || !view) return;
  const moved = revealIn(view, p);
  if (moved.x !== view.x || moved.y !== view.y) {
    view = moved;
    viewTouched = true;
    applyView();
  }
}

function setUpGraphControls() {
  const svg = svgEl();
  $('zoom-in').addEventListener('click', () => zoom(1.25));
  $('zoom-out').addEventListener('click', () => zoom(0.8));
  $('zoom-fit').addEventListener('click', () => fit());
  svg.addEventListener(
    'wheel',
    (ev) => {
      ev.preventDefault();
      const r = svg.getBoundingClientRect();
      zoom(ev.deltaY < 0 ? 1.15 : 1 / 1.15, (ev.clientX - r.left) / r.width, (ev.clientY - r.top) / r.height);
    },
    { passive: false },
  );
  /** @type {{x: number, y: number, vx: number, vy: number}|null} */
  let drag = null;
  svg.addEventListener('pointerdown', (ev) => {
    if (!view || /** @type {Element} */ (ev.target).closest('g.node, g.band-head')) return;
    drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y };
    svg.setPointerCapture(ev.pointerId);
  });
  svg.addEventListener('pointermove', (ev) => {
    if (!drag || !view) return;
    const r = svg.getBoundingClientRect();
    const k = view.w / (r.width || 1);
    view = { ...view, x: drag.vx - (ev.clientX - drag.x) * k, y: drag.vy - (ev.clientY - drag.y) * k };
    viewTouched = true;
    applyView();
  });
  svg.addEventListener('pointerup', () => (drag = null));
  window.addEventListener('resize', () => (viewTouched ? applyView() : fit()));
}

function zoom(/** @type {number} */ factor, fx = 0.5, fy = 0.5) {
  if (!view) return;
  view = zoomView(view, factor, fx, fy);
  viewTouched = true;
  applyView();
}

const clip = (/** @type {string} */ s, /** @type {number} */ n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function renderFindings() {
  const items = [...run.nodes.values()].flatMap((n) => n.findings.map((f) => ({ n, f })));
  const ul = $('findings');
  if (ul.childElementCount === items.length && ul.dataset.key === String(run.lastTs)) return;
  ul.dataset.key = String(run.lastTs);
  ul.replaceChildren(...(items.length ? items.map(({ n, f }) => findingItem(n, f)) : [h('li', { class: 'dim' }, 'none')]));
}

/** What was fixed: asked of the server when a gate or fix round moved, at most once a second. */
function renderFixes() {
  if (!run.runId) return;
  const key = [...run.nodes.values()]
    .filter((n) => n.kind === 'gate' || n.kind === 'fix')
    .map((n) => `${n.id}:${n.state}:${n.spans.length}:${n.findings.length}:${n.agentEvents.length}`)
    .join('|');
  if (key === fixesKey || Date.now() - fixesAt < 1000) return;
  fixesKey = key;
  fixesAt = Date.now();
  const id = run.runId;
  fetch(`/api/runs/${encodeURIComponent(id)}/fixes`)
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
    .then((v) => $('fixes').replaceChildren(fixesEl(v.gates, labelOf)))
    .catch(() => (fixesKey = '')); // asked again on the next render
}

function findingItem(/** @type {any} */ n, /** @type {any} */ f) {
  return h(
    'li',
    { class: `finding ${f.severity}`, 'data-node-id': n.id },
    h('span', { class: 'where' }, `${f.file}:${f.line}:${f.column}`),
    ' ',
    h('span', { class: 'sev' }, f.severity),
    ` ${f.message} `,
    h('span', { class: 'dim' }, `${f.rule} · ${label(n)}`),
  );
}

function renderTimeline(/** @type {number} */ now) {
  const t0 = run.startedAt;
  const box = $('timeline');
  if (t0 === null) return;
  const total = Math.max(1, now - t0);
  const rows = [...run.nodes.values()].filter((n) => n.spans.length);
  box.replaceChildren(
    ...rows.flatMap((n) => [
      h('div', { class: 'dim' }, label(n)),
      h(
        'div',
        { class: 'track' },
        ...n.spans.map((s) => {
          const el = h('div', { class: `span s-${s.end === null ? 'running' : s.status}`, title: `${s.status} ${secs((s.end ?? now) - s.start)}` });
          el.style.left = `${(((s.start - t0) / total) * 100).toFixed(2)}%`;
          el.style.width = `${((((s.end ?? now) - s.start) / total) * 100).toFixed(2)}%`;
          return el;
        }),
      ),
    ]),
  );
}

function select(/** @type {string} */ id) {
  selected = id;
  const n = run.nodes.get(id);
  // A checkpoint is a commit orchestra makes: it prints nothing, so there is no log to ask for.
  selectedLog = n?.kind === 'checkpoint' ? null : (n?.logIds.at(-1) ?? id);
  logNext = -1;
  transcriptKey = '';
  $('detail').replaceChildren();
  render();
  reveal(id);
  void pollLog();
}

function renderDetail(/** @type {number} */ now) {
  const n = selected ? run.nodes.get(selected) : undefined;
  const pane = $('detail');
  if (!n) return;
  const isAgent = n.kind === 'task' || n.kind === 'fix';
  if (!pane.firstChild) {
    pane.append(
      h('h3', {}, label(n)),
      h('p', { id: 'node-alert', class: 'node-alert', hidden: '' }),
      h('dl', { class: 'facts', id: 'facts' }),
      ...(isAgent ? [h('h3', {}, 'Transcript'), h('div', { id: 'transcript', class: 'transcript' })] : []),
      h(
        'details',
        isAgent ? { id: 'raw' } : { id: 'raw', open: '' },
        h('summary', {}, isAgent ? 'Raw output' : 'Output'),
        h('div', { id: 'log-picks' }),
        h('pre', { class: 'output', id: 'output' }),
      ),
      h('h3', {}, 'Findings'),
      h('ul', { id: 'node-findings', class: 'events' }),
      h('h3', { id: 'earlier-title', hidden: '' }, 'Found by an earlier run of this gate'),
      h('ul', { id: 'earlier-findings', class: 'events' }),
      h('h3', {}, 'Notes'),
      h('ul', { id: 'notes', class: 'events' }),
    );
  }
  const alert = $('node-alert');
  alert.hidden = !n.alert;
  alert.textContent = n.alert ? `⚠ ${n.alert}` : '';
  const facts = [
    ['kind', n.kind],
    ['state', n.state],
    ['attempt', String(n.attempts)],
    ['elapsed', n.startedAt ? secs((n.state === 'running' ? now : (n.finishedAt ?? now)) - n.startedAt) : ''],
    ['agent', n.agent ?? ''],
    ['tokens', n.inputTokens + n.outputTokens ? `${n.inputTokens} in / ${n.outputTokens} out` : ''],
    ['cost', n.costUsd ? `$${n.costUsd.toFixed(4)}` : ''],
    ['self-check', selfCheckSummary(n)],
    ['needs', n.needs.join(', ')],
    ['why', n.message],
  ].filter(([, v]) => v);
  $('facts').replaceChildren(
    ...facts.flatMap(([k, v]) => [h('dt', {}, /** @type {string} */ (k)), h('dd', k === 'state' ? { 'data-state': n.state } : {}, /** @type {string} */ (v))]),
  );
  const picks = $('log-picks');
  if (n.logIds.length > 1 && picks.childElementCount !== n.logIds.length) {
    picks.replaceChildren(
      ...n.logIds.map((lid) => {
        const b = h(
          'button',
          { class: `log-pick${lid === selectedLog ? ' on' : ''}` },
          lid.includes('#') ? roundLabel(lid.slice(lid.indexOf('#') + 1)) : 'node',
        );
        b.addEventListener('click', () => {
          selectedLog = lid;
          logNext = -1;
          $('output').textContent = '';
          picks.replaceChildren();
          void pollLog();
        });
        return b;
      }),
    );
  }
  if (isAgent) refreshTranscript(n);
  const fl = $('node-findings');
  if (fl.childElementCount !== n.findings.length) fl.replaceChildren(...n.findings.map((f) => findingItem(n, f)));
  const earlier = $('earlier-findings');
  $('earlier-title').hidden = n.earlierFindings.length === 0;
  if (earlier.childElementCount !== n.earlierFindings.length) earlier.replaceChildren(...n.earlierFindings.map((f) => findingItem(n, f)));
  const notes = $('notes');
  if (notes.childElementCount !== n.notes.length) notes.replaceChildren(...n.notes.map((t) => h('li', {}, t)));
}

/** The selected agent's transcript, asked for again when its events or state moved. */
function refreshTranscript(/** @type {any} */ n) {
  const key = `${n.id}:${n.agentEvents.length}:${n.state}:${n.costUsd}`;
  if (key === transcriptKey || !run.runId) return;
  // Each ask reads the run's record on the server: while one agent works, at most once a second, and the
  // last change is asked for when the second is up (the node object is the model's, kept up to date).
  clearTimeout(transcriptTimer);
  const wait = transcriptAt + 1000 - Date.now();
  if (n.id === transcriptNode && wait > 0) {
    transcriptTimer = setTimeout(() => selected === n.id && refreshTranscript(n), wait);
    return;
  }
  transcriptAt = Date.now();
  transcriptNode = n.id;
  transcriptKey = key;
  const want = n.id;
  fetch(`/api/runs/${encodeURIComponent(run.runId)}/transcript?node=${encodeURIComponent(want)}`)
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
    .then((v) => {
      const box = document.getElementById('transcript');
      if (box && selected === want) box.replaceChildren(transcriptEl(v.attempts));
      // No events to read (a command agent, or one still starting): its output is what there is.
      const raw = /** @type {HTMLDetailsElement|null} */ (document.getElementById('raw'));
      if (raw && v.attempts.length === 0) raw.open = true;
    })
    .catch(() => (transcriptKey = ''));
}

function setUpCompare(/** @type {any[]} */ runs, /** @type {string|null} */ id) {
  const picker = /** @type {HTMLSelectElement} */ ($('compare-picker'));
  const others = runs.filter((r) => r.id !== id);
  picker.hidden = others.length === 0;
  picker.append(h('option', { value: '' }, 'compare with…'), ...others.map((r) => h('option', { value: r.id }, `${r.id} · ${r.outcome}`)));
  picker.addEventListener('change', async () => {
    const pane = $('compare-pane');
    if (!picker.value || !id) {
      pane.hidden = true;
      return;
    }
    const res = await fetch(`/api/compare?a=${encodeURIComponent(picker.value)}&b=${encodeURIComponent(id)}`);
    if (!res.ok) return;
    $('compare').replaceChildren(compareEl(await res.json(), picker.value, id));
    pane.hidden = false;
  });
}

/** Appends what the selected node's log gained since the last look: live output while it runs. */
async function pollLog() {
  if (!selectedLog || !run.runId) return;
  const n = selected ? run.nodes.get(selected) : undefined;
  if (logNext >= 0 && n && n.state !== 'running' && n.logIds.at(-1) === selectedLog && $('output').dataset.done === selectedLog) return;
  const want = selectedLog;
  let res, text;
  try {
    res = await fetch(`/api/runs/${encodeURIComponent(run.runId)}/log?node=${encodeURIComponent(want)}${logNext >= 0 ? `&from=${logNext}` : ''}`);
    text = await res.text();
  } catch {
    return; // the server is gone (run --ui ends with its run); the badge says so
  }
  if (want !== selectedLog || !res.ok) return;
  const out = $('output');
  if (!out) return;
  logNext = Number(res.headers.get('X-Log-Next') ?? '0');
  out.textContent = (out.textContent + text).slice(-200_000);
  out.dataset.done = n && n.state !== 'running' ? want : '';
  out.scrollTop = out.scrollHeight;
}

void main();
