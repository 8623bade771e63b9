import type { Diagnostic, Loc } from './diagnostic.js';
import { error } from './diagnostic.js';
import type { Gate, Phase, Task } from './types.js';

/**
 * Reads the plan format people already write (SPEC.md):
 *
 *   ## Implementation Phases
 *   ### Phase 1: Proto Definitions & Setup
 *   - bullets: what to do
 *   Modules: proto, backend
 *   Test Command: ./proto/generate.sh
 *   Success Criteria:
 *   - proto/*.proto files exist
 *   Gotchas: …
 *
 * Each phase becomes phase `phase-N`; each module a task for the
 * `implementer` role scoped to `<module>/**`; the test command that phase's
 * gate `phase-N-test`. Pure: text in, phases, gates and diagnostics out.
 */
export interface SpecResult {
  readonly phases: Phase[];
  readonly gates: Gate[];
  readonly diagnostics: Diagnostic[];
}

export const SPEC_ROLE = 'implementer';

interface Draft {
  number: number;
  title: string;
  loc: Loc;
  bullets: string[];
  criteria: string[];
  gotchas: string[];
  modules?: { names: string[]; loc: Loc };
  test?: { command: string; loc: Loc };
}

const LABEL = /^(?:[*_]{2})?(modules|test command|success criteria|gotchas)(?:[*_]{2})?\s*:\s*(?:[*_]{2})?\s*(.*)$/i;
const BULLET = /^(?:[-*+]|\d+[.)])\s+(.*)$/;
const MODULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_./-]*$/;

export function parseSpec(file: string, text: string): SpecResult {
  const diagnostics: Diagnostic[] = [];
  const drafts: Draft[] = [];
  let inSection = false;
  let sectionLoc: Loc | undefined;
  let phase: Draft | undefined;
  let list: 'bullets' | 'criteria' | 'gotchas' = 'bullets';
  let offset = 0;
  let fence = false;

  for (const rawLine of text.split('\n')) {
    const lineStart = offset;
    offset += rawLine.length + 1;
    const line = rawLine.replace(/\r$/, '');
    const trimmed = line.trim();
    const locOf = (from = 0, to = line.length): Loc => ({ file, start: lineStart + from, end: lineStart + Math.max(to, from + 1) });
    if (trimmed.startsWith('```')) fence = !fence;
    if (fence) continue;

    if (/^##\s/.test(line)) {
      const isPhases = /^##\s+implementation\s+phases\s*$/i.test(trimmed);
      if (isPhases) sectionLoc ??= locOf();
      inSection = isPhases;
      phase = undefined;
      continue;
    }
    if (!inSection) continue;
    if (/^###\s/.test(line)) {
      const m = /^###\s+phase\s+(\d+)\s*[:.\u2013\u2014-]\s*(\S.*?)\s*$/i.exec(trimmed);
      if (!m) {
        diagnostics.push(error(`expected a phase heading like '### Phase 2: Title'`, locOf()));
        phase = undefined;
        continue;
      }
      phase = { number: Number(m[1]), title: m[2] as string, loc: locOf(), bullets: [], criteria: [], gotchas: [] };
      list = 'bullets';
      const same = drafts.find((d) => d.number === phase?.number);
      if (same) diagnostics.push(error(`phase ${phase.number} is declared twice`, phase.loc));
      else drafts.push(phase);
      continue;
    }
    if (!phase) continue;

    const label = LABEL.exec(trimmed);
    if (label) {
      const name = (label[1] as string).toLowerCase();
      const rest = (label[2] as string).replace(/[*_]{2}$/, '').trim();
      const valueStart = line.indexOf(rest.charAt(0) || ':', line.indexOf(':'));
      if (name === 'modules') {
        const names = rest
          .split(',')
          .map((s) => s.trim().replace(/^`|`$/g, '').replace(/\/+$/, ''))
          .filter(Boolean);
        if (names.length === 0) diagnostics.push(error("'Modules:' lists no modules: name the folders this phase builds, separated by commas", locOf()));
        for (const n of names)
          if (!MODULE_NAME.test(n))
            diagnostics.push(error(`'${n}' is not a module name: use a folder path such as backend or services/api`, locOf(valueStart)));
        phase.modules = { names: names.filter((n) => MODULE_NAME.test(n)), loc: locOf(valueStart) };
      } else if (name === 'test command') {
        const command = rest.replace(/^`+|`+$/g, '').trim();
        if (command === '') diagnostics.push(error("'Test Command:' is empty: give the command that proves this phase works", locOf()));
        else phase.test = { command, loc: locOf(valueStart) };
      } else {
        list = name === 'success criteria' ? 'criteria' : 'gotchas';
        if (rest) phase[list].push(rest);
      }
      continue;
    }
    const bullet = BULLET.exec(trimmed);
    if (bullet) phase[list].push((bullet[1] as string).trim());
  }

  const start: Loc = { file, start: 0, end: Math.min(1, text.length) };
  if (!sectionLoc) diagnostics.push(error("no '## Implementation Phases' section: orchestra reads phases from it", start));
  else if (drafts.length === 0 && diagnostics.length === 0)
    diagnostics.push(error("the '## Implementation Phases' section has no '### Phase N: Title' headings", sectionLoc));

  const phases: Phase[] = [];
  const gates: Gate[] = [];
  for (const d of drafts) {
    const id = `phase-${d.number}`;
    if (!d.modules) {
      diagnostics.push(error(`phase ${d.number} has no 'Modules:' line: each module becomes a task`, d.loc));
      continue;
    }
    const gateName = `${id}-test`;
    if (d.test) gates.push(specGate(gateName, d.test.command, d.test.loc));
    const tasks: Task[] = d.modules.names.map((module) => ({
      // A module is a folder path (app/api); a task id is one ref component and one file name (app-api).
      id: `${id}.${module.replace(/[^A-Za-z0-9_-]+/g, '-')}`,
      loc: d.modules?.loc ?? d.loc,
      phase: id,
      agent: { id: SPEC_ROLE, loc: d.modules?.loc ?? d.loc },
      prompt: specPrompt(d, module),
      scope: { touch: [`${module}/**`], forbid: [] },
    }));
    phases.push({
      id,
      loc: d.loc,
      description: d.title,
      tasks,
      gates: d.test ? [{ id: gateName, loc: d.test.loc }] : [],
      selfCheck: 'offered',
      origin: 'spec',
    });
  }
  return { phases, gates, diagnostics };
}

function specGate(name: string, command: string, loc: Loc): Gate {
  return { name, loc, run: { shell: command }, files: [], exclude: [], needs: [], retries: 0, env: {}, enabled: true, options: {} };
}

function specPrompt(d: Draft, module: string): string {
  const parts = [`Phase ${d.number}: ${d.title}. Your part is the module '${module}': work only inside ${module}/.`];
  if (d.bullets.length) parts.push(`What to do:\n${d.bullets.map((b) => `- ${b}`).join('\n')}`);
  if (d.criteria.length) parts.push(`Success criteria:\n${d.criteria.map((b) => `- ${b}`).join('\n')}`);
  if (d.gotchas.length) parts.push(`Gotchas:\n${d.gotchas.map((b) => `- ${b}`).join('\n')}`);
  if (d.test) parts.push(`The phase is done when this command passes: ${d.test.command}`);
  return parts.join('\n\n');
}
