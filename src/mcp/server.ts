import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { orchestraVersion } from '../util/version.js';
import { GateChecker } from './gate-check.js';
import { registerTools } from './tools.js';

export interface McpOptions {
  readonly cwd: string;
  /** For gates without a `timeout:` of their own. */
  readonly timeoutMs: number;
  readonly graceMs: number;
  /** The environment the tools read: the run's identity when a run started the server. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const INSTRUCTIONS = [
  "orchestra runs this repository's quality gates (tests, linters, rules).",
  'Call check_gate after you change code and before you say you are done; fix what fails and check again.',
  'list_gates says what each gate checks; fix_suggestion shows fixes learned for a failure; run_status shows the orchestra run; note records progress or a blocker in it.',
].join(' ');

/** The repository a server may look at: the git work tree it started in (a task's worktree inside a run), else the folder itself. */
function boundaryOf(dir: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || dir;
  } catch {
    return dir;
  }
}

/**
 * `orchestra mcp`: the gates as Model Context Protocol tools, over stdio.
 * stdout carries the protocol and nothing else; logs go to stderr. Ends when
 * the client closes stdin (or on SIGTERM / SIGINT), after stopping every gate
 * process it started.
 */
export async function serveMcp(opts: McpOptions): Promise<number> {
  // A stray console.log anywhere would corrupt the protocol stream.
  console.log = console.error;
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const startDir = path.resolve(opts.cwd);
  const phase = opts.env['ORCHESTRA_PHASE'];
  const checker = new GateChecker({ defaultTimeoutMs: opts.timeoutMs, graceMs: opts.graceMs, ...(phase ? { phase } : {}) });
  const server = new McpServer({ name: 'orchestra', version: orchestraVersion() }, { instructions: INSTRUCTIONS });
  registerTools(server, { startDir, boundary: boundaryOf(startDir), checker, env: opts.env, log });

  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', resolve);
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.connect(transport);
  log(`orchestra mcp: serving the gates of ${startDir} over stdio`);
  await closed;
  await server.close().catch(() => undefined);
  await checker.close();
  return 0;
}
