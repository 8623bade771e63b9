import type { AgentEvent } from '../agents/types.js';
import { unreachable } from '../util/unreachable.js';

const MAX = 120;

/** The file or command a tool call is about, from the input the CLIs give their tools. */
export function subject(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const i = input as Record<string, unknown>;
  for (const key of ['file_path', 'path', 'absolute_path', 'command', 'cmd', 'pattern', 'url']) {
    const v = i[key];
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(' ');
  }
  return undefined;
}

const oneLine = (s: string): string => {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
};

/** What an agent is doing, in one line, from its latest event: `Write app/models.py`, `said: …`. Pure. */
export function activityOf(event: AgentEvent): string {
  switch (event.kind) {
    case 'session':
      return `started${event.model ? ` (${event.model})` : ''}`;
    case 'message':
      return `said: ${oneLine(event.text)}`;
    case 'tool-use': {
      const about = subject(event.input);
      return oneLine(about ? `${event.name} ${about}` : event.name);
    }
    case 'tool-result':
      return event.ok ? 'tool done' : `tool failed${event.output ? `: ${oneLine(event.output)}` : ''}`;
    case 'warning':
      return `warning: ${oneLine(event.message)}`;
    default:
      return unreachable(event);
  }
}
