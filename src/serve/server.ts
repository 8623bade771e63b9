import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunDir, Workspace } from '../workspace/layout.js';
import { RUN_ID, runIds } from '../workspace/run-ids.js';
import { readEvents, runInfo } from '../report/run-record.js';
import { readLock } from '../workspace/lock.js';
import { readPatterns } from '../run/patterns.js';
import { EventTail } from './event-tail.js';
import { compareView, fixesView, transcriptView } from './views.js';
import { resumePoint, sseFrame } from './sse.js';

/**
 * The dashboard: a small HTTP server on 127.0.0.1 that serves the page (plain
 * files shipped in the package's `dashboard/`, no build step, no CDN) and
 * reads `.orchestra/runs/` for it. It only reads: the run writes its record
 * and logs whether anyone watches or not.
 */
export interface DashboardOptions {
  readonly ws: Workspace;
  /** 0: any free port. */
  readonly port: number;
  /** The run the page opens on; else the latest. */
  readonly runId?: string;
  readonly pollMs?: number;
}

export interface Dashboard {
  readonly url: string;
  close(): Promise<void>;
}

const ASSET_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url));
const ASSETS: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/model.js': 'model.js',
  '/dag.js': 'dag.js',
  '/style.css': 'style.css',
  '/panels.js': 'panels.js',
};
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
/** The most of a log one request returns; the page asks again from where it got to. */
const LOG_CHUNK = 256 * 1024;

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const pollMs = opts.pollMs ?? 200;
  /** Open event streams, each with its way to end: `flush` first sends what the file has now. */
  const streams = new Set<(flush: boolean) => void>();
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      // A bug here must not take the run's dashboard down; the request fails alone.
      if (!res.headersSent) send(res, 500, 'text/plain', `internal error: ${(err as Error).message}\n`);
      else res.destroy();
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    // Another site in the browser may not read this one through a rebound DNS name.
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (host !== '127.0.0.1' && host !== 'localhost') return send(res, 403, 'text/plain', 'this dashboard answers on 127.0.0.1 only\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const asset = ASSETS[url.pathname];
    if (asset) return send(res, 200, TYPES[path.extname(asset)] as string, readFileSync(path.join(ASSET_DIR, asset)));
    if (url.pathname === '/api/runs') return runs(res);
    if (url.pathname === '/api/compare') return compare(res, url.searchParams.get('a') ?? '', url.searchParams.get('b') ?? '');
    const m = /^\/api\/runs\/([^/]+)\/(events|log|transcript|fixes)$/.exec(url.pathname);
    if (!m) return send(res, 404, 'text/plain', 'not found\n');
    const id = decodeURIComponent(m[1] as string);
    if (!RUN_ID.test(id) || !existsSync(opts.ws.run(id).dir)) return send(res, 404, 'text/plain', `no run '${id}'\n`);
    const runDir = opts.ws.run(id);
    if (m[2] === 'events') return events(req, res, runDir, resumePoint(req.headers['last-event-id'], url.searchParams.get('after')));
    if (m[2] === 'transcript') return json(res, transcriptView(readEvents(runDir.events), url.searchParams.get('node') ?? ''));
    if (m[2] === 'fixes') return json(res, fixesView(readEvents(runDir.events), readPatterns(opts.ws.patternsFile)));
    return log(res, runDir, url.searchParams.get('node') ?? '', url.searchParams.get('from'));
  }

  function compare(res: ServerResponse, a: string, b: string): void {
    for (const id of [a, b]) if (!RUN_ID.test(id) || !existsSync(opts.ws.run(id).events)) return send(res, 404, 'text/plain', `no run '${id}'\n`);
    json(res, compareView(readEvents(opts.ws.run(a).events), readEvents(opts.ws.run(b).events)));
  }

  function runs(res: ServerResponse): void {
    const running = readLock(opts.ws)?.runId;
    const ids = runIds(opts.ws).reverse().slice(0, 50);
    const list = ids.map((id) => runInfo(id, readEvents(opts.ws.run(id).events), running));
    send(res, 200, 'application/json', JSON.stringify({ default: opts.runId ?? ids[0] ?? null, runs: list }));
  }

  function events(req: IncomingMessage, res: ServerResponse, runDir: RunDir, after: number): void {
    res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    // Backpressure: a client that does not read stops the reading of the record until its socket drains.
    const tail: EventTail = new EventTail(runDir.events, after, (id, line) => {
      if (res.write(sseFrame(id, line))) return true;
      // The rest of the chunk is still handed over (it is bounded): one drain listener for the whole refusal, not one per line.
      if (!tail.paused) res.once('drain', () => tail.resume());
      return false;
    });
    // A comment now and then keeps proxies and idle timeouts from closing a quiet stream.
    const beat = setInterval(() => tail.paused || res.write(': keep-alive\n\n'), 15_000);
    const stop = (flush: boolean): void => {
      if (flush) tail.poll();
      tail.stop();
      clearInterval(beat);
      streams.delete(stop);
      res.end();
    };
    streams.add(stop);
    req.on('close', () => stop(false));
    tail.start(pollMs);
  }

  function log(res: ServerResponse, runDir: RunDir, node: string, from: string | null): void {
    // The page asks every second while a node runs: a stat, not a read of the record. fileSafe keeps the name inside logs/.
    const file = runDir.logFile(node);
    if (!node || !existsSync(file)) return send(res, 404, 'text/plain', `no output for '${node}' in this run (yet)\n`);
    const size = statSync(file).size;
    // No `from`: the last chunk, which is what a person opening a long log wants first.
    const start = from !== null && /^\d+$/.test(from) ? Math.min(Number(from), size) : Math.max(0, size - LOG_CHUNK);
    const length = Math.min(size - start, LOG_CHUNK);
    const buf = Buffer.alloc(length);
    if (length > 0) {
      const fd = openSync(file, 'r');
      try {
        readSync(fd, buf, 0, length, start);
      } finally {
        closeSync(fd);
      }
    }
    res.setHeader('X-Log-Start', String(start));
    res.setHeader('X-Log-Next', String(start + length));
    send(res, 200, 'text/plain; charset=utf-8', buf);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${opts.runId ? `?run=${encodeURIComponent(opts.runId)}` : ''}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stop of [...streams]) stop(true);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // Everything the page uses comes from here; nothing else may load.
  'Content-Security-Policy': "default-src 'self'; style-src 'self'; img-src 'self' data:",
} as const;

function json(res: ServerResponse, value: unknown): void {
  send(res, 200, 'application/json', JSON.stringify(value));
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
