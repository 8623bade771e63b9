import path from 'node:path';
import { EXIT } from '../exit-codes.js';

export interface McpCommandOptions {
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly graceMs: number;
  /** The run's identity for this server (ORCHESTRA_RUN_ID, _PHASE, _TASK, _NOTES_FILE), over the environment's. */
  readonly run: Readonly<Record<string, string>>;
}

/** `orchestra mcp`: the server is loaded only here, so that no other command pays for the SDK. */
export async function mcpCommand(opts: McpCommandOptions): Promise<number> {
  const { serveMcp } = await import('../../mcp/server.js');
  return serveMcp({ cwd: path.resolve(opts.cwd), timeoutMs: opts.timeoutMs, graceMs: opts.graceMs, env: { ...process.env, ...opts.run } });
}

/** `orchestra mcp install`: each agent CLI's project config gets the server; the user's home is never edited. */
export async function mcpInstallCommand(opts: { readonly cwd: string }): Promise<number> {
  const { installPlan, CODEX_LINES } = await import('../../mcp/install.js');
  const { readFileSync, existsSync, mkdirSync, writeFileSync } = await import('node:fs');
  const root = path.resolve(opts.cwd);
  const plan = installPlan((rel) => {
    const file = path.join(root, rel);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  });
  if (!plan.ok) {
    process.stderr.write(`orchestra: error: ${plan.error}\n`);
    return EXIT.usage;
  }
  for (const step of plan.steps) {
    if (step.text !== undefined) {
      const file = path.join(root, step.file);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, step.text);
    }
    process.stdout.write(`${step.file}: ${step.said}\n`);
  }
  process.stdout.write(`\n${CODEX_LINES}`);
  return EXIT.ok;
}
