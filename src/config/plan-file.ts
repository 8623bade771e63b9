import { existsSync } from 'node:fs';
import type { Diagnostic } from './diagnostic.js';
import { error, withRelated } from './diagnostic.js';
import { copyKeyLoc, isPlainObject, locOf, setOwn, type PlainObject } from './located.js';
import { parseFile } from './parse.js';
import type { ParseCache } from './parse-cache.js';
import { checkSchema } from './schema-check.js';
import type { SourceStore } from './source-text.js';
import { readUserFile } from './user-file.js';
import { pushAll } from '../util/push-all.js';

/** The keys a plan file may hold: it adds work and the gates that check it, nothing else. */
export const PLAN_KEYS = ['$schema', 'phases', 'gates'] as const;

/** The plan file's text when it is not (yet) on disk: a planner's answer being validated. */
export interface PlanText {
  readonly file: string;
  readonly text: string;
}

/**
 * Reads the file that `plan:` names (orchestra.plan.yaml) as one more layer
 * over the config: schema-checked as a config, limited to `phases` and
 * `gates`, and never allowed to change what the config already declares (a
 * planner is an agent: it may add a gate, not loosen one). Returns the layer
 * to merge on top, empty when it cannot be read.
 */
export async function loadPlanLayer(
  below: PlainObject,
  override: PlanText | undefined,
  sources: SourceStore,
  diagnostics: Diagnostic[],
  cache: ParseCache,
): Promise<PlainObject> {
  const named = below['plan'];
  const file = override?.file ?? (typeof named === 'string' ? named : undefined);
  if (file === undefined) return {};
  let text = override?.text;
  if (text === undefined) {
    if (!existsSync(file)) {
      diagnostics.push(error(`plan file not found: ${file}`, locOf(below, 'plan'), "write it with 'orchestra plan --request \"…\"', or remove 'plan:'"));
      return {};
    }
    // A folder, a FIFO or a file over the size limit is a diagnostic at `plan:`, as for every file a config names.
    const read = readUserFile(file, 'plan', locOf(below, 'plan'), sources);
    if ('problem' in read) {
      diagnostics.push(read.problem);
      return {};
    }
    text = read.text;
  }
  const parsed = await parseFile(file, text, sources, cache);
  pushAll(diagnostics, parsed.diagnostics);
  if (parsed.value === undefined || parsed.value === null) return {};
  pushAll(diagnostics, checkSchema('config', parsed.value, file));
  if (!isPlainObject(parsed.value)) return {};
  const value = parsed.value;
  const layer: PlainObject = {};
  for (const key of Object.keys(value)) {
    if ((PLAN_KEYS as readonly string[]).includes(key)) continue;
    diagnostics.push(error(`a plan file holds only 'phases' and 'gates'; '${key}' belongs in the config`, locOf(value, key, 'key')));
  }
  const gates = value['gates'];
  const gatesBelow = below['gates'];
  if (isPlainObject(gates)) {
    for (const name of Object.keys(gates)) {
      if (isPlainObject(gatesBelow) && name in gatesBelow)
        diagnostics.push(
          withRelated(error(`gate '${name}' is declared by the config already: a plan may add gates, not change them`, locOf(gates, name, 'key')), {
            loc: locOf(gatesBelow, name, 'key') ?? locOf(below) ?? { file, start: 0, end: 0 },
            message: `'${name}' is declared here`,
          }),
        );
    }
  }
  const phases = value['phases'];
  const phasesBelow = below['phases'];
  if (Array.isArray(phases) && Array.isArray(phasesBelow)) {
    const taken = new Set(phasesBelow.map((p) => (isPlainObject(p) ? p['id'] : undefined)).filter((id) => typeof id === 'string'));
    phases.forEach((p) => {
      if (isPlainObject(p) && typeof p['id'] === 'string' && taken.has(p['id']))
        diagnostics.push(error(`phase '${p['id']}' is declared by the config already: a plan adds phases with ids of their own`, locOf(p, 'id')));
    });
  }
  for (const key of ['phases', 'gates']) {
    if (!(key in value)) continue;
    setOwn(layer, key, value[key]);
    copyKeyLoc(layer, key, value, key);
  }
  return layer;
}
