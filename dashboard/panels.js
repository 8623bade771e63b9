// @ts-check
// The page's panels that the server works out from the record (the same code
// as `orchestra logs`): an agent's transcript, the gates' fix history, two
// runs compared. Every text from a run goes in as a text node.

import { roundLabel } from './model.js';

const SVG = 'http://www.w3.org/2000/svg';

/** @param {string} tag @param {Record<string, string>} [attrs] @param {(Node|string)[]} children */
export function h(tag, attrs = {}, ...children) {
  const el = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

export const secs = (/** @type {number} */ ms) =>
  ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;

/** @param {string[]} lines */
function diffEl(lines) {
  return h('pre', { class: 'diff' }, ...lines.map((l) => h('span', { class: l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'ctx' }, `${l}\n`)));
}

/** @param {any} u */
function usageText(u) {
  if (!u) return '';
  const parts = [];
  if (u.inputTokens !== undefined || u.outputTokens !== undefined)
    parts.push(`${(u.inputTokens ?? 0).toLocaleString()} in / ${(u.outputTokens ?? 0).toLocaleString()} out tokens`);
  if (u.costUsd !== undefined) parts.push(`$${u.costUsd.toFixed(4)}`);
  return parts.join(' · ');
}

/** @param {any[]} attempts what /api/runs/<id>/transcript returns */
export function transcriptEl(attempts) {
  if (!attempts.length) return h('p', { class: 'dim' }, 'no agent events (yet): the raw output is below');
  return h(
    'div',
    {},
    ...attempts.map((a) => {
      const round = a.runAs.includes('#') ? roundLabel(a.runAs.slice(a.runAs.indexOf('#') + 1)) : '';
      const box = h(
        'div',
        { class: 'attempt', 'data-run-as': a.runAs },
        h('div', { class: 'attempt-head' }, `${a.agent ?? 'agent'}${round ? ` · ${round}` : ''} · attempt ${a.attempt}${a.model ? ` · ${a.model}` : ''}`),
      );
      for (const [i, e] of a.entries.entries()) {
        // The closing words are shown once, as the final answer.
        if (e.kind === 'message' && a.final !== undefined && i === a.entries.length - 1) continue;
        if (e.kind === 'message') box.append(h('p', { class: 'msg' }, e.text));
        else if (e.kind === 'warning') box.append(h('p', { class: 'warn' }, e.text));
        else {
          const tool = h(
            'div',
            { class: `tool ${e.outcome}`, 'data-tool': e.name },
            h('span', { class: 'mark' }, e.outcome === 'ok' ? '✓' : e.outcome === 'error' ? '✗' : '…'),
            ' ',
            h('span', { class: 'tool-name' }, e.name),
            ' ',
            h('span', { class: 'subject' }, e.subject ?? ''),
            h('span', { class: 'dim' }, e.durationMs !== undefined ? ` ${secs(e.durationMs)}` : ''),
          );
          box.append(tool);
          if (e.diff) box.append(diffEl(e.diff));
          if (e.output) box.append(h('div', { class: 'tool-out dim' }, e.output));
        }
      }
      if (a.final !== undefined) box.append(h('div', { class: 'final' }, h('strong', {}, 'Final answer'), h('p', {}, a.final)));
      const how = a.endedAt === undefined ? 'working…' : a.ok ? 'done' : `failed${a.failure ? `: ${a.failure}` : ''}`;
      const took = a.endedAt !== undefined ? ` in ${secs(a.endedAt - a.startedAt)}` : '';
      const usage = usageText(a.usage);
      box.append(h('div', { class: `attempt-foot ${a.endedAt === undefined ? '' : a.ok ? 'ok' : 'bad'}` }, `${how}${took}${usage ? ` · ${usage}` : ''}`));
      return box;
    }),
  );
}

/** @param {any} f */
function findingText(f) {
  return `${f.file}:${f.line}:${f.column} ${f.message} (${f.rule})`;
}

/** @param {any[]} gates what /api/runs/<id>/fixes returns @param {(id: string) => string} labelOf */
export function fixesEl(gates, labelOf) {
  if (!gates.length) return h('p', { class: 'dim' }, 'no gate has failed in this run');
  return h(
    'div',
    {},
    ...gates.map((g) => {
      const box = h('div', { class: 'gate-history', 'data-gate': g.gate }, h('h3', {}, labelOf(g.gate)));
      for (const r of g.runs) {
        const fix = g.rounds.find((/** @type {any} */ x) => x.round === r.round && r.round > 0);
        if (fix) {
          const edits = fix.edits.length ? fix.edits : [];
          const el = h(
            'div',
            { class: 'fix-round', 'data-round': String(fix.round) },
            h('div', { class: 'round-head' }, `fix round ${fix.round} by ${fix.agent ?? 'the fix agent'}${fix.ok === false ? ' (the agent failed)' : ''}`),
          );
          for (const e of edits) {
            el.append(h('div', { class: 'tool' }, h('span', { class: 'tool-name' }, e.tool), ' ', h('span', { class: 'subject' }, e.subject ?? '')));
            if (e.diff) el.append(diffEl(e.diff));
          }
          if (!edits.length) el.append(h('div', { class: 'dim' }, 'no edits in its events (a command agent): see the diff below'));
          box.append(el);
        }
        const run = h(
          'div',
          { class: `gate-run s-${r.status}`, 'data-round': String(r.round) },
          h(
            'div',
            { class: 'round-head' },
            `${r.round === 0 ? 'first run' : `after round ${r.round}`}: ${r.status}${r.findings.length ? `, ${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}` : ''}`,
          ),
        );
        if (r.findings.length) run.append(h('ul', { class: 'found' }, ...r.findings.map((/** @type {any} */ f) => h('li', {}, findingText(f)))));
        if (r.gone.length) run.append(h('ul', { class: 'gone' }, ...r.gone.map((/** @type {any} */ f) => h('li', {}, `gone: ${findingText(f)}`))));
        box.append(run);
      }
      if (g.learned)
        box.append(
          h(
            'details',
            { class: 'learned', open: '' },
            h('summary', {}, 'learned fix (the diff that made it pass, offered the next time it fails so)'),
            diffEl(g.learned.diff.split('\n')),
          ),
        );
      return box;
    }),
  );
}

/** @param {any} cmp what /api/compare returns @param {string} a @param {string} b */
export function compareEl(cmp, a, b) {
  const cell = (/** @type {any} */ s) => (s ? `${s.state} · ${secs(s.ms)}${s.costUsd ? ` · $${s.costUsd.toFixed(4)}` : ''}` : '—');
  return h(
    'table',
    { class: 'compare' },
    h('thead', {}, h('tr', {}, h('th', {}, 'node'), h('th', {}, a), h('th', {}, b))),
    h(
      'tbody',
      {},
      ...cmp.nodes.map((/** @type {any} */ n) =>
        h('tr', { class: n.changed ? 'changed' : '', 'data-node-id': n.id }, h('td', {}, n.label), h('td', {}, cell(n.a)), h('td', {}, cell(n.b))),
      ),
      h(
        'tr',
        { class: 'total' },
        h('td', {}, 'the run'),
        h('td', {}, `${secs(cmp.totals.a.ms)} · $${cmp.totals.a.costUsd.toFixed(4)}`),
        h('td', {}, `${secs(cmp.totals.b.ms)} · $${cmp.totals.b.costUsd.toFixed(4)}`),
      ),
    ),
  );
}
