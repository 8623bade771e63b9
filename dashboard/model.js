// @ts-check
// The dashboard's state, rebuilt from the run's events one at a time. Pure: no
// DOM, so the tests run it in Node on recorded events.

/** @typedef {{id: string, kind: string, name: string, phase: string|null, needs: string[], state: string, attempts: number, startedAt: number|null, finishedAt: number|null, durationMs: number|null, agent: string|null, costUsd: number, inputTokens: number, outputTokens: number, lastLine: string, message: string, findings: any[], earlierFindings: any[], agentEvents: any[], notes: string[], logIds: string[], spans: {start: number, end: number|null, status: string}[], alert: string, selfCheck: boolean, selfChecks: boolean[]}} NodeView */

export function emptyRun() {
  return {
    runId: /** @type {string|null} */ (null),
    command: /** @type {string|null} */ (null),
    startedAt: /** @type {number|null} */ (null),
    finishedAt: /** @type {number|null} */ (null),
    ok: /** @type {boolean|null} */ (null),
    interrupted: false,
    /** @type {Map<string, NodeView>} */
    nodes: new Map(),
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    lastTs: 0,
    /** @type {{ts: number, kind: string, message: string, node: string|null}[]} */
    alerts: [],
  };
}

/** @param {ReturnType<typeof emptyRun>} run @param {string} id */
function nodeFor(run, id) {
  // A fix round runs as `fix:<phase>#<round>`: it belongs to its fix node.
  return run.nodes.get(id) ?? run.nodes.get(id.split('#')[0] ?? '');
}

