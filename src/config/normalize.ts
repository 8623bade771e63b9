import path from 'node:path';
import type { Diagnostic, Loc } from './diagnostic.js';
import { error, withRelated } from './diagnostic.js';
import { isPlainObject, locOf, type PlainObject } from './located.js';
import { getBoolean, getNumber, getObject, getObjects, getRef, getRefs, getString, getStringMap, getStrings, loc } from './read.js';
import { didYouMean } from './suggest.js';
import { BUILTIN_RULES } from '../rules/registry.js';
import { optionProblems } from '../rules/types.js';
import { durationOf } from './team.js';
import { alertsOf, budgetOf, mergeOf, sandboxOf, worktreeOf } from './run-settings.js';
import { dropDisabledGates } from './hook-gates.js';
import { HOOK_NAMES, type Command, type Config, type Gate, type Phase, type Ref, type Rule, type SelfCheck, type Task, type Team } from './types.js';

export interface NormalizeInput {
  readonly raw: PlainObject;
  readonly file: string;
  readonly files: readonly string[];
  readonly team?: Team;
  /** Where the team file was expected, for the message when tasks need one. */
  readonly teamFile: string;
  /** Phases and their test gates read from a SPEC.md, added after the config's own. */
  readonly spec?: { readonly phases: readonly Phase[]; readonly gates: readonly Gate[] };
}

/**
 * Turns the merged, schema-checked layers into a `Config` and checks what a
 * schema cannot: references, unique ids, durations, regular expressions.
 * Every problem is collected; none stops the others from being found.
 */
export function normalizeConfig(input: NormalizeInput): { config: Config; diagnostics: Diagnostic[] } {
  const { raw, file, team } = input;
  const diagnostics: Diagnostic[] = [];
  const fileLoc: Loc = locOf(raw) ?? { file, start: 0, end: 0 };

  const rules = readRules(raw, fileLoc, diagnostics);
  const gates = readGates(raw, fileLoc, diagnostics);
  for (const g of input.spec?.gates ?? []) {
    const taken = gates.get(g.name);
    if (taken)
      diagnostics.push(
        withRelated(error(`the spec's test gate '${g.name}' has the name of a gate in the config`, g.loc), { loc: taken.loc, message: 'that gate is here' }),
      );
    else gates.set(g.name, g);
  }
  const phases = [...readPhases(raw, fileLoc, diagnostics), ...(input.spec?.phases ?? [])];
  const hooks: Partial<Record<(typeof HOOK_NAMES)[number], Ref[]>> = {};
  const rawHooks = getObject(raw, 'hooks');
  if (rawHooks)
    for (const hook of HOOK_NAMES) {
      const refs = getRefs(rawHooks, hook, fileLoc);
      if (refs) hooks[hook] = refs;
    }

  const { notes } = dropDisabledGates(gates, hooks);

  // References.
  const gateNames = new Set(gates.keys());
  const check = (ref: Ref, known: ReadonlySet<string> | readonly string[], what: string, extra?: string): void => {
    const has = Array.isArray(known) ? known.includes(ref.id) : (known as ReadonlySet<string>).has(ref.id);
    if (!has) diagnostics.push(error(`unknown ${what} '${ref.id}'${extra ?? ''}`, ref.loc, didYouMean(ref.id, known)));
  };
  for (const gate of gates.values()) {
    for (const need of gate.needs) check(need, gateNames, 'gate');
    if (gate.rule) {
      const builtin = BUILTIN_RULES.get(gate.rule.id);
      check(gate.rule, [...rules.keys(), ...BUILTIN_RULES.keys()], 'rule', ": not a builtin rule (see 'orchestra rules') nor one declared under 'rules:'");
      if (builtin)
        for (const p of optionProblems(builtin, gate.options)) diagnostics.push(error(p.message, locOf(gate.options, p.key, 'key') ?? gate.rule.loc));
    }
  }
  const phaseIds = phases.map((p) => p.id);
  for (const phase of phases) {
    for (const need of phase.needs ?? []) check(need, phaseIds, 'phase');
    for (const gate of phase.gates) check(gate, gateNames, 'gate');
  }
  for (const refs of Object.values(hooks)) for (const ref of refs) check(ref, gateNames, 'gate');
  checkAgents(phases, team, input.teamFile, diagnostics);

  const concurrency = getNumber(raw, 'concurrency');
  const budget = budgetOf(raw);
  const config: Config = {
    file,
    root: path.dirname(file),
    files: input.files,
    ...(concurrency !== undefined ? { concurrency } : {}),
    gates,
    rules,
    phases,
    hooks,
    ...(team ? { team } : {}),
    ...(budget ? { budget } : {}),
    sandbox: sandboxOf(raw, path.dirname(file), fileLoc),
    worktree: worktreeOf(raw, fileLoc, diagnostics),
    merge: mergeOf(raw),
    alerts: alertsOf(raw, fileLoc, diagnostics),
    ...(notes.length ? { notes } : {}),
  };
  return { config, diagnostics };
}

