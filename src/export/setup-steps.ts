import { readFileSync } from 'node:fs';
import { error, type Diagnostic } from '../config/diagnostic.js';
import { SourceText, type SourceStore } from '../config/source-text.js';

export type Step = Record<string, unknown>;

/**
 * `export --setup FILE`: steps of the repo's own that every job runs after
 * installing dependencies (a Python, a Go, a service): a YAML list of GitHub
 * steps, each with `uses` or `run`. The generated file is not to be edited,
 * so this is where such steps live.
 */
export async function readSetupSteps(file: string, sources: SourceStore): Promise<{ steps?: Step[]; diagnostics: Diagnostic[] }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { diagnostics: [error(`--setup ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)] };
  }
  sources.set(file, new SourceText(file, text));
  const { parseDocument, isMap, isSeq, isScalar } = await import('yaml');
  const doc = parseDocument(text);
  const at = (range: readonly number[] | null | undefined) => ({ file, start: range?.[0] ?? 0, end: range?.[1] ?? range?.[0] ?? 0 });
  const diagnostics: Diagnostic[] = doc.errors.map((e) => error(e.message.split('\n')[0] as string, at(e.pos)));
  if (diagnostics.length) return { diagnostics };
  const list = doc.contents;
  if (!isSeq(list)) return { diagnostics: [error('expected a list of steps (- uses: … or - run: …)', at(list?.range))] };
  for (const item of list.items) {
    const ok =
      isMap(item) &&
      item.items.some((p) => isScalar(p.key) && (p.key.value === 'uses' || p.key.value === 'run') && isScalar(p.value) && typeof p.value.value === 'string');
    if (!ok)
      diagnostics.push(error("expected a step with 'uses: owner/action@ref' or 'run: command'", at((item as { range?: readonly number[] } | null)?.range)));
  }
  return diagnostics.length ? { diagnostics } : { steps: list.toJSON() as Step[], diagnostics: [] };
}
