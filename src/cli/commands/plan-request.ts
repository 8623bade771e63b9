import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { error, type Diagnostic } from '../../config/diagnostic.js';
import { PRESETS_DIR } from '../../config/layers.js';
import type { Config } from '../../config/types.js';
import { buildPlan } from '../../graph/plan.js';
import { onlyPhases } from '../../graph/select.js';
import { displayPath, formatDiagnostics } from '../../logger/diagnostic-printer.js';
import { formatPlanMarkdown, formatPlanText } from '../../logger/plan-text.js';
import { styleFor } from '../../logger/style.js';
import { analysisMarkdown, firstLine } from '../../planner/analysis-report.js';
import { agentAsker, pickPlanner, PLANNER_ROLE } from '../../planner/ask-agent.js';
import { checkAnswer } from '../../planner/check.js';
import { withPlanKey } from '../../planner/config-key.js';
import { gatherFacts, listRepoFiles } from '../../planner/facts.js';
import { planWithRepairs } from '../../planner/loop.js';
import { planPhasesClosure } from '../../planner/plan-phases.js';
import { writeFileAtomic } from '../../util/write-atomic.js';
import { Workspace } from '../../workspace/layout.js';
import { EXIT, type CommonOptions } from '../exit-codes.js';
import { loadOrReport } from './validate.js';
import { sandboxFor } from './sandbox-choice.js';
import { plain } from '../../logger/style.js';
import { writableFileProblem } from '../../util/path-kind.js';

export const DEFAULT_PLAN_FILE = 'orchestra.plan.yaml';
/** A request longer than this is a file pasted by mistake, not a request. */
const REQUEST_MAX = 64 * 1024;

export interface PlanRequestOptions extends CommonOptions {
  readonly request?: string;
  readonly requestFile?: string;
  /** `--write FILE`: the plan file (default orchestra.plan.yaml beside the config). */
  readonly write?: string;
  /** Repair rounds after the first answer (`--attempts`, default 2). */
  readonly attempts: number;
  readonly dryRun: boolean;
  readonly graceMs: number;
}

export type Planned =
  | { readonly ok: true; readonly phases: readonly string[]; readonly request: string; readonly planFile: string }
  | { readonly ok: false; readonly code: number };

const printDiagnostics = (ds: readonly Diagnostic[]): void => {
  if (ds.length) process.stderr.write(`${formatDiagnostics(ds, new Map(), process.cwd(), styleFor(process.stderr))}\n`);
};

/** The request from `--request` or `--request-file`, or the problem with the flags (exit 2). */
export function readRequest(opts: Pick<PlanRequestOptions, 'request' | 'requestFile' | 'cwd'>): { text: string } | { problem: Diagnostic } {
  if (opts.request !== undefined && opts.requestFile !== undefined) return { problem: error('--request and --request-file: give one of them, not both') };
  let text = opts.request;
  if (opts.requestFile !== undefined) {
    const file = path.resolve(opts.cwd, opts.requestFile);
    if (!existsSync(file) || !statSync(file).isFile()) return { problem: error(`--request-file: no such file: ${file}`) };
    if (statSync(file).size > REQUEST_MAX)
      return { problem: error(`--request-file: ${file} is larger than ${REQUEST_MAX / 1024} KB; a request is a few paragraphs`) };
    text = readFileSync(file, 'utf8');
  }
  if (text === undefined) return { problem: error('--request "…" or --request-file FILE: say what to plan') };
  if (text.trim() === '') return { problem: error(`${opts.requestFile !== undefined ? '--request-file' : '--request'}: the request is empty`) };
  if (text.length > REQUEST_MAX)
    return { problem: error(`--request: longer than ${REQUEST_MAX / 1024} KB; put the details in a file the planner can read, or SPEC.md`) };
  return { text };
}

/**
 * `plan --request`: facts → planner agent → check (as a config) → repair
 * rounds → the plan file, the config's `plan:` key, and the analysis and plan
 * reports. Shared with `run --request`, which runs what this writes.
 */