function timeoutOf(obj: PlainObject, fallback: Loc, diagnostics: Diagnostic[]): number | undefined {
  return durationOf(obj, 'timeout', fallback, diagnostics);
}

function severityOf(obj: PlainObject): 'error' | 'warning' {
  return getString(obj, 'severity') === 'warning' ? 'warning' : 'error';
}

function readRules(raw: PlainObject, fileLoc: Loc, diagnostics: Diagnostic[]): Map<string, Rule> {
  const rules = new Map<string, Rule>();
  const section = getObject(raw, 'rules');
  if (!section) return rules;
  for (const [id, value] of Object.entries(section)) {
    if (!isPlainObject(value)) continue;
    const at = loc(section, id, fileLoc, 'key');
    const pattern = getString(value, 'pattern');
    const message = getString(value, 'message');
    if (pattern === undefined || message === undefined) continue; // the schema reported it
    const flags = getString(value, 'flags') ?? '';
    try {
      new RegExp(pattern, flags);
    } catch (e) {
      diagnostics.push(error(`rules.${id}.pattern is not a valid regular expression: ${(e as Error).message}`, loc(value, 'pattern', at)));
    }
    const description = getString(value, 'description');
    const fix = getString(value, 'fix');
    rules.set(id, {
      id,
      loc: at,
      pattern,
      flags,
      message,
      files: getStrings(value, 'files') ?? ['**/*'],
      exclude: getStrings(value, 'exclude') ?? [],
      severity: severityOf(value),
      ...(description !== undefined ? { description } : {}),
      ...(fix !== undefined ? { fix } : {}),
    });
  }
  return rules;
}

function readGates(raw: PlainObject, fileLoc: Loc, diagnostics: Diagnostic[]): Map<string, Gate> {
  const gates = new Map<string, Gate>();
  const section = getObject(raw, 'gates');
  if (!section) return gates;
  for (const [name, value] of Object.entries(section)) {
    const at = loc(section, name, fileLoc, 'key');
    if (!isPlainObject(value)) continue;
    let run: Command | undefined;
    const rawRun = value['run'];
    if (typeof rawRun === 'string') run = { shell: rawRun };
    else if (Array.isArray(rawRun) && rawRun.every((s) => typeof s === 'string')) run = { argv: rawRun as string[] };
    const rule = getRef(value, 'rule', at);
    if (run === undefined && rule === undefined && !('run' in value)) {
      diagnostics.push(error(`gate '${name}' needs 'run' (a command) or 'rule' (a rule id)`, at));
    } else if ('run' in value && 'rule' in value) {
      diagnostics.push(error(`gate '${name}' has both 'run' and 'rule': a gate is a command or a rule, not both`, loc(value, 'rule', at, 'key')));
    }
    const gate: { -readonly [K in keyof Gate]: Gate[K] } = {
      name,
      loc: at,
      files: getStrings(value, 'files') ?? [],
      exclude: getStrings(value, 'exclude') ?? [],
      needs: getRefs(value, 'needs', at) ?? [],
      retries: getNumber(value, 'retries') ?? 0,
      env: getStringMap(value, 'env'),
      enabled: getBoolean(value, 'enabled') ?? true,
      options: getObject(value, 'options') ?? {},
    };
    // Optional keys set only when given, one by one: spreading `...(x ? { x } : {})` for each made five objects per gate (100,000 gates).
    const description = getString(value, 'description');
    if (description !== undefined) gate.description = description;
    if (run) gate.run = run;
    if (rule) gate.rule = rule;
    const inputs = getStrings(value, 'inputs');
    if (inputs) gate.inputs = inputs;
    const timeoutMs = timeoutOf(value, at, diagnostics);
    if (timeoutMs !== undefined) gate.timeoutMs = timeoutMs;
    const cwd = getString(value, 'cwd');
    if (cwd !== undefined) gate.cwd = cwd;
    if (getString(value, 'severity') !== undefined) gate.severity = severityOf(value);
    gates.set(name, gate);
  }
  return gates;
}

