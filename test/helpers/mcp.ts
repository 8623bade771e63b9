import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach } from 'vitest';
import { BIN } from './repo.js';

const open: Client[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

/** The SDK's own client, talking to `node bin/orchestra.js mcp` started in `cwd` over stdio, as an agent's CLI would. */
export async function mcpClient(cwd: string, env: Record<string, string> = {}): Promise<{ client: Client; stderr: () => string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('ORCHESTRA_')));
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], cwd, env: { ...base, NO_COLOR: '1', ...env }, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'orchestra-test', version: '0.0.0' });
  await client.connect(transport);
  open.push(client);
  return { client, stderr: () => stderr };
}

/** A tool's answer: its text and whether it is a tool error. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ text: string; isError: boolean }> {
  const r = await client.callTool({ name, arguments: args });
  const content = r.content as Array<{ type: string; text?: string }>;
  return { text: content.map((c) => c.text ?? '').join('\n'), isError: r.isError === true };
}
