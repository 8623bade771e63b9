import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { BIN } from './repo.js';

export interface Served {
  /** The first line the command printed: the address to open. */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/** Starts `orchestra ARGS` and resolves once it has printed its first line. */
export function spawnServing(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      const nl = stdout.indexOf('\n');
      if (nl !== -1) resolve({ url: stdout.slice(0, nl), child, output: () => ({ stdout, stderr }), exited });
    });
    void exited.then((code) => reject(new Error(`exited ${code} before printing an address:\n${stdout}\n${stderr}`)));
  });
}

export interface SseEvent {
  id: number;
  data: string;
}

/** Reads an event stream until `done` says so (or `ms` pass), sending `Last-Event-ID` when given. */
export async function readSse(url: string, done: (events: SseEvent[]) => boolean, lastEventId?: number, ms = 15_000): Promise<SseEvent[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  const events: SseEvent[] = [];
  try {
    const res = await fetch(url, { headers: lastEventId !== undefined ? { 'Last-Event-ID': String(lastEventId) } : {}, signal: abort.signal });
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      for (let end = buf.indexOf('\n\n'); end !== -1; end = buf.indexOf('\n\n')) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const id = /^id: (\d+)$/m.exec(block)?.[1];
        const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
        if (id !== undefined) events.push({ id: Number(id), data });
      }
      if (done(events)) break;
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return events;
}

/** A GET with a chosen Host header, which fetch does not allow setting. */
export function getWithHost(url: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}
