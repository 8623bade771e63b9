import type { Diagnostic, Loc } from '../config/diagnostic.js';
import { error } from '../config/diagnostic.js';
import { isPlainObject, locAtPointer } from '../config/located.js';
import { parseJson } from '../config/parse-yaml.js';
import { checkSchema } from '../config/schema-check.js';
import { SourceText, type SourceStore } from '../config/source-text.js';

/**
 * A planner's answer as a value, or why not. The answer is untrusted text:
 * prose, a cut-off or broken JSON, a value of the wrong shape, a path out of
 * the repository are each a diagnostic located in the answer (its own file
 * name in `sources`), never a throw. Plain JSON, or JSON in one ``` fence.
 */
export const ANSWER_LIMIT = 512 * 1024;

export interface PlanAnswer {
  readonly analysis: { readonly taskType: string; readonly coordination: readonly string[]; readonly strategy: string };
  readonly gates?: Readonly<Record<string, Record<string, unknown>>>;
  readonly phases: readonly AnswerPhase[];
}

export interface AnswerPhase {
  readonly id: string;
  readonly description?: string;
  readonly needs?: readonly string[];
  readonly tasks: readonly AnswerTask[];
  readonly gates?: readonly string[];
  readonly fix?: { readonly agent: string; readonly attempts?: number };
}

export interface AnswerTask {
  readonly id: string;
  readonly agent: string;
  readonly prompt: string;
  readonly scope: { readonly touch: readonly string[]; readonly forbid?: readonly string[]; readonly shared?: readonly string[] };
}

export type ReadAnswer = { readonly ok: true; readonly value: PlanAnswer } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** The JSON text inside the answer: the whole answer, or one fenced block. Undefined when there is none. */
export function jsonPart(text: string): { json: string; offset: number } | undefined {
  const trimmedStart = text.length - text.trimStart().length;
  const body = text.trim();
  if (body.startsWith('{')) return { json: body, offset: trimmedStart };
  const fence = /^```[a-zA-Z]*\n([\s\S]*?)\n```$/.exec(body);
  if (fence && fence[1] !== undefined) return { json: fence[1], offset: trimmedStart + body.indexOf('\n') + 1 };
  return undefined;
}

export function readAnswer(text: string, file: string, sources: SourceStore): ReadAnswer {
  sources.set(file, new SourceText(file, text));
  const whole: Loc = { file, start: 0, end: Math.min(text.length, 1) };
  if (text.length > ANSWER_LIMIT)
    return { ok: false, diagnostics: [error(`the answer is ${text.length} characters long; a plan fits in ${ANSWER_LIMIT}`, whole)] };
  const part = jsonPart(text);
  if (!part) {
    const start = text.trim().slice(0, 80).replace(/\s+/g, ' ');
    return {
      ok: false,
      diagnostics: [
        error(`the answer is not a JSON object: it begins '${start}'`, whole, 'answer with one JSON object and nothing else: no prose before or after it'),
      ],
    };
  }
  // Parsed in a file of its own, so that positions point into the JSON; then shifted back into the answer.
  const jsonFile = `${file}#json`;
  const parsed = parseJson(jsonFile, part.json);
  const shift = (ds: readonly Diagnostic[]): Diagnostic[] =>
    ds.map((d) => (d.loc ? { ...d, loc: { file, start: d.loc.start + part.offset, end: d.loc.end + part.offset } } : d));
  if (parsed.value === undefined || parsed.diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics: shift(parsed.diagnostics) };
  const problems = [...checkSchema('plan', parsed.value, jsonFile)];
  if (problems.length === 0) problems.push(...outsideRepo(parsed.value, jsonFile));
  if (problems.length) return { ok: false, diagnostics: shift(problems) };
  return { ok: true, value: parsed.value as PlanAnswer };
}

/** Why a scope glob leaves the repository, or undefined: absolute, home-relative, or climbing with `..`. */
export function leavesRepo(glob: string): string | undefined {
  if (glob.startsWith('/') || /^[A-Za-z]:[\\/]/.test(glob)) return 'an absolute path';
  if (glob.startsWith('~')) return 'a path in a home folder';
  if (glob.split(/[\\/]/).includes('..')) return "a path that climbs out with '..'";
  return undefined;
}

function outsideRepo(value: unknown, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!isPlainObject(value) || !Array.isArray(value['phases'])) return out;
  value['phases'].forEach((phase: unknown, p: number) => {
    if (!isPlainObject(phase) || !Array.isArray(phase['tasks'])) return;
    phase['tasks'].forEach((task: unknown, t: number) => {
      if (!isPlainObject(task) || !isPlainObject(task['scope'])) return;
      for (const kind of ['touch', 'forbid', 'shared']) {
        const globs = task['scope'][kind];
        if (!Array.isArray(globs)) continue;
        globs.forEach((g: unknown, i: number) => {
          const why = typeof g === 'string' ? leavesRepo(g) : undefined;
          if (why === undefined) return;
          const at = locAtPointer(value, `/phases/${p}/tasks/${t}/scope/${kind}/${i}`) ?? { file, start: 0, end: 0 };
          out.push(error(`phases[${p}].tasks[${t}].scope.${kind}[${i}]: '${String(g)}' is ${why}: scopes are globs inside the repository, from its root`, at));
        });
      }
    });
  });
  return out;
}
