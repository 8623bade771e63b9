import type { SetupPlan } from '../run/setup-plan.js';
import type { PlanModel } from '../graph/plan.js';
import type { Style } from './style.js';

const short = (id: string): string => id.replace(/^(task|gate|fix|checkpoint):/, (_m, k: string) => (k === 'task' ? '' : `${k} `));

function agentText(t: { agent: string | null; role: string | null }): string {
  if (t.agent === null) return t.role ? `(no agent has role ${t.role})` : '(no agent)';
  return t.role ? `${t.agent} (role ${t.role})` : t.agent;
}

/** The plan for a person at a terminal. */
export function formatPlanText(plan: PlanModel, configName: string, style: Style): string {
  const s = plan.summary;
  const out: string[] = [];
  out.push(
    `${style.bold('Plan')} for ${configName}: ${count(s.phases, 'phase')}, ${count(s.tasks, 'task')}, ${count(s.gates, 'gate')}, ${count(s.agents, 'agent')} → ${count(s.nodes, 'node')}, ${count(s.edges, 'edge')}`,
    '',
  );
  if (plan.phases.length > 0) {
    out.push(style.bold('Phases'));
    for (const p of plan.phases) {
      const after = p.after.length ? `after ${p.after.join(', ')}` : 'needs nothing';
      out.push(`  ${style.cyan(p.id)}${p.description ? ` — ${p.description}` : ''}  ${style.dim(`(${after}${p.origin === 'spec' ? ', from the spec' : ''})`)}`);
      const width = Math.max(0, ...p.tasks.map((t) => t.id.length));
      for (const t of p.tasks) {
        const waits = t.waitsFor.length ? style.yellow(`  waits for ${t.waitsFor.join(', ')} (scope)`) : '';
        out.push(
          `    ${t.id.padEnd(width)}  → ${agentText(t)}  ${style.dim(`touch ${t.touch.join(' ')}${t.shared.length ? `  shared ${t.shared.join(' ')}` : ''}`)}${waits}`,
        );
      }
      const fix = p.fix ? ` · fix: ${p.fix.assignedTo ?? p.fix.agent} ×${p.fix.attempts}` : '';
      out.push(`    ${style.dim(`gates: ${p.gates.length ? p.gates.join(', ') : 'none'}${fix}`)}`);
    }
    out.push('');
  }
  out.push(style.bold('Waves') + style.dim(' (what can run together)'));
  plan.waves.forEach((wave, i) => out.push(`  ${String(i + 1).padStart(3)}  ${wave.map(short).join(', ')}`));
  out.push('');
  if (plan.scopeDecisions.length > 0) {
    out.push(style.bold('Scope decisions'));
    for (const d of plan.scopeDecisions) {
      out.push(`  ${short(d.later)} waits for ${short(d.earlier)}: ${d.patterns[0]} and ${d.patterns[1]} may touch the same files`);
    }
    out.push('');
  }
  out.push(`${style.bold('Critical path')}: ${plan.criticalPath.length} steps: ${plan.criticalPath.map(short).join(' → ')}`);
  return `${out.join('\n')}\n`;
}

export const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The plan as the markdown report written by `plan --write`. */
/** What each new worktree gets before its agent or gates (`worktree:` and what was detected). */
export function formatSetupText(setup: SetupPlan, style: Style): string {
  const out = [style.bold('Worktrees') + style.dim(' (what each new one gets before its agent or gates)')];
  const cmd = (c: SetupPlan['setup'][number]) => ('shell' in c.command ? c.command.shell : c.command.argv.join(' '));
  if (setup.copy.length) out.push(`  copy   ${setup.copy.join(', ')}`);
  if (setup.link.length) out.push(`  link   ${setup.link.join(', ')}`);
  for (const s of setup.setup) out.push(`  setup  ${cmd(s)}  ${style.dim(`(${s.why}; limit ${Math.round(setup.timeoutMs / 60_000)}m)`)}`);
  if (setup.reuse) out.push(`  reuse  ${setup.reuse.dir} from your tree while ${setup.reuse.lockfile} is unchanged`);
  if (out.length === 1) out.push(`  nothing ${style.dim('(no worktree: section, and no lockfile found)')}`);
  for (const d of setup.detected) out.push(`  ${style.dim(`detected: ${d}`)}`);
  return `${out.join('\n')}\n`;
}

export function formatPlanMarkdown(plan: PlanModel, configName: string, validation: readonly string[], when: Date): string {
  const s = plan.summary;
  const out = [
    `# Plan: ${configName}`,
    '',
    `Written ${when.toISOString()} by \`orchestra plan --write\`. Nothing has run: this is what the config compiles to.`,
    '',
    '## Validation',
    '',
    validation.length ? validation.map((v) => `- ${v}`).join('\n') : '- valid, no warnings',
    '',
    `${count(s.phases, 'phase')}, ${count(s.tasks, 'task')}, ${count(s.gates, 'gate')}, ${count(s.agents, 'agent')}; ${count(s.nodes, 'node')} and ${count(s.edges, 'edge')} in the graph.`,
    '',
    '## Waves',
    '',
    '| Wave | Nodes |',
    '| ---: | --- |',
    ...plan.waves.map((w, i) => `| ${i + 1} | ${cell(w.map(short).join(', '))} |`),
    '',
    '## Tasks and scopes',
    '',
    '| Phase | Task | Agent | Touch | Forbid | Waits for |',
    '| --- | --- | --- | --- | --- | --- |',
    ...plan.phases.flatMap((p) =>
      p.tasks.map(
        (t) =>
          `| ${cell(p.id)} | ${cell(t.id)} | ${cell(agentText(t))} | ${cell(t.touch.join(', '))} | ${cell(t.forbid.join(', ') || '-')} | ${cell(t.waitsFor.join(', ') || '-')} |`,
      ),
    ),
    '',
    '## Scope decisions',
    '',
    ...(plan.scopeDecisions.length
      ? plan.scopeDecisions.map(
          (d) => `- ${short(d.later)} waits for ${short(d.earlier)}: \`${d.patterns[0]}\` and \`${d.patterns[1]}\` may touch the same files`,
        )
      : ['None: no two tasks that could run together share files.']),
    '',
    '## Critical path',
    '',
    `${plan.criticalPath.length} steps: ${plan.criticalPath.map(short).join(' → ')}`,
    '',
  ];
  return out.join('\n');
}
