import type { Diagnostic, Loc } from './diagnostic.js';
import { error, withRelated } from './diagnostic.js';
import { parseDuration } from './duration.js';
import { isPlainObject, locOf, type PlainObject } from './located.js';
import { getNumber, getObjects, getString, getStringMap, getStrings, loc } from './read.js';
import type { AdapterName, Agent, Team } from './types.js';

const ADAPTERS: readonly AdapterName[] = ['claude-code', 'codex', 'gemini', 'aider'];

/** Team semantics the schema cannot say: unique ids, one of use/command, durations. */
export function normalizeTeam(value: unknown, file: string): { team: Team; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fileLoc: Loc = locOf(value) ?? { file, start: 0, end: 0 };
  const agents: Agent[] = [];
  const byId = new Map<string, Agent>();
  const root: PlainObject = isPlainObject(value) ? value : {};
  for (const raw of getObjects(root, 'agents')) {
    const id = getString(raw, 'id');
    if (id === undefined) continue; // the schema reported it
    const at = loc(raw, 'id', fileLoc);
    const previous = byId.get(id);
    if (previous) {
      diagnostics.push(withRelated(error(`duplicate agent id '${id}'`, at), { loc: previous.loc, message: `'${id}' is first defined here` }));
      continue;
    }
    const use = getString(raw, 'use');
    const command = getStrings(raw, 'command');
    if (use !== undefined && command !== undefined) {
      diagnostics.push(error(`agent '${id}' has both 'use' and 'command': give one`, loc(raw, 'command', at, 'key')));
    } else if (use === undefined && command === undefined) {
      diagnostics.push(error(`agent '${id}' needs 'use' (one of ${ADAPTERS.join(', ')}) or 'command' (an argv list)`, at));
    }
    const timeoutMs = durationOf(raw, 'timeout', at, diagnostics);
    const idleTimeoutMs = durationOf(raw, 'idleTimeout', at, diagnostics);
    const bin = getString(raw, 'bin');
    if (bin !== undefined && use === undefined)
      diagnostics.push(error(`agent '${id}': 'bin' goes with 'use' (a command agent names its program in 'command')`, loc(raw, 'bin', at, 'key')));
    const agent: Agent = {
      id,
      loc: at,
      ...(use !== undefined && (ADAPTERS as readonly string[]).includes(use) ? { use: use as AdapterName } : {}),
      ...(command !== undefined ? { command } : {}),
      roles: getStrings(raw, 'roles') ?? [],
      concurrency: getNumber(raw, 'concurrency') ?? 1,
      ...(bin !== undefined ? { bin } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(idleTimeoutMs !== undefined ? { idleTimeoutMs } : {}),
      env: getStringMap(raw, 'env'),
      ...optionalString(raw, 'model'),
      ...optionalString(raw, 'permissionMode'),
      ...(getStrings(raw, 'allowedTools') ? { allowedTools: getStrings(raw, 'allowedTools') } : {}),
      args: getStrings(raw, 'args') ?? [],
    };
    byId.set(id, agent);
    agents.push(agent);
  }
  return { team: { file, agents }, diagnostics };
}

function optionalString(raw: PlainObject, key: 'model' | 'permissionMode'): Partial<Record<typeof key, string>> {
  const v = getString(raw, key);
  return v === undefined ? {} : { [key]: v };
}

/** A duration key (`timeout: 5m`) in milliseconds; a text that is no duration is a diagnostic at the value. */
export function durationOf(obj: PlainObject, key: string, fallback: Loc, diagnostics: Diagnostic[]): number | undefined {
  const text = getString(obj, key);
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) diagnostics.push(durationError(text, loc(obj, key, fallback)));
  return ms;
}

export function durationError(text: string, at: Loc): Diagnostic {
  return error(`'${text}' is not a duration: write a number and a unit, such as 90s, 5m, 1h or 1h30m`, at);
}
