import { spawn, type ChildProcess } from 'node:child_process';
import type { AlertSettings } from '../config/types.js';
import type { EventBus, OrchestraEvent } from '../events/events.js';
import { AlertDetector, type Alert } from './alert-detector.js';

export interface AlertMonitor {
  /** Stops the clock and ends any alert command still running. */
  stop(): void;
}

/** How long an alert command may take: a notifier, not a job. */
const COMMAND_MS = 10_000;

/**
 * The edge around the detector: it hears the run's events on the bus, asks
 * the detector again on a timer, emits each alert as an `alert` event and
 * runs the config's `alerts.run` for it (argv, never a shell).
 */
export function startAlertMonitor(bus: EventBus, settings: AlertSettings, runId: string, warn: (message: string) => void): AlertMonitor {
  const detector = new AlertDetector({ silentMs: settings.silentMs, stalledMs: settings.stalledMs, loopRepeats: settings.loopRepeats });
  const children = new Set<ChildProcess>();
  let stopped = false;
  let commandFailed = false;
  const raise = (alerts: readonly Alert[]): void => {
    for (const a of alerts) {
      if (stopped) return;
      bus.emit({ type: 'alert', ts: Date.now(), kind: a.kind, message: a.message, node: a.node });
      if (settings.run) runCommand(settings.run, a);
    }
  };
  bus.subscribe((e: OrchestraEvent) => {
    if (e.type === 'alert') return;
    const alerts = detector.observe(e);
    // After this event has reached every subscriber: the record keeps the order things happened in.
    if (alerts.length) queueMicrotask(() => raise(alerts));
  });
  // Often enough that an alert comes within a quarter of its threshold; never busier than 20 times a second.
  const every = Math.min(5000, Math.max(50, Math.floor(Math.min(settings.silentMs, settings.stalledMs) / 4)));
  const timer = setInterval(() => raise(detector.tick(Date.now())), every);
  timer.unref();

  function runCommand(argv: readonly string[], a: Alert): void {
    const fill = (arg: string): string =>
      arg
        .replaceAll('{{kind}}', a.kind)
        .replaceAll('{{node}}', a.node ?? '')
        .replaceAll('{{message}}', a.message);
    const [file, ...args] = argv.map(fill);
    if (!file) return;
    const env = {
      ...process.env,
      ORCHESTRA_RUN_ID: runId,
      ORCHESTRA_ALERT_KIND: a.kind,
      ORCHESTRA_ALERT_NODE: a.node ?? '',
      ORCHESTRA_ALERT_MESSAGE: a.message,
    };
    const child = spawn(file, args, { env, stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    children.add(child);
    const kill = setTimeout(() => killGroup(child), COMMAND_MS);
    kill.unref();
    child.on('error', (err) => {
      if (!commandFailed) warn(`alerts.run: ${file}: ${err.message} (alerts are still in the record and on the dashboard)`);
      commandFailed = true;
    });
    child.on('close', () => {
      clearTimeout(kill);
      children.delete(child);
    });
    child.stdin?.on('error', () => undefined); // a command that does not read its stdin
    child.stdin?.end(`${JSON.stringify({ runId, ...a })}\n`);
    child.unref();
  }

  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      for (const c of children) killGroup(c);
    },
  };
}

/** The command and whatever it started: it runs in its own process group. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
