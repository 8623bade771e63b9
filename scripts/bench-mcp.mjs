// npm run bench: the MCP server's answer time. Plain JSON-RPC over the
// server's stdio (newline-delimited, as the protocol's stdio transport is),
// so the bench needs nothing but node.
import { spawn } from 'node:child_process';

/**
 * Median time from sending `tools/call check_gate` to its answer, over `runs` calls after one warm-up call (which fills
 * the cache). `gates`: the gates to ask for (default: the default set); `touch`: called before each timed call, to
 * change an input the way an agent's edit does (then the answer need not be cached).
 */
export async function benchMcpCheck(bin, cwd, runs, { gates, touch } = {}) {
  const child = spawn(process.execPath, [bin, 'mcp'], { cwd, stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map();
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    buffer += d;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const message = JSON.parse(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      waiting.get(message.id)?.(message);
    }
  });
  let id = 0;
  const request = (method, params) =>
    new Promise((resolve) => {
      waiting.set(++id, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  try {
    await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const check = () => request('tools/call', { name: 'check_gate', arguments: gates ? { gates } : {} });
    const warm = await check();
    if (warm.result?.isError || !/^PASSED/.test(warm.result?.content?.[0]?.text ?? '')) throw new Error(`check_gate: ${JSON.stringify(warm)}`);
    const times = [];
    for (let i = 0; i < runs; i++) {
      touch?.(i);
      const t0 = performance.now();
      const r = await check();
      times.push(performance.now() - t0);
      const text = r.result?.content?.[0]?.text ?? '';
      if (touch ? !/^PASSED/.test(text) : !/cached/.test(text)) throw new Error(`check_gate: ${JSON.stringify(r).slice(0, 500)}`);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } finally {
    child.stdin.end();
    child.kill();
  }
}