function readPhases(raw: PlainObject, fileLoc: Loc, diagnostics: Diagnostic[]): Phase[] {
  const phases: Phase[] = [];
  const phaseAt = new Map<string, Loc>();
  const taskAt = new Map<string, Loc>();
  for (const value of getObjects(raw, 'phases')) {
    const id = getString(value, 'id');
    if (id === undefined) continue;
    const at = loc(value, 'id', fileLoc);
    const first = phaseAt.get(id);
    if (first) {
      diagnostics.push(withRelated(error(`duplicate phase id '${id}'`, at), { loc: first, message: `phase '${id}' is first defined here` }));
      continue;
    }
    phaseAt.set(id, at);
    const tasks: Task[] = [];
    for (const t of getObjects(value, 'tasks')) {
      const task = readTask(t, id, at, diagnostics);
      if (!task) continue;
      const firstTask = taskAt.get(task.id);
      if (firstTask) {
        diagnostics.push(
          withRelated(error(`duplicate task id '${task.id}': task ids must be unique across all phases`, task.loc), {
            loc: firstTask,
            message: `task '${task.id}' is first defined here`,
          }),
        );
        continue;
      }
      taskAt.set(task.id, task.loc);
      tasks.push(task);
    }
    const fixRaw = getObject(value, 'fix');
    const fixAgent = fixRaw ? getRef(fixRaw, 'agent', at) : undefined;
    const description = getString(value, 'description');
    const needs = getRefs(value, 'needs', at);
    const budget = budgetOf(value);
    const reviewRaw = getObject(value, 'review');
    const reviewAgent = reviewRaw ? getRef(reviewRaw, 'agent', at) : undefined;
    phases.push({
      id,
      loc: at,
      ...(description !== undefined ? { description } : {}),
      ...(needs ? { needs } : {}),
      tasks,
      gates: getRefs(value, 'gates', at) ?? [],
      ...(fixRaw && fixAgent ? { fix: { agent: fixAgent, attempts: getNumber(fixRaw, 'attempts') ?? 2 } } : {}),
      ...(budget ? { budget } : {}),
      ...(reviewAgent ? { review: { agent: reviewAgent } } : {}),
      selfCheck: selfCheckOf(getString(value, 'self_check')),
      origin: 'config',
    });
  }
  return phases;
}

function readTask(t: PlainObject, phase: string, phaseLoc: Loc, diagnostics: Diagnostic[]): Task | undefined {
  const id = getString(t, 'id');
  const agent = getRef(t, 'agent', phaseLoc);
  const prompt = getString(t, 'prompt');
  if (id === undefined || agent === undefined || prompt === undefined) return undefined; // the schema reported it
  const at = loc(t, 'id', phaseLoc);
  const scope = getObject(t, 'scope') ?? {};
  const timeoutMs = timeoutOf(t, at, diagnostics);
  return {
    id,
    loc: at,
    phase,
    agent,
    prompt,
    scope: { touch: getStrings(scope, 'touch') ?? [], forbid: getStrings(scope, 'forbid') ?? [], shared: getStrings(scope, 'shared') ?? [] },
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
}

function checkAgents(phases: readonly Phase[], team: Team | undefined, teamFile: string, diagnostics: Diagnostic[]): void {
  const refs: Ref[] = [];
  for (const phase of phases) {
    for (const task of phase.tasks) refs.push(task.agent);
    if (phase.fix) refs.push(phase.fix.agent);
    if (phase.review) {
      refs.push(phase.review.agent);
      // Changes a reviewer asks for go to the fix agent: the default role when the phase names none.
      if (!phase.fix) refs.push({ id: 'fix-executor', loc: phase.review.agent.loc });
    }
  }
  if (refs.length === 0) return;
  if (!team) {
    const first = refs[0] as Ref;
    diagnostics.push(error(`'${first.id}' names an agent, but there is no team file at ${teamFile}: create it (orchestra init) or set 'team:'`, first.loc));
    return;
  }
  const names = new Set<string>();
  for (const agent of team.agents) {
    names.add(agent.id);
    for (const role of agent.roles) names.add(role);
  }
  for (const ref of refs) {
    if (!names.has(ref.id)) {
      diagnostics.push(
        error(`unknown agent or role '${ref.id}': the team (${teamFile}) has no agent with that id or role`, ref.loc, didYouMean(ref.id, names)),
      );
    }
  }
}

/** The schema allows only these three; anything else has been reported already. */
function selfCheckOf(v: string | undefined): SelfCheck {
  return v === 'required' || v === 'off' ? v : 'offered';
}