export async function planFromRequest(opts: PlanRequestOptions): Promise<Planned> {
  const out = process.stdout;
  const req = readRequest(opts);
  if ('problem' in req) {
    printDiagnostics([req.problem]);
    return { ok: false, code: EXIT.usage };
  }
  const { config } = await loadOrReport(opts);
  if (!config) return { ok: false, code: EXIT.usage };
  const planner = pickPlanner(config.team);
  if (!planner) {
    printDiagnostics([error(`no agent to plan with: the team has none (add one with the role '${PLANNER_ROLE}' to team.json)`)]);
    return { ok: false, code: EXIT.usage };
  }
  const planFile = path.resolve(opts.cwd, opts.write ?? path.join(path.relative(opts.cwd, config.root) || '.', DEFAULT_PLAN_FILE));
  if (path.relative(config.root, planFile).startsWith('..') || path.extname(planFile) !== '.yaml') {
    printDiagnostics([error(`--write ${opts.write ?? planFile}: the plan file is a .yaml file inside the repository (${config.root})`)]);
    return { ok: false, code: EXIT.usage };
  }
  // Checked before the planner is asked: a folder there would fail only at the final rename, after the whole session.
  const unwritable = writableFileProblem(planFile);
  if (unwritable !== undefined) {
    printDiagnostics([error(`--write ${opts.write ?? planFile}: ${unwritable}`)]);
    return { ok: false, code: EXIT.usage };
  }

  // The planner starts in the sandbox the run's agents would (exit 2 where the config requires one this machine lacks).
  const sandbox = await sandboxFor(config, printDiagnostics);
  if (sandbox === null) return { ok: false, code: EXIT.usage };

  const when = new Date();
  const stamp = when.toISOString().replace(/[:.]/g, '-');
  const reports = Workspace.of(config.root).ensure().reportsDir;
  const roundsDir = path.join(reports, `plan-${stamp}`);
  mkdirSync(roundsDir, { recursive: true });
  const presets = config.files.filter((f) => f.startsWith(PRESETS_DIR)).map((f) => path.basename(f, '.yaml'));
  const facts = gatherFacts(config, listRepoFiles(config.root), presets);
  const header = [
    `Planned by orchestra (planner: ${planner.id}) on ${when.toISOString()} for:`,
    ...requestLines(req.text),
    'Checked as a config (schema, references, scopes, cycles) before it was written.',
  ];
  process.stderr.write(`orchestra: asking ${planner.id} for a plan (at most ${opts.attempts + 1} ${opts.attempts ? 'rounds' : 'round'})\n`);

  const result = await planWithRepairs(req.text, facts, opts.attempts, {
    ask: async (prompt, round) => {
      const asked = await agentAsker(planner, { root: config.root, dir: roundsDir, graceMs: opts.graceMs, ...(sandbox ? { sandbox } : {}) })(prompt, round);
      if (asked.ok) writeFileSync(path.join(roundsDir, `round-${round}.answer.txt`), asked.text);
      return asked;
    },
    check: (answer, round) =>
      checkAnswer(answer, round, {
        cwd: config.root,
        configFile: config.file,
        planFile,
        answerFile: (n) => path.join(roundsDir, `round-${n}.answer.txt`),
        header,
      }),
    describe: (ds, sources) => {
      const text = formatDiagnostics(ds, sources, config.root, plain);
      process.stderr.write(`orchestra: the planner's answer is not valid yet; sent back:\n${text}\n`);
      return text;
    },
  });

  if (!result.ok) {
    const last = result.rounds.at(-1);
    process.stderr.write(`orchestra: error: ${result.message}\n`);
    if (last?.answer !== undefined) process.stderr.write(`its last answer (${path.relative(process.cwd(), roundsDir)}):\n${clip(last.answer, 2000)}\n`);
    if (last?.problems) process.stderr.write(`its problems:\n${last.problems}\n`);
    process.stderr.write('nothing was written.\n');
    return { ok: false, code: result.why === 'interrupted' ? EXIT.interrupted : EXIT.failed };
  }

  const { checked } = result;
  const phases = checked.answer.phases.map((p) => p.id);
  const selected = onlyPhases(checked.graph, planPhasesClosure(checked.config.phases, phases));
  const model = buildPlan(checked.config, selected);
  const shown = displayPath(planFile, process.cwd());
  out.write(formatPlanText(model, shown, styleFor(out)));
  for (const m of checked.moves)
    out.write(`orchestra moved ${m.phase}/${m.task} after ${m.after}, to a later wave: ${m.patterns[0]} overlaps ${m.patterns[1]}\n`);
  if (opts.dryRun) {
    out.write(`\n--dry-run: nothing written. The plan file would be ${shown}:\n\n${checked.yaml}`);
    return { ok: true, phases, request: req.text, planFile };
  }

  writeFileAtomic(planFile, checked.yaml);
  const keyed = linkFromConfig(config, planFile);
  const validation = [
    `valid after ${result.rounds.length} ${result.rounds.length === 1 ? 'round' : 'rounds'}`,
    ...checked.warnings.map((w) => `warning: ${w.message}`),
  ];
  const planReport = path.join(reports, `plan-${stamp}.md`);
  const analysisReport = path.join(reports, `analysis-${stamp}.md`);
  writeFileAtomic(analysisReport, analysisMarkdown(req.text, checked.answer, facts, result.rounds, checked.moves, when));
  writeFileAtomic(
    planReport,
    `# Request: ${firstLine(req.text)}\n\nPlan file: ${path.relative(config.root, planFile)}\n\n${formatPlanMarkdown(model, path.relative(config.root, planFile), validation, when)}`,
  );
  out.write(`wrote ${shown}${keyed}\nreports: ${displayPath(analysisReport, process.cwd())}, ${displayPath(planReport, process.cwd())}\n`);
  return { ok: true, phases, request: req.text, planFile };
}

export async function planRequestCommand(opts: PlanRequestOptions): Promise<number> {
  const planned = await planFromRequest(opts);
  return planned.ok ? EXIT.ok : planned.code;
}

/** Points the config at the plan file (its comments and layout kept); what it did, for the "wrote" line. */
function linkFromConfig(config: Config, planFile: string): string {
  const rel = `./${path.relative(path.dirname(config.file), planFile).split(path.sep).join('/')}`;
  const name = displayPath(config.file, process.cwd());
  if (!/\.ya?ml$/.test(config.file)) return `; add 'plan: ${rel}' to ${name} (only a YAML config is edited)`;
  const edited = withPlanKey(readFileSync(config.file, 'utf8'), rel);
  if ('unchanged' in edited) return '';
  if ('problem' in edited) return `; add 'plan: ${rel}' to ${name} (${edited.problem})`;
  writeFileAtomic(config.file, edited.text);
  return ` and set 'plan: ${rel}' in ${name}`;
}

function requestLines(text: string): string[] {
  const lines = text
    .trim()
    .split('\n')
    .slice(0, 5)
    .map((l) => `  ${l.slice(0, 200)}`);
  return text.trim().split('\n').length > 5 ? [...lines, '  …'] : lines;
}

function clip(text: string, n: number): string {
  return text.length <= n ? text : `${text.slice(0, n)}\n… (${text.length - n} more characters)`;
}