/** @param {ReturnType<typeof emptyRun>} run @param {any} e one line of events.jsonl */
export function applyEvent(run, e) {
  if (typeof e.ts === 'number') run.lastTs = Math.max(run.lastTs, e.ts);
  if (e.type === 'run-started') {
    // A resumed run starts again in the same record: keep what was done, add what is new.
    run.runId = e.runId;
    run.command = e.command;
    run.startedAt ??= e.ts;
    run.finishedAt = null;
    run.ok = null;
    for (const n of e.nodes) {
      if (run.nodes.has(n.id)) continue;
      run.nodes.set(n.id, {
        ...n,
        state: 'waiting',
        attempts: 0,
        startedAt: null,
        finishedAt: null,
        durationMs: null,
        agent: null,
        costUsd: 0,
        inputTokens: 0,
        outputTokens: 0,
        lastLine: '',
        message: '',
        findings: [],
        earlierFindings: [],
        agentEvents: [],
        notes: [],
        logIds: [],
        spans: [],
        alert: '',
        selfCheck: false,
        selfChecks: [],
      });
    }
    return run;
  }
  if (e.type === 'run-finished') {
    run.finishedAt = e.ts;
    run.ok = e.ok;
    run.interrupted = e.interrupted;
    for (const n of run.nodes.values()) if (n.state === 'running') n.state = e.interrupted ? 'interrupted' : 'failed';
    return run;
  }
  if (e.type === 'alert') {
    run.alerts.push({ ts: e.ts, kind: e.kind, message: e.message, node: e.node ?? null });
    const n = typeof e.node === 'string' ? nodeFor(run, e.node) : undefined;
    if (n) n.alert = `${e.kind}: ${e.message}`;
    return run;
  }
  if (typeof e.nodeId !== 'string') return run;
  const node = nodeFor(run, e.nodeId);
  if (!node) return run;
  const own = e.nodeId === node.id;
  if (!node.logIds.includes(e.nodeId) && (e.type === 'node-started' || e.type === 'node-output')) node.logIds.push(e.nodeId);
  switch (e.type) {
    case 'node-started':
      if (!own) break;
      node.state = 'running';
      node.attempts = e.attempt;
      node.startedAt = e.ts;
      node.finishedAt = null;
      node.message = '';
      // A gate that runs again (after a fix) is judged afresh; what it found before stays to be seen.
      if (node.findings.length) node.earlierFindings = node.findings;
      node.findings = [];
      node.spans.push({ start: e.ts, end: null, status: 'running' });
      break;
    case 'node-output':
      node.lastLine = e.line;
      // It spoke again: a silence alert is over (the alert stays in the list).
      if (node.alert.startsWith('silent')) node.alert = '';
      break;
    case 'cache-hit':
      break;
    case 'finding':
      node.findings.push(e.finding);
      break;
    case 'node-retry':
      node.notes.push(`attempt ${e.attempt} failed (${e.reason}); trying again`);
      break;
    case 'node-finished': {
      if (!own) break;
      node.state = e.status;
      node.alert = '';
      node.finishedAt = e.ts;
      node.durationMs = e.durationMs;
      node.attempts = Math.max(node.attempts, e.attempts);
      node.message = e.message ?? (e.reason ? `${e.reason}${e.exitCode !== null && e.exitCode !== undefined ? ` (exit ${e.exitCode})` : ''}` : '');
      const span = node.spans.at(-1);
      if (span && span.end === null) Object.assign(span, { end: e.ts, status: e.status });
      else node.spans.push({ start: e.ts - e.durationMs, end: e.ts, status: e.status });
      break;
    }
    case 'node-skipped':
      node.state = 'skipped';
      node.message = e.reason;
      break;
    case 'agent-event':
      node.agent = e.agent;
      if (node.alert.startsWith('silent')) node.alert = '';
      node.agentEvents.push({ ts: e.ts, nodeId: e.nodeId, ...e.event });
      break;
    case 'agent-finished': {
      node.agent = e.agent;
      const u = e.usage ?? {};
      node.costUsd += u.costUsd ?? 0;
      node.inputTokens += u.inputTokens ?? 0;
      node.outputTokens += u.outputTokens ?? 0;
      run.costUsd += u.costUsd ?? 0;
      run.inputTokens += u.inputTokens ?? 0;
      run.outputTokens += u.outputTokens ?? 0;
      if (!e.ok && e.failure) node.notes.push(`agent ${e.agent}: ${e.failure.class}: ${e.failure.reason}`);
      if (e.selfCheck) node.selfCheck = true;
      break;
    }
    case 'self-check':
      // The agent checked its own work with orchestra's MCP server (check_gate).
      node.selfCheck = true;
      node.selfChecks.push(e.ok === true);
      break;
    case 'note':
      node.notes.push(e.message);
      break;
    default:
      break; // an event type from a newer orchestra: nothing to show for it
  }
  return run;
}

/** @param {ReturnType<typeof emptyRun>} run */
export function counts(run) {
  /** @type {Record<string, number>} */
  const c = {};
  for (const n of run.nodes.values()) c[n.state] = (c[n.state] ?? 0) + 1;
  return c;
}

/** Whether an agent node's agent checked its own work, in one phrase; '' when it had no check_gate. @param {NodeView} n */
export function selfCheckSummary(n) {
  if (!n.selfCheck) return '';
  if (n.selfChecks.length === 0) return 'never called check_gate';
  return `${n.selfChecks.length} check_gate ${n.selfChecks.length === 1 ? 'call' : 'calls'}, the last ${n.selfChecks.at(-1) ? 'passed' : 'failed'}`;
}

/**
 * What a sub-run of a node is called, from the part of its id after `#`:
 * `2` a fix round, `merge1` a merge-queue round, `review0` a review,
 * `self-check` a task sent back to check its work.
 * @param {string} suffix
 */
export function roundLabel(suffix) {
  const m = /^(merge|review)?(\d+)$/.exec(suffix);
  if (!m) return suffix;
  if (m[1] === 'merge') return `merge round ${m[2]}`;
  if (m[1] === 'review') return `review ${Number(m[2]) + 1}`;
  return `round ${m[2]}`;
}
