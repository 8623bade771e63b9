import { DENIED } from '../agents/types.js';
import { formatDuration } from '../config/duration.js';
import type { AlertKind, NodeInfo, OrchestraEvent } from '../events/events.js';
import { unreachable } from '../util/unreachable.js';
import { subject } from '../logger/agent-activity.js';

/** When to speak up; set by the config's `alerts:` (see config/alerts.ts for the defaults). */
export interface AlertThresholds {
  /** An agent that has printed nothing for this long. */
  readonly silentMs: number;
  /** A run with no node running for this long. */
  readonly stalledMs: number;
  /** The same tool with the same input this many times in one attempt. */
  readonly loopRepeats: number;
}

export interface Alert {
  readonly kind: AlertKind;
  readonly node: string | null;
  readonly message: string;
}

/** Tools by which an agent asks the person at the keyboard, who is not there in a headless run. */
const ASKING_TOOLS = new Set(['AskUserQuestion', 'request_user_input', 'ask_user', 'ask_followup_question']);
/** A line that waits for an answer on stdin (an agent's own prompt, or a tool's it started). */
const WAITING_LINE = /\[y\/n\]|\(y\/n\)|\[Y\/n\]|\[y\/N\]|press enter|password:\s*$|passphrase[^:]*:\s*$/i;

interface Watched {
  /** The last time it showed a sign of life (started, printed, an agent event). */
  last: number;
  /** Said once per silence; a sign of life lets it be said again. */
  silentSaid: boolean;
  /** tool name + input → times called, in this attempt. */
  calls: Map<string, number>;
}

/**
 * Notices, from the run's events and the clock, what a person watching should
 * be told. Pure: `observe` is fed every event, `tick` the time now; both
 * return the alerts to emit. Agents' words are only matched, never run.
 */
export class AlertDetector {
  readonly #t: AlertThresholds;
  readonly #kinds = new Map<string, NodeInfo['kind']>();
  /** The graph's nodes that are running: while none is, the run is waiting on nothing. */
  readonly #running = new Set<string>();
  /** Agent attempts under way, by the id they run as (a task, or a fix round `fix:p#1`, a review, a merge). */
  readonly #agents = new Map<string, Watched>();
  #runStarted = false;
  #runFinished = false;
  /** Since when nothing has been running; undefined while something is. */
  #idleSince: number | undefined;
  #stalledSaid = false;

  constructor(thresholds: AlertThresholds) {
    this.#t = thresholds;
  }

  observe(e: OrchestraEvent): Alert[] {
    switch (e.type) {
      case 'run-started':
        for (const n of e.nodes) this.#kinds.set(n.id, n.kind);
        this.#runStarted = true;
        this.#runFinished = false;
        this.#idle(e.ts);
        return [];
      case 'run-finished':
        this.#runFinished = true;
        this.#running.clear();
        this.#agents.clear();
        return [];
      case 'node-started':
        // Each agent attempt starts with one: its calls are counted afresh.
        if (this.#isAgent(e.nodeId)) this.#agents.set(e.nodeId, { last: e.ts, silentSaid: false, calls: new Map() });
        if (this.#kinds.has(e.nodeId)) {
          this.#running.add(e.nodeId);
          this.#idleSince = undefined;
          this.#stalledSaid = false;
        }
        return [];
      case 'node-finished':
      case 'node-skipped':
        this.#agents.delete(e.nodeId);
        if (this.#running.delete(e.nodeId) && this.#running.size === 0) this.#idle(e.ts);
        return [];
      case 'agent-finished':
        this.#agents.delete(e.nodeId);
        return [];
      case 'node-output': {
        this.#alive(e.nodeId, e.ts);
        return WAITING_LINE.test(e.line) && this.#agents.has(e.nodeId)
          ? [{ kind: 'input', node: e.nodeId, message: `waiting for an answer on stdin that will not come: ${clip(e.line)}` }]
          : [];
      }
      case 'agent-event':
        this.#alive(e.nodeId, e.ts);
        return this.#agentEvent(e.nodeId, e.agent, e.event);
      case 'self-check':
        // A check_gate call is work: the agent is not silent while its gates run.
        this.#alive(e.nodeId, e.ts);
        return [];
      case 'node-retry':
      case 'cache-hit':
      case 'finding':
      case 'note':
      case 'alert':
        return [];
      default:
        return unreachable(e);
    }
  }

  tick(now: number): Alert[] {
    const out: Alert[] = [];
    for (const [id, w] of this.#agents) {
      if (w.silentSaid || now - w.last < this.#t.silentMs) continue;
      w.silentSaid = true;
      out.push({ kind: 'silent', node: id, message: `the agent has printed nothing for ${formatDuration(now - w.last)}` });
    }
    if (this.#runStarted && !this.#runFinished && this.#idleSince !== undefined && !this.#stalledSaid && now - this.#idleSince >= this.#t.stalledMs) {
      this.#stalledSaid = true;
      out.push({ kind: 'stalled', node: null, message: `nothing has been running for ${formatDuration(now - this.#idleSince)} and the run has not finished` });
    }
    return out;
  }

  #agentEvent(nodeId: string, agent: string, ev: Extract<OrchestraEvent, { type: 'agent-event' }>['event']): Alert[] {
    if (ev.kind === 'warning' && ev.message.startsWith(DENIED))
      return [{ kind: 'permission', node: nodeId, message: `agent ${agent} was refused a permission: ${ev.message.slice(DENIED.length)}` }];
    if (ev.kind !== 'tool-use') return [];
    if (ASKING_TOOLS.has(ev.name)) return [{ kind: 'input', node: nodeId, message: `agent ${agent} asks for input no one will give (${ev.name})` }];
    const w = this.#agents.get(nodeId);
    if (!w) return [];
    const key = `${ev.name}\u0000${stableJson(ev.input)}`;
    const n = (w.calls.get(key) ?? 0) + 1;
    w.calls.set(key, n);
    // Said when it reaches the threshold, not on every call after.
    return n === this.#t.loopRepeats
      ? [{ kind: 'loop', node: nodeId, message: `agent ${agent} called ${ev.name} with the same input ${n} times${subjectOf(ev.input)}` }]
      : [];
  }

  #alive(nodeId: string, ts: number): void {
    const w = this.#agents.get(nodeId);
    if (!w) return;
    w.last = Math.max(w.last, ts);
    w.silentSaid = false;
  }

  #idle(ts: number): void {
    this.#idleSince = ts;
    this.#stalledSaid = false;
  }

  /** A task runs its agent as itself, a fix node its rounds and reviews as `fix:p#…`; gates and checkpoints run none (a slow test suite is not a stuck agent). */
  #isAgent(nodeId: string): boolean {
    const [base = nodeId, sub] = nodeId.split('#');
    const kind = this.#kinds.get(base);
    return kind === 'task' || (sub !== undefined && kind !== undefined);
  }
}

const clip = (s: string): string => (s.length > 120 ? `${s.slice(0, 119)}…` : s);

function subjectOf(input: unknown): string {
  const s = subject(input);
  return s ? `: ${clip(s)}` : '';
}

/** JSON with object keys sorted, so that the same input is the same text whatever order the CLI wrote it in. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
