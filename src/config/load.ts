import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic, Loc } from './diagnostic.js';
import { directoryProblem, readableFileProblem } from '../util/path-kind.js';
import { readUserFile } from './user-file.js';
import { error, hasErrors, sortDiagnostics } from './diagnostic.js';
import { findConfigFile } from './find.js';
import { loadLayers } from './layers.js';
import { mergeLayers } from './merge.js';
import { loadPlanLayer, type PlanText } from './plan-file.js';
import { locOf } from './located.js';
import { normalizeConfig } from './normalize.js';
import { parseFile } from './parse.js';
import { Workspace } from '../workspace/layout.js';
import { noParseCache, openParseCache, type ParseCache } from './parse-cache.js';
import { orchestraVersion } from '../util/version.js';
import { checkSchema } from './schema-check.js';
import { SourceText, type SourceStore } from './source-text.js';
import { parseSpec, type SpecResult } from './spec.js';
import { normalizeTeam } from './team.js';
import type { Config, Team } from './types.js';
import { pushAll } from '../util/push-all.js';

export interface LoadOptions {
  /** Where the search starts (--cwd). */
  readonly cwd: string;
  /** An explicit config file (--config), relative to cwd. */
  readonly configPath?: string;
  /** Use and fill the parse cache in .orchestra/ beside the config (default true). */
  readonly cache?: boolean;
  /** Validate this text as the config's plan file (a planner's answer), instead of the file `plan:` names. */
  readonly plan?: PlanText;
}

export interface LoadOutcome {
  /** Present when there are no errors. */
  readonly config?: Config;
  /** Errors and warnings, sorted by file and position. */
  readonly diagnostics: readonly Diagnostic[];
  /** Every file read, for printing diagnostics with their source lines. */
  readonly sources: SourceStore;
}

/**
 * find → parse (with positions) → schema → extends/merge → team → semantics.
 * Collects every problem it can find before giving up; never throws for a
 * mistake in the user's files.
 */
export async function loadConfig(options: LoadOptions): Promise<LoadOutcome> {
  const sources: SourceStore = new Map();
  const diagnostics: Diagnostic[] = [];
  const done = (config?: Config): LoadOutcome => ({
    ...(config && !hasErrors(diagnostics) ? { config } : {}),
    diagnostics: sortDiagnostics(diagnostics),
    sources,
  });

  let file: string | undefined;
  if (options.configPath !== undefined) {
    file = path.resolve(options.cwd, options.configPath);
    const problem = readableFileProblem(file);
    if (problem !== undefined) {
      diagnostics.push(error(`--config: ${problem}`));
      return done();
    }
  } else {
    const problem = directoryProblem(options.cwd);
    if (problem !== undefined) {
      diagnostics.push(error(`--cwd: ${problem}`));
      return done();
    }
    file = findConfigFile(options.cwd);
    if (file === undefined) {
      diagnostics.push(
        error(
          `no orchestra config found in ${options.cwd} or any folder above it (looked for orchestra.config.yaml, .orchestrarc*, and an "orchestra" key in package.json)`,
          undefined,
          "run 'orchestra init' to create one",
        ),
      );
      return done();
    }
  }

  const cache = options.cache === false ? noParseCache : openParseCache(Workspace.of(path.dirname(file)), orchestraVersion());
  const layers = await loadLayers(file, sources, diagnostics, cache);
  const { files } = layers;
  // The plan file (`plan:`, written by `orchestra plan --request`): its phases and gates on top.
  const merged = mergeLayers(layers.merged, await loadPlanLayer(layers.merged, options.plan, sources, diagnostics, cache));

  const teamValue = merged['team'];
  const teamFile = typeof teamValue === 'string' ? teamValue : path.join(path.dirname(file), 'team.json');
  let team: Team | undefined;
  if (existsSync(teamFile)) {
    team = await loadTeam(teamFile, locOf(merged, 'team'), sources, diagnostics, cache);
  } else if (typeof teamValue === 'string') {
    diagnostics.push(error(`team file not found: ${teamFile}`, locOf(merged, 'team')));
  }

  let spec: SpecResult | undefined;
  const specFile = merged['spec'];
  if (typeof specFile === 'string') {
    if (existsSync(specFile)) {
      const read = readUserFile(specFile, 'spec', locOf(merged, 'spec'), sources);
      if ('problem' in read) diagnostics.push(read.problem);
      else {
        sources.set(specFile, new SourceText(specFile, read.text));
        spec = parseSpec(specFile, read.text);
        pushAll(diagnostics, spec.diagnostics);
      }
    } else {
      diagnostics.push(error(`spec file not found: ${specFile}`, locOf(merged, 'spec')));
    }
  }

  const { config, diagnostics: semantic } = normalizeConfig({ raw: merged, file, files, teamFile, ...(team ? { team } : {}), ...(spec ? { spec } : {}) });
  pushAll(diagnostics, semantic);
  return done(config);
}

async function loadTeam(file: string, at: Loc | undefined, sources: SourceStore, diagnostics: Diagnostic[], cache: ParseCache): Promise<Team | undefined> {
  const read = readUserFile(file, 'team', at, sources);
  if ('problem' in read) {
    diagnostics.push(read.problem);
    return undefined;
  }
  const parsed = await parseFile(file, read.text, sources, cache);
  pushAll(diagnostics, parsed.diagnostics);
  if (parsed.value === undefined) return undefined;
  pushAll(diagnostics, checkSchema('team', parsed.value, file));
  const { team, diagnostics: semantic } = normalizeTeam(parsed.value, file);
  pushAll(diagnostics, semantic);
  return team;
}
