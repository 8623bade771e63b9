// @ts-check
// The page: picks a run, follows its events over SSE, and draws the graph,
// the selected node's output, the findings and the timeline. Every text that
// came from a run (agent output, messages, file names) goes in as textContent.
import { applyEvent, counts, emptyRun } from './model.js';
import { edgePath, layout, NODE_H, NODE_W } from './dag.js';

const SVG = 'http://www.w3.org/2000/svg';
let run = emptyRun();
/** @type {string|null} */
let selected = null;
/** @type {string|null} */
let selectedLog = null;
let logNext = 0;
let drawnNodes = '';
let dirty = false;

/** @param {string} tag @param {Record<string, string>} [attrs] @param {(Node|string)[]} children */
function h(tag, attrs = {}, ...children) {
  const el = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}
const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

const label = (/** @type {any} */ n) =>
  n.kind === 'checkpoint' || n.kind === 'fix' ? `${n.kind} ${n.name}` : n.phase === null ? n.name : `${n.phase}/${n.name}`;
const secs = (/** @type {number} */ ms) =>
  ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;

async function main() {
  const params = new URLSearchParams(location.search);
  const list = await (await fetch('/api/runs')).json();
  const id = params.get('run') ?? list.default;
  const picker = /** @type {HTMLSelectElement} */ ($('run-picker'));
  for (const r of list.runs) picker.append(h('option', r.id === id ? { value: r.id, selected: '' } : { value: r.id }, `${r.id} · ${r.command} · ${r.outcome}`));
  picker.addEventListener('change', () => (location.search = `?run=${encodeURIComponent(picker.value)}`));
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
  renderGraph();
  renderFindings();
  renderTimeline(now);
  renderDetail(now);
}

function renderGraph() {
  const nodes = [...run.nodes.values()];
  const key = nodes.map((n) => n.id).join('\n');
  const svg = /** @type {SVGSVGElement} */ (/** @type {unknown} */ ($('dag')));
  if (key !== drawnNodes) {
    drawnNodes = key;
    const { at, edges, width, height } = layout(nodes);
    svg.replaceChildren();
    svg.setAttribute('width', String(width + 2));
    svg.setAttribute('height', String(height + 2));
    svg.setAttribute('viewBox', `-1 -1 ${width + 2} ${height + 2}`);
    for (const e of edges) svg.append(h('svg:path', { class: 'edge', d: edgePath(/** @type {any} */ (at.get(e.from)), /** @type {any} */ (at.get(e.to))) }));
    for (const n of nodes) {
      const p = /** @type {{x: number, y: number}} */ (at.get(n.id));
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
  }
  for (const g of svg.querySelectorAll('g.node')) {
    const n = run.nodes.get(/** @type {string} */ (g.getAttribute('data-node-id')));
    if (!n) continue;
    g.setAttribute('class', `node s-${n.state}${n.id === selected ? ' selected' : ''}`);
    g.setAttribute('data-state', n.state);
    const sub = /** @type {SVGTextElement} */ (g.querySelector('text.sub'));
    sub.textContent = clip(
      [n.kind, n.state, n.agent ?? '', n.durationMs !== null && n.state !== 'running' ? secs(n.durationMs) : ''].filter(Boolean).join(' · '),
      28,
    );
  }
}

const clip = (/** @type {string} */ s, /** @type {number} */ n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function renderFindings() {
  const items = [...run.nodes.values()].flatMap((n) => n.findings.map((f) => ({ n, f })));
  const ul = $('findings');
  if (ul.childElementCount === items.length && ul.dataset.key === String(run.lastTs)) return;
  ul.dataset.key = String(run.lastTs);
  ul.replaceChildren(...(items.length ? items.map(({ n, f }) => findingItem(n, f)) : [h('li', { class: 'dim' }, 'none')]));
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
  selectedLog = n?.logIds.at(-1) ?? id;
  logNext = -1;
  $('detail').replaceChildren();
  render();
  void pollLog();
}

function renderDetail(/** @type {number} */ now) {
  const n = selected ? run.nodes.get(selected) : undefined;
  const pane = $('detail');
  if (!n) return;
  if (!pane.firstChild) {
    pane.append(
      h('h3', {}, label(n)),
      h('dl', { class: 'facts', id: 'facts' }),
      h('div', { id: 'log-picks' }),
      h('h3', {}, 'Output'),
      h('pre', { class: 'output', id: 'output' }),
      h('h3', {}, 'Findings'),
      h('ul', { id: 'node-findings', class: 'events' }),
      h('h3', { id: 'earlier-title', hidden: '' }, 'Found by an earlier run of this gate'),
      h('ul', { id: 'earlier-findings', class: 'events' }),
      h('h3', {}, 'Agent events'),
      h('ul', { id: 'agent-events', class: 'events' }),
      h('h3', {}, 'Notes'),
      h('ul', { id: 'notes', class: 'events' }),
    );
  }
  const facts = [
    ['kind', n.kind],
    ['state', n.state],
    ['attempt', String(n.attempts)],
    ['elapsed', n.startedAt ? secs((n.state === 'running' ? now : (n.finishedAt ?? now)) - n.startedAt) : ''],
    ['agent', n.agent ?? ''],
    ['tokens', n.inputTokens + n.outputTokens ? `${n.inputTokens} in / ${n.outputTokens} out` : ''],
    ['cost', n.costUsd ? `$${n.costUsd.toFixed(4)}` : ''],
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
        const b = h('button', { class: `log-pick${lid === selectedLog ? ' on' : ''}` }, lid.includes('#') ? `round ${lid.split('#')[1]}` : 'node');
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
  const fl = $('node-findings');
  if (fl.childElementCount !== n.findings.length) fl.replaceChildren(...n.findings.map((f) => findingItem(n, f)));
  const earlier = $('earlier-findings');
  $('earlier-title').hidden = n.earlierFindings.length === 0;
  if (earlier.childElementCount !== n.earlierFindings.length) earlier.replaceChildren(...n.earlierFindings.map((f) => findingItem(n, f)));
  const ev = $('agent-events');
  if (ev.childElementCount !== n.agentEvents.length) ev.replaceChildren(...n.agentEvents.slice(-200).map(agentItem));
  const notes = $('notes');
  if (notes.childElementCount !== n.notes.length) notes.replaceChildren(...n.notes.map((t) => h('li', {}, t)));
}

function agentItem(/** @type {any} */ e) {
  const text =
    e.kind === 'message'
      ? e.text
      : e.kind === 'tool-use'
        ? `${e.name} ${e.input === undefined ? '' : clip(JSON.stringify(e.input), 200)}`
        : e.kind === 'tool-result'
          ? `${e.ok ? 'ok' : 'error'} ${clip(e.output ?? '', 200)}`
          : e.kind === 'session'
            ? `${e.id}${e.model ? ` (${e.model})` : ''}`
            : (e.message ?? '');
  return h('li', {}, h('span', { class: 'kind' }, e.kind), ` ${text}`);
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
