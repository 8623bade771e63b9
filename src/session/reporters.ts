import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { RunResults } from '../report/results.js';
import { writableFileProblem } from '../util/path-kind.js';
import { writeFileAtomic } from '../util/write-atomic.js';
import { unreachable } from '../util/unreachable.js';
import type { Workspace } from '../workspace/layout.js';

export type ReporterName = 'pretty' | 'json' | 'junit' | 'github' | 'sarif';

export interface ReporterChoice {
  readonly name: ReporterName;
  /** For junit and sarif: where the file goes. */
  readonly file?: string;
}

export interface ReportTarget {
  /** The config's folder: report files and annotation paths are relative to it. */
  readonly root: string;
  readonly ws: Workspace;
  /** Extra fields for a node's JSON entry (a run's agent work). */
  readonly extra?: (nodeId: string) => Record<string, unknown>;
}

/**
 * Why a report file could not be written (a directory, a device, /proc…), one
 * message per reporter naming its flag; checked before any work starts, so a
 * run is not lost at its end for a mistyped path.
 */
export function reportFileProblems(reporters: readonly ReporterChoice[], target: Pick<ReportTarget, 'root' | 'ws'>): string[] {
  const problems: string[] = [];
  for (const r of reporters) {
    if (r.name !== 'junit' && r.name !== 'sarif') continue;
    const problem = writableFileProblem(path.resolve(target.root, r.file ?? target.ws.defaultReportFile(r.name)));
    if (problem !== undefined) problems.push(`--reporter ${r.name}${r.file !== undefined ? `=${r.file}` : ''}: ${problem}`);
  }
  return problems;
}

/**
 * Writes what each reporter asks for, the same for `check` and `run`: json
 * and github on stdout, junit and sarif to a file (named, or the workspace's
 * default) written atomically.
 */
export async function writeReports(reporters: readonly ReporterChoice[], run: RunResults, target: ReportTarget): Promise<void> {
  for (const r of reporters) {
    switch (r.name) {
      case 'pretty':
        break;
      case 'json':
        process.stdout.write((await import('../report/json.js')).jsonReport(run, target.extra));
        break;
      case 'github':
        process.stdout.write((await import('../report/github.js')).githubReport(run, await configUnderRepo(target.root)));
        break;
      case 'junit':
      case 'sarif': {
        const file = path.resolve(target.root, r.file ?? target.ws.defaultReportFile(r.name));
        mkdirSync(path.dirname(file), { recursive: true });
        const text = r.name === 'junit' ? (await import('../report/junit.js')).junitReport(run) : (await import('../report/sarif.js')).sarifReport(run);
        writeFileAtomic(file, text);
        process.stderr.write(`orchestra: wrote ${path.relative(process.cwd(), file) || file}\n`);
        break;
      }
      default:
        unreachable(r.name);
    }
  }
}

/** Where the config sits below the repository root ('' at the root): in Actions, below GITHUB_WORKSPACE. */
export async function configUnderRepo(root: string): Promise<string> {
  const top = process.env['GITHUB_WORKSPACE'] || (await new (await import('../git/repo.js')).Repo(root).topLevel());
  const rel = path.relative(top, root);
  return rel.startsWith('..') || path.isAbsolute(rel) ? '' : rel.split(path.sep).join('/');
}
