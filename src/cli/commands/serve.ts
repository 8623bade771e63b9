import { EXIT, type CommonOptions } from '../exit-codes.js';
import { findRun, runsDir } from './watch.js';

export interface ServeOptions extends CommonOptions {
  readonly port: number;
  readonly runId?: string;
}

/** `orchestra serve`: the dashboard for this repo's runs until Ctrl-C. The first line printed is the address. */
export async function serveCommand(opts: ServeOptions): Promise<number> {
  const found = opts.runId ? await findRun(opts) : await runsDir(opts);
  if (!found) return EXIT.usage;
  const { startDashboard } = await import('../../serve/server.js');
  const started = await listen(() => startDashboard({ ws: found.ws, port: opts.port, ...(opts.runId ? { runId: opts.runId } : {}) }), opts.port);
  if (!started) return EXIT.usage;
  process.stdout.write(`${started.url}\n`);
  process.stderr.write(`the dashboard of ${found.ws.stateDir}; Ctrl-C stops it\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await started.close();
  return EXIT.ok;
}

/** Starts a server, or says why the port would not do (the one place a user's choice can fail here). */
export async function listen<T>(start: () => Promise<T>, port: number): Promise<T | undefined> {
  try {
    return await start();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
    process.stderr.write(
      `orchestra: error: --port ${port}: ${code === 'EADDRINUSE' ? 'that port is in use' : 'not allowed to listen there'}; pick another, or leave --port out for a free one\n`,
    );
    return undefined;
  }
}
