import { spawn } from 'node:child_process';

export interface FirstBytes {
  /** At most `maxBytes` of the output (cut at a line end where there is one). */
  readonly text: string;
  /** True when there was more: the process was stopped once it had given enough. */
  readonly cut: boolean;
}

/**
 * Runs a command and keeps only the first `maxBytes` of what it prints, then
 * stops it: memory is bounded by construction, whatever the output's size (a
 * 300 MB diff), instead of by a buffer limit that turns into an exception.
 * A failure (the command's own non-zero exit) rejects with its stderr's
 * first lines.
 */
export function firstBytes(command: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }, maxBytes: number): Promise<FirstBytes> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let cut = false;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      if (cut) return;
      chunks.push(d);
      size += d.length;
      if (size > maxBytes) {
        cut = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString('utf8');
    });
    child.on('error', (e) => reject(new Error(`${command} ${args.join(' ')}: ${e.message}`)));
    child.on('close', (code) => {
      if (!cut && code !== 0) {
        reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim().split('\n').slice(0, 5).join('\n') || `exit code ${code}`}`));
        return;
      }
      let buf = Buffer.concat(chunks).subarray(0, maxBytes);
      if (cut) {
        const nl = buf.lastIndexOf(10);
        if (nl > 0) buf = buf.subarray(0, nl + 1);
      }
      resolve({ text: buf.toString('utf8'), cut });
    });
  });
}
